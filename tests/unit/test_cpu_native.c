/* SPDX-License-Identifier: MIT */
/* test_cpu_native.c: 64-bit snippets with random inputs, the host CPU as the reference, both engines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "tests/unit/cpu_native.h"
#include "tests/unit/cpu_snippets.h"

#define ITERS 40

static const char *const rn[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
static uint8_t img[NT_SIZE];

/* Compares one engine's run against the native one; prints and returns false on a difference. */
static bool check_one(const struct cpu_snippet *sn, enum bare_engine e, const struct nt_state *in,
                      const struct nt_state *want, unsigned iter)
{
    struct nt_state got = *in;
    struct bare_result res;
    if (nt_run_bare(e, sn->code, sn->len, img, &got, &res) < 0)
        return false; /* no bare CPU for this engine: a failure, never a skip */
    const char *en = e == BARE_ENGINE_JIT ? "jit" : "interp";
    bool ok = true;
    if (res.stop != BARE_STOP_HLT) {
        printf("[%s] %s iter %u: stopped %d vector %u\n", en, sn->name, iter, res.stop, res.vector);
        ok = false;
    }
    for (int i = 0; i < 16 && ok; i++)
        if (got.gpr[i] != want->gpr[i]) {
            printf("[%s] %s iter %u: %s = %016llx, host %016llx (in %016llx)\n", en, sn->name, iter, rn[i],
                   (unsigned long long)got.gpr[i], (unsigned long long)want->gpr[i],
                   (unsigned long long)in->gpr[i]);
            ok = false;
        }
    uint64_t fm = sn->flags | 0x400;
    if (ok && (got.flags & fm) != (want->flags & fm)) {
        printf("[%s] %s iter %u: flags %03llx, host %03llx (mask %03llx, in %03llx)\n", en, sn->name, iter,
               (unsigned long long)(got.flags & fm), (unsigned long long)(want->flags & fm),
               (unsigned long long)fm, (unsigned long long)in->flags);
        ok = false;
    }
    const uint8_t *gm = bare_cpu_mem(nt_bare(e));
    if (ok && memcmp(gm + (NT_DATA - NT_BASE), nt_mem + (NT_DATA - NT_BASE), NT_DATA_SIZE) != 0) {
        printf("[%s] %s iter %u: data memory differs\n", en, sn->name, iter);
        ok = false;
    }
    size_t so = NT_STACK - NT_BASE - NT_STACK_CHECK;
    if (ok && memcmp(gm + so, nt_mem + so, NT_STACK_CHECK) != 0) {
        printf("[%s] %s iter %u: stack memory differs\n", en, sn->name, iter);
        ok = false;
    }
    if (!ok) {
        printf("  snippet: %s\n  in:", sn->src);
        for (int i = 0; i < 16; i++)
            printf(" %s=%llx", rn[i], (unsigned long long)in->gpr[i]);
        printf(" flags=%llx\n", (unsigned long long)in->flags);
    }
    return ok;
}

static void test_snippets(void **state)
{
    (void)state;
    if (!nt_init())
        skip();
    unsigned fails = 0;
    for (size_t k = 0; k < sizeof(cpu_snippets) / sizeof(cpu_snippets[0]); k++) {
        const struct cpu_snippet *sn = &cpu_snippets[k];
        unsigned sfails = 0;
        if (getenv("KILN_TEST_VERBOSE"))
            printf("%s\n", sn->name), fflush(stdout);
        for (unsigned it = 0; it < ITERS && sfails == 0; it++) {
            struct nt_state in, want;
            nt_random_state(&in, sn->ptrs);
            nt_random_data();
            memcpy(img, nt_mem, NT_SIZE);
            want = in;
            nt_run_native(sn->code, sn->len, &want);
            for (int e = 0; e < 2; e++)
                if (!check_one(sn, (enum bare_engine)e, &in, &want, it))
                    sfails++;
        }
        fails += sfails != 0;
    }
    if (!nt_bare(BARE_ENGINE_JIT))
        printf("(JIT engine not available: interpreter only)\n");
    assert_int_equal(fails, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snippets),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    for (int e = 0; e < 2; e++)
        bare_cpu_free(nt_cpu[e]);
    return r;
}
