/* SPDX-License-Identifier: MIT */
/* sys_cpu.c: the full-system vCPU behind cpu/sysbus.h: physical memory and paging, I/O, INTR, reset, exec. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/debug.h"
#include "cpu/helpers.h"
#include "cpu/mmu.h"
#include "cpu/sys.h"
#include "cpu/trace.h"
#include "cpu/trace_mmu.h"
#include "cpu/sysbus.h"
#include "translate/engine.h"
#include "translate/tb.h"

struct sys_cpu {
    struct cpu cpu;
    struct sysbus bus;
    struct engine *engine;
    struct tb_cache *tbc;
    bool halted;
    volatile int ext_exit;      /* request_exit was called */
    uint64_t accounted;         /* instructions already reported through bus.account */
};

static struct sys_cpu *sc_of(struct cpu *c)
{
    return c->opaque;
}

/* Reports the instructions retired so far (block granularity) to the machine's clock. */
static void account(struct sys_cpu *sc)
{
    struct cpu *c = &sc->cpu;
    uint64_t now = c->insn_count + (c->in_exec ? (uint64_t)(c->icount_start - c->icount_left) : 0);
    if (now > sc->accounted && sc->bus.ops->account)
        sc->bus.ops->account(sc->bus.opaque, now - sc->accounted);
    if (now > sc->accounted)
        sc->accounted = now;
}

static uint64_t a20(const struct cpu *c, uint64_t pa)
{
    return c->a20_off ? pa & ~(uint64_t)(1u << 20) : pa;
}

static uint64_t phys_load(struct cpu *c, uint64_t pa, unsigned size)
{
    struct sys_cpu *sc = sc_of(c);
    bool wr;
    pa = a20(c, pa);
    uint8_t *h = sc->bus.ops->page_host(sc->bus.opaque, pa & ~(uint64_t)0xfff, &wr);
    if (h && (pa & 0xfff) + size <= 0x1000) {
        uint64_t v = 0;
        memcpy(&v, h + (pa & 0xfff), size);
        return v;
    }
    return sc->bus.ops->mem_read(sc->bus.opaque, pa, size);
}

static void phys_store(struct cpu *c, uint64_t pa, uint64_t v, unsigned size)
{
    struct sys_cpu *sc = sc_of(c);
    bool wr;
    pa = a20(c, pa);
    uint8_t *h = sc->bus.ops->page_host(sc->bus.opaque, pa & ~(uint64_t)0xfff, &wr);
    if (h && wr && (pa & 0xfff) + size <= 0x1000) {
        memcpy(h + (pa & 0xfff), &v, size);
        tb_invalidate_phys_range(sc->tbc, pa, pa + size);
        return;
    }
    sc->bus.ops->mem_write(sc->bus.opaque, pa, v, size);
}

static const struct mmu_phys sys_phys = { phys_load, phys_store };

static bool sys_translate(struct cpu *c, uint64_t vaddr, unsigned acc, unsigned mmu_idx, uint64_t *phys,
                          uint8_t **host, unsigned *prot)
{
    struct sys_cpu *sc = sc_of(c);
    uint64_t pa;
    unsigned pr = CPU_PROT_R | CPU_PROT_W | CPU_PROT_X;
    if ((c->hflags & HF_LMA) && (uint64_t)((int64_t)(vaddr << 16) >> 16) != vaddr) {
        if (acc & CPU_ACC_NOFAULT)
            return false; /* (cpu/mem.c raises #GP/#SS before asking) */
        cpu_raise(c, EXC_GP, true, 0);
    }
    if (c->cr[0] & 0x80000000u) {
        struct mmu_result r;
        bool ok = mmu_walk(c, &sys_phys, vaddr, (enum cpu_access)(acc & 3), mmu_idx & 3, &r);
        if (kiln_log_enabled(c->log, KILN_LOG_MMU))
            cpu_trace_mmu_walk(c, vaddr, acc, mmu_idx == 1, ok, &r);
        if (!ok) {
            if (acc & CPU_ACC_NOFAULT)
                return false;
            cpu_raise_pf(c, vaddr, r.error);
        }
        pa = r.phys;
        pr = r.prot;
        if (r.global && (c->cr[4] & 0x80))
            pr |= CPU_PROT_G;
    } else {
        pa = vaddr & 0xffffffffu;
    }
    pa = a20(c, pa) & ~(uint64_t)0xfff;
    bool wr = false;
    uint8_t *h = sc->bus.ops->page_host(sc->bus.opaque, pa, &wr);
    if (h && !wr) {
        pr &= ~CPU_PROT_W; /* ROM: stores take the slow path (mem_write drops them) */
        if ((acc & 3) == CPU_ACC_WRITE)
            h = NULL;
    }
    *phys = pa;
    *host = h;
    *prot = pr;
    return true;
}

