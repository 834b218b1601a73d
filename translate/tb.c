/* SPDX-License-Identifier: MIT */
/* tb.c: the translation-block cache: lookup by key, chaining, invalidation by physical page. */
#include <stdlib.h>
#include <string.h>
#include "translate/tb.h"
#include "translate/opt.h"
#include "translate/perfmap.h"

/*
 * Blocks live in one array allocated up front; a slot is only reused after a
 * whole-cache flush, so a pointer to an invalidated block stays harmless until
 * then (the loop may still hold it as "last block run"). Two hash tables:
 * key -> block (for lookup) and physical page -> blocks with code there (for
 * invalidation). Page lists link (tb | n) where n says which of the block's
 * one or two pages the link belongs to; incoming chains link (tb | slot) the
 * same way.
 */

struct page_desc {
    uint64_t page;
    uintptr_t first;             /* (tb | n) list through tb->page_next[n] */
    struct page_desc *next;
};

struct tb_cache {
    struct engine *engine;
    struct tb *tbs;
    unsigned max_tbs, ntbs;
    struct tb **hash;
    unsigned hash_mask;
    struct page_desc **pages;
    unsigned pages_mask;
    struct tb_jc *jc;
    struct tb_stats stats;
    struct perfmap *perfmap;     /* KILN_PERF_MAP: names for perf, or NULL */
};

#define LINK_TB(p) ((struct tb *)((p) & ~(uintptr_t)3))
#define LINK_N(p) ((unsigned)((p) & 3))

