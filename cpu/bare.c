/* SPDX-License-Identifier: MIT */
/* bare.c: a vCPU on one flat block of memory, no devices (tests, difftest). */
#include <stdlib.h>
#include "config.h"
#include <string.h>
#include "cpu/bare.h"
#include "cpu/trace.h"
#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "cpu/sys.h"
#include "translate/engine.h"
#include "translate/tb.h"

/* The JIT. On an x86-64 host it must exist: a failure to create it fails
   bare_cpu_new, so JIT tests can never silently run the interpreter. Only on
   hosts without a backend does the interpreter stand in. */
static struct engine *jit_new(void)
{
#if KILN_HOST_X86_64
    return engine_x86_64_new(&cpu_engine_guest, 32u << 20);
#else
    return engine_interp_new(&cpu_engine_guest);
#endif
}

struct bare_cpu {
    struct cpu cpu;
    struct engine *engine;
    struct tb_cache *tbc;
    enum bare_mode mode;
    uint8_t *mem;
    uint64_t base;
    size_t size;
    /* Copies of pages holding translated code, to see writes made through bare_cpu_mem. */
    uint32_t (*io_rd)(void *opaque, uint16_t port, unsigned size);
    void (*io_wr)(void *opaque, uint16_t port, uint32_t value, unsigned size);
    void *io_opaque;
    uint32_t deliver_mask;
    bool stopped_exc;       /* bare_deliver stopped at an undelivered exception */
    uint8_t **shadow;
    size_t *shadow_list;
    size_t nshadow;
};

static bool bare_translate(struct cpu *c, uint64_t vaddr, unsigned acc, unsigned mmu_idx,
                           uint64_t *phys, uint8_t **host, unsigned *prot)
{
    struct bare_cpu *bc = c->opaque;
    (void)mmu_idx;
    if (vaddr >= bc->base && vaddr - bc->base < bc->size) {
        uint64_t page = (vaddr - bc->base) & TLB_PAGE_MASK;
        *phys = bc->base + page;
        *host = bc->mem + page;
        *prot = CPU_PROT_R | CPU_PROT_W | CPU_PROT_X;
        return true;
    }
    if (acc & CPU_ACC_NOFAULT)
        return false;
    enum cpu_access a = (enum cpu_access)(acc & 3);
    if (bc->mode == BARE_MODE_LONG64)
        cpu_raise_pf(c, vaddr, (a == CPU_ACC_WRITE ? 2u : 0u) | (a == CPU_ACC_FETCH ? 0x10u : 0u));
    cpu_raise(c, EXC_GP, true, 0);
}

static uint32_t bare_io_read(struct cpu *c, uint16_t port, unsigned size);
static void bare_io_write(struct cpu *c, uint16_t port, uint32_t value, unsigned size);
static const struct cpu_mem_ops bare_mem_ops = { bare_translate, NULL, NULL, bare_io_read, bare_io_write };

static void bare_code_page(struct cpu *c, uint64_t phys_page)
{
    struct bare_cpu *bc = c->opaque;
    if (phys_page < bc->base || phys_page - bc->base >= bc->size)
        return;
    size_t i = (size_t)((phys_page - bc->base) >> TLB_PAGE_BITS);
    if (bc->shadow[i])
        return;
    bc->shadow[i] = malloc(TLB_PAGE_SIZE);
    if (!bc->shadow[i])
        return;
    memcpy(bc->shadow[i], bc->mem + (i << TLB_PAGE_BITS), TLB_PAGE_SIZE);
    bc->shadow_list[bc->nshadow++] = i;
}

/* Invalidates code on pages changed behind the CPU's back. */
static void check_shadows(struct bare_cpu *bc)
{
    size_t n = 0;
    for (size_t k = 0; k < bc->nshadow; k++) {
        size_t i = bc->shadow_list[k];
        const uint8_t *cur = bc->mem + (i << TLB_PAGE_BITS);
        if (memcmp(bc->shadow[i], cur, TLB_PAGE_SIZE) != 0) {
            uint64_t pa = bc->base + ((uint64_t)i << TLB_PAGE_BITS);
            tb_invalidate_phys_range(bc->tbc, pa, pa + TLB_PAGE_SIZE);
            free(bc->shadow[i]);
            bc->shadow[i] = NULL;
        } else {
            bc->shadow_list[n++] = i;
        }
    }
    bc->nshadow = n;
}

static void refresh_shadows(struct bare_cpu *bc)
{
    for (size_t k = 0; k < bc->nshadow; k++) {
        size_t i = bc->shadow_list[k];
        memcpy(bc->shadow[i], bc->mem + (i << TLB_PAGE_BITS), TLB_PAGE_SIZE);
    }
}

