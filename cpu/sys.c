/* SPDX-License-Identifier: MIT */
/* sys.c: the full-system vCPU behind cpu_sys_ops(): struct cpu glued to the machine's struct sysbus. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/sys.h"
#include "cpu/sysbus.h"
#include "translate/engine.h"
#include "translate/log.h"
#include "translate/tb.h"

/*
 * One system vCPU: the struct cpu, its engine and translation cache, and the
 * machine's bus. The CPU reaches memory through sys_translate (paging is not
 * walked here yet: linear = physical, then the A20 mask), RAM pages as host
 * pointers from page_host cached in the soft TLB, everything else through
 * mem_read/mem_write. Interrupts (the INTR pin) are taken between cpu_exec
 * calls: set_irq_line makes the running cpu_exec return at the next block
 * boundary, and while the pin is high but masked the CPU runs in short chunks
 * so that an STI / POPF / IRET opening the window is noticed quickly.
 */

#define SYS_TSC_HZ 1000000000ull   /* RDTSC ticks per second of virtual time */
#define SYS_MASKED_CHUNK 256       /* instructions per cpu_exec while INTR is pending but masked */

struct sys_cpu {
    struct cpu cpu;
    struct engine *engine;
    struct tb_cache *tbc;
    struct sysbus bus;
    bool a20;                    /* gate A20 open */
    bool halted;                 /* HLT executed, waiting for an interrupt */
    bool running;                /* inside cpu_exec (icount fields are live) */
    volatile sig_atomic_t ext_req; /* request_exit was called */
    uint64_t reported;           /* instructions already passed to account() (insn_count scale) */
};

static struct sys_cpu *sc_of(struct cpu *c)
{
    return c->opaque;
}

/* ------------------------------------------------------------ accounting */

/* Reports the instructions retired since the last report (block granularity:
   inside cpu_exec, the running block counts as retired). */
static void sys_account(struct sys_cpu *s)
{
    struct cpu *c = &s->cpu;
    uint64_t now = c->insn_count;
    if (s->running && c->icount_start > c->icount_left)
        now += (uint64_t)(c->icount_start - c->icount_left);
    if (now > s->reported) {
        s->bus.ops->account(s->bus.opaque, now - s->reported);
        s->reported = now;
    }
}

/* ------------------------------------------------------------ memory */

static uint64_t phys_mask(const struct sys_cpu *s, uint64_t pa)
{
    if (!s->a20)
        pa &= ~(uint64_t)(1u << 20);
    return pa;
}

/* The TLB fill. Paging is not walked here: the system helper's MMU replaces
   the linear = physical step (see docs/SYSTEM.md); until then the loaders'
   identity maps behave the same. */
static bool sys_translate(struct cpu *c, uint64_t vaddr, unsigned acc, unsigned mmu_idx,
                          uint64_t *phys, uint8_t **host, unsigned *prot)
{
    struct sys_cpu *s = sc_of(c);
    (void)mmu_idx;
    uint64_t la = vaddr;
    if (!(c->hflags & HF_LMA))
        la &= 0xffffffffu;
    uint64_t pa = phys_mask(s, la) & TLB_PAGE_MASK;
    bool writable = false;
    uint8_t *h = s->bus.ops->page_host(s->bus.opaque, pa, &writable);
    *phys = pa;
    *prot = CPU_PROT_R | CPU_PROT_W | CPU_PROT_X;
    /* ROM: writes go to mem_write (which drops them), so a store never sees the host page. */
    if (h && !writable && (acc & 3) == CPU_ACC_WRITE)
        h = NULL;
    *host = h;
    return true;
}

static uint64_t sys_mmio_read(struct cpu *c, uint64_t phys, unsigned size)
{
    struct sys_cpu *s = sc_of(c);
    sys_account(s);
    return s->bus.ops->mem_read(s->bus.opaque, phys_mask(s, phys), size);
}

static void sys_mmio_write(struct cpu *c, uint64_t phys, uint64_t value, unsigned size)
{
    struct sys_cpu *s = sc_of(c);
    sys_account(s);
    s->bus.ops->mem_write(s->bus.opaque, phys_mask(s, phys), value, size);
}

static uint32_t sys_io_read(struct cpu *c, uint16_t port, unsigned size)
{
    struct sys_cpu *s = sc_of(c);
    sys_account(s);
    return s->bus.ops->io_read(s->bus.opaque, port, size);
}

