/* SPDX-License-Identifier: MIT */
/* test_irq.c: IRQ lines, fan-out and wired-OR helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "hw/irq.h"

struct rec { int level, changes, n; };
static void rec_set(void *opaque, int n, int level)
{
    struct rec *r = opaque;
    r->changes++;
    r->level = level;
    r->n = n;
}

static void test_line_and_pulse(void **state)
{
    (void)state;
    struct rec r = { 0 };
    struct irq_line l = irq_line_make(rec_set, &r, 7);
    irq_raise(&l);
    assert_int_equal(r.level, 1);
    assert_int_equal(r.n, 7);
    irq_set(&l, 42);                        /* any non-zero is 1 */
    assert_int_equal(r.level, 1);
    irq_pulse(&l);
    assert_int_equal(r.level, 0);
    assert_int_equal(r.changes, 4);
    irq_raise(NULL);                        /* unconnected: harmless */
}

static void test_fanout(void **state)
{
    (void)state;
    struct rec a = { 0 }, b = { 0 };
    struct irq_line la = irq_line_make(rec_set, &a, 0), lb = irq_line_make(rec_set, &b, 2);
    struct irq_fanout f;
    irq_fanout_init(&f);
    assert_int_equal(irq_fanout_add(&f, &la), 0);
    assert_int_equal(irq_fanout_add(&f, &lb), 0);
    irq_raise(irq_fanout_input(&f));
    assert_int_equal(a.level, 1);
    assert_int_equal(b.level, 1);
    assert_int_equal(b.n, 2);
    irq_lower(irq_fanout_input(&f));
    assert_int_equal(a.level + b.level, 0);
    assert_int_equal(irq_fanout_add(&f, &la), 0);
    assert_int_equal(irq_fanout_add(&f, &la), 0);
    assert_int_equal(irq_fanout_add(&f, &la), -1);
}

static void test_wired_or(void **state)
{
    (void)state;
    struct rec r = { 0 };
    struct irq_line out = irq_line_make(rec_set, &r, 0);
    struct irq_or o;
    irq_or_init(&o, &out);
    irq_raise(irq_or_input(&o, 3));
    irq_raise(irq_or_input(&o, 9));
    assert_int_equal(r.level, 1);
    assert_int_equal(r.changes, 1);
    irq_lower(irq_or_input(&o, 3));
    assert_int_equal(r.level, 1);
    irq_lower(irq_or_input(&o, 9));
    assert_int_equal(r.level, 0);
    assert_int_equal(r.changes, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_and_pulse), cmocka_unit_test(test_fanout),
        cmocka_unit_test(test_wired_or),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