static uint64_t sys_mmio_read(struct cpu *c, uint64_t pa, unsigned size)
{
    struct sys_cpu *sc = sc_of(c);
    account(sc);
    return sc->bus.ops->mem_read(sc->bus.opaque, a20(c, pa), size);
}

static void sys_mmio_write(struct cpu *c, uint64_t pa, uint64_t v, unsigned size)
{
    struct sys_cpu *sc = sc_of(c);
    account(sc);
    sc->bus.ops->mem_write(sc->bus.opaque, a20(c, pa), v, size);
}

static uint32_t sys_io_read(struct cpu *c, uint16_t port, unsigned size)
{
    struct sys_cpu *sc = sc_of(c);
    account(sc);
    return sc->bus.ops->io_read(sc->bus.opaque, port, size);
}

static void sys_io_write(struct cpu *c, uint16_t port, uint32_t v, unsigned size)
{
    struct sys_cpu *sc = sc_of(c);
    account(sc);
    sc->bus.ops->io_write(sc->bus.opaque, port, v, size);
    c->exit_request = 1; /* a device may have raised an interrupt or asked for a reset */
}

static const struct cpu_mem_ops sys_mem_ops = {
    sys_translate, sys_mmio_read, sys_mmio_write, sys_io_read, sys_io_write,
};

/* FERR# goes to the machine (IRQ 13 on the PC). */
static void sys_ferr(struct cpu *c)
{
    struct sys_cpu *sc = sc_of(c);
    if (sc->bus.ops->request)
        sc->bus.ops->request(sc->bus.opaque, SYSBUS_REQ_FERR);
}

static uint64_t sys_tsc(struct cpu *c)
{
    struct sys_cpu *sc = sc_of(c);
    account(sc);
    if (!sc->bus.ops->clock_ns)
        return c->insn_count;
    return (uint64_t)sc->bus.ops->clock_ns(sc->bus.opaque) * (SYSBUS_TSC_HZ / 1000000000u);
}

/* IA32_APIC_BASE / IA32_TSC_DEADLINE: the machine's local APIC. */
static bool sys_apic_msr(struct cpu *c, uint32_t idx, bool write, uint64_t *v)
{
    struct sys_cpu *sc = sc_of(c);
    account(sc);
    if (write) {
        bool ok = sc->bus.ops->msr_write(sc->bus.opaque, idx, *v);
        c->exit_request = 1;        /* the APIC may have moved or raised INTR */
        return ok;
    }
    return sc->bus.ops->msr_read(sc->bus.opaque, idx, v);
}

static uint64_t sys_cr8_get(struct cpu *c)
{
    struct sys_cpu *sc = sc_of(c);
    return sc->bus.ops->cr8_read(sc->bus.opaque);
}

static void sys_cr8_set(struct cpu *c, uint64_t v)
{
    struct sys_cpu *sc = sc_of(c);
    sc->bus.ops->cr8_write(sc->bus.opaque, v);
    c->exit_request = 1;            /* a lower TPR may let an interrupt through */
}