static void sys_io_write(struct cpu *c, uint16_t port, uint32_t value, unsigned size)
{
    struct sys_cpu *s = sc_of(c);
    sys_account(s);
    s->bus.ops->io_write(s->bus.opaque, port, value, size);
}

static const struct cpu_mem_ops sys_mem_ops = {
    sys_translate, sys_mmio_read, sys_mmio_write, sys_io_read, sys_io_write,
};

static uint64_t sys_tsc(struct cpu *c)
{
    struct sys_cpu *s = sc_of(c);
    sys_account(s);
    int64_t ns = s->bus.ops->clock_ns(s->bus.opaque);
    if (ns < 0)
        ns = 0;
    return (uint64_t)ns / 1000000000ull * SYS_TSC_HZ +
           (uint64_t)ns % 1000000000ull * SYS_TSC_HZ / 1000000000ull;
}

/* ------------------------------------------------------------ state */

static void sys_reset(struct cpu *c)
{
    struct sys_cpu *s = sc_of(c);
    memset(c->gpr, 0, sizeof(c->gpr));
    c->gpr[2] = 0x600;           /* EDX: family 6 signature after RESET */
    c->rip = 0xfff0;
    c->cc_op = 0;
    c->cc_dst = c->cc_src = c->cc_src2 = 0;
    c->df = 1;
    cpu_set_eflags(c, 2, ~(uint64_t)0);
    for (int i = 0; i < 6; i++) {
        c->seg[i].sel = 0;
        c->seg[i].base = 0;
        c->seg[i].limit = 0xffff;
        c->seg[i].attr = 0x93;
    }
    c->seg[1].sel = 0xf000;
    c->seg[1].base = 0xffff0000u;
    c->seg[1].attr = 0x9b;
    memset(c->cr, 0, sizeof(c->cr));
    c->cr[0] = 0x60000010u;      /* CD NW ET */
    c->efer = 0;
    c->kernel_gs_base = 0;
    c->gdtr.base = 0;
    c->gdtr.limit = 0xffff;
    c->idtr.base = 0;
    c->idtr.limit = 0x3ff;
    memset(&c->ldtr, 0, sizeof(c->ldtr));
    memset(&c->tr, 0, sizeof(c->tr));
    c->ldtr.limit = c->tr.limit = 0xffff;
    c->ldtr.attr = 0x82;
    c->tr.attr = 0x8b;
    c->excp_soft = false;
    c->delivering = 0;
    c->shutdown = false;
    c->irq_inhibit = false;
    c->star = c->lstar = c->cstar = c->sfmask = c->tsc_aux = 0;
    c->sysenter_cs = c->sysenter_esp = c->sysenter_eip = 0;
    c->excp_vector = -1;
    c->hflags &= ~HF_CPL_MASK;
    cpu_update_hflags(c);
    cpu_sys_enable(c);
    s->halted = false;
    s->a20 = true;
    cpu_tlb_flush(c);
    tb_flush(s->tbc);
}

/* Reads the 8-byte descriptor of sel from the loader's GDT (physical memory). */
static bool boot_desc(struct sys_cpu *s, const struct sysbus_boot_state *st, uint16_t sel,
                      uint64_t *desc)
{
    uint32_t off = sel & 0xfff8u;
    if (off == 0 || (uint32_t)off + 7 > st->gdt_limit)
        return false;
    *desc = s->bus.ops->mem_read(s->bus.opaque, st->gdt_base + off, 8);
    return DESC_P(*desc) && DESC_S(*desc);
}

