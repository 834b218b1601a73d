/* SPDX-License-Identifier: MIT */
/* tb.h: translation blocks and the cache that finds, chains and invalidates them. */
#ifndef KILN_TRANSLATE_TB_H
#define KILN_TRANSLATE_TB_H

#include <stdbool.h>
#include <stdint.h>
#include "translate/engine.h"

/* tb->cflags */
#define TB_CF_SINGLE 0x1u    /* exactly one guest instruction (after SMC hit the running block) */
#define TB_CF_NOCHAIN 0x2u   /* never chain from or to this block (-d nochain) */

/*
 * A translated block. The key is (pc, cs_base, flags, cflags): pc is the guest
 * virtual address of the first instruction, cs_base and flags are opaque to
 * translate/ and hold every piece of guest state the code depends on (the
 * guest builds them; see cpu/). phys_page[] are the guest physical pages the
 * code was read from (one or two), for invalidation when they are written.
 */
struct tb {
    uint64_t pc, cs_base, flags;
    uint32_t cflags;
    uint32_t size;               /* guest bytes covered from phys_pc on */
    uint32_t span_before;        /* ... and before it (the block went on across a jump
                                    backward on its page; 0 otherwise) */
    uint32_t icount;             /* guest instructions */
    uint64_t phys_pc;            /* guest physical address of the first byte */
    uint64_t phys_page[2];       /* page addresses; phys_page[1] == TB_NO_PAGE if one page */

    /* Engine side. */
    void *code;                  /* JIT: host code entry */
    uint32_t code_size;
    void *engine_data;           /* interpreter: its copy of the ops */
    uintptr_t jmp_site[2];       /* engine-private: where GOTO_TB slot n is patched */
    struct tb *jmp_dest[2];      /* where slot n is chained to, or NULL */
    /* Chained exits that skip stores (docs/JIT.md, "Chained exits"). */
    uint64_t dead_in;            /* globals the body overwrites before they can be seen
                                    (ir_dead_in; bit t - 1 for global temp t), set by tb_commit */
    void *code_body;             /* JIT: host address right after the entry checks, entered by a
                                    predecessor that did them itself; NULL: none */
    int32_t charge_off;          /* JIT: the env counter of the fused entry charge */
    uint32_t charge;             /* ... and the amount it subtracts */
    uintptr_t jmp_stub[2];       /* engine-private: slot n's two-variant exit, or 0 */
    uint64_t jmp_deferred[2];    /* globals slot n's chained exit does not store (0: a plain chain) */

    /* Cache side (tb.c's business). */
    struct tb *hash_next;
    uintptr_t page_next[2];      /* next (tb | n) with code on our page n */
    uintptr_t jmp_from;          /* incoming chains: list of (tb | slot) */
    uintptr_t jmp_from_next[2];  /* next incoming entry, for this tb's slot n */
    uint32_t jc_slot;            /* 1 + its jump-cache slot, 0 when not in the jump cache */
    bool invalid;
};
#define TB_NO_PAGE (~(uint64_t)0)

struct tb_cache;

/* Creates a cache holding at most max_tbs blocks, running them with engine. */
struct tb_cache *tb_cache_new(struct engine *engine, unsigned max_tbs);
/* Frees the cache and every block in it (not the engine). */
void tb_cache_free(struct tb_cache *c);
/* The valid block for this key, or NULL. Fast: a hash probe. phys_pc is the guest
   physical address pc maps to now: a block translated from other physical memory
   at the same pc (another address space, a remapped page) does not match. A block
   whose code spans two pages (tb->phys_page[1] != TB_NO_PAGE) matches on its first
   page only; the caller checks the second. */
struct tb *tb_lookup(struct tb_cache *c, uint64_t pc, uint64_t phys_pc, uint64_t cs_base,
                     uint64_t flags, uint32_t cflags);
/* A new block with the key filled in and nothing else, or NULL when the cache is
   full (the caller then calls tb_flush and retries). */
