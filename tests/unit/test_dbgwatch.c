/* SPDX-License-Identifier: MIT */
/* test_dbgwatch.c: debugger watchpoints and guest debug registers on a bare 64-bit CPU, both engines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "ui/gdbstub.h"

#define MEM (1u << 20)
#define VAR 0x3000u

/*
 * 0x1000 mov eax, 1              0x1005 mov edx, [0x3000]     0x100c mov [0x3000], eax
 * 0x1013 mov ebx, 2              0x1018 hlt
 */
static const uint8_t prog_rw[] = {
    0xb8, 0x01, 0x00, 0x00, 0x00, 0x8b, 0x14, 0x25, 0x00, 0x30, 0x00, 0x00,
    0x89, 0x04, 0x25, 0x00, 0x30, 0x00, 0x00, 0xbb, 0x02, 0x00, 0x00, 0x00, 0xf4,
};
/*
 * 0x1000 mov rdi, 0x3000         0x1007 mov ecx, 8    0x100c mov eax, 7
 * 0x1011 rep stosq               0x1014 hlt
 */
static const uint8_t prog_rep[] = {
    0x48, 0xc7, 0xc7, 0x00, 0x30, 0x00, 0x00, 0xb9, 0x08, 0x00, 0x00, 0x00,
    0xb8, 0x07, 0x00, 0x00, 0x00, 0xf3, 0x48, 0xab, 0xf4,
};
/*
 * 0x1000 mov rax, 0x3000         0x1007 mov dr0, rax
 * 0x100a mov rax, 0xd0001 (L0, write, 4 bytes)           0x1011 mov dr7, rax
 * 0x1014 mov eax, 1              0x1019 mov [0x3000], eax     0x1020 mov ebx, 2    0x1025 hlt
 */
static const uint8_t prog_dr[] = {
    0x48, 0xc7, 0xc0, 0x00, 0x30, 0x00, 0x00, 0x0f, 0x23, 0xc0, 0x48, 0xc7, 0xc0, 0x01, 0x00, 0x0d, 0x00,
    0x0f, 0x23, 0xf8, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x89, 0x04, 0x25, 0x00, 0x30, 0x00, 0x00,
    0xbb, 0x02, 0x00, 0x00, 0x00, 0xf4,
};

static struct bare_cpu *mk(enum bare_engine eng, const uint8_t *prog, size_t n)
{
    struct bare_cpu *bc = bare_cpu_new(eng, BARE_MODE_LONG64, 0, MEM);
    assert_non_null(bc);
    assert_true(bare_cpu_write(bc, 0x1000, prog, n));
    struct bare_regs r = { 0 };
    r.rip = 0x1000;
    r.gpr[4] = 0x8000;
    r.rflags = 2;
    bare_cpu_set_regs(bc, &r);
    return bc;
}

static uint32_t var(struct bare_cpu *bc)
{
    uint32_t v;
    memcpy(&v, bare_cpu_mem(bc) + VAR, 4);
    return v;
}

static void expect_watch(struct cpu *cpu, uint64_t rip, uint64_t addr, unsigned kind)
{
    uint64_t a = 0;
    unsigned k = 0;
    assert_int_equal(cpu_exec(cpu, 1000), CPU_EXIT_DEBUG);
    assert_int_equal(cpu->rip, rip);
    assert_true(cpu_debug_watch_hit(cpu, &a, &k));
    assert_int_equal(a, addr);
    assert_int_equal(k, kind);
    assert_false(cpu_debug_watch_hit(cpu, &a, &k)); /* cleared */
}

static void run_to_hlt(struct cpu *cpu)
{
    assert_int_equal(cpu_exec(cpu, 1000), CPU_EXIT_HLT);
}