static void set_mode(struct bare_cpu *bc)
{
    struct cpu *c = &bc->cpu;
    for (int i = 0; i < 6; i++) {
        c->seg[i].base = 0;
        c->seg[i].limit = bc->mode == BARE_MODE_REAL ? 0xffff : 0xffffffffu;
        c->seg[i].attr = 0x93 | (bc->mode == BARE_MODE_PROT32 ? SEG_ATTR_DB | 0x800 : 0);
    }
    c->seg[1].attr = (uint16_t)((c->seg[1].attr & ~0xffu) | 0x9b);
    switch (bc->mode) {
    case BARE_MODE_REAL:
        c->cr[0] = 0x10;
        break;
    case BARE_MODE_PROT16:
    case BARE_MODE_PROT32:
        c->cr[0] = 0x11;
        break;
    case BARE_MODE_LONG64:
        c->cr[0] = 0x80000011u;
        c->cr[4] = 0x20 | 0x600; /* PAE, OSFXSR, OSXMMEXCPT */
        c->efer = 0x500;
        c->seg[1].attr = 0x9b | SEG_ATTR_L | 0x800;
        break;
    }
    cpu_update_hflags(c);
}

struct bare_cpu *bare_cpu_new(enum bare_engine engine, enum bare_mode mode,
                              uint64_t mem_base, size_t mem_size)
{
    if ((mem_base & (TLB_PAGE_SIZE - 1)) || mem_size == 0 || mode > BARE_MODE_LONG64)
        return NULL;
    struct bare_cpu *bc = calloc(1, sizeof(*bc));
    if (!bc)
        return NULL;
    size_t npages = (mem_size + TLB_PAGE_SIZE - 1) >> TLB_PAGE_BITS;
    bc->mode = mode;
    bc->base = mem_base;
    bc->size = mem_size;
    bc->mem = calloc(1, npages << TLB_PAGE_BITS);
    bc->shadow = calloc(npages, sizeof(*bc->shadow));
    bc->shadow_list = calloc(npages, sizeof(*bc->shadow_list));
    if (engine == BARE_ENGINE_JIT)
        bc->engine = jit_new();
    else
        bc->engine = engine_interp_new(&cpu_engine_guest);
    if (bc->engine)
        bc->tbc = tb_cache_new(bc->engine, 16384);
    if (!bc->mem || !bc->shadow || !bc->shadow_list || !bc->tbc) {
        bare_cpu_free(bc);
        return NULL;
    }
    cpu_init(&bc->cpu, bc->tbc, bc->engine, &bare_mem_ops);
    cpu_rng_seed(&bc->cpu, true, 0); /* tests repeat: RDRAND gives the same sequence */
    bc->cpu.opaque = bc;
    bc->cpu.on_code_page = bare_code_page;
    set_mode(bc);
    return bc;
}

void bare_cpu_free(struct bare_cpu *bc)
{
    if (!bc)
        return;
    if (kiln_log_enabled(bc->cpu.log, KILN_LOG_STATS))
        cpu_trace_stats(&bc->cpu);
    if (bc->tbc)
        tb_cache_free(bc->tbc);
    if (bc->engine)
        bc->engine->destroy(bc->engine);
    ir_block_free(&bc->cpu.irb);
    if (bc->shadow) {
        size_t npages = (bc->size + TLB_PAGE_SIZE - 1) >> TLB_PAGE_BITS;
        for (size_t i = 0; i < npages; i++)
            free(bc->shadow[i]);
    }
    free(bc->shadow);
    free(bc->shadow_list);
    free(bc->mem);
    free(bc);
}

void bare_cpu_set_log(struct bare_cpu *bc, struct kiln_log *log)
{
    bc->cpu.log = log;
}

uint8_t *bare_cpu_mem(struct bare_cpu *bc)
{
    return bc->mem;
}

bool bare_cpu_write(struct bare_cpu *bc, uint64_t addr, const void *src, size_t len)
{
    if (addr < bc->base || addr - bc->base > bc->size || len > bc->size - (addr - bc->base))
        return false;
    memcpy(bc->mem + (addr - bc->base), src, len);
    return true;
}

void bare_cpu_get_regs(struct bare_cpu *bc, struct bare_regs *r)
{
    struct cpu *c = &bc->cpu;
    memset(r, 0, sizeof(*r));
    memcpy(r->gpr, c->gpr, sizeof(r->gpr));
    r->rip = c->rip;
    r->rflags = cpu_get_eflags(c);
    for (int i = 0; i < 6; i++)
        r->seg[i] = c->seg[i].sel;
    r->fs_base = c->seg[4].base;
    r->gs_base = c->seg[5].base;
}

