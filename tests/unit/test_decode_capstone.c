/* SPDX-License-Identifier: MIT */
/* test_decode_capstone.c: short seeded decoder-vs-capstone run per mode, and allowlist self-checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "tests/unit/test_decode_cmp.h"

#define RUN_COUNT 300000

static void run_mode(enum x86_mode mode, uint64_t seed)
{
    struct dcmp d;
    unsigned shown = 0;
    assert_int_equal(dcmp_open(&d, mode, seed), 0);
    for (unsigned i = 0; i < RUN_COUNT; i++) {
        uint8_t buf[16];
        char text[512];
        dcmp_generate(&d, buf);
        enum dcmp_result r = dcmp_check(&d, buf, NULL, 0);
        if (r != DCMP_MATCH && r != DCMP_ALLOWED && shown++ < 10) {
            dcmp_compare(&d, buf, text, sizeof(text), 0);
            print_message("%s\n", text);
        }
    }
    uint64_t bad = 0;
    for (int r = DCMP_LEN; r < DCMP_NRESULTS; r++)
        bad += d.count[r];
    print_message("mode %d seed %llu: %llu compared, %llu both valid, %llu allowlisted, "
                  "%llu mismatches\n", mode == X86_MODE_16 ? 16 : mode == X86_MODE_32 ? 32 : 64,
                  (unsigned long long)seed, (unsigned long long)RUN_COUNT,
                  (unsigned long long)d.both_valid, (unsigned long long)d.count[DCMP_ALLOWED],
                  (unsigned long long)bad);
    /* the generator must produce mostly decodable instructions */
    assert_true(d.both_valid > RUN_COUNT / 2);
    dcmp_close(&d);
    assert_int_equal(bad, 0);
}

static void test_mode16(void **state) { (void)state; run_mode(X86_MODE_16, 16); }
static void test_mode32(void **state) { (void)state; run_mode(X86_MODE_32, 32); }
static void test_mode64(void **state) { (void)state; run_mode(X86_MODE_64, 64); }

/* Known capstone bugs land on their documented rule; real differences are not hidden. */
static void test_allowlist_rules(void **state)
{
    static const struct { enum x86_mode mode; const char *hex; int rule; } t[] = {
        { X86_MODE_32, "3ef0f366c08d198272", ALLOW_LOCK },
        { X86_MODE_32, "0f20c8", ALLOW_RESERVED_CR },
        { X86_MODE_64, "0fb9c0", ALLOW_UD_MODRM },
        { X86_MODE_32, "8ec8", ALLOW_MOV_CS },
        { X86_MODE_32, "f30f60c1", ALLOW_IGNORED_PFX },
        { X86_MODE_32, "0f1fe8", ALLOW_HINT_NOP },
        { X86_MODE_32, "66f3a144332211", ALLOW_PFX_ORDER },
        { X86_MODE_64, "66e900000000", ALLOW_BRANCH66_64 },
        { X86_MODE_32, "0faef9", ALLOW_FENCE_RM },
        { X86_MODE_64, "0f01f8", 0 }, /* SWAPGS in 64-bit mode: plain match */
    };
    (void)state;
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct dcmp d;
        uint8_t buf[16] = { 0 };
        for (unsigned j = 0; t[i].hex[2 * j] && j < 16; j++) {
            unsigned v;
            sscanf(t[i].hex + 2 * j, "%2x", &v);
            buf[j] = (uint8_t)v;
        }
        assert_int_equal(dcmp_open(&d, t[i].mode, 1), 0);
        enum dcmp_result r = dcmp_check(&d, buf, NULL, 0);
        print_message("%s: result %d\n", t[i].hex, r);
        if (t[i].rule) {
            assert_int_equal(r, DCMP_ALLOWED);
            assert_int_equal(d.allow_hits[t[i].rule], 1);
        } else {
            assert_int_equal(r, DCMP_MATCH);
        }
        dcmp_close(&d);
    }
}

/* A decoding error is reported, not allowlisted: ADD with the wrong register is caught. */
static void test_mismatch_detected(void **state)
{
    struct dcmp d;
    const uint8_t buf[16] = { 0x01, 0xd8 };
    struct x86_insn in;
    cs_insn *ci;
    (void)state;
    assert_int_equal(dcmp_open(&d, X86_MODE_32, 1), 0);
    assert_int_equal(x86_decode(buf, 16, X86_MODE_32, &in), X86_DECODE_OK);
    assert_int_equal(cs_disasm(d.cs, buf, 16, 0x1000, 1, &ci), 1);
    assert_true(dcmp_operands_match(&d, &in, ci));
    in.ops[1].reg = X86_RCX;
    assert_false(dcmp_operands_match(&d, &in, ci));
    in.ops[1].reg = X86_RBX;
    in.ops[1].size = 2;
    assert_false(dcmp_operands_match(&d, &in, ci));
    in.op = X86_OP_SUB;
    assert_false(dcmp_operands_match(&d, &in, ci));
    cs_free(ci, 1);
    dcmp_close(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allowlist_rules),
        cmocka_unit_test(test_mismatch_detected),
        cmocka_unit_test(test_mode16),
        cmocka_unit_test(test_mode32),
        cmocka_unit_test(test_mode64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
