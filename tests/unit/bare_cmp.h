/* SPDX-License-Identifier: MIT */
/* bare_cmp.h: guest programs run on both engines of a bare CPU and compared (test_jit_loop, test_jit_attack). */
#ifndef KILN_TESTS_UNIT_BARE_CMP_H
#define KILN_TESTS_UNIT_BARE_CMP_H

/* Include after <cmocka.h> (fail_msg) and "cpu/bare.h". */

/* A guest program: its code, loaded at the test's CODE address, and the mode it runs in. */
struct prog {
    const char *name;
    const uint8_t *code;
    size_t len;
    enum bare_mode mode;
};

/* FNV-1a over the guest memory ranges [r[k][0], r[k][1]), k < n. */
static inline uint64_t bc_mem_hash(struct bare_cpu *cpu, const uint32_t (*r)[2], unsigned n)
{
    const uint8_t *m = bare_cpu_mem(cpu);
    uint64_t h = 1469598103934665603ull;
    for (unsigned k = 0; k < n; k++)
        for (uint32_t a = r[k][0]; a < r[k][1]; a++)
            h = (h ^ m[a]) * 1099511628211ull;
    return h;
}

/* Fails the test unless the JIT's registers and stop (a) equal the interpreter's (b):
   every GPR, rip, rflags, the stop reason, vector, CR2 and the instruction count. */
static inline void bc_same(const char *name, const char *what, unsigned arg, const struct bare_regs *ar,
                           const struct bare_result *as, const struct bare_regs *br,
                           const struct bare_result *bs)
{
    for (int i = 0; i < 16; i++)
        if (ar->gpr[i] != br->gpr[i])
            fail_msg("%s %s %u: gpr%d jit %#llx interp %#llx", name, what, arg, i,
                     (unsigned long long)ar->gpr[i], (unsigned long long)br->gpr[i]);
    if (ar->rip != br->rip || ar->rflags != br->rflags)
        fail_msg("%s %s %u: rip/rflags jit %#llx/%#llx interp %#llx/%#llx", name, what, arg,
                 (unsigned long long)ar->rip, (unsigned long long)ar->rflags,
                 (unsigned long long)br->rip, (unsigned long long)br->rflags);
    if (as->stop != bs->stop || as->vector != bs->vector || as->cr2 != bs->cr2 || as->insns != bs->insns)
        fail_msg("%s %s %u: stop %d/%d vector %u/%u cr2 %#llx/%#llx insns %llu/%llu", name, what, arg,
                 as->stop, bs->stop, as->vector, bs->vector, (unsigned long long)as->cr2,
                 (unsigned long long)bs->cr2, (unsigned long long)as->insns,
                 (unsigned long long)bs->insns);
}

#endif
