/* SPDX-License-Identifier: MIT */
/* exec.c: the CPU loop: find or translate blocks, run them, chain them, handle exits. */
#include <stdint.h>
#include "cpu/cpu.h"
#include "cpu/translate.h"
#include "translate/opt.h"
#include "translate/tb.h"

/* Translates the block for the current state (the IR goes to cpu->irb). */
static struct tb *translate_tb(struct cpu *cpu, uint64_t pc, uint64_t cs_base, uint32_t cflags,
                               bool *flushed)
{
    struct cpu_tr_info info;
    struct ir_block *b = &cpu->irb;
    ir_block_init(b, &cpu->irctx);
    if (cpu_translate(cpu, b, cflags, &info) < 0)
        return NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        struct tb *tb = tb_alloc(cpu->tbc, pc, cs_base, cpu->hflags, cflags);
        if (tb) {
            tb->size = info.size;
            tb->icount = info.icount;
            tb->phys_pc = info.phys_pc;
            tb->phys_page[0] = info.phys_page[0];
            tb->phys_page[1] = info.phys_page[1];
            cpu_translate_patch(b, &info, tb);
            if (attempt == 0)
                ir_optimize(b);
            if (tb_commit(cpu->tbc, tb, b)) {
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
        cpu->exit_reason = CPU_EXIT_CONTINUE_LOOP;
        uintptr_t r = cpu->engine->exec(cpu->engine, cpu, tb);
        cpu->cur_tb = NULL;
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
        cpu->cur_tb = NULL;
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
    cpu->cur_tb = NULL;
    cpu->insn_count += (uint64_t)(start - cpu->icount_left);
    return ret;
}
