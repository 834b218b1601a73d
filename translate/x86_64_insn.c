/* SPDX-License-Identifier: MIT */
/* x86_64_insn.c: JIT instruction tables: which guest instruction each slow-path call belongs to. */
#include "config.h"
#if KILN_HOST_X86_64 && defined(__x86_64__)

#include <stdlib.h>
#include <string.h>
#include "translate/x86_64_int.h"

/*
 * Generated code does not store the guest PC before each memory access.
 * Instead every block whose LD/ST slow paths follow an INSN_START gets a
 * table, written into the code buffer right after its code:
 *
 *   uint32_t n;  then n entries of 12 bytes: uint32_t ra, uint64_t word
 *
 * ra is the return address of a slow-path call, as an offset from the block's
 * first byte, and word the aux of the INSN_START in effect at that LD/ST.
 * Entries are in ascending ra order (slow paths are emitted in op order).
 * j->blk indexes the blocks that have a table, in address order: blocks are
 * allocated by bumping a pointer, and a reset forgets them all.
 */

#define ENTRY_SIZE 12u

bool jit_insn_table(struct jit *j, uint8_t *start)
{
    struct xbuf *x = &j->x;
    unsigned n = 0;
    for (unsigned i = 0; i < j->nslow; i++)
        n += j->slow[i].has_insn;
    if (n == 0)
        return true;
    size_t need = 4 + (size_t)n * ENTRY_SIZE;
    if ((size_t)(x->end - x->p) < need)
        return false;
    if (j->nblk == j->blkcap) {
        unsigned cap = j->blkcap ? j->blkcap * 2 : 256;
        struct jblk *b = realloc(j->blk, cap * sizeof(*b));
        if (!b)
            return false;
        j->blk = b;
        j->blkcap = cap;
    }
    uint8_t *t = x->p;
    uint32_t n32 = n;
    memcpy(t, &n32, 4);
    uint8_t *e = t + 4;
    for (unsigned i = 0; i < j->nslow; i++) {
        const struct jslow *s = &j->slow[i];
        if (!s->has_insn)
            continue;
        uint32_t ra = (uint32_t)(s->ra - start);
        memcpy(e, &ra, 4);
        memcpy(e + 4, &s->insn, 8);
        e += ENTRY_SIZE;
    }
    x->p += need;
    j->blk[j->nblk].start = (uint32_t)(start - j->buf);
    j->blk[j->nblk].table = (uint32_t)(t - j->buf);
    j->nblk++;
    return true;
}

bool jit_insn_at(struct engine *e, uintptr_t host_ra, uint64_t *word)
{
    const struct jit *j = (const struct jit *)e;
    if (host_ra < (uintptr_t)j->buf || host_ra >= (uintptr_t)j->x.p)
        return false;
    uint32_t off = (uint32_t)(host_ra - (uintptr_t)j->buf);
    unsigned lo = 0, hi = j->nblk;
    while (lo < hi) {              /* first block starting after off */
        unsigned mid = lo + (hi - lo) / 2;
        if (j->blk[mid].start <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    const struct jblk *b = &j->blk[lo - 1];
    if (off >= b->table)
        return false;              /* in a block without a table */
    const uint8_t *t = j->buf + b->table;
    uint32_t n, rel = off - b->start;
    memcpy(&n, t, 4);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ra;
        memcpy(&ra, t + 4 + i * ENTRY_SIZE, 4);
        if (ra == rel) {
            memcpy(word, t + 4 + i * ENTRY_SIZE + 4, 8);
            return true;
        }
        if (ra > rel)
            break;
    }
    return false;
}

void jit_insn_reset(struct jit *j)
{
    j->nblk = 0;
}

#endif