static unsigned pow2_at_least(unsigned n)
{
    unsigned p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

static unsigned key_hash(uint64_t pc, uint64_t cs_base, uint64_t flags, uint32_t cflags)
{
    uint64_t h = pc * 0x9e3779b97f4a7c15ull;
    h ^= (cs_base + flags * 0xff51afd7ed558ccdull + cflags) * 0xc4ceb9fe1a85ec53ull;
    return (unsigned)(h ^ (h >> 29));
}

static unsigned page_hash(uint64_t page)
{
    uint64_t h = (page >> 12) * 0x9e3779b97f4a7c15ull;
    return (unsigned)(h >> 32);
}

static void jc_clear_slot(struct tb_jc *jc, unsigned i)
{
    if (jc->tb[i])
        jc->tb[i]->jc_slot = 0;
    jc->tb[i] = NULL;
    jc->e[i].key[0] = i ^ 1;     /* tb_jc_index(i ^ 1) == i ^ 1 != i: never matches */
    jc->e[i].key[1] = jc->e[i].key[2] = 0;
    jc->e[i].code = NULL;
}

void tb_jc_clear(struct tb_cache *c)
{
    for (unsigned i = 0; i < TB_JC_SIZE; i++)
        jc_clear_slot(c->jc, i);
}

struct tb_jc *tb_cache_jc(struct tb_cache *c)
{
    return c->jc;
}

void tb_jc_set(struct tb_cache *c, uint64_t k0, uint64_t k1, uint64_t k2, struct tb *tb)
{
    if (!tb || tb->invalid || tb->phys_page[1] != TB_NO_PAGE)
        return;
    struct tb_jc *jc = c->jc;
    unsigned i = tb_jc_index(k0);
    if (tb->jc_slot)
        jc_clear_slot(jc, tb->jc_slot - 1);
    jc_clear_slot(jc, i);
    jc->e[i].key[0] = k0;
    jc->e[i].key[1] = k1;
    jc->e[i].key[2] = k2;
    jc->e[i].code = tb->code;
    jc->tb[i] = tb;
    tb->jc_slot = i + 1;
    c->stats.jc_fills++;
}

struct tb_cache *tb_cache_new(struct engine *engine, unsigned max_tbs)
{
    struct tb_cache *c = calloc(1, sizeof(*c));
    if (!c || max_tbs == 0)
        goto fail;
    c->engine = engine;
    c->max_tbs = max_tbs;
    c->tbs = calloc(max_tbs, sizeof(*c->tbs));
    c->hash_mask = pow2_at_least(max_tbs) * 2 - 1;
    c->hash = calloc(c->hash_mask + 1, sizeof(*c->hash));
    c->pages_mask = pow2_at_least(max_tbs) - 1;
    c->pages = calloc(c->pages_mask + 1, sizeof(*c->pages));
    c->jc = calloc(1, sizeof(*c->jc));
    if (!c->tbs || !c->hash || !c->pages || !c->jc)
        goto fail;
    tb_jc_clear(c);
    c->perfmap = perfmap_open();
    return c;
fail:
    tb_cache_free(c);
    return NULL;
}

static void free_pages(struct tb_cache *c)
{
    for (unsigned i = 0; i <= c->pages_mask; i++) {
        struct page_desc *p = c->pages[i], *next;
        for (; p; p = next) {
            next = p->next;
            free(p);
        }
        c->pages[i] = NULL;
    }
}

static void release_all(struct tb_cache *c)
{
    for (unsigned i = 0; i < c->ntbs; i++) {
        if (c->engine && c->engine->release)
            c->engine->release(c->engine, &c->tbs[i]);
    }
}

void tb_cache_free(struct tb_cache *c)
{
    if (!c)
        return;
    if (c->tbs) {
        release_all(c);
        if (c->pages)
            free_pages(c);
    }
    perfmap_close(c->perfmap);
    free(c->jc);
    free(c->pages);
    free(c->hash);
    free(c->tbs);
    free(c);
}

struct tb *tb_lookup(struct tb_cache *c, uint64_t pc, uint64_t phys_pc, uint64_t cs_base,
                     uint64_t flags, uint32_t cflags)
{
    struct tb *tb = c->hash[key_hash(pc, cs_base, flags, cflags) & c->hash_mask];
    for (; tb; tb = tb->hash_next) {
        if (tb->pc == pc && tb->phys_pc == phys_pc && tb->flags == flags && tb->cs_base == cs_base &&
            tb->cflags == cflags)
            return tb;
    }
    return NULL;
}

struct tb *tb_alloc(struct tb_cache *c, uint64_t pc, uint64_t cs_base, uint64_t flags, uint32_t cflags)
{
    if (c->ntbs >= c->max_tbs)
        return NULL;
    struct tb *tb = &c->tbs[c->ntbs++];
    memset(tb, 0, sizeof(*tb));
    tb->pc = pc;
    tb->cs_base = cs_base;
    tb->flags = flags;
    tb->cflags = cflags;
    tb->phys_page[0] = tb->phys_page[1] = TB_NO_PAGE;
    return tb;
}

static struct page_desc *page_find(struct tb_cache *c, uint64_t page, bool create)
{
    struct page_desc **head = &c->pages[page_hash(page) & c->pages_mask];
    for (struct page_desc *p = *head; p; p = p->next) {
        if (p->page == page)
            return p;
    }
    if (!create)
        return NULL;
    struct page_desc *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->page = page;
    p->next = *head;
    *head = p;
    return p;
}

bool tb_commit(struct tb_cache *c, struct tb *tb, const struct ir_block *b)
{
    struct page_desc *pd[2] = { NULL, NULL };
    for (unsigned n = 0; n < 2; n++) {
        if (tb->phys_page[n] == TB_NO_PAGE)
            continue;
        pd[n] = page_find(c, tb->phys_page[n], true);
        if (!pd[n])
            goto drop;
    }
    tb->dead_in = ir_dead_in(b);
    if (!c->engine->compile(c->engine, tb, b))
        goto drop;
    perfmap_add(c->perfmap, tb->code, tb->code_size, tb->pc);
    unsigned h = key_hash(tb->pc, tb->cs_base, tb->flags, tb->cflags) & c->hash_mask;
    tb->hash_next = c->hash[h];
    c->hash[h] = tb;
    for (unsigned n = 0; n < 2; n++) {
        if (!pd[n])
            continue;
        tb->page_next[n] = pd[n]->first;
        pd[n]->first = (uintptr_t)tb | n;
    }
    c->stats.translated++;
    c->stats.live++;
    return true;
drop:
    /* Only the most recent allocation can be dropped; anything else just leaks its slot. */
    if (tb == &c->tbs[c->ntbs - 1])
        c->ntbs--;
    tb->invalid = true;
    return false;
}

void tb_link(struct tb_cache *c, struct tb *from, unsigned slot, struct tb *to)
{
    if (slot > 1 || from->jmp_dest[slot] || from->invalid || to->invalid)
        return;
    if ((from->cflags | to->cflags) & TB_CF_NOCHAIN)
        return;
    from->jmp_dest[slot] = to;
    from->jmp_from_next[slot] = to->jmp_from;
    to->jmp_from = (uintptr_t)from | slot;
    c->engine->link(c->engine, from, slot, to);
    c->stats.chained++;
    if (from->jmp_deferred[slot])
        c->stats.chained_fast++;
}

/* Undoes from's chain through slot (and removes it from the target's incoming list). */
static void unlink_out(struct tb_cache *c, struct tb *from, unsigned slot)
{
    struct tb *to = from->jmp_dest[slot];
    if (!to)
        return;
    uintptr_t want = (uintptr_t)from | slot;
    uintptr_t *pp = &to->jmp_from;
    while (*pp) {
        if (*pp == want) {
            *pp = from->jmp_from_next[slot];
            break;
        }
        pp = &LINK_TB(*pp)->jmp_from_next[LINK_N(*pp)];
    }
    from->jmp_dest[slot] = NULL;
    from->jmp_from_next[slot] = 0;
    c->engine->link(c->engine, from, slot, NULL);
}

static void remove_from_page(struct tb_cache *c, struct tb *tb, unsigned n)
{
    struct page_desc *pd = page_find(c, tb->phys_page[n], false);
    if (!pd)
        return;
    uintptr_t want = (uintptr_t)tb | n;
    uintptr_t *pp = &pd->first;
    while (*pp) {
        if (*pp == want) {
            *pp = tb->page_next[n];
            break;
        }
        pp = &LINK_TB(*pp)->page_next[LINK_N(*pp)];
    }
    tb->page_next[n] = 0;
}

static void invalidate_tb(struct tb_cache *c, struct tb *tb)
{
    if (tb->invalid)
        return;
    tb->invalid = true;
    struct tb **pp = &c->hash[key_hash(tb->pc, tb->cs_base, tb->flags, tb->cflags) & c->hash_mask];
    for (; *pp; pp = &(*pp)->hash_next) {
        if (*pp == tb) {
            *pp = tb->hash_next;
            break;
        }
    }
    while (tb->jmp_from) {
        uintptr_t in = tb->jmp_from;
        unlink_out(c, LINK_TB(in), LINK_N(in));
    }
    unlink_out(c, tb, 0);
    unlink_out(c, tb, 1);
    if (tb->jc_slot)
        jc_clear_slot(c->jc, tb->jc_slot - 1);
    for (unsigned n = 0; n < 2; n++) {
        if (tb->phys_page[n] != TB_NO_PAGE)
            remove_from_page(c, tb, n);
    }
    c->stats.invalidated++;
    c->stats.live--;
}

/* The physical bytes [lo, hi) of tb that lie on its page n. */
static void tb_page_span(const struct tb *tb, unsigned n, uint64_t *lo, uint64_t *hi)
{
    uint64_t end = tb->phys_pc + tb->size;
    uint64_t first_end = tb->phys_page[0] + TLB_PAGE_SIZE;
    if (n == 0) {
        *lo = tb->phys_pc - tb->span_before;
        *hi = end < first_end ? end : first_end;
    } else {
        *lo = tb->phys_page[1];
        *hi = tb->phys_page[1] + (end - first_end);
    }
}

unsigned tb_invalidate_phys_range(struct tb_cache *c, uint64_t start, uint64_t end)
{
    unsigned count = 0;
    if (end <= start)
        return 0;
    for (uint64_t page = start & TLB_PAGE_MASK; page < end; page += TLB_PAGE_SIZE) {
        struct page_desc *pd = page_find(c, page, false);
        if (!pd)
            continue;
        uintptr_t it = pd->first;
        while (it) {
            struct tb *tb = LINK_TB(it);
            unsigned n = LINK_N(it);
            it = tb->page_next[n];
            uint64_t lo, hi;
            tb_page_span(tb, n, &lo, &hi);
            if (lo < end && start < hi) {
                invalidate_tb(c, tb);
                count++;
            }
        }
        if (page + TLB_PAGE_SIZE < page)
            break;  /* wrapped at the top of the address space */
    }
    return count;
}

bool tb_page_has_code(struct tb_cache *c, uint64_t page)
{
    struct page_desc *pd = page_find(c, page & TLB_PAGE_MASK, false);
    return pd && pd->first;
}

void tb_flush(struct tb_cache *c)
{
    release_all(c);
    free_pages(c);
    memset(c->hash, 0, (c->hash_mask + 1) * sizeof(*c->hash));
    tb_jc_clear(c);
    c->ntbs = 0;
    if (c->engine->reset)
        c->engine->reset(c->engine);
    c->stats.flushes++;
    c->stats.live = 0;
}

void tb_cache_stats(const struct tb_cache *c, struct tb_stats *out)
{
    *out = c->stats;
}
