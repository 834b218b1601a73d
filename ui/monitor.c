/* SPDX-License-Identifier: MIT */
/* monitor.c: the monitor's command interpreter (help, info, x/xp, run control). */
#include <capstone/capstone.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "ui/monitor.h"

#define MON_MAX_LINES 4096   /* info tlb / info mem output cap */
#define MON_MAX_COUNT 4096   /* x/N: largest N */

void monitor_init(struct monitor *m, const struct monitor_ops *ops, void *opaque)
{
    memset(m, 0, sizeof(*m));
    m->ops = ops;
    m->opaque = opaque;
}

static const struct {
    const char *name, *help;
} help_lines[] = {
    { "help", "this list" },
    { "info registers", "CPU registers" },
    { "info tlb", "every mapped page of the current page tables" },
    { "info mem", "mapped virtual ranges of the current page tables" },
    { "info mtree", "the physical memory map" },
    { "info pci", "PCI devices" },
    { "info irq", "interrupt controllers: 8259s, local APIC, I/O APIC, HPET (also info lapic)" },
    { "info jit", "translation cache statistics" },
    { "x/FMT ADDR", "guest-virtual memory; FMT = [count][x|d|u|c|i][b|h|w|g]" },
    { "xp/FMT ADDR", "guest-physical memory, same formats" },
    { "stop", "pause the guest" },
    { "cont", "resume the guest (also: c)" },
    { "system_reset", "reset the machine" },
    { "nmi", "inject an NMI into the CPU" },
    { "quit", "quit kiln (also: q)" },
    { "singlestep-irq [on|off]", "gdb single steps enter interrupt handlers (default off)" },
};

static void cmd_help(FILE *out)
{
    for (size_t i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]); i++)
        fprintf(out, "%-23s -- %s\n", help_lines[i].name, help_lines[i].help);
}

/* Splits off the next blank-separated word of *p into w (at most wlen-1 chars). */
static bool next_word(const char **p, char *w, size_t wlen)
{
    const char *s = *p;
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = 0;
    while (*s && !isspace((unsigned char)*s)) {
        if (n + 1 < wlen)
            w[n++] = *s;
        s++;
    }
    w[n] = '\0';
    *p = s;
    return n > 0;
}

static int info(struct monitor *m, const char *what, FILE *out)
{
    const struct monitor_ops *o = m->ops;
    void (*fn)(void *, FILE *) = NULL;
    if (!strcmp(what, "registers")) {
        o->dump_regs(m->opaque, out);
        return 0;
    }
    if (!strcmp(what, "tlb")) {
        monitor_print_tlb(m, out, MON_MAX_LINES);
        return 0;
    }
    if (!strcmp(what, "mem")) {
        monitor_print_mem(m, out, MON_MAX_LINES);
        return 0;
    }
    if (!strcmp(what, "mtree"))
        fn = o->info_mtree;
    else if (!strcmp(what, "irq") || !strcmp(what, "pic") || !strcmp(what, "lapic") ||
             !strcmp(what, "ioapic") || !strcmp(what, "hpet"))
        fn = o->info_irq;
    else if (!strcmp(what, "jit"))
        fn = o->info_jit;
    else if (!strcmp(what, "pci")) {
        if (!o->info_pci) {
            fprintf(out, "no PCI bus\n");
            return 0;
        }
        fn = o->info_pci;
    } else {
        fprintf(out, "info: unknown item '%s' (try help)\n", what);
        return -1;
    }
    if (!fn) {
        fprintf(out, "info %s: not available on this machine\n", what);
        return -1;
    }
    fn(m->opaque, out);
    return 0;
}

/* Parses a number: 0x hex, or decimal; false on garbage. */
static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-')
        return false;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (*end || errno)
        return false;
    *v = x;
    return true;
}

struct xfmt {
    unsigned count;
    char fmt;      /* x d u c i */
    unsigned size; /* 1 2 4 8 */
};

static bool parse_fmt(const char *s, struct xfmt *f)
{
    f->count = 1;
    f->fmt = 'x';
    f->size = 4;
    if (isdigit((unsigned char)*s)) {
        unsigned long n = 0;
        while (isdigit((unsigned char)*s)) {
            n = n * 10 + (unsigned)(*s++ - '0');
            if (n > MON_MAX_COUNT)
                return false;
        }
        if (n == 0)
            return false;
        f->count = (unsigned)n;
    }
    for (; *s; s++) {
        switch (*s) {
        case 'x': case 'd': case 'u': case 'c': case 'i': f->fmt = *s; break;
        case 'b': f->size = 1; break;
        case 'h': f->size = 2; break;
        case 'w': f->size = 4; break;
        case 'g': f->size = 8; break;
        default: return false;
        }
    }
    if (f->fmt == 'c')
        f->size = 1;
    return true;
}

static bool read_mem(struct monitor *m, bool phys, uint64_t addr, void *buf, size_t len)
{
    if (phys)
        return m->ops->read_phys && m->ops->read_phys(m->opaque, addr, buf, len);
    return monitor_read_virt(m, addr, buf, len);
}