void bare_cpu_set_regs(struct bare_cpu *bc, const struct bare_regs *r)
{
    struct cpu *c = &bc->cpu;
    memcpy(c->gpr, r->gpr, sizeof(c->gpr));
    c->rip = r->rip;
    for (int i = 0; i < 6; i++) {
        c->seg[i].sel = r->seg[i];
        c->seg[i].base = bc->mode == BARE_MODE_REAL ? (uint64_t)r->seg[i] << 4 : 0;
    }
    if (bc->mode == BARE_MODE_LONG64) {
        c->seg[4].base = r->fs_base;
        c->seg[5].base = r->gs_base;
    }
    /* RF, VM, VIF, VIP are not settable here; IOPL/IF/AC/ID/NT/TF are kept as given. */
    cpu_set_eflags(c, r->rflags, 0x3f7fd5u & ~(uint64_t)(CPU_VM | CPU_RF | CPU_VIF | CPU_VIP));
    cpu_update_hflags(c);
}

/* Delivers what the mask allows; otherwise stops cpu_exec with the exception recorded. */
static void bare_deliver(struct cpu *c)
{
    struct bare_cpu *bc = c->opaque;
    int v = c->excp_vector;
    bool soft = c->excp_soft;
    if (v >= 0 && v < 32 && !soft && !c->delivering && !(bc->deliver_mask & (1u << v))) {
        bc->stopped_exc = true;
        c->excp_soft = false;
        c->exit_request = 1;
        return;
    }
    cpu_sys_deliver(c);
}

void bare_cpu_set_deliver_mask(struct bare_cpu *bc, uint32_t mask)
{
    bc->deliver_mask = mask;
    if (mask) {
        cpu_sys_enable(&bc->cpu);
        bc->cpu.deliver = bare_deliver;
    } else {
        bc->cpu.deliver = NULL;
    }
}

void bare_cpu_set_deliver(struct bare_cpu *bc, bool deliver)
{
    bare_cpu_set_deliver_mask(bc, deliver ? ~0u : 0);
}

static uint32_t bare_io_read(struct cpu *c, uint16_t port, unsigned size)
{
    struct bare_cpu *bc = c->opaque;
    if (!bc->io_rd)
        return size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
    return bc->io_rd(bc->io_opaque, port, size);
}

static void bare_io_write(struct cpu *c, uint16_t port, uint32_t value, unsigned size)
{
    struct bare_cpu *bc = c->opaque;
    if (bc->io_wr)
        bc->io_wr(bc->io_opaque, port, value, size);
}

void bare_cpu_set_io(struct bare_cpu *bc, uint32_t (*rd)(void *opaque, uint16_t port, unsigned size),
                     void (*wr)(void *opaque, uint16_t port, uint32_t value, unsigned size),
                     void *opaque)
{
    bc->io_rd = rd;
    bc->io_wr = wr;
    bc->io_opaque = opaque;
}

void bare_cpu_run(struct bare_cpu *bc, uint64_t max_insns, struct bare_result *res)
{
    struct cpu *c = &bc->cpu;
    memset(res, 0, sizeof(*res));
    check_shadows(bc);
    uint64_t before = c->insn_count;
    c->excp_vector = -1;
    c->excp_soft = false;
    int r = cpu_exec(c, max_insns);
    /* The CPU kept its blocks in step with its own stores: the pages as they are
       now are what the next run compares against. */
    refresh_shadows(bc);
    res->insns = c->insn_count - before;
    if (c->shutdown) { /* triple fault (delivering CPU) */
        c->shutdown = false;
        c->exit_request = 0;
        res->stop = BARE_STOP_EXCEPTION;
        res->vector = EXC_DF;
        return;
    }
    if (bc->stopped_exc) {
        bc->stopped_exc = false;
        c->exit_request = 0;
        r = CPU_EXIT_EXCEPTION;
    }
    switch (r) {
    case CPU_EXIT_HLT:
        res->stop = BARE_STOP_HLT;
        break;
    case CPU_EXIT_DEBUG:
        res->stop = BARE_STOP_DEBUG;
        break;
    case CPU_EXIT_EXCEPTION:
        res->stop = BARE_STOP_EXCEPTION;
        res->vector = (uint8_t)c->excp_vector;
        res->has_error_code = c->excp_has_error;
        res->error_code = c->excp_error;
        res->cr2 = c->excp_vector == EXC_PF ? c->excp_cr2 : 0;
        break;
    default:
        res->stop = BARE_STOP_BUDGET;
        break;
    }
}

struct cpu *bare_cpu_cpu(struct bare_cpu *bc)
{
    return &bc->cpu;
}