struct tb *tb_alloc(struct tb_cache *c, uint64_t pc, uint64_t cs_base, uint64_t flags, uint32_t cflags);
/* Compiles b into tb with the engine and makes tb findable; false when the
   engine is out of space (tb is dropped; flush and retry). */
bool tb_commit(struct tb_cache *c, struct tb *tb, const struct ir_block *b);
/* Chains from's slot to to (both valid, neither TB_CF_NOCHAIN). */
void tb_link(struct tb_cache *c, struct tb *from, unsigned slot, struct tb *to);
/* Invalidates every block with code in [start, end) of guest physical memory;
   returns how many. Chains into them are undone first. */
unsigned tb_invalidate_phys_range(struct tb_cache *c, uint64_t start, uint64_t end);
/* True when some valid block has code on this physical page. */
bool tb_page_has_code(struct tb_cache *c, uint64_t page);
/* Throws every block away and resets the engine. */
void tb_flush(struct tb_cache *c);

/*
 * The jump cache: a direct-mapped table in front of tb_lookup for indirect
 * branches (GOTO_PTR) and the CPU loop. An entry maps a key of TB_JC_KEYS
 * words, taken from guest state the guest chooses (engine.h: jc_key_*), to a
 * block; the guest must choose them so that they determine the block's
 * (pc, cs_base, flags) with cflags 0. The slot is tb_jc_index(key[0]). The JIT
 * probes it inline (key words compared, then a jump to code); C callers use
 * tb_jc_find and tb_jc_set. The cache keeps it exact: a block is in at most one
 * slot (tb->jc_slot), invalidating a block clears its slot, tb_flush clears
 * all. A cleared slot i holds key[0] = i ^ 1, whose index is not i, so no
 * probe can match it.
 */
#define TB_JC_BITS 12
#define TB_JC_SIZE (1u << TB_JC_BITS)
#define TB_JC_KEYS 3
struct tb_jc_entry {
    uint64_t key[TB_JC_KEYS];
    const void *code;            /* tb->code (JIT), for the inline probe */
};
struct tb_jc {
    struct tb_jc_entry e[TB_JC_SIZE];
    struct tb *tb[TB_JC_SIZE];   /* the block of each entry (NULL: cleared) */
};

static inline unsigned tb_jc_index(uint64_t key0)
{
    return (unsigned)((key0 ^ (key0 >> TB_JC_BITS)) & (TB_JC_SIZE - 1));
}

/* The block cached for this key, or NULL. */
static inline struct tb *tb_jc_find(const struct tb_jc *jc, uint64_t k0, uint64_t k1, uint64_t k2)
{
    unsigned i = tb_jc_index(k0);
    const struct tb_jc_entry *e = &jc->e[i];
    if (e->key[0] == k0 && e->key[1] == k1 && e->key[2] == k2)
        return jc->tb[i];
    return NULL;
}

/* The cache's jump cache (one per cache, allocated with it; the guest puts a
   pointer to it in env for the JIT). */
struct tb_jc *tb_cache_jc(struct tb_cache *c);
/* Caches tb (valid, found for this key) in its slot, evicting whatever was there.
   Blocks with code on two pages are not cached (their lookup checks the second). */
void tb_jc_set(struct tb_cache *c, uint64_t k0, uint64_t k1, uint64_t k2, struct tb *tb);
/* Empties the jump cache (the blocks stay). */
void tb_jc_clear(struct tb_cache *c);

struct tb_stats {
    uint64_t translated, flushes, invalidated, chained;
    uint64_t jc_fills;           /* blocks put in the jump cache */
    uint64_t chained_fast;       /* chains whose exit skips stores (tb->jmp_deferred != 0) */
    unsigned live;
};
/* Counters for -d stats and the monitor's "info jit". */
void tb_cache_stats(const struct tb_cache *c, struct tb_stats *out);

#endif
