/* SPDX-License-Identifier: MIT */
/* mmu.h: the x86 page walker (cpu/mmu.c). */
#ifndef KILN_CPU_MMU_H
#define KILN_CPU_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/cpu.h"

/* How the walker reads and writes page-table entries (guest physical, 4 or 8 bytes). */
struct mmu_phys {
    uint64_t (*load)(struct cpu *cpu, uint64_t pa, unsigned size);
    void (*store)(struct cpu *cpu, uint64_t pa, uint64_t v, unsigned size);
};

struct mmu_result {
    uint64_t phys;     /* physical address of va's 4 KiB page */
    unsigned prot;     /* CPU_PROT_*: what this mode may do without another walk (W only once dirty) */
    bool global;
    uint32_t error;    /* #PF error code when the walk fails */
};

/* Walks the page tables of the current CR0/CR3/CR4/EFER for a data read,
   write or fetch at va in MMU mode `mode` (cpu_mmu_idx: 0 supervisor, 1 user
   (CPL 3), 2 supervisor with EFLAGS.AC under SMAP). Supervisor accesses to
   user pages: fetches fault under CR4.SMEP, data accesses in mode 0 under
   CR4.SMAP (res->prot never grants what a later access in this mode may not
   do). Sets the accessed and dirty bits. Returns false with res->error on a
   page fault (the caller raises #PF); raises #GP(0) itself for a non-canonical
   address. */
bool mmu_walk(struct cpu *cpu, const struct mmu_phys *pm, uint64_t va, enum cpu_access acc, unsigned mode,
              struct mmu_result *res);

/* True when the CPU uses PAE paging (CR0.PG, CR4.PAE, not EFER.LMA): the
   walk then starts from cpu->pdpte, not from memory at CR3. */
bool mmu_pae_legacy(const struct cpu *cpu);

/* Loads the four PDPTE registers from the 32-byte table at cr3 (bits 31:5),
   read through pm (NULL: cpu->pt_mem). Returns false, leaving cpu->pdpte
   unchanged, when a present entry has a reserved bit (2:1, 8:5, 63:MAXPHYADDR;
   bit 63 is no NX here): the caller raises #GP(0). MOV to CR3 under PAE
   paging, MOV to CR0/CR4 that leaves PAE paging on and changes CR0.CD/NW/PG
   or CR4.PAE/PGE/PSE/SMEP, and a task switch with paging on load them. */
bool mmu_load_pdptes(struct cpu *cpu, const struct mmu_phys *pm, uint64_t cr3);

#endif
