/* SPDX-License-Identifier: MIT */
/* x86_64_ptr.c: GOTO_PTR, the indirect exit: the inline jump-cache probe, then the guest's lookup. */
#include "config.h"
#if KILN_HOST_X86_64 && defined(__x86_64__)

#include <stddef.h>
#include "translate/x86_64_int.h"

/* Loads env key word k of the jump cache into r (zero-extended). */
static void jc_key_load(struct jit *j, int r, unsigned k)
{
    const struct engine_guest *g = j->e.guest;
    x_rm(&j->x, g->jc_key_width[k] == 32 ? 32 : 64, 0x8b, r, X_RBP, (int32_t)g->jc_key_offset[k]);
}

/*
 * The inline jump-cache probe (tb.h): rax = key[0], rcx = &jc->e[tb_jc_index(key[0])],
 * every key word compared, then rax = this tb and jmp to the entry's code. A
 * mismatch falls through to the code emitted next (the lookup call).
 */
static void gen_jc_probe(struct jit *j)
{
    struct xbuf *x = &j->x;
    const struct engine_guest *g = j->e.guest;
    uint8_t *miss[TB_JC_KEYS];
    unsigned n = g->jc_nkeys;
    jc_key_load(j, X_RAX, 0);
    x_mov(x, 64, X_RCX, X_RAX);
    x_shift(x, 64, X_SHR, X_RCX, TB_JC_BITS);
    x_alu(x, 64, X_XOR, X_RCX, X_RAX);
    x_alui(x, 32, X_AND, X_RCX, TB_JC_SIZE - 1);
    x_shift(x, 32, X_SHL, X_RCX, 5);
    _Static_assert(sizeof(struct tb_jc_entry) == 32, "jump-cache entry size");
    x_rm(x, 64, 0x03, X_RCX, X_RBP, (int32_t)g->jc_offset);      /* add rcx, [rbp + jc] */
    for (unsigned k = 0; k < TB_JC_KEYS; k++) {
        int32_t off = (int32_t)offsetof(struct tb_jc_entry, key) + 8 * (int32_t)k;
        if (k > 0 && k < n)
            jc_key_load(j, X_RAX, k);
        if (k < n) {
            x_rm(x, 64, 0x3b, X_RAX, X_RCX, off);                  /* cmp rax, [rcx + off] */
        } else {
            x_rm(x, 64, 0x83, 7, X_RCX, off);                      /* cmp qword [rcx + off], 0 */
            x_b(x, 0);
        }
        x_b(x, 0x75);                                              /* jne miss (rel8) */
        x_b(x, 0);
        miss[k] = x->p - 1;
    }
    x_rm(x, 64, 0x8b, X_RCX, X_RCX, (int32_t)offsetof(struct tb_jc_entry, code));
    x_rr(x, 32, 0xff, 4, X_RCX);                                   /* jmp rcx */
    for (unsigned k = 0; k < TB_JC_KEYS; k++) {
        ptrdiff_t d = x->p - (miss[k] + 1);
        if (d > 127)
            j->fail = true;
        *miss[k] = (uint8_t)d;
    }
}

void gen_goto_ptr(struct jit *j, bool jc)
{
    struct xbuf *x = &j->x;
    ra_sync_globals(j, false);
    if (jc && j->e.guest->jc_nkeys > 0 && j->e.guest->jc_nkeys <= TB_JC_KEYS)
        gen_jc_probe(j);
    if (j->e.guest->lookup) {
        x_mov(x, 64, X_RDI, X_RBP);
        x_call(x, (const void *)j->e.guest->lookup);
        x_rr(x, 64, 0x85, X_RAX, X_RAX);
        x_b(x, 0x74);                    /* jz over the indirect jump */
        x_b(x, 0);
        uint8_t *disp = x->p - 1;
        x_rm(x, 64, 0x8b, X_RCX, X_RAX, (int32_t)offsetof(struct tb, code));
        x_rr(x, 32, 0xff, 4, X_RCX);     /* jmp rcx */
        *disp = (uint8_t)(x->p - (disp + 1));
    }
    jmp_epilogue(j, TB_EXIT_NOCHAIN);
}

#endif
