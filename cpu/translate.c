/* SPDX-License-Identifier: MIT */
/* translate.c: turns a run of guest x86 instructions into one IR block. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/debug.h"
#include "cpu/tr.h"
#include "cpu/trace.h"
#include "cpu/trace_unimp.h"
#include "cpu/translate.h"
#include "cpu/tr_sys.h"
#include "cpu/tr_sse.h"

static tr_fn *const tr_table[X86_OP_COUNT] = {
    [X86_OP_ADD] = tr_alu, [X86_OP_OR] = tr_alu, [X86_OP_ADC] = tr_alu, [X86_OP_SBB] = tr_alu,
    [X86_OP_AND] = tr_alu, [X86_OP_SUB] = tr_alu, [X86_OP_XOR] = tr_alu, [X86_OP_CMP] = tr_alu,
    [X86_OP_INC] = tr_incdec, [X86_OP_DEC] = tr_incdec,
    [X86_OP_NEG] = tr_negnot, [X86_OP_NOT] = tr_negnot, [X86_OP_TEST] = tr_test,
    [X86_OP_CMPXCHG] = tr_cmpxchg, [X86_OP_XADD] = tr_xadd,
    [X86_OP_CMPXCHG8B] = tr_cmpxchg8b, [X86_OP_CMPXCHG16B] = tr_cmpxchg8b,
    [X86_OP_MOV] = tr_mov, [X86_OP_MOVZX] = tr_movx, [X86_OP_MOVSX] = tr_movx,
    [X86_OP_MOVSXD] = tr_movx, [X86_OP_MOVNTI] = tr_mov,
    [X86_OP_LEA] = tr_lea, [X86_OP_XCHG] = tr_xchg, [X86_OP_CBW] = tr_cbw, [X86_OP_CWD] = tr_cwd,
    [X86_OP_BSWAP] = tr_bswap, [X86_OP_MOVBE] = tr_movbe, [X86_OP_CMOVCC] = tr_cmov,
    [X86_OP_SETCC] = tr_setcc, [X86_OP_XLAT] = tr_xlat, [X86_OP_MOV_SREG] = tr_mov_sreg,
    [X86_OP_NOP] = tr_nop, [X86_OP_PAUSE] = tr_nop, [X86_OP_ENDBR32] = tr_nop,
    [X86_OP_ENDBR64] = tr_nop, [X86_OP_PREFETCHNTA] = tr_nop, [X86_OP_PREFETCHT0] = tr_nop,
    [X86_OP_PREFETCHT1] = tr_nop, [X86_OP_PREFETCHT2] = tr_nop, [X86_OP_PREFETCHW] = tr_nop,
    [X86_OP_PREFETCH] = tr_nop, [X86_OP_LFENCE] = tr_nop, [X86_OP_MFENCE] = tr_nop,
    [X86_OP_SFENCE] = tr_nop, [X86_OP_WAIT] = tr_fwait,
    [X86_OP_JMP] = tr_jmp, [X86_OP_JCC] = tr_jcc, [X86_OP_CALL] = tr_call_, [X86_OP_RET] = tr_ret,
    [X86_OP_LOOP] = tr_loop, [X86_OP_LOOPE] = tr_loop, [X86_OP_LOOPNE] = tr_loop,
    [X86_OP_JRCXZ] = tr_jrcxz,
    [X86_OP_PUSH] = tr_push_, [X86_OP_POP] = tr_pop_, [X86_OP_ENTER] = tr_enter,
    [X86_OP_LEAVE] = tr_leave, [X86_OP_PUSHF] = tr_pushf, [X86_OP_POPF] = tr_popf,
    [X86_OP_PUSHA] = tr_pusha, [X86_OP_POPA] = tr_popa,
    [X86_OP_MUL] = tr_mul, [X86_OP_IMUL] = tr_imul, [X86_OP_DIV] = tr_div, [X86_OP_IDIV] = tr_div,
    [X86_OP_ROL] = tr_shift, [X86_OP_ROR] = tr_shift, [X86_OP_RCL] = tr_shift,
    [X86_OP_RCR] = tr_shift, [X86_OP_SHL] = tr_shift, [X86_OP_SAL] = tr_shift,
    [X86_OP_SHR] = tr_shift, [X86_OP_SAR] = tr_shift,
    [X86_OP_SHLD] = tr_shd, [X86_OP_SHRD] = tr_shd,
    [X86_OP_BT] = tr_bt, [X86_OP_BTS] = tr_bt, [X86_OP_BTR] = tr_bt, [X86_OP_BTC] = tr_bt,
    [X86_OP_BSF] = tr_bscan, [X86_OP_BSR] = tr_bscan, [X86_OP_TZCNT] = tr_cnt,
    [X86_OP_LZCNT] = tr_cnt, [X86_OP_POPCNT] = tr_cnt,
    [X86_OP_ANDN] = tr_bmi, [X86_OP_BEXTR] = tr_bmi, [X86_OP_BLSI] = tr_bmi,
    [X86_OP_BLSMSK] = tr_bmi, [X86_OP_BLSR] = tr_bmi, [X86_OP_BZHI] = tr_bmi,
    [X86_OP_MULX] = tr_bmi, [X86_OP_PDEP] = tr_bmi, [X86_OP_PEXT] = tr_bmi,
    [X86_OP_RORX] = tr_bmi, [X86_OP_SARX] = tr_bmi, [X86_OP_SHLX] = tr_bmi,
    [X86_OP_SHRX] = tr_bmi, [X86_OP_ADCX] = tr_adcx, [X86_OP_ADOX] = tr_adcx,
    [X86_OP_MOVS] = tr_string, [X86_OP_CMPS] = tr_string, [X86_OP_STOS] = tr_string,
    [X86_OP_LODS] = tr_string, [X86_OP_SCAS] = tr_string,
    [X86_OP_CLC] = tr_flagop, [X86_OP_STC] = tr_flagop, [X86_OP_CMC] = tr_flagop,
    [X86_OP_CLD] = tr_flagop, [X86_OP_STD] = tr_flagop, [X86_OP_LAHF] = tr_lahf,
    [X86_OP_SAHF] = tr_sahf, [X86_OP_HLT] = tr_hlt, [X86_OP_CPUID] = tr_cpuid,
    [X86_OP_RDTSC] = tr_rdtsc, [X86_OP_RDRAND] = tr_rdrand, [X86_OP_RDSEED] = tr_rdrand,
    [X86_OP_LES] = tr_lxs, [X86_OP_LDS] = tr_lxs, [X86_OP_LSS] = tr_lxs, [X86_OP_LFS] = tr_lxs,
    [X86_OP_LGS] = tr_lxs, [X86_OP_BOUND] = tr_bound,
    [X86_OP_DAA] = tr_bcd, [X86_OP_DAS] = tr_bcd, [X86_OP_AAA] = tr_bcd, [X86_OP_AAS] = tr_bcd,
    [X86_OP_AAM] = tr_bcd, [X86_OP_AAD] = tr_bcd, [X86_OP_SALC] = tr_bcd,
    [X86_OP_IN] = tr_io, [X86_OP_OUT] = tr_io, [X86_OP_INS] = tr_string, [X86_OP_OUTS] = tr_string,
    /* every mode, with delivery (cpu/tr_system.c) */
    [X86_OP_INT] = tr_sys_int, [X86_OP_INT3] = tr_sys_int, [X86_OP_INTO] = tr_sys_int,
    [X86_OP_INT1] = tr_sys_int, [X86_OP_IRET] = tr_sys_iret, [X86_OP_RETF] = tr_sys_retf,
    [X86_OP_JMPF] = tr_sys_farjmp, [X86_OP_CALLF] = tr_sys_farcall,
    [X86_OP_CLI] = tr_sys_cli, [X86_OP_STI] = tr_sys_cli,
    [X86_OP_LGDT] = tr_sys_desc_table, [X86_OP_LIDT] = tr_sys_desc_table,
    [X86_OP_SGDT] = tr_sys_desc_table, [X86_OP_SIDT] = tr_sys_desc_table,
    [X86_OP_LLDT] = tr_sys_ldt_tr, [X86_OP_LTR] = tr_sys_ldt_tr, [X86_OP_SLDT] = tr_sys_ldt_tr,
    [X86_OP_STR] = tr_sys_ldt_tr, [X86_OP_MOV_CR] = tr_sys_mov_cr, [X86_OP_MOV_DR] = tr_sys_mov_cr, [X86_OP_LMSW] = tr_sys_msw,
    [X86_OP_SMSW] = tr_sys_msw, [X86_OP_CLTS] = tr_sys_misc,
    [X86_OP_STAC] = tr_sys_misc, [X86_OP_CLAC] = tr_sys_misc, [X86_OP_INVLPG] = tr_sys_misc,
    [X86_OP_RDMSR] = tr_sys_misc, [X86_OP_WRMSR] = tr_sys_misc, [X86_OP_SWAPGS] = tr_sys_misc,
    [X86_OP_RDTSCP] = tr_sys_misc, [X86_OP_RDPID] = tr_sys_misc,
    [X86_OP_WBINVD] = tr_sys_misc, [X86_OP_INVD] = tr_sys_misc,
    [X86_OP_CLFLUSH] = tr_sys_misc, [X86_OP_CLFLUSHOPT] = tr_sys_misc,
    [X86_OP_SYSCALL] = tr_sys_fastcall, [X86_OP_SYSRET] = tr_sys_fastcall,
    [X86_OP_SYSENTER] = tr_sys_fastcall, [X86_OP_SYSEXIT] = tr_sys_fastcall,
    [X86_OP_LAR] = tr_sys_lar, [X86_OP_LSL] = tr_sys_lar, [X86_OP_VERR] = tr_sys_lar,
    [X86_OP_VERW] = tr_sys_lar,
    /* FPU/SIMD (cpu/tr_sse.c); other MMX/SSE ops fall back to tr_sse */
    [X86_OP_FXSAVE] = tr_fpctl, [X86_OP_FXRSTOR] = tr_fpctl, [X86_OP_LDMXCSR] = tr_fpctl,
    [X86_OP_STMXCSR] = tr_fpctl, [X86_OP_CRC32] = tr_crc32,
    [X86_OP_XSAVE] = tr_xsave, [X86_OP_XSAVEOPT] = tr_xsave, [X86_OP_XSAVEC] = tr_xsave,
    [X86_OP_XRSTOR] = tr_xsave, [X86_OP_XGETBV] = tr_xsave, [X86_OP_XSETBV] = tr_xsave,
};

