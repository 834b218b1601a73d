/* SPDX-License-Identifier: MIT */
/* dt_kiln.c: runs a sequence on kiln's bare CPU (cpu/bare.h) under either engine. */
#include <stdio.h>
#include <string.h>
#include "tests/difftest/dt.h"

bool dt_kiln_real_jit(void)
{
#if defined(DT_HAVE_BARE) && __has_include("translate/x86_64.h")
    return true;
#else
    return false;
#endif
}

const char *dt_engine_name(int engine)
{
    return engine ? "jit" : "interp";
}

#ifdef DT_HAVE_BARE
#include <signal.h>
#include <time.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"
#include "cpu/sse.h"

static struct bare_cpu *cpus[2];

/*
 * Exit requests from outside, as the machine's alarm sends them (machine/mainloop.c):
 * a POSIX timer whose signal sets exit_request of the CPU being run, armed with a
 * period of kiln_poke_us during the runs of the sequences that have it. Where it lands
 * is up to the host's timing, so such a mismatch may not come back with --replay.
 */
#define POKE_SIGNAL (SIGRTMIN + 1)
static struct cpu *volatile poke_cpu;
static timer_t poke_timer;
static int poke_state;          /* 0 not set up yet, 1 ready, -1 unavailable */

static void poke_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    struct cpu *c = poke_cpu;
    if (si->si_code == SI_TIMER && c)
        c->exit_request = 1;
}

static bool poke_ready(void)
{
    if (!poke_state) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = poke_handler;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        struct sigevent sev;
        memset(&sev, 0, sizeof sev);
        sev.sigev_notify = SIGEV_SIGNAL;
        sev.sigev_signo = POKE_SIGNAL;
        poke_state = !sigaction(POKE_SIGNAL, &sa, NULL) &&
                     !timer_create(CLOCK_MONOTONIC, &sev, &poke_timer) ? 1 : -1;
    }
    return poke_state > 0;
}

static void poke_arm(struct cpu *c, uint32_t us)
{
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (us) {
        its.it_value.tv_nsec = its.it_interval.tv_nsec = (long)us * 1000;
        poke_cpu = c;
    }
    timer_settime(poke_timer, 0, &its, NULL);
    if (!us)
        poke_cpu = NULL;
}

bool dt_kiln_available(void)
{
    return true;
}

bool dt_kiln_init(int engine)
{
    if (!cpus[engine])
        cpus[engine] = bare_cpu_new(engine ? BARE_ENGINE_JIT : BARE_ENGINE_INTERP,
                                    BARE_MODE_LONG64, DT_MEM_BASE, DT_MEM_SIZE);
    if (cpus[engine]) /* CR0.MP and NE as Linux runs the host: #MF, not FERR# */
        bare_cpu_cpu(cpus[engine])->cr[0] |= 0x22;
    return cpus[engine] != NULL;
}

void dt_kiln_fini(void)
{
    for (int i = 0; i < 2; i++) {
        if (cpus[i])
            bare_cpu_free(cpus[i]);
        cpus[i] = NULL;
    }
}

/*
 * Runs to the end with DT_KILN_BUDGET instructions in all. With st->kiln_slice set, the
 * first DT_KILN_SLICES runs get kiln_slice instructions each: every one ends in a budget
 * exit at a block boundary (in the middle of loops and chains), and the next resumes from
 * the CPU state (read and written back in between with kiln_sync: the registers must
 * survive the round trip through struct bare_regs).
 */
static uint64_t run_budget(struct bare_cpu *cpu, const struct dt_state *st, struct bare_result *res,
                           struct dt_result *r)
{
    struct cpu *c = bare_cpu_cpu(cpu);
    bool poke = st->kiln_poke_us && poke_ready();
    if (poke)
        poke_arm(c, st->kiln_poke_us);
    uint64_t done = 0;
    for (unsigned runs = 0;; runs++) {
        uint64_t n = DT_KILN_BUDGET - done;
        if (st->kiln_slice && runs < DT_KILN_SLICES && st->kiln_slice < n)
            n = st->kiln_slice;
        if (poke && runs >= DT_KILN_POKES) {
            poke_arm(c, 0);          /* enough: let it finish */
            poke = false;
        }
        c->exit_request = 0;
        bare_cpu_run(cpu, n, res);
        done += res->insns;
        if (res->stop != BARE_STOP_BUDGET || done >= DT_KILN_BUDGET || runs > DT_KILN_BUDGET)
            break;
        if (c->exit_request)
            r->requests++;
        else
            r->slices++;
        if (st->kiln_sync) {
            struct bare_regs regs;
            bare_cpu_get_regs(cpu, &regs);
            bare_cpu_set_regs(cpu, &regs);
        }
    }
    if (poke)
        poke_arm(c, 0);
    c->exit_request = 0;
    return done;
}

