/* SPDX-License-Identifier: MIT */
/* dbgreg.c: the guest's debug registers: instruction, data and I/O breakpoints, general detect, #DB with DR6. */
#include <string.h>
#include "cpu/debug.h"
#include "cpu/sys.h"
#include "translate/tb.h"

#define DR6_B_MASK 0xfu
#define DR6_BD 0x2000u
#define DR6_BS 0x4000u
#define DR7_GD 0x2000u

/* R/W field of DRn: 0 execute, 1 write, 2 I/O (CR4.DE), 3 read/write. */
static unsigned dr7_rw(uint64_t dr7, unsigned n)
{
    return (unsigned)(dr7 >> (16 + 4 * n)) & 3u;
}

/* LEN field of DRn in bytes: 00 1, 01 2, 11 4, 10 8. */
static unsigned dr7_len(uint64_t dr7, unsigned n)
{
    static const unsigned len[4] = { 1, 2, 8, 4 };
    return len[(dr7 >> (18 + 4 * n)) & 3u];
}

static bool dr7_on(uint64_t dr7, unsigned n)
{
    return ((dr7 >> (2 * n)) & 3u) != 0; /* Ln or Gn */
}

static bool same_watches(const struct cpu_watch *a, const struct cpu_watch *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (a[i].start != b[i].start || a[i].last != b[i].last || a[i].kind != b[i].kind ||
            a[i].dr != b[i].dr)
            return false;
    return true;
}

void cpu_dbg_update(struct cpu *cpu)
{
    struct cpu_dbg *d = &cpu->dbg;
    struct cpu_watch mem[CPU_MAX_WATCH], io[4];
    unsigned nmem = 0, nio = 0;
    uint8_t exec = 0;
    uint64_t dr7 = cpu->dr[7];
    for (unsigned n = 0; n < 4; n++) {
        if (!dr7_on(dr7, n))
            continue;
        unsigned rw = dr7_rw(dr7, n), len = dr7_len(dr7, n);
        uint64_t start = cpu->dr[n] & ~(uint64_t)(len - 1);
        if (rw == 0) {
            exec |= (uint8_t)(1u << n);
        } else if (rw == 2) {
            if (cpu->cr[4] & CR4_DE) /* otherwise undefined: ignored */
                io[nio++] = (struct cpu_watch){ start & 0xffff, (start & 0xffff) + len - 1, CPU_WATCH_IO,
                                                (int8_t)n };
        } else {
            mem[nmem++] = (struct cpu_watch){ start, start + len - 1,
                                              rw == 1 ? CPU_WATCH_W : CPU_WATCH_RW, (int8_t)n };
        }
    }
    for (unsigned i = 0; i < d->nwp && nmem < CPU_MAX_WATCH - 4; i++)
        mem[nmem++] = (struct cpu_watch){ d->wp[i].addr, d->wp[i].addr + d->wp[i].len - 1, d->wp[i].kind, -1 };
    bool tlb = nmem != d->nwatch || !same_watches(mem, d->w, nmem);
    memcpy(d->w, mem, nmem * sizeof(mem[0]));
    memcpy(d->w + nmem, io, nio * sizeof(io[0]));
    d->nwatch = nmem;
    d->nio = nio;
    if (tlb)
        cpu_tlb_flush(cpu); /* pages to watch (or no longer) get (or lose) their TLB_SLOW tags */
    uint64_t lin[4] = { 0, 0, 0, 0 };
    for (unsigned n = 0; n < 4; n++)
        if (exec & (1u << n))
            lin[n] = cpu->dr[n];
    if (exec != d->exec_mask || memcmp(lin, d->exec_lin, sizeof(lin)) != 0) {
        d->exec_mask = exec;
        memcpy(d->exec_lin, lin, sizeof(lin));
        if (cpu->in_exec)
            d->flush = true; /* translations check the old set: the loop flushes them */
        else if (cpu->tbc)
            tb_flush(cpu->tbc);
    }
}

/* Raises #DB with DR6.B0-B3 = hits (when any) and the other status bits or'ed in. */
static _Noreturn void raise_db(struct cpu *cpu, uint32_t bits)
{
    uint64_t dr6 = cpu->dr[6];
    if (bits & DR6_B_MASK)
        dr6 &= ~(uint64_t)DR6_B_MASK;
    cpu->dr[6] = dr6 | bits;
    cpu->dr[7] &= ~(uint64_t)DR7_GD; /* so that the handler may use the debug registers */
    cpu_raise(cpu, EXC_DB, false, 0);
}