/* Reads the instruction at linear address lin; returns the decode status or -1
   when the bytes cannot be fetched without a fault (and may_fault is false). */
static int fetch_decode(struct tr *s, uint64_t lin, struct x86_insn *in, uint64_t *phys,
                        uint64_t *phys2, bool may_fault)
{
    uint8_t buf[X86_MAX_INSN_LEN];
    size_t room = TLB_PAGE_SIZE - (lin & (TLB_PAGE_SIZE - 1));
    size_t n1 = room < sizeof(buf) ? room : sizeof(buf);
    if (cpu_fetch_code(s->cpu, lin, buf, n1, phys, may_fault) != n1)
        return -1;
    *phys2 = TB_NO_PAGE;
    int st = x86_decode(buf, n1, s->mode, in);
    if (st != X86_DECODE_SHORT)
        return st;
    uint64_t lin2 = lin + n1;
    if (s->mode != X86_MODE_64)
        lin2 &= 0xffffffffu;
    size_t n2 = sizeof(buf) - n1;
    if (cpu_fetch_code(s->cpu, lin2, buf + n1, n2, phys2, may_fault) != n2)
        return -1;
    *phys2 &= TLB_PAGE_MASK;
    st = x86_decode(buf, sizeof(buf), s->mode, in);
    if (st == X86_DECODE_OK && in->len <= n1)
        *phys2 = TB_NO_PAGE;
    return st;
}

