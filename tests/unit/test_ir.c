/* SPDX-License-Identifier: MIT */
/* test_ir.c: the IR builder, op table, dump and validator. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "translate/ir.h"

struct fake_env { uint64_t r0, r1; uint32_t flags; uint32_t pad; uint64_t scratch; };

static uint64_t h_add(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    (void)env; (void)c; (void)d;
    return a + b;
}
static const struct ir_helper helper_add = { h_add, "add", IR_HELPER_PURE | IR_HELPER_NO_ENV };

struct fixture {
    struct ir_ctx ctx;
    struct ir_block b;
    ir_temp r0, r1, fl;
};

static void setup(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    ir_ctx_init(&f->ctx);
    f->r0 = ir_ctx_global(&f->ctx, offsetof(struct fake_env, r0), 64, "r0");
    f->r1 = ir_ctx_global(&f->ctx, offsetof(struct fake_env, r1), 64, "r1");
    f->fl = ir_ctx_global(&f->ctx, offsetof(struct fake_env, flags), 32, "flags");
    ir_block_init(&f->b, &f->ctx);
}

static void test_op_table(void **state)
{
    (void)state;
    assert_string_equal(ir_op_defs[IR_ADD].name, "ADD");
    assert_int_equal(ir_op_defs[IR_ADD].nout, 1);
    assert_int_equal(ir_op_defs[IR_ADD].nin, 2);
    assert_int_equal(ir_op_defs[IR_MOVCOND].nin, 4);
    assert_true(ir_op_defs[IR_LD].flags & IR_OP_SYNC);
    assert_false(ir_op_defs[IR_ST_ENV].flags & IR_OP_SYNC);
    for (unsigned i = 0; i < IR_NUM_OPS; i++) {
        assert_non_null(ir_op_defs[i].name);
        assert_true(ir_op_defs[i].nout + ir_op_defs[i].nin <= IR_MAX_ARGS);
    }
}

static void test_globals_and_temps(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f);
    assert_int_equal(f.r0, 1);
    assert_int_equal(f.fl, 3);
    assert_int_equal(f.b.ntemps, 4);
    assert_int_equal(f.b.temps[f.fl].kind, IR_TEMP_GLOBAL);
    assert_int_equal(f.b.temps[f.fl].width, 32);
    ir_temp t = ir_temp_new(&f.b);
    assert_int_equal(t, 4);
    assert_int_equal(f.b.temps[t].kind, IR_TEMP_LOCAL);
    ir_temp c1 = ir_const(&f.b, 8, 0x1ff);
    assert_int_equal(f.b.temps[c1].kind, IR_TEMP_CONST);
    assert_int_equal(f.b.temps[c1].value, 0xff);
    assert_int_equal(ir_const(&f.b, 64, 0xff), c1);   /* shared */
    assert_int_not_equal(ir_const(&f.b, 64, 0x1ff), c1);
    /* many temps and ops: storage grows */
    for (unsigned i = 0; i < 5000; i++) {
        ir_temp x = ir_temp_new(&f.b);
        ir_binop(&f.b, IR_ADD, 64, x, f.r0, ir_const(&f.b, 64, i));
    }
    ir_exit(&f.b, 0);
    assert_false(f.b.oom);
    assert_int_equal(f.b.nops, 5001);
    assert_null(ir_validate(&f.b));
    /* reset keeps storage and globals */
    ir_block_reset(&f.b);
    assert_int_equal(f.b.nops, 0);
    assert_int_equal(f.b.ntemps, 4);
    assert_int_equal(f.b.temps[f.r1].env_offset, offsetof(struct fake_env, r1));
    ir_block_free(&f.b);
    /* bad global widths and too many globals */
    assert_int_equal(ir_ctx_global(&f.ctx, 0, 12, "bad"), IR_NONE);
    for (unsigned i = f.ctx.nglobals; i < IR_MAX_GLOBALS; i++)
        assert_int_not_equal(ir_ctx_global(&f.ctx, 0, 64, "g"), IR_NONE);
    assert_int_equal(ir_ctx_global(&f.ctx, 0, 64, "g"), IR_NONE);
}