uint64_t cpu_dr_access(struct cpu *cpu, unsigned n, uint64_t v, bool write)
{
    if (n > 7 || ((n == 4 || n == 5) && (cpu->cr[4] & CR4_DE)))
        cpu_raise(cpu, EXC_UD, false, 0);
    sys_check_cpl0(cpu);
    if (cpu->dr[7] & DR7_GD)
        raise_db(cpu, DR6_BD); /* general detect: a fault, before the MOV */
    if (n == 4 || n == 5)
        n += 2;
    if (!write) {
        if (n == 6)
            return (cpu->dr[6] & 0xe00f) | 0xffff0ff0u;
        if (n == 7)
            return (cpu->dr[7] & 0xffff2fffu) | 0x400;
        return cpu->dr[n];
    }
    if ((n == 6 || n == 7) && (v >> 32))
        cpu_raise(cpu, EXC_GP, true, 0);
    cpu->dr[n] = (cpu->hflags & HF_CS64) ? v : (uint32_t)v;
    if (n != 6)
        cpu_dbg_update(cpu);
    return 0;
}

/* A hit inside a multi-instruction block: unwind before the access, the loop
   runs the instruction again alone (as for a store into the running block). */
static _Noreturn void run_alone(struct cpu *cpu)
{
    cpu_sync_insn(cpu); /* from an LD/ST slow path: rip may not be stored yet */
    cpu->smc_single = true;
    cpu->excp_vector = -1;
    longjmp(cpu->jmp, 2);
}

static void hits(struct cpu *cpu, uint64_t first, uint64_t last, unsigned need, const struct cpu_watch *w,
                 unsigned n)
{
    struct cpu_dbg *d = &cpu->dbg;
    unsigned bits = 0;
    const struct cpu_watch *gdb = NULL;
    for (unsigned i = 0; i < n; i++) {
        if (!(w[i].kind & need) || first > w[i].last || last < w[i].start)
            continue;
        if (w[i].dr >= 0)
            bits |= 1u << w[i].dr;
        else if (!gdb)
            gdb = &w[i];
    }
    if (!bits && !gdb)
        return;
    if (!cpu->in_single)
        run_alone(cpu);
    d->hit |= (uint8_t)bits;
    if (gdb && !d->gdb_hit) {
        d->gdb_hit = true;
        d->stop_addr = gdb->start;
        d->stop_kind = gdb->kind;
    }
}

void cpu_watch_check(struct cpu *cpu, uint64_t lin, unsigned size, bool write)
{
    if (!cpu->in_block || size == 0)
        return; /* accesses of event delivery outside blocks, debugger reads */
    hits(cpu, lin, lin + size - 1, write ? CPU_WATCH_W : CPU_WATCH_R, cpu->dbg.w, cpu->dbg.nwatch);
}

void cpu_watch_io(struct cpu *cpu, uint16_t port, unsigned size)
{
    if (!cpu->in_block || size == 0)
        return;
    hits(cpu, port, (uint64_t)port + size - 1, CPU_WATCH_IO, cpu->dbg.w + cpu->dbg.nwatch, cpu->dbg.nio);
}

unsigned cpu_watch_page(const struct cpu *cpu, uint64_t page)
{
    unsigned r = 0;
    for (unsigned i = 0; i < cpu->dbg.nwatch; i++) {
        const struct cpu_watch *w = &cpu->dbg.w[i];
        if (w->start > page + TLB_PAGE_SIZE - 1 || w->last < page)
            continue;
        r |= ((w->kind & CPU_WATCH_R) ? 1u : 0u) | ((w->kind & CPU_WATCH_W) ? 2u : 0u);
    }
    return r;
}

unsigned cpu_dbg_exec_match(const struct cpu *cpu, uint64_t lin)
{
    unsigned m = 0;
    for (unsigned n = 0; n < 4; n++)
        if ((cpu->dbg.exec_mask & (1u << n)) && cpu->dbg.exec_lin[n] == lin)
            m |= 1u << n;
    return m;
}

