/* SPDX-License-Identifier: MIT */
/* exec.c: the CPU loop: find or translate blocks, run them, chain them, handle exits. */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "cpu/trace.h"
#include "cpu/translate.h"
#include "translate/opt.h"
#include "translate/tb.h"

/* Translates the block for the current state (the IR goes to cpu->irb). */
static struct tb *translate_tb(struct cpu *cpu, uint64_t pc, uint64_t cs_base, uint32_t cflags,
                               bool *flushed)
{
    struct cpu_tr_info info;
    struct ir_block *b = &cpu->irb;
    struct kiln_log *log = cpu->log;
    struct timespec t0 = { 0, 0 };
    bool timing = kiln_log_enabled(log, KILN_LOG_STATS);
    if (timing)
        clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int attempt = 0; attempt < 2; attempt++) {
        /* Build the IR afresh each time: the optimizer rewrites it in place, so the
           IR of a failed first attempt no longer has its ops where info says. */
        ir_block_init(b, &cpu->irctx);
        if (cpu_translate(cpu, b, cflags, &info) < 0)
            return NULL;
        if (attempt == 0) {
            cpu->stats.translated++;
            if (kiln_log_enabled(log, KILN_LOG_IN_ASM))
                for (unsigned i = 0; i < info.nruns; i++)
                    if (info.run[i].len)
                        cpu_trace_in_asm(cpu, info.run[i].pc, info.run[i].len);
            if (kiln_log_enabled(log, KILN_LOG_OP))
                cpu_trace_ir(cpu, "OP", pc, b);
        }
        struct tb *tb = tb_alloc(cpu->tbc, pc, cs_base, cpu->hflags, cflags);
        if (tb) {
            tb->size = info.size;
            tb->span_before = info.span_before;
            tb->icount = info.icount;
            tb->phys_pc = info.phys_pc;
            tb->phys_page[0] = info.phys_page[0];
            tb->phys_page[1] = info.phys_page[1];
            cpu_translate_patch(b, &info, tb);
            ir_optimize(b);
            if (attempt == 0 && kiln_log_enabled(log, KILN_LOG_OP_OPT))
                cpu_trace_ir(cpu, "OP after optimization", pc, b);
            /* Pages that already hold code have every TLB entry protected. */
            bool had[2];
            for (int i = 0; i < 2; i++)
                had[i] = tb->phys_page[i] != TB_NO_PAGE && tb_page_has_code(cpu->tbc, tb->phys_page[i]);
            if (tb_commit(cpu->tbc, tb, b)) {
                if (kiln_log_enabled(log, KILN_LOG_OUT_ASM))
                    cpu_trace_out_asm(cpu, tb);
                if (timing) {
                    struct timespec t1;
                    clock_gettime(CLOCK_MONOTONIC, &t1);
                    cpu->stats.translate_ns += (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL +
                                                          (t1.tv_nsec - t0.tv_nsec));
                }
                for (int i = 0; i < 2; i++) {
                    if (tb->phys_page[i] == TB_NO_PAGE || had[i])
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

/* The block for the current state, checked against the current mapping of its
   page(s); *stale (if given) gets a block that matched its first page but whose
   second page maps elsewhere now. */
static struct tb *lookup(struct cpu *cpu, uint32_t cflags, struct tb **stale)
{
    uint64_t pc = cpu_pc_linear(cpu);
    uint64_t phys = cpu_code_phys(cpu, pc);
    if (phys == TB_NO_PAGE)
        return NULL;
    struct tb *tb = tb_lookup(cpu->tbc, pc, phys, cpu->seg[1].base, cpu->hflags, cflags);
    if (tb && tb->phys_page[1] != TB_NO_PAGE) {
        /* Its first instruction straddles two pages: the second must map where it did. */
        uint64_t next = (pc | (TLB_PAGE_SIZE - 1)) + 1;
        if (!(cpu->hflags & HF_CS64))
            next &= 0xffffffffu;
        uint64_t phys2 = cpu_code_phys(cpu, next);
        if (phys2 == TB_NO_PAGE || (phys2 & TLB_PAGE_MASK) != tb->phys_page[1]) {
            if (stale)
                *stale = tb;
            tb = NULL;
        }
    }
    return tb;
}

struct tb *cpu_tb_lookup(struct cpu *cpu, uint32_t cflags)
{
    return lookup(cpu, cflags, NULL);
}

/* Word 2 of the jump cache's key: hflags and the TLB generation (cpu.h). */
static inline uint64_t jc_key2(const struct cpu *cpu)
{
    uint64_t k;
    memcpy(&k, &cpu->hflags, sizeof(k));   /* as the engines read it */
    return k;
}

struct tb *cpu_tb_find(struct cpu *cpu)
{
    struct tb *tb = tb_jc_find(cpu->jc, cpu->rip, cpu->seg[1].base, jc_key2(cpu));
    if (tb)
        return tb;
    tb = lookup(cpu, 0, NULL);
    if (tb)
        tb_jc_set(cpu->tbc, cpu->rip, cpu->seg[1].base, jc_key2(cpu), tb);
    return tb;
}

static struct tb *find_tb(struct cpu *cpu, uint32_t cflags, bool *flushed)
{
    struct tb *stale = NULL, *tb = NULL;
    if (cflags == 0)
        tb = tb_jc_find(cpu->jc, cpu->rip, cpu->seg[1].base, jc_key2(cpu));
    if (!tb) {
        tb = lookup(cpu, cflags, &stale);
        if (stale) /* its second page maps elsewhere now: drop it so a new translation takes its key */
            tb_invalidate_phys_range(cpu->tbc, stale->phys_page[1], stale->phys_page[1] + 1);
        if (!tb)
            tb = translate_tb(cpu, cpu_pc_linear(cpu), cpu->seg[1].base, cflags, flushed);
        if (tb && cflags == 0)
            tb_jc_set(cpu->tbc, cpu->rip, cpu->seg[1].base, jc_key2(cpu), tb);
    }
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
        bool flushed = false, rf = false;
        if (__builtin_expect(cpu->dbg.flush || cpu->dbg.pend_dr6, 0)) {
            flushed = cpu->dbg.flush;
            cpu_dbg_loop_top(cpu); /* may raise a #DB left pending by a debugger stop */
        }
        /* EFLAGS.TF (with a delivering CPU): one instruction, then the #DB trap. */
        bool tf = (cpu->eflags & CPU_TF) && cpu->deliver;
        /* In a MOV/POP SS #DB shadow (cpu/dbgreg.c): the next instruction alone. */
        bool alone = st->single || tf || cpu->debug_step || cpu->dbg.ss_shadow;
        uint32_t cflags = alone ? (TB_CF_SINGLE | TB_CF_NOCHAIN) : 0;
        if (st->single)
            cflags |= CPU_CF_NOBP; /* a re-execution: it already passed its breakpoints */
        else if (cpu->debug_step)
            cflags |= CPU_CF_NODBGBP; /* a debugger step off its breakpoint (the guest's still count) */
        cpu->debug_step = false;
        if (__builtin_expect((cpu->eflags & CPU_RF) != 0, 0)) {
            /* EFLAGS.RF (after IRET): the next instruction ignores instruction breakpoints
               (helper_dbg_bp clears it), then it is clear. */
            if (cpu->dbg.exec_mask) {
                cflags |= TB_CF_SINGLE | TB_CF_NOCHAIN;
                rf = true;
            } else {
                cpu->eflags &= ~(uint64_t)CPU_RF;
            }
        }
        if (cpu_trace_nochain(cpu->log))
            cflags |= TB_CF_NOCHAIN;
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
        /* Chains stay within one virtual page (GOTO_TB targets are on the page of
           the block's start), so the mapping that matched `last` also holds for
           tb; a block straddling into a second page is only entered through a
           lookup, which checks that page too. */
        if (last && !last->invalid && !tb->invalid && !(last->cflags & TB_CF_NOCHAIN) &&
            !(tb->cflags & TB_CF_NOCHAIN) && tb->phys_page[1] == TB_NO_PAGE &&
            last->jmp_dest[st->last_slot] == NULL)
            tb_link(cpu->tbc, last, st->last_slot, tb);
        cpu->stats.loop_entries++;
        if (cpu_trace_nochain(cpu->log)) {
            if (kiln_log_enabled(cpu->log, KILN_LOG_CPU))
                cpu_dump_state(cpu, cpu->log->out);
            if (kiln_log_enabled(cpu->log, KILN_LOG_EXEC))
                cpu_trace_exec(cpu, tb);
        }
        cpu->exit_reason = CPU_EXIT_CONTINUE_LOOP;
        cpu->in_block = true;
        cpu->in_single = (tb->cflags & TB_CF_SINGLE) != 0;
        const int64_t left = cpu->icount_left;
        uintptr_t r = cpu->engine->exec(cpu->engine, cpu, tb);
        cpu->in_block = false;
        struct tb *lt = (struct tb *)(r & ~(uintptr_t)TB_EXIT_MASK);
        unsigned how = (unsigned)(r & TB_EXIT_MASK);
        if (how == TB_EXIT_NOCHAIN)
            cpu->stats.exit_nochain++;
        else if (how == TB_EXIT_REQUESTED)
            cpu->stats.exit_requested++;
        else
            cpu->stats.exit_slot++;
        if (how == TB_EXIT_REQUESTED && cpu->icount_left == left) {
            /* tb's entry check saw an exit request (the alarm may set one while
               tb was being looked up or translated): nothing ran, so nothing
               ran "after" it either: no TF trap, no end of a MOV SS shadow, RF
               stays. The loop top returns CPU_EXIT_REQUEST. */
            continue;
        }
        if (cpu->exit_reason == CPU_EXIT_BUDGET) {
            /* The prologue of lt found too little budget: it did not run. */
            if (lt)
                cpu->icount_left += lt->icount;
            continue;
        }
        if (rf)
            cpu->eflags &= ~(uint64_t)CPU_RF;
        if (__builtin_expect(cpu->dbg.hit || cpu->dbg.gdb_hit || cpu->dbg.ss_load || cpu->dbg.ss_shadow, 0)) {
            /* watchpoints hit by the instruction that ran alone, MOV/POP SS (cpu/dbgreg.c) */
            int r = cpu_dbg_after_insn(cpu, &tf);
            if (r >= 0)
                return r;
        }
        if (cpu->exit_reason == CPU_EXIT_HLT)
            return CPU_EXIT_HLT;
        if (cpu->exit_reason == CPU_EXIT_DEBUG)
            return CPU_EXIT_DEBUG;
        if (tf) {
            cpu->dr[6] |= 0x4000; /* DR6.BS */
            cpu_raise(cpu, EXC_DB, false, 0); /* single-step trap: rip is the next instruction */
        }
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
    if (cpu_trace_nochain(cpu->log) && cpu->tbc)
        tb_jc_clear(cpu->tbc);   /* the JIT's inline GOTO_PTR probe must not chain either */
    for (;;) {
        if (setjmp(cpu->jmp) == 0) {
            ret = run(cpu, &st);
            break;
        }
        /* Unwound from a helper or slow path: an exception, or a store hit the running block. */
        cpu->in_block = false;
        if (!cpu->smc_single)
            cpu_dbg_discard(cpu); /* the instruction did not complete: its watch hits do not count */
        if (!cpu->smc_single && cpu->excp_vector >= 0) {
            cpu->stats.exceptions++;
            if (kiln_log_enabled(cpu->log, KILN_LOG_INT))
                cpu_trace_int(cpu, cpu->excp_vector, cpu->excp_has_error, cpu->excp_error, false);
        }
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
