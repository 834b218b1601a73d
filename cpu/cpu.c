/* SPDX-License-Identifier: MIT */
/* cpu.c: vCPU initialisation, IR globals, hflags and EFLAGS access. */
#include <stddef.h>
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helpers.h"
#include "cpu/trace.h"
#include "cpu/translate.h"
#include "translate/tb.h"


/*
 * GOTO_PTR: the next block, if it is already translated and nothing is pending.
 * The jump cache's key is (rip, CS base, hflags): with hflags' HF_CS64 they
 * give tb_lookup's key (linear pc, CS base, hflags) for cflags 0.
 */
static struct tb *cpu_lookup(void *env)
{
    struct cpu *cpu = env;
    if (cpu->exit_request || cpu->icount_left <= 0 || cpu_trace_nochain(cpu->log) ||
        (cpu->eflags & CPU_RF) || cpu->dbg.flush) /* RF, debug registers: the loop decides */
        return NULL;
    return cpu_tb_find(cpu);
}

_Static_assert(offsetof(struct cpu, jc_gen) == offsetof(struct cpu, hflags) + 4 &&
               offsetof(struct cpu, hflags) % 8 == 0, "jump cache key word 2 is hflags | jc_gen << 32");

const struct engine_guest cpu_engine_guest = {
    .tlb_offset = offsetof(struct cpu, tlb),
    .slow = { cpu_slow_load, cpu_slow_store },
    .lookup = cpu_lookup,
    .exit_request_offset = offsetof(struct cpu, exit_request),
    .jc_nkeys = 3,
    .jc_offset = offsetof(struct cpu, jc),
    .jc_key_offset = { offsetof(struct cpu, rip), offsetof(struct cpu, seg[1].base),
                       offsetof(struct cpu, hflags) },
    .jc_key_width = { 64, 64, 64 },   /* word 2: hflags | jc_gen << 32 (little-endian hosts) */
};

static const char *const gpr_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

void cpu_init(struct cpu *cpu, struct tb_cache *tbc, struct engine *engine,
              const struct cpu_mem_ops *mem)
{
    memset(cpu, 0, sizeof(*cpu));
    ir_ctx_init(&cpu->irctx);
    for (int i = 0; i < 16; i++)
        ir_ctx_global(&cpu->irctx, (int32_t)offsetof(struct cpu, gpr[i]), 64, gpr_names[i]);
    ir_ctx_global(&cpu->irctx, offsetof(struct cpu, rip), 64, "rip");
    ir_ctx_global(&cpu->irctx, offsetof(struct cpu, cc_dst), 64, "cc_dst");
    ir_ctx_global(&cpu->irctx, offsetof(struct cpu, cc_src), 64, "cc_src");
    ir_ctx_global(&cpu->irctx, offsetof(struct cpu, cc_src2), 64, "cc_src2");
    ir_ctx_global(&cpu->irctx, offsetof(struct cpu, cc_op), 32, "cc_op");
    ir_ctx_global(&cpu->irctx, offsetof(struct cpu, df), 64, "df");
    cpu->tbc = tbc;
    cpu->jc = tbc ? tb_cache_jc(tbc) : NULL;
    cpu->engine = engine;
    cpu->mem = mem;
    cpu->excp_vector = -1;
    cpu->df = 1;
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->eflags = 0x2;
    for (int i = 0; i < 6; i++) {
        cpu->seg[i].limit = 0xffff;
        cpu->seg[i].attr = 0x93;
    }
    cpu->seg[1].attr = 0x9b;
    cpu->max_block_insns = 64;
    fpu_reset(cpu);
    tlb_flush(&cpu->tlb);
    cpu_update_hflags(cpu);
}

void cpu_update_hflags(struct cpu *cpu)
{
    uint32_t hf = cpu->hflags & HF_CPL_MASK;
    bool pe = cpu->cr[0] & 1;
    bool vm = pe && (cpu->eflags & CPU_VM);
    if (pe)
        hf |= HF_PE;
    if (vm)
        hf |= HF_VM | (3u << HF_CPL_SHIFT);
    if (cpu->efer & (1u << 10))
        hf |= HF_LMA;
    if ((hf & HF_LMA) && (cpu->seg[1].attr & SEG_ATTR_L) && !vm) {
        hf |= HF_CS64 | HF_CS32 | HF_SS32;
    } else {
        if (pe && !vm && (cpu->seg[1].attr & SEG_ATTR_DB))
            hf |= HF_CS32;
        if (pe && !vm && (cpu->seg[2].attr & SEG_ATTR_DB))
            hf |= HF_SS32;
        if (!pe || vm || (cpu->seg[0].base | cpu->seg[2].base | cpu->seg[3].base) != 0)
            hf |= HF_ADDSEG;
        if (pe && !vm)
            hf |= seg_chk_update(cpu);
    }
    if ((cpu->cr[0] & CR0_AM) && (cpu->eflags & CPU_AC) && (hf & HF_CPL_MASK) == HF_CPL_MASK)
        hf |= HF_AC;
    if ((cpu->cr[4] & CR4_SMAP) && (cpu->eflags & CPU_AC) && !vm && (hf & HF_CPL_MASK) != HF_CPL_MASK)
        hf |= HF_SMAP_AC;
    cpu->hflags = hf;
}

uint64_t cpu_get_eflags(struct cpu *cpu)
{
    uint64_t f = cc_compute_all(cpu->cc_op, cpu->cc_dst, cpu->cc_src, cpu->cc_src2);
    return (cpu->eflags & ~(uint64_t)(CPU_ARITH_FLAGS | CPU_DF)) | f |
           ((int64_t)cpu->df < 0 ? CPU_DF : 0) | 2;
}

void cpu_set_eflags(struct cpu *cpu, uint64_t value, uint64_t mask)
{
    uint64_t f = (cpu_get_eflags(cpu) & ~mask) | (value & mask);
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->cc_src = f & CPU_ARITH_FLAGS;
    cpu->df = (f & CPU_DF) ? (uint64_t)-1 : 1;
    cpu->eflags = (f & ~(uint64_t)(CPU_ARITH_FLAGS | CPU_DF)) | 2;
    cpu_update_hflags(cpu);
}

void cpu_load_seg_real(struct cpu *cpu, int seg, uint16_t sel)
{
    if (seg < 0 || seg > 5)
        return;
    cpu->seg[seg].sel = sel;
    cpu->seg[seg].base = (uint64_t)sel << 4;
    cpu_update_hflags(cpu);
}
