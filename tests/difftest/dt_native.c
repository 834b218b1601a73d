/* SPDX-License-Identifier: MIT */
/* dt_native.c: runs a sequence on the host CPU in a forked worker, state set and read via ucontext. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <asm/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include "tests/difftest/dt.h"

/*
 * The worker maps guest memory at DT_MEM_BASE (RWX) plus a PROT_NONE guard after it.
 * To run: it executes int3 in its own code; the SIGTRAP handler saves the worker's
 * registers and returns into the sequence with the initial registers and flags
 * (sigreturn loads them all). The sequence ends with int3 (or faults, or times out):
 * the handler records the state from the ucontext and returns to the worker with its
 * saved registers. All handlers run on an alternate stack (RSP points into guest memory).
 */

struct dt_shm {
    struct dt_code code;
    struct dt_state st;
    struct dt_result res;
};

static struct dt_shm *shm;
/* the worker's own FP/SIMD state, put back after each run */
static uint8_t saved_fx[DT_FX_SIZE];
static uint64_t saved_xbv;
static pid_t worker = -1;
static int to_fd = -1, from_fd = -1;

/* worker side */
static greg_t saved[NGREG];
static volatile sig_atomic_t phase;  /* 0 idle, 1 entering, 2 running */

static const int gmap[16] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI,
                              REG_RDI, REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13,
                              REG_R14, REG_R15 };

static bool in_code(uint64_t rip)
{
    return rip >= DT_MEM_BASE && rip < DT_MEM_BASE + DT_CODE_SIZE;
}

static void record(ucontext_t *uc, int sig, siginfo_t *si)
{
    struct dt_result *r = &shm->res;
    greg_t *gr = uc->uc_mcontext.gregs;
    for (int i = 0; i < 16; i++)
        r->gpr[i] = (uint64_t)gr[gmap[i]];
    r->rip = (uint64_t)gr[REG_RIP];
    r->rflags = (uint64_t)gr[REG_EFL];
    int trapno = (int)gr[REG_TRAPNO];
    memcpy(r->data, (void *)(uintptr_t)DT_DATA, DT_DATA_SIZE);
    memcpy(r->slots, (void *)(uintptr_t)DT_SLOTS, DT_SLOT_SIZE);
    if (uc->uc_mcontext.fpregs)
        memcpy(r->fx, (const void *)uc->uc_mcontext.fpregs, DT_FX_SIZE);
    if (sig == SIGALRM) {
        r->stop = DT_STOP_HANG;
        return;
    }
    if (sig == SIGTRAP && trapno == 3 && r->rip == DT_MEM_BASE + shm->code.len + 1) {
        r->stop = DT_STOP_END;
        return;
    }
    r->stop = DT_STOP_FAULT;
    r->vector = (uint8_t)trapno;
    if (sig == SIGFPE && trapno != 16 && trapno != 19)
        r->vector = 0;     /* #DE (#MF and #XM keep their vector) */
    else if (sig == SIGILL)
        r->vector = 6;
    r->has_err = trapno == 8 || (trapno >= 10 && trapno <= 14) || trapno == 17;
    r->err = r->has_err ? (uint32_t)gr[REG_ERR] : 0;
    r->cr2 = trapno == 14 ? (uint64_t)(uintptr_t)si->si_addr : 0;
}

/*
 * Loads the x87/SSE state the kernel restores at sigreturn from the frame: the
 * architectural bytes of the FXSAVE image (bytes 464.. hold the kernel's XSAVE
 * marker, left alone) and, in the XSAVE header after it, XSTATE_BV bits 0 and 1 (a
 * component the frame says is in its initial state would be restored as such).
 * save: keep the worker's own state first.
 */
static void fx_set(ucontext_t *uc, const uint8_t *fx, bool save)
{
    uint8_t *f = (uint8_t *)uc->uc_mcontext.fpregs;
    if (!f)
        return;
    uint32_t magic;
    memcpy(&magic, f + 464, 4);
    uint64_t *xbv = magic == 0x46505853u ? (uint64_t *)(f + 512) : NULL; /* FP_XSTATE_MAGIC1 */
    if (save) {
        memcpy(saved_fx, f, DT_FX_SIZE);
        saved_xbv = xbv ? *xbv & 3 : 3;
    }
    memcpy(f, fx, 28);                            /* x87 control, pointers, MXCSR */
    memcpy(f + 32, fx + 32, DT_FX_SIZE - 32);     /* registers (not MXCSR_MASK) */
    if (xbv)
        *xbv = (*xbv & ~3ull) | (save ? 3 : saved_xbv);
}

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *gr = uc->uc_mcontext.gregs;
    if (sig == SIGTRAP && phase == 1 && !in_code((uint64_t)gr[REG_RIP])) {
        memcpy(saved, gr, sizeof saved);
        for (int i = 0; i < 16; i++)
            gr[gmap[i]] = (greg_t)shm->st.gpr[i];
        gr[REG_RIP] = (greg_t)(DT_MEM_BASE + shm->code.org);
        uint64_t keep = (uint64_t)gr[REG_EFL] & ~(uint64_t)(DT_CMP_FLAGS | 0x100 | 0x40000 | 0x10000);
        gr[REG_EFL] = (greg_t)(keep | (shm->st.rflags & DT_CMP_FLAGS));
        fx_set(uc, shm->st.fx, true);
        phase = 2;
        return;
    }
    if (phase == 2 && in_code((uint64_t)gr[REG_RIP])) {
        record(uc, sig, si);
        memcpy(gr, saved, sizeof saved);
        fx_set(uc, saved_fx, false);
        phase = 0;
        return;
    }
    if (sig == SIGALRM)
        return;
    /* a fault in the worker itself: die with it */
    signal(sig, SIG_DFL);
}