static int disas(struct monitor *m, bool phys, uint64_t addr, unsigned count, FILE *out)
{
    unsigned bits = m->ops->code_bits ? m->ops->code_bits(m->opaque) : 64;
    cs_mode mode = bits == 16 ? CS_MODE_16 : bits == 32 ? CS_MODE_32 : CS_MODE_64;
    csh h;
    if (cs_open(CS_ARCH_X86, mode, &h) != CS_ERR_OK) {
        fprintf(out, "x/i: capstone unavailable\n");
        return -1;
    }
    int rc = 0;
    for (unsigned i = 0; i < count; i++) {
        uint8_t b[16];
        size_t have = 0;
        while (have < sizeof(b) && read_mem(m, phys, addr + have, b + have, 1))
            have++;
        if (have == 0) {
            fprintf(out, "%016" PRIx64 ": cannot access memory\n", addr);
            rc = -1;
            break;
        }
        cs_insn *in = NULL;
        if (cs_disasm(h, b, have, addr, 1, &in) != 1) {
            fprintf(out, "%016" PRIx64 ": (bad) %02x\n", addr, b[0]);
            addr++;
            continue;
        }
        fprintf(out, "%016" PRIx64 ":  %s %s\n", addr, in->mnemonic, in->op_str);
        addr += in->size;
        cs_free(in, 1);
    }
    cs_close(&h);
    return rc;
}

static int cmd_x(struct monitor *m, bool phys, const char *fmt, const char *arg, FILE *out)
{
    struct xfmt f;
    uint64_t addr;
    if (!parse_fmt(fmt, &f)) {
        fprintf(out, "%s: bad format '/%s'\n", phys ? "xp" : "x", fmt);
        return -1;
    }
    if (!parse_u64(arg, &addr)) {
        fprintf(out, "%s: bad address '%s'\n", phys ? "xp" : "x", arg);
        return -1;
    }
    if (f.fmt == 'i')
        return disas(m, phys, addr, f.count, out);
    unsigned per_line = f.fmt == 'c' ? 16 : 16 / f.size;
    for (unsigned i = 0; i < f.count; i++) {
        uint8_t b[8];
        uint64_t a = addr + (uint64_t)i * f.size;
        if (!read_mem(m, phys, a, b, f.size)) {
            if (i % per_line)
                fputc('\n', out);
            fprintf(out, "%016" PRIx64 ": cannot access memory\n", a);
            return -1;
        }
        uint64_t v = 0;
        for (unsigned k = 0; k < f.size; k++)
            v |= (uint64_t)b[k] << (8 * k);
        if (i % per_line == 0)
            fprintf(out, "%016" PRIx64 ":", a);
        switch (f.fmt) {
        case 'x':
            fprintf(out, " 0x%0*" PRIx64, (int)f.size * 2, v);
            break;
        case 'u':
            fprintf(out, " %" PRIu64, v);
            break;
        case 'd': {
            unsigned sh = 64 - 8 * f.size;
            int64_t sv = sh ? (int64_t)(v << sh) >> sh : (int64_t)v;
            fprintf(out, " %" PRId64, sv);
            break;
        }
        case 'c':
            if (v >= 0x20 && v < 0x7f)
                fprintf(out, " '%c'", (int)v);
            else
                fprintf(out, " '\\x%02x'", (unsigned)v);
            break;
        }
        if (i % per_line == per_line - 1 || i + 1 == f.count)
            fputc('\n', out);
    }
    return 0;
}

static int control(struct monitor *m, void (*fn)(void *), const char *name, FILE *out)
{
    if (!fn) {
        fprintf(out, "%s: not available\n", name);
        return -1;
    }
    fn(m->opaque);
    return 0;
}

int monitor_command(struct monitor *m, const char *line, FILE *out)
{
    char cmd[64], arg[128], extra[8];
    const char *p = line;
    if (!next_word(&p, cmd, sizeof(cmd)))
        return 0;
    next_word(&p, arg, sizeof(arg));
    bool more = next_word(&p, extra, sizeof(extra));
    if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
        cmd_help(out);
        return 0;
    }
    if (!strcmp(cmd, "info")) {
        if (!arg[0]) {
            fprintf(out, "info: what? (info registers|tlb|mem|mtree|pci|irq|jit)\n");
            return -1;
        }
        return info(m, arg, out);
    }
    if (!strncmp(cmd, "x/", 2) || !strcmp(cmd, "x") || !strncmp(cmd, "xp/", 3) || !strcmp(cmd, "xp")) {
        bool phys = cmd[1] == 'p';
        const char *slash = strchr(cmd, '/');
        if (!arg[0] || more) {
            fprintf(out, "usage: %s/FMT ADDR\n", phys ? "xp" : "x");
            return -1;
        }
        return cmd_x(m, phys, slash ? slash + 1 : "", arg, out);
    }
    if (!strcmp(cmd, "stop"))
        return control(m, m->ops->stop, "stop", out);
    if (!strcmp(cmd, "cont") || !strcmp(cmd, "c"))
        return control(m, m->ops->cont, "cont", out);
    if (!strcmp(cmd, "system_reset"))
        return control(m, m->ops->reset, "system_reset", out);
    if (!strcmp(cmd, "nmi"))
        return control(m, m->ops->nmi, "nmi", out);
    if (!strcmp(cmd, "quit") || !strcmp(cmd, "q")) {
        m->quit_requested = true;
        if (m->ops->quit)
            m->ops->quit(m->opaque);
        return 0;
    }
    if (!strcmp(cmd, "singlestep-irq")) {
        int set = !arg[0] ? -1 : !strcmp(arg, "on") ? 1 : !strcmp(arg, "off") ? 0 : -2;
        if (set == -2 || more) {
            fprintf(out, "usage: singlestep-irq [on|off]\n");
            return -1;
        }
        if (!m->ops->step_irq) {
            fprintf(out, "singlestep-irq: not available\n");
            return -1;
        }
        fprintf(out, "singlestep-irq: %s\n", m->ops->step_irq(m->opaque, set) ? "on" : "off");
        return 0;
    }
    fprintf(out, "unknown command: '%s' (try help)\n", cmd);
    return -1;
}
