/* SPDX-License-Identifier: MIT */
/* monitor_machine.c: the monitor on a real machine: callbacks into it and a line reader on a chardev. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/trace.h"
#include "hw/chardev.h"
#include "hw/pci.h"
#include "hw/pic.h"
#include "machine/machine.h"
#include "machine/memmap.h"
#include "translate/tb.h"
#include "translate/x86_64.h"
#include "ui/monitor_machine.h"

#define PROMPT "(kiln) "

static struct machine *mach(void *o)
{
    return ((struct monitor_machine *)o)->m;
}

static void mm_regs(void *o, FILE *out)
{
    struct cpu *cpu = machine_cpu(mach(o));
    if (!cpu) {
        fprintf(out, "no vCPU\n");
        return;
    }
    cpu_dump_state(cpu, out);
}

static void mm_paging(void *o, struct monitor_paging *pg)
{
    struct cpu *cpu = machine_cpu(mach(o));
    memset(pg, 0, sizeof(*pg));
    if (cpu) {
        pg->cr0 = cpu->cr[0];
        pg->cr3 = cpu->cr[3];
        pg->cr4 = cpu->cr[4];
        pg->efer = cpu->efer;
    }
}

static unsigned mm_bits(void *o)
{
    struct cpu *cpu = machine_cpu(mach(o));
    if (!cpu)
        return 16;
    return (cpu->hflags & HF_CS64) ? 64 : (cpu->hflags & HF_CS32) ? 32 : 16;
}

/* RAM and ROM only: the monitor never reads device registers (side effects). */
static bool mm_read_phys(void *o, uint64_t pa, void *buf, size_t len)
{
    struct memmap *mm = machine_memmap(mach(o));
    uint8_t *p = buf;
    while (len > 0) {
        bool w;
        uint8_t *host = memmap_page_host(mm, pa & ~(uint64_t)0xfff, &w);
        if (!host)
            return false;
        size_t chunk = 4096 - (size_t)(pa & 0xfff);
        if (chunk > len)
            chunk = len;
        memcpy(p, host + (pa & 0xfff), chunk);
        p += chunk;
        pa += chunk;
        len -= chunk;
    }
    return true;
}

static void mm_mtree(void *o, FILE *out)
{
    memmap_print(machine_memmap(mach(o)), out);
}

static void mm_irq(void *o, FILE *out)
{
    struct pic *pic = machine_pic(mach(o));
    if (!pic) {
        fprintf(out, "no interrupt controller\n");
        return;
    }
    for (int chip = 0; chip < 2; chip++) {
        struct pic_regs r;
        pic_get_regs(pic, chip, &r);
        fprintf(out, "pic%d (%s): irr=%02x isr=%02x imr=%02x elcr=%02x base=%02x%s%s%s\n", chip,
                chip ? "slave" : "master", r.irr, r.isr, r.imr, r.elcr, r.vector_base,
                r.auto_eoi ? " auto-eoi" : "", r.special_mask ? " special-mask" : "",
                r.special_fully_nested ? " sfnm" : "");
    }
    fprintf(out, "INTR line: %d\n", machine_intr_level(mach(o)));
    machine_apic_print(mach(o), out);
}

static void mm_pci(void *o, FILE *out)
{
    struct pci_bus *pci = machine_pci(mach(o));
    if (!pci) {
        fprintf(out, "no PCI bus\n");
        return;
    }
    pci_bus_print(pci, out);
}

static void mm_jit(void *o, FILE *out)
{
    struct cpu *cpu = machine_cpu(mach(o));
    if (!cpu || !cpu->tbc) {
        fprintf(out, "no vCPU\n");
        return;
    }
    struct tb_stats ts;
    tb_cache_stats(cpu->tbc, &ts);
    fprintf(out, "engine: %s\n", cpu->engine && cpu->engine->name ? cpu->engine->name : "?");
    fprintf(out, "blocks: translated %" PRIu64 " live %u chained %" PRIu64 " invalidated %" PRIu64
            " flushes %" PRIu64 "\n", ts.translated, ts.live, ts.chained, ts.invalidated, ts.flushes);
    if (cpu->engine && cpu->engine->name && !strcmp(cpu->engine->name, "x86_64")) {
        size_t used, total;
        engine_x86_64_usage(cpu->engine, &used, &total);
        fprintf(out, "code: %zu of %zu bytes\n", used, total);
    }
    fprintf(out, "instructions retired: %" PRIu64 "\n", cpu->insn_count);
}