void dt_kiln_run(int engine, const struct dt_code *c, const struct dt_state *st,
                 struct dt_result *r)
{
    memset(r, 0, sizeof *r);
    r->stop = DT_STOP_ERROR;
    struct bare_cpu *cpu = cpus[engine];
    if (!cpu) {
        snprintf(r->msg, sizeof r->msg, "no %s bare CPU", dt_engine_name(engine));
        return;
    }
    static const uint8_t zero[DT_SLOT_SIZE];
    if (!bare_cpu_write(cpu, DT_MEM_BASE, c->b, c->len + 1) ||
        !bare_cpu_write(cpu, DT_DATA, st->data, DT_DATA_SIZE) ||
        !bare_cpu_write(cpu, DT_SLOTS, zero, DT_SLOT_SIZE)) {
        snprintf(r->msg, sizeof r->msg, "bare_cpu_write failed");
        return;
    }
    struct bare_regs regs;
    bare_cpu_get_regs(cpu, &regs);
    memcpy(regs.gpr, st->gpr, sizeof regs.gpr);
    regs.rip = DT_MEM_BASE + c->org;
    regs.fs_base = 0;
    regs.gs_base = DT_GS_BASE;
    regs.rflags = (st->rflags & DT_CMP_FLAGS) | 0x202;   /* IF set, as on the host */
    bare_cpu_set_regs(cpu, &regs);
    struct cpu *vc = bare_cpu_cpu(cpu);
    fpu_x87_load_image(vc, st->fx, true);
    memcpy(&vc->fpu.mxcsr, st->fx + 24, 4);
    for (int i = 0; i < 16; i++)
        memcpy(vc->fpu.xmm[i].b, st->fx + DT_FX_XMM + 16 * i, 16);
    struct bare_result res;
    memset(&res, 0, sizeof res);
    r->insns = run_budget(cpu, st, &res, r);
    bare_cpu_get_regs(cpu, &regs);
    memcpy(r->gpr, regs.gpr, sizeof r->gpr);
    r->rip = regs.rip;
    r->rflags = regs.rflags;
    memcpy(r->data, bare_cpu_mem(cpu) + (DT_DATA - DT_MEM_BASE), DT_DATA_SIZE);
    memcpy(r->slots, bare_cpu_mem(cpu) + (DT_SLOTS - DT_MEM_BASE), DT_SLOT_SIZE);
    fpu_x87_save_image(vc, r->fx, true);
    memcpy(r->fx + 24, &vc->fpu.mxcsr, 4);
    uint32_t mm = MXCSR_MASK;
    memcpy(r->fx + 28, &mm, 4);
    for (int i = 0; i < 16; i++)
        memcpy(r->fx + DT_FX_XMM + 16 * i, vc->fpu.xmm[i].b, 16);
    switch (res.stop) {
    case BARE_STOP_HLT:
        r->stop = r->rip == DT_MEM_BASE + c->len + 1 ? DT_STOP_END : DT_STOP_FAULT;
        if (r->stop == DT_STOP_FAULT) {
            /* HLT inside the sequence: the host would have raised #GP at CPL 3 */
            r->vector = 0xff;
        }
        break;
    case BARE_STOP_EXCEPTION:
        r->stop = DT_STOP_FAULT;
        r->vector = res.vector;
        r->has_err = res.has_error_code;
        r->err = res.error_code;
        r->cr2 = res.cr2;
        break;
    default:
        r->stop = DT_STOP_HANG;
        break;
    }
}

#else

bool dt_kiln_available(void)
{
    return false;
}

bool dt_kiln_init(int engine)
{
    (void)engine;
    return false;
}

void dt_kiln_fini(void)
{
}

void dt_kiln_run(int engine, const struct dt_code *c, const struct dt_state *st,
                 struct dt_result *r)
{
    (void)c;
    (void)st;
    memset(r, 0, sizeof *r);
    r->stop = DT_STOP_ERROR;
    snprintf(r->msg, sizeof r->msg, "cpu/bare.c is not built: no %s engine", dt_engine_name(engine));
}

#endif