static void sys_reset(struct cpu *c)
{
    struct sys_cpu *sc = sc_of(c);
    struct cpu_seg *cs = &c->seg[X86_SEG_CS];
    memset(c->gpr, 0, sizeof(c->gpr));
    c->gpr[2] = 0x600;                  /* DX: family 6 */
    c->cr[0] = 0x60000010u;
    c->cr[2] = c->cr[3] = c->cr[4] = 0;
    c->efer = 0;
    c->cr8 = 0;
    c->hflags &= ~HF_CPL_MASK;
    cpu_set_eflags(c, 2, ~(uint64_t)0);
    for (int i = 0; i < 6; i++) {
        c->seg[i].sel = 0;
        c->seg[i].base = 0;
        c->seg[i].limit = 0xffff;
        c->seg[i].attr = 0x93;
    }
    cs->sel = 0xf000;
    cs->base = 0xffff0000u;
    cs->attr = 0x9b;
    c->rip = 0xfff0;
    c->gdtr.base = c->idtr.base = 0;
    c->gdtr.limit = c->idtr.limit = 0xffff;
    c->idtr.limit = 0x3ff;
    memset(&c->ldtr, 0, sizeof(c->ldtr));
    memset(&c->tr, 0, sizeof(c->tr));
    c->ldtr.limit = c->tr.limit = 0xffff;
    c->tr.attr = 0x8b;
    c->ldtr.attr = 0x82;
    c->delivering = 0;
    c->nmi_pending = false;
    c->nmi_blocked = false;
    c->shutdown = false;
    c->irq_inhibit = false;
    c->irq_inhibit_pending = false;
    c->excp_soft = false;
    c->delivering_soft = false;
    c->a20_off = false;
    c->msr_pat = 0x0007040600070406ull;
    c->msr_mtrr_def = 0;
    memset(c->mtrr_var, 0, sizeof(c->mtrr_var));
    memset(c->mtrr_fixed, 0, sizeof(c->mtrr_fixed));
    c->msr_spec_ctrl = 0;
    memset(c->dr, 0, sizeof(c->dr));
    c->dr[6] = 0xffff0ff0u;
    c->dr[7] = 0x400;
    c->dbg.pend_dr6 = 0;
    c->dbg.ss_load = c->dbg.ss_shadow = false;
    c->dbg.ss_held = 0;
    cpu_dbg_update(c);
    sc->halted = false;
    cpu_update_hflags(c);
    cpu_tlb_flush(c);
    tb_flush(sc->tbc);
}

static struct cpu *sys_create(const struct sysbus_cpu_config *cfg, const struct sysbus *bus, char *err,
                              size_t errlen)
{
    struct sys_cpu *sc = calloc(1, sizeof(*sc));
    if (!sc) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sc->bus = *bus;
    if (!cfg->interp) {
#if __has_include("translate/x86_64.h")
        sc->engine = engine_x86_64_new(&cpu_engine_guest,
                                       (cfg->tb_size_mib ? cfg->tb_size_mib : 64) << 20);
#endif
    }
    if (!sc->engine)
        sc->engine = engine_interp_new(&cpu_engine_guest);
    if (sc->engine)
        sc->tbc = tb_cache_new(sc->engine, 262144);
    if (!sc->tbc) {
        if (sc->engine)
            sc->engine->destroy(sc->engine);
        free(sc);
        snprintf(err, errlen, "cannot create the translation engine");
        return NULL;
    }
    cpu_init(&sc->cpu, sc->tbc, sc->engine, &sys_mem_ops);
    sc->cpu.pt_mem = &sys_phys;
    sc->cpu.opaque = sc;
    sc->cpu.tsc = sys_tsc;
    sc->cpu.ferr = sys_ferr;
    if (bus->ops->msr_read && bus->ops->msr_write)
        sc->cpu.apic_msr = sys_apic_msr;
    if (bus->ops->cr8_read && bus->ops->cr8_write) {
        sc->cpu.cr8_get = sys_cr8_get;
        sc->cpu.cr8_set = sys_cr8_set;
    }
    sc->cpu.log = bus->log;
    if (cfg->one_insn_per_tb)
        sc->cpu.max_block_insns = 1;
    sc->cpu.tsc_aux = cfg->index;
    cpu_rng_seed(&sc->cpu, cfg->rng_seeded, cfg->rng_seed);
    cpu_sys_enable(&sc->cpu);
    sys_reset(&sc->cpu);
    return &sc->cpu;
}

