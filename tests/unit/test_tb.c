/* SPDX-License-Identifier: MIT */
/* test_tb.c: the translation-block cache: lookup, chaining, invalidation, flush. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "translate/tb.h"

/* A fake engine that records what the cache asks of it. */
struct fake {
    struct engine e;
    int compiled, released, resets, links, unlinks;
    bool fail_compile;
};

static bool fake_compile(struct engine *e, struct tb *tb, const struct ir_block *b)
{
    struct fake *f = (struct fake *)e;
    (void)tb; (void)b;
    if (f->fail_compile)
        return false;
    f->compiled++;
    return true;
}
static void fake_link(struct engine *e, struct tb *from, unsigned slot, struct tb *to)
{
    struct fake *f = (struct fake *)e;
    (void)from; (void)slot;
    if (to)
        f->links++;
    else
        f->unlinks++;
}
static void fake_release(struct engine *e, struct tb *tb) { (void)tb; ((struct fake *)e)->released++; }
static void fake_reset(struct engine *e) { ((struct fake *)e)->resets++; }

static void fake_init(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    f->e.name = "fake";
    f->e.compile = fake_compile;
    f->e.link = fake_link;
    f->e.release = fake_release;
    f->e.reset = fake_reset;
}

static struct tb *add(struct tb_cache *c, uint64_t pc, uint64_t phys, uint32_t size)
{
    struct tb *tb = tb_alloc(c, pc, 0, 7, 0);
    assert_non_null(tb);
    tb->phys_pc = phys;
    tb->size = size;
    tb->phys_page[0] = phys & TLB_PAGE_MASK;
    if (((phys + size - 1) & TLB_PAGE_MASK) != tb->phys_page[0])
        tb->phys_page[1] = (phys + size - 1) & TLB_PAGE_MASK;
    assert_true(tb_commit(c, tb, NULL));
    return tb;
}

static void test_lookup(void **state)
{
    (void)state;
    struct fake f;
    fake_init(&f);
    struct tb_cache *c = tb_cache_new(&f.e, 64);
    assert_non_null(c);
    struct tb *a = add(c, 0x1000, 0x1000, 16);
    struct tb *b = add(c, 0x2000, 0x5000, 16);
    assert_ptr_equal(tb_lookup(c, 0x1000, 0x1000, 0, 7, 0), a);
    assert_ptr_equal(tb_lookup(c, 0x2000, 0x5000, 0, 7, 0), b);
    /* the same pc translated from other physical memory (another address space) */
    assert_null(tb_lookup(c, 0x2000, 0x2000, 0, 7, 0));
    assert_null(tb_lookup(c, 0x1000, 0x9000, 0, 7, 0));
    struct tb *b2 = add(c, 0x2000, 0x6000, 16);
    assert_ptr_equal(tb_lookup(c, 0x2000, 0x6000, 0, 7, 0), b2);
    assert_ptr_equal(tb_lookup(c, 0x2000, 0x5000, 0, 7, 0), b);
    assert_null(tb_lookup(c, 0x1000, 0x1000, 0, 8, 0));       /* other flags */
    assert_null(tb_lookup(c, 0x1000, 0x1000, 0, 7, TB_CF_SINGLE));
    assert_null(tb_lookup(c, 0x1004, 0x1004, 0, 7, 0));
    assert_true(tb_page_has_code(c, 0x5000));
    assert_false(tb_page_has_code(c, 0x2000));
    tb_cache_free(c);
    assert_int_equal(f.released, 3);
}

