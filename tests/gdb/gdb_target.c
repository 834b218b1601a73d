/* SPDX-License-Identifier: MIT */
/* gdb_target.c: a bare 64-bit CPU with a small program behind the gdbstub on 127.0.0.1, for real-gdb tests. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "cpu/bare.h"
#include "cpu/cpu.h"
#include "cpu/trace.h"
#include "ui/gdbstub.h"
#include "ui/monitor.h"

/*
 * Guest program at 0x1000 (64-bit):
 *   0x1000 mov eax, 1        0x1005 add eax, 2     0x1008 add eax, 3
 *   0x100b inc rbx           0x100e mov [0x2000], eax               0x1015 hlt
 */
static const uint8_t prog[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0x83, 0xc0, 0x02, 0x83, 0xc0, 0x03,
                                0x48, 0xff, 0xc3, 0x89, 0x04, 0x25, 0x00, 0x20, 0x00, 0x00, 0xf4 };

static struct cpu *the_cpu;
static void regs(void *o, FILE *out) { (void)o; cpu_dump_state(the_cpu, out); }
static void paging(void *o, struct monitor_paging *pg)
{
    (void)o;
    pg->cr0 = the_cpu->cr[0];
    pg->cr3 = the_cpu->cr[3];
    pg->cr4 = the_cpu->cr[4];
    pg->efer = the_cpu->efer;
}
static const struct monitor_ops mon_ops = { .dump_regs = regs, .get_paging = paging };

int main(int argc, char **argv)
{
    char err[200];
    unsigned port = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
    struct bare_cpu *bc = bare_cpu_new(BARE_ENGINE_JIT, BARE_MODE_LONG64, 0, 1u << 20);
    if (!bc || !bare_cpu_write(bc, 0x1000, prog, sizeof(prog)))
        return 1;
    struct bare_regs r = { 0 };
    r.rip = 0x1000;
    r.gpr[4] = 0x8000;
    r.rflags = 2;
    bare_cpu_set_regs(bc, &r);
    the_cpu = bare_cpu_cpu(bc);
    int lfd = gdbstub_listen(NULL, port, err, sizeof(err));
    if (lfd < 0) {
        fprintf(stderr, "gdb_target: %s\n", err);
        return 1;
    }
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    getsockname(lfd, (struct sockaddr *)&sa, &sl);
    printf("port %u\n", ntohs(sa.sin_port));
    fflush(stdout);
    int fd = accept(lfd, NULL, NULL);
    close(lfd);
    if (fd < 0)
        return 1;
    struct gdbstub_cpu_target t = { the_cpu, 1000 };
    struct monitor mon;
    struct gdbstub g;
    monitor_init(&mon, &mon_ops, NULL);
    gdbstub_init(&g, fd, &gdbstub_cpu_ops, &t, &mon);
    enum gdbstub_end end = gdbstub_serve(&g);
    close(fd);
    bare_cpu_free(bc);
    printf("end %d\n", (int)end);
    return 0;
}
