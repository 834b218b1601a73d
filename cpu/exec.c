/* SPDX-License-Identifier: MIT */
/* exec.c: the CPU loop: find or translate blocks, run them, chain them, handle exits. */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include "cpu/decode.h"
#include "translate/log.h"
#if __has_include("translate/x86_64.h")
#include "translate/x86_64.h"
#endif
#include "cpu/cpu.h"
#include "cpu/translate.h"
#include "translate/opt.h"
#include "translate/tb.h"

/* -d in_asm: the guest instructions of a new block (decoded again from memory). */
static void log_in_asm(struct cpu *cpu, const struct cpu_tr_info *info)
{
    enum x86_mode mode = (cpu->hflags & HF_CS64) ? X86_MODE_64
                         : (cpu->hflags & HF_CS32) ? X86_MODE_32 : X86_MODE_16;
    uint64_t lin = info->pc, ip = cpu->rip;
    kiln_log_printf(cpu->log, "IN: pc %#" PRIx64 " (%u instructions)\n", lin, info->icount);
    for (uint32_t i = 0; i < info->icount; i++) {
        uint8_t buf[X86_MAX_INSN_LEN];
        uint64_t ph;
        size_t n = cpu_fetch_code(cpu, lin, buf, sizeof(buf), &ph, false);
        struct x86_insn in;
        char text[128];
        if (n == 0 || x86_decode(buf, n, mode, &in) != X86_DECODE_OK || in.len == 0) {
            kiln_log_printf(cpu->log, "  %#" PRIx64 ": (undecodable)\n", ip);
            break;
        }
        x86_insn_format(&in, ip, text, sizeof(text));
        kiln_log_printf(cpu->log, "  %#" PRIx64 ": %s\n", ip, text);
        lin += in.len;
        ip += in.len;
    }
}

/* Translates the block for the current state (the IR goes to cpu->irb). */
static struct tb *translate_tb(struct cpu *cpu, uint64_t pc, uint64_t cs_base, uint32_t cflags,
                               bool *flushed)
{
    struct cpu_tr_info info;
    struct ir_block *b = &cpu->irb;
    ir_block_init(b, &cpu->irctx);
    if (cpu_translate(cpu, b, cflags, &info) < 0)
        return NULL;
    if (kiln_log_enabled(cpu->log, KILN_LOG_IN_ASM))
        log_in_asm(cpu, &info);
    if (kiln_log_enabled(cpu->log, KILN_LOG_OP)) {
        kiln_log_printf(cpu->log, "OP: pc %#" PRIx64 " cs_base %#" PRIx64 " flags %#x\n", pc, cs_base,
                        cpu->hflags);
        ir_dump(b, cpu->log->out);
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        struct tb *tb = tb_alloc(cpu->tbc, pc, cs_base, cpu->hflags, cflags);
        if (tb) {
            tb->size = info.size;
            tb->icount = info.icount;
            tb->phys_pc = info.phys_pc;
            tb->phys_page[0] = info.phys_page[0];
            tb->phys_page[1] = info.phys_page[1];
            cpu_translate_patch(b, &info, tb);
            if (attempt == 0) {
                ir_optimize(b);
                if (kiln_log_enabled(cpu->log, KILN_LOG_OP_OPT)) {
                    kiln_log_printf(cpu->log, "OP after optimization: pc %#" PRIx64 "\n", pc);
                    ir_dump(b, cpu->log->out);
                }
            }
            if (tb_commit(cpu->tbc, tb, b)) {
#if __has_include("translate/x86_64.h")
                if (kiln_log_enabled(cpu->log, KILN_LOG_OUT_ASM) && !strcmp(cpu->engine->name, "x86_64")) {
                    kiln_log_printf(cpu->log, "OUT: pc %#" PRIx64 "\n", pc);
                    engine_x86_64_dump(tb, cpu->log->out);
                }
#endif
                for (int i = 0; i < 2; i++) {
                    if (tb->phys_page[i] == TB_NO_PAGE)
                        continue;
                    cpu_tlb_protect_code(cpu, tb->phys_page[i]);
                    if (cpu->on_code_page)
                        cpu->on_code_page(cpu, tb->phys_page[i]);
                }
                return tb;
            }
        }
        tb_flush(cpu->tbc);
        *flushed = true;
    }
    return NULL;
}

