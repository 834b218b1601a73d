/* SPDX-License-Identifier: MIT */
/* test_rng.c: RDRAND/RDSEED's generator: the same seed gives the same sequence (deterministic runs), other seeds and host seeding differ, and the bits look balanced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cpu/cpu.h"
#include "cpu/helpers.h"

static struct cpu a, b;

static uint64_t next(struct cpu *c)
{
    return helper_rdrand.fn(c, 0, 0, 0, 0);
}

static void test_seeded_repeats(void **state)
{
    (void)state;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    cpu_rng_seed(&a, true, 12345);
    cpu_rng_seed(&b, true, 12345);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(next(&a), next(&b));
    cpu_rng_seed(&b, true, 12346);
    cpu_rng_seed(&a, true, 12345);
    int same = 0;
    for (int i = 0; i < 1000; i++)
        same += next(&a) == next(&b);
    assert_int_equal(same, 0);
}

static void test_host_seeded_differs(void **state)
{
    (void)state;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    cpu_rng_seed(&a, false, 0);
    cpu_rng_seed(&b, false, 0);
    int same = 0;
    for (int i = 0; i < 100; i++)
        same += next(&a) == next(&b);
    assert_int_equal(same, 0);
}

static void test_balanced(void **state)
{
    (void)state;
    memset(&a, 0, sizeof(a));
    cpu_rng_seed(&a, true, 0);
    unsigned ones[64] = { 0 };
    uint64_t prev = 0;
    const int n = 20000;
    for (int i = 0; i < n; i++) {
        uint64_t v = next(&a);
        assert_int_not_equal(v, prev);
        prev = v;
        for (int bit = 0; bit < 64; bit++)
            ones[bit] += (v >> bit) & 1;
    }
    for (int bit = 0; bit < 64; bit++) { /* 10000 expected, sd ~71: 8 sd either side */
        assert_true(ones[bit] > 9400);
        assert_true(ones[bit] < 10600);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeded_repeats), cmocka_unit_test(test_host_seeded_differs),
        cmocka_unit_test(test_balanced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