static bool sys_set_boot_state(struct cpu *c, const struct sysbus_boot_state *st, char *err,
                               size_t errlen)
{
    struct sys_cpu *s = sc_of(c);
    uint64_t cs_desc, ds_desc;
    if (st->mode != SYSBUS_BOOT_PROT32 && st->mode != SYSBUS_BOOT_LONG64) {
        snprintf(err, errlen, "unknown boot mode %d", (int)st->mode);
        return false;
    }
    if (!boot_desc(s, st, st->cs, &cs_desc) || !DESC_CODE(cs_desc) ||
        !boot_desc(s, st, st->ds, &ds_desc) || DESC_CODE(ds_desc)) {
        snprintf(err, errlen, "the boot GDT has no usable code/data descriptors (cs %#x ds %#x)",
                 st->cs, st->ds);
        return false;
    }
    if (st->mode == SYSBUS_BOOT_LONG64 && !DESC_L(cs_desc)) {
        snprintf(err, errlen, "64-bit boot with a code descriptor that is not 64-bit");
        return false;
    }
    sys_reset(c);
    memcpy(c->gpr, st->gpr, sizeof(c->gpr));
    c->rip = st->rip;
    c->gdtr.base = st->gdt_base;
    c->gdtr.limit = st->gdt_limit;
    c->idtr.base = 0;
    c->idtr.limit = 0x3ff;
    c->cr[0] = st->cr0 | 1;
    c->cr[3] = st->cr3;
    c->cr[4] = st->cr4;
    c->efer = st->efer;
    if (st->mode == SYSBUS_BOOT_LONG64)
        c->efer |= 0x500;        /* LME + LMA */
    seg_cache_set(&c->seg[1], st->cs & 0xfffc, cs_desc, 0);
    for (int i = 0; i < 6; i++)
        if (i != 1)
            seg_cache_set(&c->seg[i], st->ds & 0xfffc, ds_desc, 0);
    c->hflags &= ~HF_CPL_MASK;
    cpu_set_eflags(c, st->rflags | 2, ~(uint64_t)0);
    cpu_update_hflags(c);
    cpu_tlb_flush(c);
    return true;
}

/* ------------------------------------------------------------ running */

static uint8_t sys_inta(void *opaque)
{
    struct sys_cpu *s = opaque;
    sys_account(s);
    return s->bus.ops->inta(s->bus.opaque);
}

/* True when the INTR line can be taken now. */
static bool irq_ready(const struct cpu *c)
{
    return c->irq_line && (c->eflags & CPU_IF) &&
           !(c->irq_inhibit && c->rip == c->irq_inhibit_rip);
}

static enum sysbus_exit sys_exec(struct cpu *c, uint64_t budget)
{
    struct sys_cpu *s = sc_of(c);
    uint64_t start = c->insn_count;
    enum sysbus_exit ret;
    for (;;) {
        /* Our own reasons to stop (INTR, shutdown) use exit_request too: clear it and look. */
        c->exit_request = 0;
        if (c->shutdown) {
            c->shutdown = false;
            KILN_LOG(s->bus.log, KILN_LOG_CPU_RESET, "triple fault at %04x:%llx\n",
                     c->seg[1].sel, (unsigned long long)c->rip);
            sys_account(s);
            s->bus.ops->request(s->bus.opaque, SYSBUS_REQ_TRIPLE_FAULT);
            s->halted = true;    /* nothing runs until the machine resets us */
            ret = SYSBUS_EXIT_REQUEST;
            break;
        }
        if (s->ext_req) {
            s->ext_req = 0;
            ret = SYSBUS_EXIT_REQUEST;
            break;
        }
        if (irq_ready(c)) {
            s->halted = false;
            if (kiln_log_enabled(s->bus.log, KILN_LOG_INT))
                kiln_log_printf(s->bus.log, "INTR at %04x:%llx\n", c->seg[1].sel,
                                (unsigned long long)c->rip);
            cpu_take_irq(c, sys_inta, s);
            continue;            /* a fault delivering it may have shut the CPU down */
        }
        if (s->halted) {
            ret = SYSBUS_EXIT_HALTED;
            break;
        }
        uint64_t done = c->insn_count - start;
        if (done >= budget && done > 0) {
            ret = SYSBUS_EXIT_BUDGET;
            break;
        }
        uint64_t chunk = budget > done ? budget - done : 1;
        if (c->irq_line && chunk > SYS_MASKED_CHUNK)
            chunk = SYS_MASKED_CHUNK;
        s->running = true;
        int r = cpu_exec(c, chunk);
        s->running = false;
        if (r == CPU_EXIT_HLT) {
            s->halted = true;
        } else if (r == CPU_EXIT_EXCEPTION) {
            kiln_log_printf(s->bus.log, "cpu: exception %d not delivered at %04x:%llx\n",
                            c->excp_vector, c->seg[1].sel, (unsigned long long)c->rip);
            ret = SYSBUS_EXIT_ERROR;
            break;
        } else if (r != CPU_EXIT_BUDGET && r != CPU_EXIT_REQUEST) {
            kiln_log_printf(s->bus.log, "cpu: unexpected exit %d\n", r);
            ret = SYSBUS_EXIT_ERROR;
            break;
        }
    }
    sys_account(s);
    return ret;
}