static void worker_main(int in, int out)
{
    stack_t ss = { .ss_sp = malloc(1 << 16), .ss_size = 1 << 16 };
    if (!ss.ss_sp || sigaltstack(&ss, NULL))
        _exit(2);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = { SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    void *m = mmap((void *)(uintptr_t)DT_MEM_BASE, DT_MEM_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    void *gd = mmap((void *)(uintptr_t)DT_GUARD, DT_GUARD_SIZE, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != (void *)(uintptr_t)DT_MEM_BASE || gd != (void *)(uintptr_t)DT_GUARD)
        _exit(3);
    if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)DT_GS_BASE))
        _exit(4);
    char c;
    while (read(in, &c, 1) == 1) {
        memcpy(m, shm->code.b, shm->code.len + 1);
        memcpy((void *)(uintptr_t)DT_DATA, shm->st.data, DT_DATA_SIZE);
        memset((void *)(uintptr_t)DT_SLOTS, 0, DT_SLOT_SIZE);
        memset(&shm->res, 0, sizeof shm->res);
        shm->res.stop = DT_STOP_ERROR;
        struct itimerval it = { .it_value = { .tv_sec = 1 } };
        setitimer(ITIMER_REAL, &it, NULL);
        phase = 1;
        __asm__ volatile("int3" ::: "memory");
        struct itimerval off = { { 0, 0 }, { 0, 0 } };
        setitimer(ITIMER_REAL, &off, NULL);
        phase = 0;
        if (write(out, &c, 1) != 1)
            break;
    }
    _exit(0);
}

static bool spawn(void)
{
    int a[2], b[2];
    if (pipe(a) || pipe(b))
        return false;
    pid_t p = fork();
    if (p < 0)
        return false;
    if (p == 0) {
        close(a[1]);
        close(b[0]);
        worker_main(a[0], b[1]);
    }
    close(a[0]);
    close(b[1]);
    worker = p;
    to_fd = a[1];
    from_fd = b[0];
    return true;
}

static void reap(void)
{
    if (worker > 0) {
        kill(worker, SIGKILL);
        waitpid(worker, NULL, 0);
    }
    if (to_fd >= 0)
        close(to_fd);
    if (from_fd >= 0)
        close(from_fd);
    worker = -1;
    to_fd = from_fd = -1;
}

bool dt_native_init(void)
{
    signal(SIGPIPE, SIG_IGN);
    shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED)
        return false;
    return spawn();
}

void dt_native_fini(void)
{
    reap();
}

void dt_native_run(const struct dt_code *c, const struct dt_state *st, struct dt_result *r)
{
    /* the worker needs the bytes, org and len: not the whole 64 KiB */
    shm->code.org = c->org;
    shm->code.len = c->len;
    memcpy(shm->code.b, c->b, c->len + 1);
    memcpy(&shm->st, st, sizeof *st);
    char ch = 'r';
    memset(r, 0, sizeof *r);
    r->stop = DT_STOP_ERROR;
    if (worker < 0 && !spawn()) {
        snprintf(r->msg, sizeof r->msg, "cannot start the native worker");
        return;
    }
    if (write(to_fd, &ch, 1) != 1) {
        snprintf(r->msg, sizeof r->msg, "native worker gone");
        reap();
        return;
    }
    struct pollfd pf = { .fd = from_fd, .events = POLLIN };
    int n;
    do
        n = poll(&pf, 1, 5000);
    while (n < 0 && errno == EINTR);
    if (n <= 0 || read(from_fd, &ch, 1) != 1) {
        int status = 0;
        if (n > 0) {
            waitpid(worker, &status, 0);
            worker = -1;
        }
        snprintf(r->msg, sizeof r->msg, "native worker %s (status %#x)",
                 n <= 0 ? "hung" : "died", status);
        reap();
        return;
    }
    memcpy(r, &shm->res, sizeof *r);
}