/* Builds a small valid block, then breaks one thing at a time. */
static void build_ok(struct fixture *f)
{
    ir_block_reset(&f->b);
    ir_temp t = ir_temp_new(&f->b), u = ir_temp_new(&f->b);
    unsigned l = ir_label_new(&f->b);
    ir_insn_start(&f->b, 0x1000);
    ir_binop(&f->b, IR_ADD, 32, t, f->r0, ir_const(&f->b, 32, 5));
    ir_ld(&f->b, 64, u, t, IR_MEM_SIZE(2) | IR_MEM_SIGN | IR_MEM_IDX(1));
    ir_brcond(&f->b, 64, IR_LT, u, ir_const(&f->b, 64, 0), l);
    ir_st(&f->b, 16, u, t, IR_MEM_SIZE(1));
    ir_label(&f->b, l);
    ir_extract(&f->b, 64, f->r1, u, 8, 16);
    ir_movcond(&f->b, 32, IR_GEU, f->fl, t, u, f->r0, f->r1);
    ir_call(&f->b, &helper_add, t, f->r0, f->r1, IR_NONE, IR_NONE);
    ir_sext(&f->b, 64, f->r0, t, 16);
    ir_goto_tb(&f->b, 1);
}

static void test_validate(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f);
    build_ok(&f);
    assert_null(ir_validate(&f.b));

#define BREAK(idx, stmt) do { build_ok(&f); struct ir_op *op = &f.b.ops[idx]; stmt; \
        assert_non_null(ir_validate(&f.b)); } while (0)
    BREAK(1, op->width = 12);
    BREAK(1, op->args[1] = 999);
    BREAK(1, op->args[2] = IR_NONE);
    BREAK(1, op->args[3] = f.r0);                  /* extra arg */
    BREAK(1, op->args[0] = ir_const(&f.b, 64, 77)); /* writes a const */
    BREAK(1, op->cond = IR_NE);
    BREAK(1, op->opc = 200);
    BREAK(2, op->aux = IR_MEM_SIZE(3) | IR_MEM_IDX(9));   /* bad mmu index */
    BREAK(2, op->width = 16);                      /* 4-byte access at width 16 */
    BREAK(2, op->aux |= 0x80);                     /* unknown memop bit */
    BREAK(3, op->aux = 7);                         /* undefined label */
    BREAK(3, op->cond = 40);
    BREAK(4, op->aux |= IR_MEM_SIGN);              /* signed store */
    BREAK(5, (void)op; f.b.ops[3].opc = IR_LABEL);           /* label twice */
    BREAK(6, op->aux = 60 | (8 << 8));             /* field beyond width */
    BREAK(6, op->aux = 3);                         /* len 0 */
    BREAK(7, op->args[4] = IR_NONE);
    BREAK(8, op->aux = 0);                         /* no helper */
    BREAK(9, op->aux = 12);
    BREAK(10, op->aux = 4);                        /* goto_tb: unknown aux bit */
    BREAK(10, op->aux = 5);
    build_ok(&f);
    f.b.ops[10].aux = 1 | IR_GOTO_TB_SELF;         /* a loop back to the block's start */
    assert_null(ir_validate(&f.b));
    f.b.ops[10].aux = IR_GOTO_TB_SELF;
    assert_null(ir_validate(&f.b));
    BREAK(10, op->opc = IR_MOV; op->args[0] = f.r0; op->args[1] = f.r1); /* no terminator */
    BREAK(0, (void)op; f.b.oom = true);
    build_ok(&f);
    f.b.ops[6].opc = IR_BSWAP;
    f.b.ops[6].width = 8;
    f.b.ops[6].aux = 0;
    assert_non_null(ir_validate(&f.b));
    f.b.ops[6].width = 16;
    assert_null(ir_validate(&f.b));
    ir_block_free(&f.b);
}