static void mm_stop(void *o) { machine_set_paused(mach(o), true); }
static void mm_cont(void *o) { machine_set_paused(mach(o), false); }
static void mm_reset(void *o) { machine_request_reset(mach(o)); }
static void mm_nmi(void *o) { machine_nmi(mach(o)); }
static void mm_quit(void *o) { machine_request_exit(mach(o)); }
static bool mm_step_irq(void *o, int set)
{
    if (set >= 0)
        machine_set_step_irq(mach(o), set != 0);
    return machine_step_irq(mach(o));
}

const struct monitor_ops monitor_machine_ops = {
    .dump_regs = mm_regs, .get_paging = mm_paging, .code_bits = mm_bits, .read_phys = mm_read_phys,
    .info_mtree = mm_mtree, .info_irq = mm_irq, .info_pci = mm_pci, .info_jit = mm_jit,
    .stop = mm_stop, .cont = mm_cont, .reset = mm_reset, .quit = mm_quit, .step_irq = mm_step_irq,
    .nmi = mm_nmi,
};

void monitor_machine_init(struct monitor_machine *mm, struct machine *m)
{
    memset(mm, 0, sizeof(*mm));
    mm->m = m;
    monitor_init(&mm->mon, &monitor_machine_ops, mm);
}

static void put(struct monitor_machine *mm, const char *s, size_t n)
{
    if (mm->cd)
        chardev_write(mm->cd, (const uint8_t *)s, n);
}

static void run_line(struct monitor_machine *mm)
{
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    if (!f)
        return;
    mm->line[mm->len] = '\0';
    if (mm->overflow)
        fprintf(f, "line too long\n");
    else
        monitor_command(&mm->mon, mm->line, f);
    fclose(f);
    /* Terminals want CR LF. */
    for (size_t i = 0; i < outlen; i++) {
        if (out[i] == '\n')
            put(mm, "\r\n", 2);
        else
            put(mm, out + i, 1);
    }
    free(out);
    mm->len = 0;
    mm->overflow = false;
    if (!mm->mon.quit_requested)
        put(mm, PROMPT, sizeof(PROMPT) - 1);
}

void monitor_machine_input(struct monitor_machine *mm, const unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = buf[i];
        if (c == '\r' || c == '\n') {
            if (c == '\n' && i > 0 && buf[i - 1] == '\r')
                continue;
            run_line(mm);
        } else if (c == 0x7f || c == 0x08) {
            if (mm->len)
                mm->len--;
        } else if (c >= 0x20 && c < 0x7f) {
            if (mm->len + 1 < sizeof(mm->line))
                mm->line[mm->len++] = (char)c;
            else
                mm->overflow = true;
        }
    }
}

static size_t can_receive(void *opaque)
{
    (void)opaque;
    return 256;
}

static void receive(void *opaque, const uint8_t *buf, size_t len)
{
    monitor_machine_input(opaque, buf, len);
}

void monitor_machine_attach(struct monitor_machine *mm, struct chardev *cd, bool mux)
{
    static const char banner[] = "kiln monitor - type 'help' for a list of commands\r\n";
    mm->cd = cd;
    if (mux)
        chardev_set_monitor(cd, can_receive, receive, mm);
    else
        chardev_set_frontend(cd, can_receive, receive, mm);
    if (!mux) { /* a mux monitor speaks when Ctrl-A c switches to it */
        put(mm, banner, sizeof(banner) - 1);
        put(mm, PROMPT, sizeof(PROMPT) - 1);
    }
}