static void watch_kinds(enum bare_engine eng)
{
    /* write watch: stops after the store (the value is there, the next instruction not run) */
    struct bare_cpu *bc = mk(eng, prog_rw, sizeof(prog_rw));
    struct cpu *cpu = bare_cpu_cpu(bc);
    bare_cpu_mem(bc)[VAR] = 0x55;
    assert_true(cpu_wp_insert(cpu, VAR, 4, CPU_WP_WRITE));
    expect_watch(cpu, 0x1013, VAR, CPU_WP_WRITE);
    assert_int_equal(var(bc), 1);
    assert_int_equal(cpu->gpr[3], 0);
    assert_int_equal(cpu->gpr[2], 0x55);
    /* only the write tag of the watched page is slow */
    struct tlb_entry *e = &cpu->tlb.e[0][(VAR >> 12) & (TLB_SIZE - 1)];
    assert_true(e->write_tag & TLB_SLOW);
    assert_int_equal(e->read_tag, VAR);
    run_to_hlt(cpu);
    assert_int_equal(cpu->gpr[3], 2);
    bare_cpu_free(bc);

    /* read watch: after the load; the store does not stop */
    bc = mk(eng, prog_rw, sizeof(prog_rw));
    cpu = bare_cpu_cpu(bc);
    assert_true(cpu_wp_insert(cpu, VAR + 2, 1, CPU_WP_READ));
    expect_watch(cpu, 0x100c, VAR + 2, CPU_WP_READ);
    assert_int_equal(var(bc), 0);
    run_to_hlt(cpu);
    bare_cpu_free(bc);

    /* access watch: both; removing it restores the fast path */
    bc = mk(eng, prog_rw, sizeof(prog_rw));
    cpu = bare_cpu_cpu(bc);
    assert_true(cpu_wp_insert(cpu, VAR, 8, CPU_WP_ACCESS));
    assert_true(cpu_wp_insert(cpu, VAR, 8, CPU_WP_ACCESS)); /* already there */
    expect_watch(cpu, 0x100c, VAR, CPU_WP_ACCESS);
    expect_watch(cpu, 0x1013, VAR, CPU_WP_ACCESS);
    assert_true(cpu_wp_remove(cpu, VAR, 8, CPU_WP_ACCESS));
    assert_false(cpu_wp_remove(cpu, VAR, 8, CPU_WP_ACCESS));
    assert_int_equal(cpu->dbg.nwatch, 0);
    cpu->rip = 0x1000;
    run_to_hlt(cpu);
    e = &cpu->tlb.e[0][(VAR >> 12) & (TLB_SIZE - 1)];
    assert_int_equal(e->write_tag, VAR);
    assert_int_equal(e->read_tag, VAR);
    /* a watch elsewhere on the page does not stop */
    assert_true(cpu_wp_insert(cpu, VAR + 4, 4, CPU_WP_ACCESS));
    cpu->rip = 0x1000;
    run_to_hlt(cpu);
    cpu_wp_clear(cpu);
    assert_int_equal(cpu->dbg.nwatch, 0);
    assert_false(cpu_wp_insert(cpu, VAR, 0, CPU_WP_WRITE));
    bare_cpu_free(bc);
}

static void rep_string(enum bare_engine eng)
{
    struct bare_cpu *bc = mk(eng, prog_rep, sizeof(prog_rep));
    struct cpu *cpu = bare_cpu_cpu(bc);
    assert_true(cpu_wp_insert(cpu, VAR + 16, 8, CPU_WP_WRITE));
    /* stops after the third iteration, at the REP (more to do) */
    expect_watch(cpu, 0x1011, VAR + 16, CPU_WP_WRITE);
    assert_int_equal(cpu->gpr[1], 5);
    assert_int_equal(cpu->gpr[7], VAR + 24);
    uint64_t q;
    memcpy(&q, bare_cpu_mem(bc) + VAR + 16, 8);
    assert_int_equal(q, 7);
    memcpy(&q, bare_cpu_mem(bc) + VAR + 24, 8);
    assert_int_equal(q, 0);
    run_to_hlt(cpu);
    assert_int_equal(cpu->gpr[1], 0);
    memcpy(&q, bare_cpu_mem(bc) + VAR + 56, 8);
    assert_int_equal(q, 7);
    bare_cpu_free(bc);

    /* the guest's DR2, 8 bytes (LEN 10) at an unaligned address (aligned down):
       #DB trap after the fifth iteration, rip at the REP */
    bc = mk(eng, prog_rep, sizeof(prog_rep));
    cpu = bare_cpu_cpu(bc);
    cpu->dr[2] = VAR + 0x23;
    cpu->dr[7] = 0x400 | 0x10 | (1u << 24) | (2u << 26);
    cpu_dbg_update(cpu);
    assert_int_equal(cpu_exec(cpu, 1000), CPU_EXIT_EXCEPTION);
    assert_int_equal(cpu->excp_vector, EXC_DB);
    assert_int_equal(cpu->rip, 0x1011);
    assert_int_equal(cpu->gpr[1], 3);
    assert_int_equal(cpu->gpr[7], VAR + 0x28);
    assert_int_equal(cpu->dr[6] & 0xf, 4);
    bare_cpu_free(bc);
}