int tr_fetch_decode(struct tr *s, uint64_t eip, struct x86_insn *in)
{
    uint64_t lin = s->cs_base + eip, phys, phys2;
    if (s->mode != X86_MODE_64)
        lin &= 0xffffffffu;
    if ((lin & TLB_PAGE_MASK) != s->page)
        return -1;
    int st = fetch_decode(s, lin, in, &phys, &phys2, false);
    return st >= 0 && phys2 != TB_NO_PAGE ? -1 : st;
}

/*
 * Instructions that need no rip write before them: they never raise on purpose
 * (tr_raise and the real-mode limit check write rip themselves), never read
 * rip, and may fault only in their IR memory accesses (LD/ST), whose slow
 * path recovers rip from the instruction's INSN_START (cpu_sync_insn); a
 * helper that may touch env gets rip from tr_call. So env->rip may be stale
 * in the middle of a block (docs/JIT.md, "Instruction markers").
 */
static const bool no_rip[X86_OP_COUNT] = {
    [X86_OP_ADD] = 1, [X86_OP_OR] = 1, [X86_OP_ADC] = 1, [X86_OP_SBB] = 1, [X86_OP_AND] = 1,
    [X86_OP_SUB] = 1, [X86_OP_XOR] = 1, [X86_OP_CMP] = 1, [X86_OP_TEST] = 1, [X86_OP_INC] = 1,
    [X86_OP_DEC] = 1, [X86_OP_NEG] = 1, [X86_OP_NOT] = 1, [X86_OP_MOV] = 1, [X86_OP_MOVZX] = 1,
    [X86_OP_MOVSX] = 1, [X86_OP_MOVSXD] = 1, [X86_OP_LEA] = 1, [X86_OP_XCHG] = 1, [X86_OP_CBW] = 1,
    [X86_OP_CWD] = 1, [X86_OP_BSWAP] = 1, [X86_OP_CMOVCC] = 1, [X86_OP_SETCC] = 1, [X86_OP_NOP] = 1,
    [X86_OP_PAUSE] = 1, [X86_OP_ENDBR32] = 1, [X86_OP_ENDBR64] = 1, [X86_OP_JCC] = 1,
    [X86_OP_CLC] = 1, [X86_OP_STC] = 1, [X86_OP_CMC] = 1, [X86_OP_CLD] = 1, [X86_OP_STD] = 1,
    [X86_OP_LAHF] = 1, [X86_OP_SAHF] = 1, [X86_OP_BT] = 1, [X86_OP_BTS] = 1, [X86_OP_BTR] = 1,
    [X86_OP_BTC] = 1, [X86_OP_BSF] = 1, [X86_OP_BSR] = 1, [X86_OP_TZCNT] = 1, [X86_OP_LZCNT] = 1,
    [X86_OP_POPCNT] = 1, [X86_OP_ANDN] = 1, [X86_OP_BEXTR] = 1, [X86_OP_BLSI] = 1,
    [X86_OP_BLSMSK] = 1, [X86_OP_BLSR] = 1, [X86_OP_BZHI] = 1, [X86_OP_MULX] = 1, [X86_OP_PDEP] = 1,
    [X86_OP_PEXT] = 1, [X86_OP_RORX] = 1, [X86_OP_SARX] = 1, [X86_OP_SHLX] = 1, [X86_OP_SHRX] = 1,
    [X86_OP_SHL] = 1, [X86_OP_SAL] = 1, [X86_OP_SHR] = 1, [X86_OP_SAR] = 1, [X86_OP_ROL] = 1,
    [X86_OP_ROR] = 1, [X86_OP_RCL] = 1, [X86_OP_RCR] = 1, [X86_OP_SHLD] = 1, [X86_OP_SHRD] = 1,
    [X86_OP_ADCX] = 1, [X86_OP_ADOX] = 1, [X86_OP_IMUL] = 1, [X86_OP_MUL] = 1, [X86_OP_LOOP] = 1,
    [X86_OP_LOOPE] = 1, [X86_OP_LOOPNE] = 1, [X86_OP_JRCXZ] = 1,
    [X86_OP_JMP] = 1, [X86_OP_CALL] = 1, [X86_OP_RET] = 1, [X86_OP_PUSH] = 1, [X86_OP_POP] = 1,
    [X86_OP_LEAVE] = 1, [X86_OP_ENTER] = 1, [X86_OP_PUSHA] = 1, [X86_OP_POPA] = 1,
    [X86_OP_XLAT] = 1, [X86_OP_MOVBE] = 1, [X86_OP_CMPXCHG] = 1, [X86_OP_XADD] = 1,
};