static void sys_set_irq_line(struct cpu *c, int level)
{
    c->irq_line = level != 0;
    if (level)
        c->exit_request = 1;
}

static void sys_set_a20(struct cpu *c, bool enabled)
{
    struct sys_cpu *s = sc_of(c);
    if (s->a20 == enabled)
        return;
    s->a20 = enabled;
    cpu_tlb_flush(c);
    if (!s->running)
        tb_flush(s->tbc);   /* code seen through the old mapping */
}

static void sys_request_exit(struct cpu *c)
{
    struct sys_cpu *s = sc_of(c);
    s->ext_req = 1;
    c->exit_request = 1;
}

static void sys_map_changed(struct cpu *c)
{
    cpu_tlb_flush(c);
}

static void sys_phys_written(struct cpu *c, uint64_t paddr, uint64_t len)
{
    struct sys_cpu *s = sc_of(c);
    if (len == 0)
        return;
    uint64_t end = paddr + len < paddr ? ~(uint64_t)0 : paddr + len;
    tb_invalidate_phys_range(s->tbc, paddr, end);
}

/* ------------------------------------------------------------ life cycle */

static struct engine *make_engine(bool interp, size_t code_size)
{
    struct engine *e = NULL;
#if __has_include("translate/x86_64.h")
    if (!interp)
        e = engine_x86_64_new(&cpu_engine_guest, code_size);
#else
    (void)code_size;
#endif
    if (!interp && !e)
        return NULL;
    return e ? e : engine_interp_new(&cpu_engine_guest);
}

static void sys_destroy(struct cpu *c)
{
    if (!c)
        return;
    struct sys_cpu *s = sc_of(c);
    if (s->tbc)
        tb_cache_free(s->tbc);
    if (s->engine)
        s->engine->destroy(s->engine);
    ir_block_free(&s->cpu.irb);
    free(s);
}

static struct cpu *sys_create(const struct sysbus_cpu_config *cfg, const struct sysbus *bus,
                              char *err, size_t errlen)
{
    if (cfg->model && strcmp(cfg->model, "max") != 0 && strcmp(cfg->model, "qemu64") != 0 &&
        strcmp(cfg->model, "base") != 0) {
        snprintf(err, errlen, "unknown CPU model %s", cfg->model);
        return NULL;
    }
    if (cfg->nflags) {
        snprintf(err, errlen, "CPU feature flags (%s%s) are not supported yet",
                 cfg->flags[0].on ? "+" : "-", cfg->flags[0].name);
        return NULL;
    }
    struct sys_cpu *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->bus = *bus;
    size_t mib = cfg->tb_size_mib ? cfg->tb_size_mib : 64;
    s->engine = make_engine(cfg->interp, mib << 20);
    if (!s->engine) {
        snprintf(err, errlen, "cannot create the %s", cfg->interp ? "interpreter" : "JIT");
        free(s);
        return NULL;
    }
    s->tbc = tb_cache_new(s->engine, 65536);
    if (!s->tbc) {
        snprintf(err, errlen, "cannot create the translation cache");
        s->engine->destroy(s->engine);
        free(s);
        return NULL;
    }
    cpu_init(&s->cpu, s->tbc, s->engine, &sys_mem_ops);
    s->cpu.opaque = s;
    s->cpu.tsc = sys_tsc;
    if (cfg->one_insn_per_tb)
        s->cpu.max_block_insns = 1;
    sys_reset(&s->cpu);
    return &s->cpu;
}

static const struct sysbus_cpu_ops sys_ops = {
    .create = sys_create,
    .destroy = sys_destroy,
    .reset = sys_reset,
    .set_boot_state = sys_set_boot_state,
    .exec = sys_exec,
    .set_irq_line = sys_set_irq_line,
    .set_a20 = sys_set_a20,
    .request_exit = sys_request_exit,
    .map_changed = sys_map_changed,
    .phys_written = sys_phys_written,
};

const struct sysbus_cpu_ops *cpu_sys_ops(void)
{
    return &sys_ops;
}