static void test_dump(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f);
    build_ok(&f);
    char buf[4096];
    FILE *m = fmemopen(buf, sizeof(buf), "w");
    assert_non_null(m);
    ir_dump(&f.b, m);
    fclose(m);
    assert_non_null(strstr(buf, "add.32 t4, r0, $5"));
    assert_non_null(strstr(buf, "---- 0x1000"));
    assert_non_null(strstr(buf, "ld.64 t5, t4, s32 mmu1"));
    assert_non_null(strstr(buf, "brcond.64.lt t5, $0, L0"));
    assert_non_null(strstr(buf, "L0:"));
    assert_non_null(strstr(buf, "movcond.32.geu flags, t4, t5, r0, r1"));
    assert_non_null(strstr(buf, "call t4 = add(r0, r1) [pure]"));
    assert_non_null(strstr(buf, "goto_tb 1\n"));
    f.b.ops[10].aux = 1 | IR_GOTO_TB_SELF;
    m = fmemopen(buf, sizeof(buf), "w");
    assert_non_null(m);
    ir_dump(&f.b, m);
    fclose(m);
    assert_non_null(strstr(buf, "goto_tb 1 self\n"));
    ir_block_free(&f.b);
}

/* LD_ENV/ST_ENV may not touch a global's field. */
static void test_env_alias(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f);
    static const struct { unsigned w; int32_t off; bool ok; } c[] = {
        { 64, offsetof(struct fake_env, scratch), true },
        { 32, offsetof(struct fake_env, pad), true },
        { 64, offsetof(struct fake_env, flags), false },
        { 32, offsetof(struct fake_env, r1) + 4, false },
        { 8, offsetof(struct fake_env, flags) + 3, false },
        { 64, -8, true },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        for (int st = 0; st < 2; st++) {
            ir_block_reset(&f.b);
            ir_temp t = ir_temp_new(&f.b);
            if (st)
                ir_st_env(&f.b, c[i].w, t, c[i].off);
            else
                ir_ld_env(&f.b, c[i].w, t, c[i].off);
            ir_exit(&f.b, 0);
            const char *err = ir_validate(&f.b);
            if ((err == NULL) != c[i].ok)
                fail_msg("case %u (%s): %s", i, st ? "st" : "ld", err ? err : "accepted");
        }
    }
    ir_block_free(&f.b);
}

/* Every op dumps on one line with its name (for -d op). */
static void test_dump_every_op(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f);
    ir_temp t = ir_temp_new(&f.b);
    unsigned l = ir_label_new(&f.b);
    for (unsigned opc = 0; opc < IR_NUM_OPS; opc++) {
        const struct ir_op_def *def = &ir_op_defs[opc];
        struct ir_op *op = ir_emit(&f.b, opc, 32, IR_NONE, IR_NONE, IR_NONE, 0);
        for (unsigned k = 0; k < (unsigned)def->nout + def->nin; k++)
            op->args[k] = k < def->nout ? t : f.r0;
        switch (opc) {
        case IR_SEXT: op->aux = 8; break;
        case IR_EXTRACT: case IR_DEPOSIT: op->aux = 4 | 8 << 8; break;
        case IR_LABEL: case IR_BR: case IR_BRCOND: op->aux = l; break;
        case IR_CALL: op->aux = (uintptr_t)&helper_add; op->width = 64; break;
        case IR_LD: case IR_ST: op->aux = IR_MEM_SIZE(2); break;
        case IR_LD_ENV: case IR_ST_ENV: op->aux = offsetof(struct fake_env, scratch); break;
        default: break;
        }
    }
    ir_exit(&f.b, 0);
    assert_null(ir_validate(&f.b));
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    ir_dump(&f.b, m);
    fclose(m);
    unsigned lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    assert_int_equal(lines, f.b.nops + 1);
    for (unsigned opc = IR_MOV; opc <= IR_ST; opc++) {
        char name[32];
        unsigned i;
        for (i = 0; ir_op_defs[opc].name[i]; i++)
            name[i] = (char)tolower((unsigned char)ir_op_defs[opc].name[i]);
        name[i] = 0;
        strcat(name, ".32");
        if (!strstr(buf, name))
            fail_msg("%s missing from the dump", name);
    }
    free(buf);
    ir_block_free(&f.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_op_table),
        cmocka_unit_test(test_globals_and_temps),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_dump_every_op),
        cmocka_unit_test(test_env_alias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
