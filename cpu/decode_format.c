/* SPDX-License-Identifier: MIT */
/* decode_format.c: Intel-syntax text of a decoded instruction, for tests and debugging. */
#include <inttypes.h>
#include <stdio.h>
#include "cpu/decode.h"

static const char *const gpr64[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                       "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
static const char *const gpr32[16] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                                       "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d",
                                       "r15d" };
static const char *const gpr16[16] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
                                       "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w",
                                       "r15w" };
static const char *const gpr8[16] = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
                                      "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b",
                                      "r15b" };
static const char *const gpr8h[4] = { "ah", "ch", "dh", "bh" };
static const char *const segs[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

static const char *gpr_name(unsigned reg, unsigned size)
{
    reg &= 15;
    switch (size) {
    case 1: return gpr8[reg];
    case 2: return gpr16[reg];
    case 4: return gpr32[reg];
    default: return gpr64[reg];
    }
}

/* Appends with snprintf semantics: tracks the would-be length in *len. */
#define APPEND(...)                                                               \
    do {                                                                          \
        size_t off_ = (size_t)len < n ? (size_t)len : n;                          \
        int r_ = snprintf(buf + off_, n - off_, __VA_ARGS__);                     \
        if (r_ > 0)                                                               \
            len += r_;                                                            \
    } while (0)

static const char *size_name(unsigned size)
{
    switch (size) {
    case 1: return "byte ptr ";
    case 2: return "word ptr ";
    case 4: return "dword ptr ";
    case 8: return "qword ptr ";
    case 10: return "tbyte ptr ";
    case 16: return "xmmword ptr ";
    default: return "";
    }
}

int x86_insn_format(const struct x86_insn *in, uint64_t ip, char *buf, size_t n)
{
    int len = 0;
    if (n)
        buf[0] = 0;
    if (in->lock)
        APPEND("lock ");
    if ((in->flags & X86_F_STRING) && in->rep)
        APPEND(in->rep == X86_REP_F3 ? "rep " : "repne ");
    static const char *const ccn[16] = { "o", "no", "b", "ae", "e", "ne", "be", "a",
                                         "s", "ns", "p", "np", "l", "ge", "le", "g" };
    static const char *const fcc[16] = { [2] = "b", [3] = "nb", [4] = "e", [5] = "ne",
                                         [6] = "be", [7] = "nbe", [10] = "u", [11] = "nu" };
    unsigned os = in->opsize == 8 ? 3 : in->opsize == 4 ? 2 : 1;
    switch (in->op) {
    case X86_OP_JCC: APPEND("j%s", ccn[in->cc & 15]); break;
    case X86_OP_SETCC: APPEND("set%s", ccn[in->cc & 15]); break;
    case X86_OP_CMOVCC: APPEND("cmov%s", ccn[in->cc & 15]); break;
    case X86_OP_FCMOVCC: APPEND("fcmov%s", fcc[in->cc & 15] ? fcc[in->cc & 15] : "?"); break;
    case X86_OP_CBW: APPEND("%s", os == 1 ? "cbw" : os == 2 ? "cwde" : "cdqe"); break;
    case X86_OP_CWD: APPEND("%s", os == 1 ? "cwd" : os == 2 ? "cdq" : "cqo"); break;
    case X86_OP_JRCXZ:
        APPEND("%s", in->addrsize == 2 ? "jcxz" : in->addrsize == 4 ? "jecxz" : "jrcxz");
        break;
    default: APPEND("%s", x86_op_name(in->op)); break;
    }
    for (unsigned i = 0; i < in->nops && i < 4; i++) {
        const struct x86_operand *o = &in->ops[i];
        APPEND(i ? ", " : " ");
        switch (o->kind) {
        case X86_OPK_REG:
            switch (o->regclass) {
            case X86_RC_GPR: APPEND("%s", gpr_name(o->reg, o->size)); break;
            case X86_RC_GPR8_HIGH: APPEND("%s", gpr8h[o->reg & 3]); break;
            case X86_RC_SEG: APPEND("%s", o->reg < 6 ? segs[o->reg] : "?"); break;
            case X86_RC_CR: APPEND("cr%u", o->reg); break;
            case X86_RC_DR: APPEND("dr%u", o->reg); break;
            case X86_RC_MMX: APPEND("mm%u", o->reg); break;
            case X86_RC_XMM: APPEND("xmm%u", o->reg); break;
            case X86_RC_YMM: APPEND("ymm%u", o->reg); break;
            case X86_RC_ST: APPEND("st(%u)", o->reg); break;
            }
            break;
        case X86_OPK_MEM: {
            const char *sep = "";
            APPEND("%s%s:[", size_name(o->size), o->seg < 6 ? segs[o->seg] : "?");
            if (o->rip_rel) {
                APPEND("%s", in->addrsize == 4 ? "eip" : "rip");
                sep = "+";
            }
            if (o->base != X86_REG_NONE) {
                APPEND("%s", gpr_name(o->base, in->addrsize));
                sep = "+";
            }
            if (o->index != X86_REG_NONE) {
                APPEND("%s%s*%u", sep, gpr_name(o->index, in->addrsize), o->scale);
                sep = "+";
            }
            if (o->disp || !*sep) {
                if (o->disp < 0 && *sep)
                    APPEND("-0x%" PRIx64, (uint64_t)-o->disp);
                else
                    APPEND("%s0x%" PRIx64, sep, (uint64_t)o->disp);
            }
            APPEND("]");
            break;
        }
        case X86_OPK_IMM:
            APPEND("0x%" PRIx64, (uint64_t)o->imm);
            break;
        case X86_OPK_REL:
            APPEND("0x%" PRIx64, ip + in->len + (uint64_t)o->imm);
            break;
        case X86_OPK_FAR:
            APPEND("0x%" PRIx64 ":0x%" PRIx64, (uint64_t)in->imm2, (uint64_t)o->imm);
            break;
        default:
            APPEND("?");
            break;
        }
    }
    return len;
}