static void sys_destroy(struct cpu *c)
{
    struct sys_cpu *sc = sc_of(c);
    if (kiln_log_enabled(c->log, KILN_LOG_STATS))
        cpu_trace_stats(c);
    tb_cache_free(sc->tbc);
    sc->engine->destroy(sc->engine);
    ir_block_free(&c->irb);
    free(sc);
}

/* A flat segment from the descriptor at gdt_base + (sel & ~7), read from guest memory. */
static void boot_seg(struct cpu *c, int seg, uint16_t sel, uint64_t gdt_base)
{
    uint64_t d = phys_load(c, gdt_base + (sel & 0xfff8u), 8);
    seg_cache_set(&c->seg[seg], sel, d | ((uint64_t)1 << 40), 0);
}

static bool sys_set_boot_state(struct cpu *c, const struct sysbus_boot_state *st, char *err, size_t errlen)
{
    if (st->mode != SYSBUS_BOOT_PROT32 && st->mode != SYSBUS_BOOT_LONG64) {
        snprintf(err, errlen, "unknown boot mode");
        return false;
    }
    memcpy(c->gpr, st->gpr, sizeof(c->gpr));
    c->rip = st->rip;
    c->gdtr.base = st->gdt_base;
    c->gdtr.limit = st->gdt_limit;
    c->idtr.base = 0;
    c->idtr.limit = 0x3ff;
    c->cr[0] = st->cr0 | 0x11;
    c->cr[3] = st->cr3;
    c->cr[4] = st->cr4;
    c->efer = st->efer;
    if (st->mode == SYSBUS_BOOT_LONG64) {
        if (!(st->cr0 & 0x80000000u) || !(st->cr4 & 0x20) || !(st->efer & 0x100)) {
            snprintf(err, errlen, "64-bit boot needs CR0.PG, CR4.PAE and EFER.LME");
            return false;
        }
        c->efer |= 0x400;
    }
    if (mmu_pae_legacy(c) && !mmu_load_pdptes(c, NULL, c->cr[3])) {
        snprintf(err, errlen, "PAE boot: a reserved bit in a PDPTE");
        return false;
    }
    c->hflags &= ~HF_CPL_MASK;
    boot_seg(c, X86_SEG_CS, st->cs, st->gdt_base);
    for (int s = 0; s < 6; s++)
        if (s != X86_SEG_CS)
            boot_seg(c, s, st->ds, st->gdt_base);
    cpu_set_eflags(c, st->rflags, ~(uint64_t)0);
    sys_mtrr_firmware(c, st->mmio_hole);
    c->a20_off = false;
    sc_of(c)->halted = false;
    cpu_update_hflags(c);
    cpu_tlb_flush(c);
    return true;
}

static uint8_t ack(void *opaque)
{
    struct sys_cpu *sc = opaque;
    return sc->bus.ops->inta(sc->bus.opaque);
}