static struct tb *find_tb(struct cpu *cpu, uint32_t cflags, bool *flushed)
{
    uint64_t pc = cpu_pc_linear(cpu), cs_base = cpu->seg[1].base;
    struct tb *tb = tb_lookup(cpu->tbc, pc, cs_base, cpu->hflags, cflags);
    if (!tb)
        tb = translate_tb(cpu, pc, cs_base, cflags, flushed);
    return tb;
}

struct exec_state {
    struct tb *last;      /* block that left through an unchained slot */
    unsigned last_slot;
    bool single;          /* run the next instruction alone */
};

/* The loop proper; returns an enum cpu_exit. */
static __attribute__((noinline)) int run(struct cpu *cpu, struct exec_state *st)
{
    for (;;) {
        if (cpu->exit_request)
            return CPU_EXIT_REQUEST;
        if (cpu->icount_left <= 0)
            return CPU_EXIT_BUDGET;
        bool flushed = false;
        /* EFLAGS.TF (with a delivering CPU): one instruction, then the #DB trap. */
        bool tf = (cpu->eflags & CPU_TF) && cpu->deliver;
        uint32_t cflags = (st->single || tf) ? (TB_CF_SINGLE | TB_CF_NOCHAIN) : 0;
        struct tb *tb = find_tb(cpu, cflags, &flushed);
        if (tb && !st->single && tb->icount > (uint64_t)cpu->icount_left) {
            cflags = TB_CF_SINGLE | TB_CF_NOCHAIN;
            tb = find_tb(cpu, cflags, &flushed);
        }
        st->single = false;
        if (!tb)
            return CPU_EXIT_REQUEST; /* out of memory translating */
        struct tb *last = flushed ? NULL : st->last;
        st->last = NULL;
        if (last && !last->invalid && !tb->invalid && !(last->cflags & TB_CF_NOCHAIN) &&
            !(tb->cflags & TB_CF_NOCHAIN) && last->jmp_dest[st->last_slot] == NULL)
            tb_link(cpu->tbc, last, st->last_slot, tb);
        if (kiln_log_enabled(cpu->log, KILN_LOG_EXEC))
            kiln_log_printf(cpu->log, "exec: tb %p pc %#" PRIx64 " rip %#" PRIx64 "\n", (void *)tb, tb->pc,
                            cpu->rip);
        cpu->exit_reason = CPU_EXIT_CONTINUE_LOOP;
        cpu->in_block = true;
        cpu->in_single = (tb->cflags & TB_CF_SINGLE) != 0;
        uintptr_t r = cpu->engine->exec(cpu->engine, cpu, tb);
        cpu->in_block = false;
        struct tb *lt = (struct tb *)(r & ~(uintptr_t)TB_EXIT_MASK);
        unsigned how = (unsigned)(r & TB_EXIT_MASK);
        if (cpu->exit_reason == CPU_EXIT_BUDGET) {
            /* The prologue of lt found too little budget: it did not run. */
            if (lt)
                cpu->icount_left += lt->icount;
            continue;
        }
        if (cpu->exit_reason == CPU_EXIT_HLT)
            return CPU_EXIT_HLT;
        if (tf)
            cpu_raise(cpu, EXC_DB, false, 0); /* single-step trap: rip is the next instruction */
        if ((how == TB_EXIT_SLOT0 || how == TB_EXIT_SLOT1) && lt) {
            st->last = lt;
            st->last_slot = how;
        }
    }
}

int cpu_exec(struct cpu *cpu, uint64_t budget)
{
    struct exec_state st = { NULL, 0, false };
    int ret;
    const int64_t start = budget > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)budget;

    cpu->icount_left = start;
    cpu->icount_start = start;
    cpu->in_exec = true;
    for (;;) {
        if (setjmp(cpu->jmp) == 0) {
            ret = run(cpu, &st);
            break;
        }
        /* Unwound from a helper or slow path: an exception, or a store hit the running block. */
        cpu->in_block = false;
        if (!cpu->smc_single)
            KILN_LOG(cpu->log, KILN_LOG_INT, "exception %d error %#x at rip %#" PRIx64 "\n",
                     cpu->excp_vector, cpu->excp_error, cpu->rip);
        st.last = NULL;
        st.single = false;
        if (cpu->smc_single) {
            cpu->smc_single = false;
            st.single = true;
        } else if (cpu->deliver) {
            cpu->deliver(cpu);
        } else {
            ret = CPU_EXIT_EXCEPTION;
            break;
        }
    }
    cpu->in_exec = false;
    cpu->in_block = false;
    cpu->insn_count += (uint64_t)(start - cpu->icount_left);
    return ret;
}