static void test_full_and_flush(void **state)
{
    (void)state;
    struct fake f;
    fake_init(&f);
    struct tb_cache *c = tb_cache_new(&f.e, 4);
    for (int i = 0; i < 4; i++)
        add(c, 0x1000 + 16 * i, 0x1000 + 16 * i, 16);
    assert_null(tb_alloc(c, 0x9000, 0, 7, 0));
    tb_flush(c);
    assert_int_equal(f.resets, 1);
    assert_int_equal(f.released, 4);
    assert_null(tb_lookup(c, 0x1000, 0x1000, 0, 7, 0));
    assert_false(tb_page_has_code(c, 0x1000));
    assert_non_null(tb_alloc(c, 0x9000, 0, 7, 0));
    struct tb_stats st;
    tb_cache_stats(c, &st);
    assert_int_equal(st.flushes, 1);
    assert_int_equal(st.translated, 4);
    tb_cache_free(c);
}

static void test_compile_failure_drops(void **state)
{
    (void)state;
    struct fake f;
    fake_init(&f);
    struct tb_cache *c = tb_cache_new(&f.e, 2);
    struct tb *tb = tb_alloc(c, 0x1000, 0, 7, 0);
    tb->phys_pc = 0x1000;
    tb->size = 4;
    tb->phys_page[0] = 0x1000;
    f.fail_compile = true;
    assert_false(tb_commit(c, tb, NULL));
    assert_null(tb_lookup(c, 0x1000, 0x1000, 0, 7, 0));
    f.fail_compile = false;
    add(c, 0x1000, 0x1000, 4);
    add(c, 0x2000, 0x2000, 4);   /* the dropped slot was reused */
    tb_cache_free(c);
}

static void test_chain_and_invalidate(void **state)
{
    (void)state;
    struct fake f;
    fake_init(&f);
    struct tb_cache *c = tb_cache_new(&f.e, 64);
    struct tb *a = add(c, 0x1000, 0x1000, 16);
    struct tb *b = add(c, 0x1010, 0x1010, 16);
    struct tb *d = add(c, 0x3000, 0x3000, 16);
    tb_link(c, a, 0, b);
    tb_link(c, d, 1, b);
    tb_link(c, b, 0, d);
    tb_link(c, a, 0, d);           /* slot already chained: ignored */
    assert_ptr_equal(a->jmp_dest[0], b);
    assert_int_equal(f.links, 3);

    /* A write to b's bytes only: b goes, a stays, chains into and out of b are undone. */
    assert_int_equal(tb_invalidate_phys_range(c, 0x1014, 0x1015), 1);
    assert_true(b->invalid);
    assert_false(a->invalid);
    assert_null(a->jmp_dest[0]);
    assert_null(d->jmp_dest[1]);
    assert_null(b->jmp_dest[0]);
    assert_int_equal(d->jmp_from, 0);
    assert_int_equal(f.unlinks, 3);
    assert_null(tb_lookup(c, 0x1010, 0x1010, 0, 7, 0));
    assert_ptr_equal(tb_lookup(c, 0x1000, 0x1000, 0, 7, 0), a);

    /* Writes next to code, on the same page, invalidate nothing. */
    assert_int_equal(tb_invalidate_phys_range(c, 0x1800, 0x1900), 0);
    assert_int_equal(tb_invalidate_phys_range(c, 0x1000, 0x2000), 1);
    assert_false(tb_page_has_code(c, 0x1000));
    tb_cache_free(c);
}

static void test_two_page_block(void **state)
{
    (void)state;
    struct fake f;
    fake_init(&f);
    struct tb_cache *c = tb_cache_new(&f.e, 64);
    struct tb *a = add(c, 0x1ff8, 0x7ff8, 16);  /* 0x7ff8..0x8008 */
    assert_int_equal(a->phys_page[1], 0x8000);
    assert_true(tb_page_has_code(c, 0x8000));
    assert_int_equal(tb_invalidate_phys_range(c, 0x8008, 0x8010), 0);
    assert_int_equal(tb_invalidate_phys_range(c, 0x8007, 0x8008), 1);
    assert_false(tb_page_has_code(c, 0x7000));
    assert_false(tb_page_has_code(c, 0x8000));
    tb_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_full_and_flush),
        cmocka_unit_test(test_compile_failure_drops),
        cmocka_unit_test(test_chain_and_invalidate),
        cmocka_unit_test(test_two_page_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