static void guest_dr(enum bare_engine eng)
{
    /* the guest's DR0 write watch: #DB trap after the store, DR6.B0 (no delivery: cpu_exec reports it) */
    struct bare_cpu *bc = mk(eng, prog_dr, sizeof(prog_dr));
    struct cpu *cpu = bare_cpu_cpu(bc);
    assert_int_equal(cpu_exec(cpu, 1000), CPU_EXIT_EXCEPTION);
    assert_int_equal(cpu->excp_vector, EXC_DB);
    assert_int_equal(cpu->rip, 0x1020);
    assert_int_equal(var(bc), 1);
    assert_int_equal(cpu->dr[6] & 0xf, 1);
    assert_int_equal(cpu->gpr[3], 0);
    bare_cpu_free(bc);

    /* with the debugger watching the same variable: the debugger stops first, the
       guest's #DB comes when it resumes */
    bc = mk(eng, prog_dr, sizeof(prog_dr));
    cpu = bare_cpu_cpu(bc);
    assert_true(cpu_wp_insert(cpu, VAR, 4, CPU_WP_WRITE));
    expect_watch(cpu, 0x1020, VAR, CPU_WP_WRITE);
    cpu->dr[6] = 0;
    assert_int_equal(cpu_exec(cpu, 1000), CPU_EXIT_EXCEPTION);
    assert_int_equal(cpu->excp_vector, EXC_DB);
    assert_int_equal(cpu->rip, 0x1020);
    assert_int_equal(cpu->dr[6] & 0xf, 1);
    bare_cpu_free(bc);

    /* an instruction breakpoint (DR1 = 0x1020, R/W 00): a fault before it; RF lets it run */
    bc = mk(eng, prog_rw, sizeof(prog_rw));
    cpu = bare_cpu_cpu(bc);
    cpu->excp_vector = -1;
    cpu->dr[1] = 0x1013;
    cpu->dr[7] = 0x4;
    cpu_dbg_update(cpu);
    assert_int_equal(cpu_exec(cpu, 1000), CPU_EXIT_EXCEPTION);
    assert_int_equal(cpu->excp_vector, EXC_DB);
    assert_int_equal(cpu->rip, 0x1013);
    assert_int_equal(cpu->dr[6] & 0xf, 2);
    assert_int_equal(cpu->gpr[3], 0);
    assert_int_equal(cpu->gpr[2], 0); /* the block before it ran */
    cpu->eflags |= CPU_RF;
    run_to_hlt(cpu);
    assert_int_equal(cpu->gpr[3], 2);
    assert_false(cpu->eflags & CPU_RF);
    /* again from the start: hit again (RF was consumed) */
    cpu->rip = 0x1000;
    assert_int_equal(cpu_exec(cpu, 1000), CPU_EXIT_EXCEPTION);
    assert_int_equal(cpu->rip, 0x1013);
    /* a debugger breakpoint at the same place stops first; a debugger step
       from there still takes the guest's #DB fault */
    assert_true(cpu_bp_insert(cpu, 0x1013));
    cpu->excp_vector = -1;
    cpu->rip = 0x1000;
    cpu->gpr[3] = 0;
    assert_int_equal(cpu_exec(cpu, 1000), CPU_EXIT_DEBUG);
    assert_int_equal(cpu->rip, 0x1013);
    assert_int_equal(cpu_debug_step(cpu), CPU_EXIT_EXCEPTION);
    assert_int_equal(cpu->excp_vector, EXC_DB);
    assert_int_equal(cpu->rip, 0x1013);
    assert_int_equal(cpu->gpr[3], 0);
    cpu->eflags |= CPU_RF;
    assert_int_equal(cpu_debug_step(cpu), CPU_EXIT_BUDGET);
    assert_int_equal(cpu->rip, 0x1018);
    assert_true(cpu_bp_remove(cpu, 0x1013));
    /* disabled: nothing */
    cpu->dr[7] = 0x400;
    cpu_dbg_update(cpu);
    run_to_hlt(cpu);
    bare_cpu_free(bc);
}

/* ---- the stub's packets: Z2/Z3/Z4, stop replies, over a socketpair ---- */

struct stub {
    struct gdbstub g;
    struct gdbstub_cpu_target t;
    int fd[2];
    pthread_t th;
};

static void *serve(void *arg)
{
    struct stub *st = arg;
    gdbstub_serve(&st->g);
    return NULL;
}

/* Sends one packet, then returns the reply packet's payload (acks handled). */
static const char *req(struct stub *st, const char *data, char *out, size_t cap)
{
    char buf[512];
    unsigned sum = 0;
    for (const char *p = data; *p; p++)
        sum += (uint8_t)*p;
    int n = snprintf(buf, sizeof(buf), "$%s#%02x", data, sum & 0xff);
    assert_int_equal(write(st->fd[0], buf, (size_t)n), n);
    char c;
    do
        assert_int_equal(read(st->fd[0], &c, 1), 1);
    while (c != '$');
    size_t k = 0;
    for (;;) {
        assert_int_equal(read(st->fd[0], &c, 1), 1);
        if (c == '#')
            break;
        assert_true(k + 1 < cap);
        out[k++] = c;
    }
    out[k] = '\0';
    char cs[2];
    assert_int_equal(read(st->fd[0], cs, 2), 2);
    assert_int_equal(write(st->fd[0], "+", 1), 1);
    return out;
}

