/* SPDX-License-Identifier: MIT */
/* test_gdbstub.c: the gdb remote protocol against a bare CPU, driven by a scripted client over a socketpair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"
#include "cpu/trace.h"
#include "ui/gdbstub.h"
#include "ui/monitor.h"

#define MEM (1u << 20)

/* 0x1000: mov eax,1; add eax,2; add eax,3; inc rbx; hlt     0x1100: inc rcx; jmp 0x1100 */
static const uint8_t prog[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0x83, 0xc0, 0x02, 0x83, 0xc0, 0x03,
                                0x48, 0xff, 0xc3, 0xf4 };
static const uint8_t spin[] = { 0x48, 0xff, 0xc1, 0xeb, 0xfb };

struct env {
    struct bare_cpu *bc;
    struct gdbstub_cpu_target tgt;
    struct monitor mon;
    struct gdbstub g;
    int fd[2];
    pthread_t th;
    enum gdbstub_end end;
    bool joined;
    bool ack;       /* client side: expects '+' */
    char reply[8192];
};

static void mon_regs(void *o, FILE *out) { cpu_dump_state(((struct env *)o)->tgt.cpu, out); }
static void mon_paging(void *o, struct monitor_paging *pg)
{
    struct cpu *c = ((struct env *)o)->tgt.cpu;
    pg->cr0 = c->cr[0];
    pg->cr3 = c->cr[3];
    pg->cr4 = c->cr[4];
    pg->efer = c->efer;
}
static const struct monitor_ops mon_ops = { .dump_regs = mon_regs, .get_paging = mon_paging };

static void *serve(void *arg)
{
    struct env *e = arg;
    e->end = gdbstub_serve(&e->g);
    return NULL;
}

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));
    e->bc = bare_cpu_new(BARE_ENGINE_JIT, BARE_MODE_LONG64, 0, MEM);
    assert_non_null(e->bc);
    assert_true(bare_cpu_write(e->bc, 0x1000, prog, sizeof(prog)));
    assert_true(bare_cpu_write(e->bc, 0x1100, spin, sizeof(spin)));
    struct bare_regs r = { 0 };
    r.rip = 0x1000;
    r.gpr[4] = 0x8000;
    r.rflags = 2;
    bare_cpu_set_regs(e->bc, &r);
    e->tgt.cpu = bare_cpu_cpu(e->bc);
    e->tgt.slice = 1000;
    monitor_init(&e->mon, &mon_ops, e);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, e->fd), 0);
    gdbstub_init(&e->g, e->fd[1], &gdbstub_cpu_ops, &e->tgt, &e->mon);
    e->ack = true;
    assert_int_equal(pthread_create(&e->th, NULL, serve, e), 0);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    shutdown(e->fd[0], SHUT_RDWR);
    close(e->fd[0]);
    if (!e->joined)
        pthread_join(e->th, NULL);
    close(e->fd[1]);
    bare_cpu_free(e->bc);
    free(e);
    return 0;
}

static int rd(struct env *e)
{
    uint8_t c;
    return read(e->fd[0], &c, 1) == 1 ? c : -1;
}

static void send_raw(struct env *e, const char *s)
{
    assert_int_equal(write(e->fd[0], s, strlen(s)), (ssize_t)strlen(s));
}

/* Sends a framed packet; in ack mode expects '+'. */
static void send_pkt(struct env *e, const char *data)
{
    char buf[9000];
    unsigned sum = 0;
    for (const char *p = data; *p; p++)
        sum += (uint8_t)*p;
    snprintf(buf, sizeof(buf), "$%s#%02x", data, sum & 0xff);
    send_raw(e, buf);
    if (e->ack)
        assert_int_equal(rd(e), '+');
}

