/* SPDX-License-Identifier: MIT */
/* test_smoke.c: the test harness itself builds and runs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ui/cmdline.h"

static void test_main_links(void **state)
{
    (void)state;
    assert_non_null(kiln_main);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_main_links) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