static void packets(enum bare_engine eng)
{
    struct bare_cpu *bc = mk(eng, prog_rw, sizeof(prog_rw));
    struct stub st;
    char r[256];
    memset(&st, 0, sizeof(st));
    st.t.cpu = bare_cpu_cpu(bc);
    st.t.slice = 1000;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, st.fd), 0);
    gdbstub_init(&st.g, st.fd[1], &gdbstub_cpu_ops, &st.t, NULL);
    assert_int_equal(pthread_create(&st.th, NULL, serve, &st), 0);
    assert_non_null(strstr(req(&st, "qSupported:swbreak+;hwbreak+", r, sizeof(r)), "hwbreak+"));
    assert_string_equal(req(&st, "Z3,3000,4", r, sizeof(r)), "OK");
    assert_string_equal(req(&st, "Z2,3002,1", r, sizeof(r)), "OK");
    assert_string_equal(req(&st, "c", r, sizeof(r)), "T05thread:01;rwatch:3000;");
    assert_int_equal(st.t.cpu->rip, 0x100c);
    assert_string_equal(req(&st, "c", r, sizeof(r)), "T05thread:01;watch:3002;");
    assert_int_equal(st.t.cpu->rip, 0x1013);
    assert_string_equal(req(&st, "z3,3000,4", r, sizeof(r)), "OK");
    assert_string_equal(req(&st, "z2,3002,1", r, sizeof(r)), "OK");
    assert_string_equal(req(&st, "z2,3002,1", r, sizeof(r)), "E22");
    assert_string_equal(req(&st, "Z4,3000,4", r, sizeof(r)), "OK");
    /* a step onto the store reports the watchpoint too */
    assert_string_equal(req(&st, "P10=0c10000000000000", r, sizeof(r)), "OK");
    assert_string_equal(req(&st, "s", r, sizeof(r)), "T05thread:01;awatch:3000;");
    assert_string_equal(req(&st, "z4,3000,4", r, sizeof(r)), "OK");
    assert_string_equal(req(&st, "Z2,0,0", r, sizeof(r)), "E22"); /* zero length */
    /* a breakpoint stop is still a breakpoint stop (Z1: hwbreak) */
    assert_string_equal(req(&st, "Z1,1018,1", r, sizeof(r)), "OK");
    assert_string_equal(req(&st, "c", r, sizeof(r)), "T05thread:01;hwbreak:;");
    assert_string_equal(req(&st, "z1,1018,1", r, sizeof(r)), "OK");
    /* a software one at the same place: swbreak */
    assert_string_equal(req(&st, "P10=0010000000000000", r, sizeof(r)), "OK");
    assert_string_equal(req(&st, "Z0,1018,1", r, sizeof(r)), "OK");
    assert_string_equal(req(&st, "c", r, sizeof(r)), "T05thread:01;swbreak:;");
    assert_string_equal(req(&st, "z0,1018,1", r, sizeof(r)), "OK");
    assert_string_equal(req(&st, "c", r, sizeof(r)), "W00");
    pthread_join(st.th, NULL);
    close(st.fd[0]);
    close(st.fd[1]);
    bare_cpu_free(bc);
}

static void t_packets_jit(void **s) { (void)s; packets(BARE_ENGINE_JIT); }
static void t_packets_interp(void **s) { (void)s; packets(BARE_ENGINE_INTERP); }
static void t_watch_jit(void **s) { (void)s; watch_kinds(BARE_ENGINE_JIT); }
static void t_watch_interp(void **s) { (void)s; watch_kinds(BARE_ENGINE_INTERP); }
static void t_rep_jit(void **s) { (void)s; rep_string(BARE_ENGINE_JIT); }
static void t_rep_interp(void **s) { (void)s; rep_string(BARE_ENGINE_INTERP); }
static void t_dr_jit(void **s) { (void)s; guest_dr(BARE_ENGINE_JIT); }
static void t_dr_interp(void **s) { (void)s; guest_dr(BARE_ENGINE_INTERP); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_watch_jit), cmocka_unit_test(t_watch_interp),
        cmocka_unit_test(t_rep_jit),   cmocka_unit_test(t_rep_interp),
        cmocka_unit_test(t_dr_jit),    cmocka_unit_test(t_dr_interp),
        cmocka_unit_test(t_packets_jit), cmocka_unit_test(t_packets_interp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