/* Receives a packet into e->reply (checksum verified, escapes undone), acking it. */
static const char *recv_pkt(struct env *e)
{
    int c;
    while ((c = rd(e)) != '$')
        assert_true(c != -1);
    size_t n = 0;
    unsigned sum = 0;
    bool esc = false;
    while ((c = rd(e)) != '#') {
        assert_true(c != -1);
        sum += (unsigned)c;
        if (esc) {
            c ^= 0x20;
            esc = false;
        } else if (c == '}') {
            esc = true;
            continue;
        }
        assert_true(n + 1 < sizeof(e->reply));
        e->reply[n++] = (char)c;
    }
    e->reply[n] = '\0';
    char cs[3] = { (char)rd(e), (char)rd(e), 0 };
    assert_int_equal(strtoul(cs, NULL, 16), sum & 0xff);
    if (e->ack)
        send_raw(e, "+");
    return e->reply;
}

static const char *req(struct env *e, const char *data)
{
    send_pkt(e, data);
    return recv_pkt(e);
}

static uint64_t le_hex(const char *s, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        char b[3] = { s[2 * i], s[2 * i + 1], 0 };
        v |= (uint64_t)strtoul(b, NULL, 16) << (8 * i);
    }
    return v;
}

/* Register n's value from a 'p' request. */
static uint64_t reg(struct env *e, unsigned n)
{
    char q[16];
    snprintf(q, sizeof(q), "p%x", n);
    const char *r = req(e, q);
    return le_hex(r, (unsigned)strlen(r) / 2 > 8 ? 8 : (unsigned)strlen(r) / 2);
}
#define R_RAX 0
#define R_RBX 1
#define R_RCX 2
#define R_RIP 16
#define R_EFLAGS 17