static uint64_t h_dbg_bp(void *env, uint64_t lin, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a1, (void)a2, (void)a3;
    if (cpu->eflags & CPU_RF) {
        cpu->eflags &= ~(uint64_t)CPU_RF; /* resumed by IRET with RF: this once, no fault */
        return 0;
    }
    if (cpu->dbg.ss_shadow)
        return 0; /* right after MOV/POP SS: suppressed */
    unsigned m = cpu_dbg_exec_match(cpu, lin);
    if (m)
        raise_db(cpu, m); /* a fault: rip is the instruction's */
    return 0;
}
const struct ir_helper helper_dbg_bp = { h_dbg_bp, "dbg_bp", 0 };

void cpu_dbg_loop_top(struct cpu *cpu)
{
    struct cpu_dbg *d = &cpu->dbg;
    if (d->flush) {
        d->flush = false;
        if (cpu->tbc)
            tb_flush(cpu->tbc);
    }
    if (d->pend_dr6) {
        uint32_t p = d->pend_dr6;
        d->pend_dr6 = 0;
        raise_db(cpu, p);
    }
}

/* After MOV SS / POP SS (SDM vol. 3 6.8.3): the single-step trap that would
   follow it is suppressed, its data breakpoint hits are held until after the
   next instruction, and an instruction breakpoint on that next instruction is
   ignored (as with RF = 1). The shadow ends when the next instruction completes
   (the held hits then trap with its own) or when an exception is delivered
   instead (they then trap at the handler's first instruction: cpu_dbg_discard).
   Only needed when something could trap: TF, a hit, instruction breakpoints. */
void cpu_dbg_ss_loaded(struct cpu *cpu)
{
    /* A shadow matters only to an instruction running alone (TF, a watch hit)
       or with instruction breakpoints set; then the loop must see the flag
       right after this instruction, not after blocks chained to it. */
    if (!cpu->in_single && !cpu->dbg.exec_mask)
        return;
    cpu->dbg.ss_load = true;
    if (!cpu->in_single)
        cpu->exit_request = 1;
}

static bool ss_shadow_open(struct cpu *cpu, bool tf)
{
    struct cpu_dbg *d = &cpu->dbg;
    bool was = d->ss_shadow;
    d->ss_load = false;
    if (was)
        return false; /* consecutive SS loads: only the first opens a shadow */
    if (!tf && !d->hit && !d->gdb_hit && !d->exec_mask)
        return false;
    d->ss_shadow = true;
    d->ss_held = d->hit;
    d->hit = 0;
    return true;
}

int cpu_dbg_after_insn(struct cpu *cpu, bool *tf)
{
    struct cpu_dbg *d = &cpu->dbg;
    uint32_t held = 0;
    if (d->ss_shadow) { /* the instruction after MOV/POP SS completed */
        held = d->ss_held;
        d->ss_shadow = false;
        d->ss_held = 0;
        d->ss_load = false;
    } else if (d->ss_load && ss_shadow_open(cpu, *tf)) {
        *tf = false;
        if (d->gdb_hit) {
            d->gdb_hit = false;
            return CPU_EXIT_DEBUG;
        }
        return -1;
    }
    d->ss_load = false;
    uint32_t bits = held | d->hit | (*tf && (held || d->hit || d->gdb_hit) ? DR6_BS : 0);
    d->hit = 0;
    if (d->gdb_hit) {
        d->gdb_hit = false; /* the debugger's hit first; the guest's #DB when it resumes */
        d->pend_dr6 |= bits;
        return CPU_EXIT_DEBUG;
    }
    if (bits) {
        *tf = false;
        raise_db(cpu, bits); /* a trap: rip is past the instruction (or at a REP's next round) */
    }
    return -1;
}

void cpu_dbg_discard(struct cpu *cpu)
{
    struct cpu_dbg *d = &cpu->dbg;
    d->hit = 0;
    d->gdb_hit = false;
    d->stop_kind = 0;
    d->ss_load = false;
    if (d->ss_shadow) {
        /* The instruction after MOV/POP SS raised an exception (or INT n): the
           held hits trap once its delivery is done, at the handler's first
           instruction (the CVE-2018-8897 order). */
        d->pend_dr6 |= d->ss_held;
        d->ss_shadow = false;
        d->ss_held = 0;
    }
}
