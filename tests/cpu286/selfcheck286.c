/* SPDX-License-Identifier: MIT */
/* selfcheck286.c: proves the 286 harness can fail, by running vectors with wrong expectations. */
#include <stdio.h>
#include <string.h>

#include "tests/cpu286/suite286.h"

/* Expected final value of register r. */
static uint16_t expected(const struct moo_test *t, unsigned r)
{
    return (t->fina.regs.mask & (1u << r)) ? t->fina.regs.v[r] : t->init.regs.v[r];
}

/* Runs m and says whether the harness gave the wanted category. */
static bool caught(struct x286 *x, const struct moo_test *m, uint16_t fm, enum x286_cat want,
                   const char *what, int eng)
{
    enum x286_cat got = x286_run(x, m, fm, NULL);
    bool ok = got == want;
    printf("  self-check %s: %s -> %s%s\n", s286_engine_name(eng), what, x286_cat_name(got),
           ok ? "" : "  (NOT CAUGHT)");
    return ok;
}

int s286_selfcheck(const struct s286_file *f, int eng, const struct s286_opts *o,
                   const struct s286_ctx *c, unsigned *passed)
{
    const struct moo_file *mf = f->moo;
    struct x286 *x = x286_new(eng ? BARE_ENGINE_JIT : BARE_ENGINE_INTERP, o->deliver, o->budget);
    if (x)
        x286_set_kiln_deliver(x, o->kiln_deliver);
    if (!x)
        return -1;
    uint16_t fm = m286_flags_mask(&c->meta, f->opcode, f->reg);
    const struct moo_test *t = NULL;
    for (size_t i = 0; i < mf->ntests && !t; i++) {
        const struct moo_test *cand = &mf->tests[i];
        if (cand->init.ram.count > 0 && cand->fina.ram.count < 64 &&
            x286_cat_pass(x286_run(x, cand, fm, NULL)))
            t = cand;
    }
    if (!t) {
        x286_free(x);
        return -1;
    }
    int missed = 0;
    unsigned ok = 0;
    struct moo_test m;

    /* a general register */
    m = *t;
    m.fina.regs.mask |= 1u << MOO_AX;
    m.fina.regs.v[MOO_AX] = (uint16_t)(expected(t, MOO_AX) ^ 0x0100);
    if (caught(x, &m, fm, X286_F_REGS, "wrong AX", eng))
        ok++;
    else
        missed++;

    /* a defined FLAGS bit (CF, PF, ZF, SF, DF or OF, whichever is defined) */
    static const uint16_t bits[] = {0x001, 0x004, 0x040, 0x080, 0x400, 0x800};
    uint16_t bit = 0;
    for (unsigned i = 0; i < 6 && !bit; i++)
        if (fm & bits[i])
            bit = bits[i];
    m = *t;
    m.fina.regs.mask |= 1u << MOO_FLAGS;
    m.fina.regs.v[MOO_FLAGS] = (uint16_t)(expected(t, MOO_FLAGS) ^ bit);
    if (caught(x, &m, fm, X286_F_FLAGS, "wrong FLAGS bit", eng))
        ok++;
    else
        missed++;

    /* a RAM byte: the instruction's first byte, expected changed */
    uint8_t ram[64 * 5 + 5];
    memcpy(ram, t->fina.ram.data, (size_t)t->fina.ram.count * 5);
    uint32_t a;
    uint8_t v;
    moo_ram_entry(&t->init.ram, 0, &a, &v);
    uint8_t *e = ram + (size_t)t->fina.ram.count * 5;
    for (int i = 0; i < 4; i++)
        e[i] = (uint8_t)(a >> (8 * i));
    e[4] = (uint8_t)(v ^ 0x5a);
    m = *t;
    m.fina.ram.data = ram;
    m.fina.ram.count = t->fina.ram.count + 1;
    if (caught(x, &m, fm, X286_F_MEM, "wrong RAM byte", eng))
        ok++;
    else
        missed++;

    x286_free(x);
    *passed = ok;
    return missed;
}