static enum sysbus_exit sys_exec(struct cpu *c, uint64_t budget)
{
    struct sys_cpu *sc = sc_of(c);
    uint64_t start = c->insn_count;
    enum sysbus_exit ret = SYSBUS_EXIT_BUDGET;
    for (;;) {
        if (sc->ext_exit) {
            sc->ext_exit = 0;
            c->exit_request = 0;
            ret = SYSBUS_EXIT_REQUEST;
            break;
        }
        if (c->shutdown) {
            c->shutdown = false;
            sc->halted = true;
            sc->bus.ops->request(sc->bus.opaque, SYSBUS_REQ_TRIPLE_FAULT);
            ret = SYSBUS_EXIT_REQUEST;
            break;
        }
        bool can_irq = c->irq_line && (c->eflags & CPU_IF);
        bool can_nmi = c->nmi_pending && !c->nmi_blocked;
        if (sc->halted) {
            if (!can_irq && !can_nmi) {
                ret = SYSBUS_EXIT_HALTED;
                break;
            }
            sc->halted = false;
        }
        if (can_nmi && cpu_take_nmi(c))
            can_irq = false;        /* the NMI handler's first instruction runs first */
        else if (can_irq)
            cpu_take_irq(c, ack, sc);
        uint64_t used = c->insn_count - start;
        if (used >= budget) {
            ret = SYSBUS_EXIT_BUDGET;
            break;
        }
        uint64_t left = budget - used;
        /* In an STI / MOV SS shadow with an interrupt waiting: one instruction first.
           That step ends the shadow even when RIP stays put: a REP string
           instruction does one iteration and is interruptible after it. */
        bool shadow_step = false;
        if (c->irq_inhibit && (can_irq || can_nmi) && c->rip == c->irq_inhibit_rip) {
            left = 1;
            shadow_step = true;
        }
        c->exit_request = 0;
        int r = cpu_exec(c, left);
        if (c->irq_inhibit && (shadow_step || c->rip != c->irq_inhibit_rip))
            c->irq_inhibit = false;
        if (c->irq_inhibit_pending) {
            /* SS was loaded and the block ended after it (or later: then a harmless
               one-instruction delay): no interrupt before the next instruction runs. */
            c->irq_inhibit_pending = false;
            c->irq_inhibit = true;
            c->irq_inhibit_rip = c->rip;
        }
        if (r == CPU_EXIT_HLT) {
            sc->halted = true;
            continue; /* an interrupt may already be waiting */
        }
        if (r == CPU_EXIT_EXCEPTION) {
            ret = SYSBUS_EXIT_ERROR;
            break;
        }
        if (r == CPU_EXIT_DEBUG) { /* a debugger breakpoint (cpu/debug.h) */
            ret = SYSBUS_EXIT_DEBUG;
            break;
        }
    }
    account(sc);
    return ret;
}

static void sys_set_irq_line(struct cpu *c, int level)
{
    c->irq_line = level != 0;
    if (c->irq_line && (c->eflags & CPU_IF))
        c->exit_request = 1;
}

static void sys_nmi(struct cpu *c)
{
    c->nmi_pending = true;
    c->exit_request = 1;
}

static void sys_set_a20(struct cpu *c, bool enabled)
{
    if (c->a20_off == !enabled)
        return;
    c->a20_off = !enabled;
    cpu_tlb_flush(c);
    c->exit_request = 1;
}

static void sys_request_exit(struct cpu *c)
{
    sc_of(c)->ext_exit = 1;
    c->exit_request = 1;
}

static void sys_map_changed(struct cpu *c)
{
    cpu_tlb_flush(c);
    c->exit_request = 1;
}

static void sys_phys_written(struct cpu *c, uint64_t paddr, uint64_t len)
{
    tb_invalidate_phys_range(sc_of(c)->tbc, paddr, paddr + len);
}

static const struct sysbus_cpu_ops sys_ops = {
    .create = sys_create,
    .destroy = sys_destroy,
    .reset = sys_reset,
    .set_boot_state = sys_set_boot_state,
    .exec = sys_exec,
    .set_irq_line = sys_set_irq_line,
    .nmi = sys_nmi,
    .set_a20 = sys_set_a20,
    .request_exit = sys_request_exit,
    .map_changed = sys_map_changed,
    .phys_written = sys_phys_written,
};

const struct sysbus_cpu_ops *cpu_sys_ops(void)
{
    return &sys_ops;
}