/* Must rip hold this instruction's address before its semantics run? */
static bool needs_rip(const struct x86_insn *in, int status)
{
    if (status != X86_DECODE_OK || in->op >= X86_OP_COUNT || in->lock)
        return true;
    return !no_rip[in->op];
}

static bool lock_ok(const struct x86_insn *in)
{
    if (!in->lock)
        return true;
    return (in->flags & X86_F_LOCKABLE) && in->nops > 0 && in->ops[0].kind == X86_OPK_MEM;
}

int cpu_translate(struct cpu *cpu, struct ir_block *b, uint32_t cflags, struct cpu_tr_info *info)
{
    struct tr st, *s = &st;
    struct x86_insn in;
    memset(s, 0, sizeof(*s));
    memset(info, 0, sizeof(*info));
    s->cpu = cpu;
    s->b = b;
    s->in = &in;
    s->hflags = cpu->hflags;
    s->cs_base = cpu->seg[X86_SEG_CS].base;
    s->mode = (s->hflags & HF_CS64) ? X86_MODE_64 : (s->hflags & HF_CS32) ? X86_MODE_32 : X86_MODE_16;
    s->ssize = s->mode == X86_MODE_64 ? 8 : (s->hflags & HF_SS32) ? 4 : 2;
    s->mmu_idx = cpu_mmu_idx(cpu);
    s->eip = s->start_eip = cpu->rip;
    s->cc_op = CC_OP_DYNAMIC;
    s->single = (cflags & TB_CF_SINGLE) != 0;
    uint64_t lin0 = cpu_pc_linear(cpu);
    s->page = lin0 & TLB_PAGE_MASK;
    info->pc = lin0;
    info->phys_page[1] = TB_NO_PAGE;

    /* Prologue: charge the budget (the count is patched in at the end). */
    s->label_budget = ir_label_new(b);
    ir_temp t = tr_tmp(s), t2 = tr_tmp(s);
    ir_ld_env(b, 64, t, (int32_t)offsetof(struct cpu, icount_left));
    info->op_icount = b->nops;
    ir_binop(b, IR_SUB, 64, t2, t, tr_const(s, 0));
    ir_st_env(b, 64, t2, (int32_t)offsetof(struct cpu, icount_left));
    ir_brcond(b, 64, IR_LT, t2, tr_const(s, 0), s->label_budget);

    unsigned max = s->single ? 1 : (cpu->max_block_insns ? cpu->max_block_insns : 64);
    uint64_t lo = lin0, hi = lin0;    /* linear bytes covered (one page unless the first straddles) */
    info->nruns = 1;
    info->run[0].pc = lin0;
    for (;;) {
        uint64_t lin = s->cs_base + s->eip, phys, phys2;
        if (s->mode != X86_MODE_64)
            lin &= 0xffffffffu;
        int stt = fetch_decode(s, lin, &in, &phys, &phys2, info->icount == 0);
        if (stt < 0)
            break; /* later instruction faults on fetch: it starts the next block */
        if (info->icount == 0)
            info->phys_pc = phys;
        bool guest_bp = false;
        if (__builtin_expect((cpu->nbp | cpu->dbg.exec_mask) != 0, 0) && !(cflags & CPU_CF_NOBP)) {
            /* Breakpoints (cpu/debug.h): blocks end before them; at a block start the
               debugger's exits, the guest's (DR0-3) calls helper_dbg_bp first. */
            bool dbg_bp = !(cflags & CPU_CF_NODBGBP) && cpu_bp_hit(cpu, lin);
            guest_bp = !dbg_bp && cpu_dbg_exec_match(cpu, lin);
            if ((dbg_bp || guest_bp) && info->icount > 0)
                break;
            if (dbg_bp) {
                ir_insn_start(b, lin);
                tr_set_rip(s, s->eip);
                tr_exit(s, CPU_EXIT_DEBUG);
                hi = lin + 1;
                info->run[0].len = 1;
                break;
            }
        }
        if (phys2 != TB_NO_PAGE) {
            if (info->icount > 0)
                break; /* keep page-straddling instructions at block starts */
            info->phys_page[1] = phys2;
        }
        ir_insn_start(b, lin);
        if (guest_bp) {
            tr_set_rip(s, s->eip);
            tr_call(s, &helper_dbg_bp, IR_NONE, tr_const(s, lin), IR_NONE, IR_NONE, IR_NONE);
        }
        s->nss_addr = 0;
        s->rmw_addr = IR_NONE;
        s->next_eip = (s->eip + (in.len ? in.len : 1)) & tr_eip_mask(s, s->mode == X86_MODE_16 ? 2 : 4);
        s->rip_exact = needs_rip(&in, stt);
        s->insn_room = max - info->icount;
        if (s->rip_exact)
            tr_set_rip(s, s->eip);
        if (stt == X86_DECODE_TOO_LONG) {
            tr_raise(s, EXC_GP, 0, true);
        } else if (stt != X86_DECODE_OK || in.op >= X86_OP_COUNT ||
                   (!tr_table[in.op] && !(in.flags & (X86_F_MMX | X86_F_SSE | X86_F_X87))) ||
                   (in.flags & X86_F_UNSUPPORTED) || !lock_ok(&in)) {
            if (kiln_log_enabled(cpu->log, KILN_LOG_UNIMP) &&
                (stt == X86_DECODE_OK || (in.flags & X86_F_UNSUPPORTED)) && in.op < X86_OP_COUNT &&
                lock_ok(&in))
                cpu_trace_unimp_insn(cpu, &in, s->eip);
            tr_ud(s);
        } else if (!(tr_table[in.op] ? tr_table[in.op] : (in.flags & X86_F_X87) ? tr_x87 : tr_sse)(s)) {
            if (kiln_log_enabled(cpu->log, KILN_LOG_UNIMP))
                cpu_trace_unimp_insn(cpu, &in, s->eip);
            tr_ud(s);
        }
        info->icount++;
        if (s->ifc_active && s->next_eip == s->ifc_stop)
            tr_ifconv_step(s); /* the end of a branch-free Jcc region (tr_ifconv.c) */
        info->icount = (uint32_t)((int64_t)info->icount + s->icount_extra);
        s->icount_extra = 0;
        uint64_t len = in.len ? in.len : 1;
        if (lin < lo)
            lo = lin;
        if (lin + len > hi)
            hi = lin + len;
        info->run[info->nruns - 1].len += (uint32_t)len;
        if (s->follows == info->nruns && info->nruns < CPU_TR_MAX_RUNS) {
            /* went on across a direct jump: a new run starts at its target */
            uint64_t t = s->cs_base + s->next_eip;
            info->run[info->nruns].pc = s->mode == X86_MODE_64 ? t : t & 0xffffffffu;
            info->run[info->nruns++].len = 0;
        }
        s->eip = s->next_eip;
        if (s->ended || s->single || info->icount >= max || b->nops > 1500 || b->oom)
            break;
        if ((in.flags & X86_F_SERIALIZE) || phys2 != TB_NO_PAGE)
            break;
        uint64_t nlin = s->cs_base + s->eip;
        if (s->mode != X86_MODE_64)
            nlin &= 0xffffffffu;
        if ((nlin & TLB_PAGE_MASK) != s->page)
            break;
    }
    free(s->ifc_map1); /* only if a region was left unfinished, which tr_ifconv_begin rules out */
    s->ifc_map1 = NULL;
    if (!s->ended)
        tr_goto(s, 0, s->eip);
    ir_label(b, s->label_budget);
    tr_exit(s, CPU_EXIT_BUDGET);
    info->size = (uint32_t)(hi - lin0);
    info->span_before = (uint32_t)(lin0 - lo);
    info->phys_page[0] = info->phys_pc & TLB_PAGE_MASK;
    return b->oom ? -1 : 0;
}

void cpu_translate_patch(struct ir_block *b, const struct cpu_tr_info *info, struct tb *tb)
{
    (void)tb;
    b->ops[info->op_icount].args[2] = ir_const(b, 64, info->icount);
}
