/* SPDX-License-Identifier: MIT */
/* ir_dump.c: prints an IR block one op a line (for -d op and -d op_opt). */
#include <inttypes.h>
#include "translate/ir.h"

static const char *const cond_names[] = {
    [IR_EQ] = "eq", [IR_NE] = "ne",
    [IR_LTU] = "ltu", [IR_GEU] = "geu", [IR_LEU] = "leu", [IR_GTU] = "gtu",
    [IR_LT] = "lt", [IR_GE] = "ge", [IR_LE] = "le", [IR_GT] = "gt",
    [IR_TSTEQ] = "tsteq", [IR_TSTNE] = "tstne",
    [IR_ALWAYS] = "always", [IR_NEVER] = "never",
};

static void put_temp(const struct ir_block *b, ir_temp t, FILE *out)
{
    if (t == IR_NONE) {
        fputs("_", out);
        return;
    }
    if (t >= b->ntemps) {
        fprintf(out, "?t%u", t);
        return;
    }
    const struct ir_temp_info *ti = &b->temps[t];
    switch (ti->kind) {
    case IR_TEMP_GLOBAL:
        if (ti->name)
            fputs(ti->name, out);
        else
            fprintf(out, "g%u", t);
        break;
    case IR_TEMP_CONST:
        if (ti->value < 10)
            fprintf(out, "$%" PRIu64, ti->value);
        else
            fprintf(out, "$0x%" PRIx64, ti->value);
        break;
    default:
        fprintf(out, "t%u", t);
        break;
    }
}

static void dump_op(const struct ir_block *b, const struct ir_op *op, FILE *out)
{
    if (op->opc >= IR_NUM_OPS) {
        fprintf(out, " ?op%u\n", op->opc);
        return;
    }
    const struct ir_op_def *def = &ir_op_defs[op->opc];
    switch (op->opc) {
    case IR_INSN_START:
        fprintf(out, " ---- 0x%" PRIx64 "\n", op->aux);
        return;
    case IR_LABEL:
        fprintf(out, "L%" PRIu64 ":\n", op->aux);
        return;
    case IR_BR:
        fprintf(out, " br L%" PRIu64 "\n", op->aux);
        return;
    case IR_GOTO_TB:
        fprintf(out, " goto_tb %" PRIu64 "%s\n", op->aux & 1, (op->aux & IR_GOTO_TB_SELF) ? " self" : "");
        return;
    case IR_GOTO_PTR:
        fputs(op->aux & IR_GOTO_PTR_JC ? " goto_ptr jc\n" : " goto_ptr\n", out);
        return;
    case IR_EXIT:
        fprintf(out, " exit %" PRIu64 "\n", op->aux);
        return;
    default:
        break;
    }
    char name[24];
    unsigned i;
    for (i = 0; def->name[i] && i < sizeof(name) - 1; i++) {
        char c = def->name[i];
        name[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    name[i] = 0;
    if (op->opc == IR_CALL) {
        const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)op->aux;
        fputs(" call ", out);
        if (op->args[0] != IR_NONE) {
            put_temp(b, op->args[0], out);
            fputs(" = ", out);
        }
        fprintf(out, "%s(", h && h->name ? h->name : "?");
        unsigned last = 0;
        for (unsigned k = 1; k < 5; k++)
            if (op->args[k] != IR_NONE)
                last = k;
        for (unsigned k = 1; k <= last; k++) {
            if (k > 1)
                fputs(", ", out);
            put_temp(b, op->args[k], out);
        }
        fputs(")", out);
        if (h && h->flags)
            fprintf(out, " [%s%s]", (h->flags & IR_HELPER_PURE) ? "pure" : "",
                    (h->flags & IR_HELPER_PURE) ? "" : "no_env");
        fputs("\n", out);
        return;
    }
    fprintf(out, " %s.%u", name, op->width);
    if (op->opc == IR_SETCOND || op->opc == IR_MOVCOND || op->opc == IR_BRCOND)
        fprintf(out, ".%s", op->cond <= IR_NEVER ? cond_names[op->cond] : "?");
    fputs(" ", out);
    unsigned n = def->nout + def->nin;
    for (unsigned k = 0; k < n && k < IR_MAX_ARGS; k++) {
        if (k)
            fputs(", ", out);
        put_temp(b, op->args[k], out);
    }
    switch (op->opc) {
    case IR_SEXT:
        fprintf(out, ", from %" PRIu64, op->aux);
        break;
    case IR_EXTRACT: case IR_DEPOSIT:
        fprintf(out, ", pos %u len %u", (unsigned)(op->aux & 0xff), (unsigned)((op->aux >> 8) & 0xff));
        break;
    case IR_LD_ENV: case IR_ST_ENV:
        fprintf(out, "%s[env%+" PRId32 "]", n ? ", " : "", (int32_t)(uint32_t)op->aux);
        break;
    case IR_LD: case IR_ST: {
        unsigned m = (unsigned)op->aux;
        fprintf(out, ", %c%u mmu%u", (m & IR_MEM_SIGN) ? 's' : 'u', IR_MEM_GET_SIZE(m) * 8,
                IR_MEM_GET_IDX(m));
        break;
    }
    case IR_BRCOND:
        fprintf(out, ", L%" PRIu64, op->aux);
        break;
    default:
        break;
    }
    fputs("\n", out);
}

void ir_dump(const struct ir_block *b, FILE *out)
{
    fprintf(out, "IR block: %u ops, %u temps, %u labels%s\n", b->nops, b->ntemps, b->nlabels,
            b->oom ? " (OUT OF MEMORY)" : "");
    for (unsigned i = 0; i < b->nops; i++)
        dump_op(b, &b->ops[i], out);
}