static void test_framing_ack_noack(void **state)
{
    struct env *e = *state;
    /* A corrupted checksum is NAKed and not executed. */
    send_raw(e, "$g#00");
    assert_int_equal(rd(e), '-');
    const char *r = req(e, "qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
    assert_non_null(strstr(r, "qXfer:features:read+"));
    assert_non_null(strstr(r, "QStartNoAckMode+"));
    assert_non_null(strstr(r, "PacketSize="));
    assert_string_equal(req(e, "vMustReplyEmpty"), "");
    assert_string_equal(req(e, "QStartNoAckMode"), "OK");
    e->ack = false;
    /* No acks from here on: the next byte after a request is the reply's '$'. */
    send_pkt(e, "?");
    assert_int_equal(rd(e), '$');
    assert_int_equal(rd(e), 'T');
    assert_int_equal(rd(e), '0');
    assert_int_equal(rd(e), '5');
    while (rd(e) != '#')
        ;
    rd(e);
    rd(e);
    assert_string_equal(req(e, "qAttached"), "1");
    assert_string_equal(req(e, "qfThreadInfo"), "m01");
    assert_string_equal(req(e, "qsThreadInfo"), "l");
    assert_string_equal(req(e, "Hg0"), "OK");
    assert_string_equal(req(e, "qUnknownThing"), "");
}

static void test_target_xml(void **state)
{
    struct env *e = *state;
    char *xml = calloc(1, 65536);
    size_t off = 0;
    for (;;) {
        char q[80];
        snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,100", off);
        const char *r = req(e, q);
        assert_true(r[0] == 'm' || r[0] == 'l');
        size_t n = strlen(r + 1);
        assert_true(n <= 0x100);
        memcpy(xml + off, r + 1, n);
        off += n;
        if (r[0] == 'l')
            break;
    }
    assert_string_equal(xml, gdbstub_target_xml());
    assert_non_null(strstr(xml, "<architecture>i386:x86-64</architecture>"));
    assert_non_null(strstr(xml, "org.gnu.gdb.i386.core"));
    assert_non_null(strstr(xml, "name=\"fs_base\""));
    assert_non_null(strstr(xml, "name=\"gs_base\""));
    assert_string_equal(req(e, "qXfer:features:read:other.xml:0,100"), "E00");
    free(xml);
}

static void test_registers(void **state)
{
    struct env *e = *state;
    struct bare_regs br;
    bare_cpu_get_regs(e->bc, &br);
    br.gpr[0] = 0x1122334455667788ull; /* rax */
    br.gpr[3] = 0xb0b0;                /* rbx (our index 3, gdb's 1) */
    br.gpr[6] = 0x5151;                /* rsi (ours 6, gdb's 4) */
    bare_cpu_set_regs(e->bc, &br);
    const char *g = req(e, "g");
    assert_int_equal(strlen(g), 2 * gdbstub_regs_size());
    assert_int_equal(gdbstub_regs_size(), 552);
    assert_int_equal(le_hex(g, 8), 0x1122334455667788ull);
    assert_int_equal(le_hex(g + 16, 8), 0xb0b0);
    assert_int_equal(le_hex(g + 4 * 16, 8), 0x5151);
    assert_int_equal(le_hex(g + 16 * 16, 8), 0x1000);          /* rip */
    assert_int_equal(le_hex(g + 17 * 16, 4) & 2, 2);           /* eflags bit 1 */
    /* xmm1 and mxcsr come from the CPU's SSE state (xmm0 starts at byte 276) */
    assert_int_equal(le_hex(g + 2 * (276 + 16), 8), 0);
    assert_int_equal(le_hex(g + 2 * (276 + 256), 4), 0x1f80);
    /* G: change rcx (gdb reg 2) in the blob and write it back */
    char *blob = strdup(g);
    memcpy(blob + 2 * 16, "efbeadde00000000", 16);
    static char q[9000];
    snprintf(q, sizeof(q), "G%s", blob);
    assert_string_equal(req(e, q), "OK");
    free(blob);
    bare_cpu_get_regs(e->bc, &br);
    assert_int_equal(br.gpr[1], 0xdeadbeef);
    assert_string_equal(req(e, "P29=00112233445566778899aabbccddeeff"), "OK"); /* xmm1 = reg 41 */
    assert_string_equal(req(e, "p29"), "00112233445566778899aabbccddeeff");
    assert_int_equal(le_hex(req(e, "g") + 2 * (276 + 16), 8), 0x7766554433221100ull);
    /* p / P */
    assert_int_equal(reg(e, R_RCX), 0xdeadbeef);
    assert_string_equal(req(e, "P10=0510000000000000"), "OK"); /* rip = 0x1005 */
    bare_cpu_get_regs(e->bc, &br);
    assert_int_equal(br.rip, 0x1005);
    assert_string_equal(req(e, "p10"), "0510000000000000");
    assert_string_equal(req(e, "p999"), "E01");
    assert_string_equal(req(e, "G1234"), "E01"); /* wrong size */
    assert_string_equal(req(e, "P0=12"), "E01");
}

static void test_memory(void **state)
{
    struct env *e = *state;
    assert_string_equal(req(e, "m1000,5"), "b801000000");
    assert_string_equal(req(e, "M2000,4:deadbeef"), "OK");
    assert_string_equal(req(e, "m2000,4"), "deadbeef");
    assert_memory_equal(bare_cpu_mem(e->bc) + 0x2000, "\xde\xad\xbe\xef", 4);
    assert_string_equal(req(e, "m200000,4"), "E14");      /* beyond memory: unmapped */
    assert_string_equal(req(e, "mffffd,8"), "000000");    /* partial read up to the end */
    assert_string_equal(req(e, "M200000,1:00"), "E14");
    assert_string_equal(req(e, "M2000,4:zz"), "E01");
    assert_string_equal(req(e, "mxyz"), "E01");
}

static void test_step_and_breakpoints(void **state)
{
    struct env *e = *state;
    /* s: exactly one instruction */
    assert_string_equal(req(e, "s"), "T05thread:01;");
    assert_int_equal(reg(e, R_RIP), 0x1005);
    assert_int_equal(reg(e, R_RAX), 1);
    assert_string_equal(req(e, "vCont;s:1"), "T05thread:01;");
    assert_int_equal(reg(e, R_RIP), 0x1008);
    assert_int_equal(reg(e, R_RAX), 3);
    /* Z0 in the middle of what would be one block; c stops before it */
    assert_string_equal(req(e, "Z0,100b,1"), "OK");
    assert_string_equal(req(e, "c"), "T05thread:01;swbreak:;");
    assert_int_equal(reg(e, R_RIP), 0x100b);
    assert_int_equal(reg(e, R_RAX), 6);
    assert_int_equal(reg(e, R_RBX), 0);               /* inc rbx not executed */
    assert_string_equal(req(e, "m100b,3"), "48ffc3");  /* no breakpoint bytes in memory */
    /* continuing while the breakpoint is still set stops again at once */
    assert_string_equal(req(e, "vCont;c"), "T05thread:01;swbreak:;");
    assert_int_equal(reg(e, R_RIP), 0x100b);
    /* stepping from the breakpoint executes the instruction under it */
    assert_string_equal(req(e, "s"), "T05thread:01;");
    assert_int_equal(reg(e, R_RIP), 0x100e);
    assert_int_equal(reg(e, R_RBX), 1);
    /* a hardware breakpoint at the start of a block: rewind rip and run into it */
    assert_string_equal(req(e, "P10=0010000000000000"), "OK");
    assert_string_equal(req(e, "Z1,1000,1"), "OK");
    assert_string_equal(req(e, "z0,100b,1"), "OK");
    assert_string_equal(req(e, "z0,100b,1"), "E22"); /* not there any more */
    assert_string_equal(req(e, "c"), "T05thread:01;hwbreak:;"); /* a Z1 one */
    assert_int_equal(reg(e, R_RIP), 0x1000);
    assert_string_equal(req(e, "z1,1000,1"), "OK");
    assert_string_equal(req(e, "Z2,2000,4"), "OK"); /* watchpoints: test_dbgwatch.c, tests/gdb */
    assert_string_equal(req(e, "z2,2000,4"), "OK");
    assert_string_equal(req(e, "z2,2000,4"), "E22");
    /* without breakpoints the program runs to its HLT: the "process" exits */
    assert_string_equal(req(e, "c"), "W00");
    pthread_join(e->th, NULL);
    e->joined = true;
    assert_int_equal(e->end, GDBSTUB_EXITED);
}

static void test_ctrl_c(void **state)
{
    struct env *e = *state;
    assert_string_equal(req(e, "P10=0011000000000000"), "OK"); /* rip = 0x1100: endless loop */
    send_pkt(e, "c");
    usleep(20000);
    send_raw(e, "\x03");
    assert_string_equal(recv_pkt(e), "T02thread:01;");
    uint64_t rcx = reg(e, R_RCX);
    assert_true(rcx > 0);
    uint64_t rip = reg(e, R_RIP);
    assert_true(rip == 0x1100 || rip == 0x1103);
    /* Ctrl-C while stopped just reports the stop */
    send_raw(e, "\x03");
    assert_string_equal(recv_pkt(e), "T02thread:01;");
    assert_string_equal(req(e, "?"), "T02thread:01;");
}

static void test_rcmd_detach(void **state)
{
    struct env *e = *state;
    /* "monitor info registers" as gdb sends it: hex of the command */
    const char *cmd = "info registers";
    char q[128] = "qRcmd,";
    for (const char *p = cmd; *p; p++)
        sprintf(q + strlen(q), "%02x", (unsigned char)*p);
    send_pkt(e, q);
    char text[8192] = "";
    for (;;) {
        const char *r = recv_pkt(e);
        if (r[0] != 'O' || !strcmp(r, "OK"))
            break;
        size_t n = strlen(text);
        for (const char *p = r + 1; p[0] && p[1] && n + 1 < sizeof(text); p += 2) {
            char b[3] = { p[0], p[1], 0 };
            text[n++] = (char)strtoul(b, NULL, 16);
        }
        text[n] = '\0';
    }
    assert_string_equal(e->reply, "OK");
    assert_non_null(strstr(text, "RIP=0000000000001000"));
    assert_string_equal(req(e, "qRcmd,zz"), "E01");
    assert_string_equal(req(e, "D"), "OK");
    pthread_join(e->th, NULL);
    e->joined = true;
    assert_int_equal(e->end, GDBSTUB_DETACHED);
}

static void test_kill(void **state)
{
    struct env *e = *state;
    send_pkt(e, "k");
    pthread_join(e->th, NULL);
    e->joined = true;
    assert_int_equal(e->end, GDBSTUB_KILLED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_framing_ack_noack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_xml, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_step_and_breakpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ctrl_c, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rcmd_detach, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
