/* SPDX-License-Identifier: MIT */
/* tlb.h: the soft TLB layout that generated code and the interpreter check inline. */
#ifndef KILN_TRANSLATE_TLB_H
#define KILN_TRANSLATE_TLB_H

#include <stdint.h>

/*
 * The guest (cpu/) fills the TLB; translate/ only reads it. For guest virtual
 * address A and access size S in MMU mode M (IR_MEM_GET_IDX of the memop):
 *
 *     e = &tlb->e[M][(A >> TLB_PAGE_BITS) & (TLB_SIZE - 1)]
 *     hit if ((A + S - 1) & TLB_PAGE_MASK) == e->read_tag   (or write_tag for stores)
 *     host address = A + e->addend
 *
 * Comparing the page of the LAST byte against the tag of the slot chosen by the
 * FIRST byte rejects page-crossing accesses for free (the two pages map to
 * different slots). A tag with any low bit set never matches, which sends the
 * access to the guest's slow path: TLB_INVALID for empty entries, TLB_SLOW for
 * MMIO, pages holding translated code (write_tag, so self-modifying code is
 * seen) and anything else the guest wants to watch.
 */
#define TLB_PAGE_BITS 12
#define TLB_PAGE_SIZE (1u << TLB_PAGE_BITS)
#define TLB_PAGE_MASK (~(uint64_t)(TLB_PAGE_SIZE - 1))
#define TLB_BITS 10
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_MMU_MODES 4

#define TLB_INVALID 0x1u
#define TLB_SLOW 0x2u

struct tlb_entry {
    uint64_t read_tag;
    uint64_t write_tag;
    uint64_t code_tag;
    intptr_t addend;     /* host address minus guest virtual address */
};

struct tlb {
    struct tlb_entry e[TLB_MMU_MODES][TLB_SIZE];
};

/*
 * The guest's slow paths, called by the engines on a TLB miss or slow tag.
 * They fill the TLB, do MMIO, catch writes to code pages, or raise a guest
 * fault by unwinding to the CPU loop (they do not return then).
 */
struct tlb_slow_ops {
    uint64_t (*load)(void *env, uint64_t addr, unsigned memop);
    void (*store)(void *env, uint64_t addr, uint64_t value, unsigned memop);
};

/* Empties every entry (every tag gets TLB_INVALID set). */
void tlb_flush(struct tlb *tlb);
/* Empties the entries of one MMU mode. */
void tlb_flush_mode(struct tlb *tlb, unsigned mode);

#endif
