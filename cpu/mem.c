/* SPDX-License-Identifier: MIT */
/* mem.c: soft-TLB fill, slow-path loads/stores, code fetch and self-modifying-code detection. */
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/debug.h"
#include "cpu/decode.h"
#include "cpu/helpers.h"
#include "cpu/trace_mmu.h"
#include "cpu/translate.h"
#include "translate/tb.h"

_Static_assert(CPU_MEMOP_SS == IR_MEM_GUEST(1), "CPU_MEMOP_SS is a guest memop bit");
_Static_assert(CPU_MEMOP_RMW == IR_MEM_GUEST(2), "CPU_MEMOP_RMW is a guest memop bit");

/* IA-32e mode: bits 63..47 of a linear address must be equal (in compatibility
   mode addresses are 32-bit, always canonical). */
static bool noncanonical(const struct cpu *cpu, uint64_t addr)
{
    return (cpu->hflags & HF_LMA) && (uint64_t)((int64_t)(addr << 16) >> 16) != addr;
}

/* Raises #GP(0), or #SS(0) for a stack reference, when the first or last byte of
   the access is non-canonical. */
static void canonical_check(struct cpu *cpu, uint64_t addr, unsigned size, unsigned idx)
{
    if (noncanonical(cpu, addr) || noncanonical(cpu, addr + size - 1))
        cpu_raise(cpu, (idx & CPU_MEM_SS) ? EXC_SS : EXC_GP, true, 0);
}

static struct tlb_entry *entry(struct cpu *cpu, unsigned idx, uint64_t addr, unsigned *slot)
{
    *slot = (unsigned)(addr >> TLB_PAGE_BITS) & (TLB_SIZE - 1);
    return &cpu->tlb.e[idx & (TLB_MMU_MODES - 1)][*slot];
}

/* Code may map elsewhere after a flush: retire every jump-cache entry (cpu.h jc_gen). */
static void jc_retire(struct cpu *cpu)
{
    if (++cpu->jc_gen == 0 && cpu->tbc)
        tb_jc_clear(cpu->tbc);   /* wrapped: entries of generation 0 could match again */
}

/* Only the modes filled since their last flush need emptying (a boot or a
   user program mostly uses one or two of them). */
void cpu_tlb_flush(struct cpu *cpu)
{
    for (unsigned m = 0; m < TLB_MMU_MODES; m++)
        if (cpu->tlb_used & (1u << m))
            tlb_flush_mode(&cpu->tlb, m);
    cpu->tlb_used = 0;
    jc_retire(cpu);
    if (kiln_log_enabled(cpu->log, KILN_LOG_MMU))
        cpu_trace_mmu_flush(cpu, "all");
}

void cpu_tlb_flush_nonglobal(struct cpu *cpu)
{
    if (!(cpu->cr[4] & 0x80)) { /* CR4.PGE clear: no global entry */
        cpu_tlb_flush(cpu);
        return;
    }
    for (unsigned m = 0; m < TLB_MMU_MODES; m++) {
        if (!(cpu->tlb_used & (1u << m)))
            continue;
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            if (cpu->tlb_global[m][i])
                continue;
            struct tlb_entry *e = &cpu->tlb.e[m][i];
            e->read_tag = e->write_tag = e->code_tag = TLB_INVALID;
            e->addend = 0;
        }
    }
    jc_retire(cpu);
    if (kiln_log_enabled(cpu->log, KILN_LOG_MMU))
        cpu_trace_mmu_flush(cpu, "non-global");
}

/* Fills the entry of addr's page for the access; returns the host page (NULL: MMIO).
   With CPU_ACC_NOFAULT, *ok reports a fault instead of raising it. */
static uint8_t *fill(struct cpu *cpu, uint64_t addr, unsigned acc, unsigned idx, uint64_t *phys, bool *ok)
{
    uint64_t ph = 0;
    uint8_t *host = NULL;
    unsigned prot = 0, slot;
    cpu->stats.tlb_fills++;
    idx &= TLB_MMU_MODES - 1;
    *ok = cpu->mem->translate(cpu, addr, acc, idx, &ph, &host, &prot);
    if (kiln_log_enabled(cpu->log, KILN_LOG_MMU))
        cpu_trace_mmu_fill(cpu, addr, acc, idx, *ok, ph, prot, host != NULL);
    if (!*ok)
        return NULL;
    uint64_t vpage = addr & TLB_PAGE_MASK;
    struct tlb_entry *e = entry(cpu, idx, addr, &slot);
    cpu->tlb_used |= 1u << idx;
    ph &= TLB_PAGE_MASK;
    uint64_t fast = host ? vpage : (vpage | TLB_SLOW);
    e->read_tag = (prot & CPU_PROT_R) ? fast : TLB_INVALID;
    e->code_tag = (prot & CPU_PROT_X) ? fast : TLB_INVALID;
    e->write_tag = TLB_INVALID;
    if (prot & CPU_PROT_W)
        e->write_tag = (host && !(cpu->tbc && tb_page_has_code(cpu->tbc, ph))) ? vpage : (vpage | TLB_SLOW);
    e->addend = host ? (intptr_t)host - (intptr_t)vpage : 0;
    if (__builtin_expect(cpu->dbg.nwatch != 0, 0)) { /* watched pages: slow path (cpu/debug.h) */
        unsigned w = cpu_watch_page(cpu, vpage);
        e->read_tag |= (w & 1) ? TLB_SLOW : 0;
        e->write_tag |= (w & 2) ? TLB_SLOW : 0;
    }
    cpu->tlb_phys[idx % TLB_MMU_MODES][slot] = ph;
    cpu->tlb_global[idx % TLB_MMU_MODES][slot] = (prot & CPU_PROT_G) != 0;
    *phys = ph;
    return host;
}

void cpu_tlb_protect_code(struct cpu *cpu, uint64_t phys_page)
{
    for (unsigned m = 0; m < TLB_MMU_MODES; m++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            struct tlb_entry *e = &cpu->tlb.e[m][i];
            if (!(e->write_tag & (TLB_INVALID | TLB_SLOW)) && cpu->tlb_phys[m][i] == phys_page)
                e->write_tag |= TLB_SLOW;
        }
}

static uint64_t ld_host(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return p[0];
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void st_host(uint8_t *p, uint64_t v, unsigned size)
{
    switch (size) {
    case 1: p[0] = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

/* Physical page of linear address lin as code, or TB_NO_PAGE. */
static uint64_t code_page(struct cpu *cpu, uint64_t lin)
{
    uint64_t ph = 0;
    uint8_t *host = NULL;
    unsigned prot = 0;
    if (!(cpu->hflags & HF_CS64))
        lin &= 0xffffffffu;
    if (noncanonical(cpu, lin))
        return TB_NO_PAGE;
    if (!cpu->mem->translate(cpu, lin, CPU_ACC_FETCH | CPU_ACC_NOFAULT, cpu_mmu_idx(cpu), &ph, &host, &prot))
        return TB_NO_PAGE;
    return ph & TLB_PAGE_MASK;
}

/*
 * A store of size bytes to physical phys on a page holding code: invalidates the
 * blocks there. The running block may be among them; it cannot be named (engines
 * do not say which block runs), but it holds the current instruction (rip is exact
 * at every store), and a block never spans more than the current instruction's
 * pages. So when the store invalidated something on those pages, it unwinds before
 * storing and the loop re-executes the instruction alone (TB_CF_SINGLE), whose own
 * stores go through.
 */
static void code_write(struct cpu *cpu, uint64_t phys, unsigned size)
{
    unsigned n = tb_invalidate_phys_range(cpu->tbc, phys, phys + size);
    if (n == 0 || !cpu->in_block || cpu->in_single)
        return;
    cpu_sync_insn(cpu);
    uint64_t lin = cpu_pc_linear(cpu);
    uint64_t p0 = code_page(cpu, lin), p1 = code_page(cpu, lin + X86_MAX_INSN_LEN - 1);
    uint64_t w0 = phys & TLB_PAGE_MASK, w1 = (phys + size - 1) & TLB_PAGE_MASK;
    bool hit = w0 == p0 || w0 == p1 || w1 == p0 || w1 == p1;
    if (hit) {
        cpu->smc_single = true;
        cpu->excp_vector = -1;
        longjmp(cpu->jmp, 2);
    }
}

static uint64_t ld_page(struct cpu *cpu, uint64_t addr, unsigned size, unsigned idx)
{
    unsigned slot;
    struct tlb_entry *e = entry(cpu, idx, addr, &slot);
    if (e->read_tag == (addr & TLB_PAGE_MASK))
        return ld_host((const uint8_t *)(uintptr_t)(addr + (uint64_t)e->addend), size);
    uint64_t ph;
    bool ok;
    uint8_t *host = fill(cpu, addr, CPU_ACC_READ, idx, &ph, &ok);
    uint64_t off = addr & (TLB_PAGE_SIZE - 1);
    if (host)
        return ld_host(host + off, size);
    return cpu->mem->mmio_read ? cpu->mem->mmio_read(cpu, ph + off, size) : ~(uint64_t)0;
}

static void st_page(struct cpu *cpu, uint64_t addr, uint64_t v, unsigned size, unsigned idx)
{
    unsigned slot;
    struct tlb_entry *e = entry(cpu, idx, addr, &slot);
    uint64_t vpage = addr & TLB_PAGE_MASK;
    if (e->write_tag == vpage) {
        st_host((uint8_t *)(uintptr_t)(addr + (uint64_t)e->addend), v, size);
        return;
    }
    uint64_t ph;
    bool ok;
    uint8_t *host = fill(cpu, addr, CPU_ACC_WRITE, idx, &ph, &ok);
    uint64_t off = addr & (TLB_PAGE_SIZE - 1);
    if (!host) {
        if (cpu->mem->mmio_write)
            cpu->mem->mmio_write(cpu, ph + off, v, size);
        return;
    }
    if (cpu->tbc && tb_page_has_code(cpu->tbc, ph)) {
        code_write(cpu, ph + off, size);
        if (!tb_page_has_code(cpu->tbc, ph) && (e->write_tag & ~(uint64_t)TLB_SLOW) == vpage)
            e->write_tag = vpage;
    }
    st_host(host + off, v, size);
}

/* Makes addr's page present in the TLB for the access (filling it, which may raise). */
static void probe(struct cpu *cpu, uint64_t addr, unsigned acc, unsigned idx)
{
    unsigned slot;
    struct tlb_entry *e = entry(cpu, idx, addr, &slot);
    uint64_t tag = acc == CPU_ACC_WRITE ? e->write_tag : e->read_tag;
    if ((tag & ~(uint64_t)TLB_SLOW) == (addr & TLB_PAGE_MASK))
        return;
    uint64_t ph;
    bool ok;
    fill(cpu, addr, acc, idx, &ph, &ok);
}

uint64_t cpu_ld(struct cpu *cpu, uint64_t addr, unsigned size, unsigned idx)
{
    if (size > 8)
        size = 8;
    canonical_check(cpu, addr, size, idx);
    if (__builtin_expect(cpu->dbg.nwatch != 0, 0))
        cpu_watch_check(cpu, addr, size, false);
    idx &= TLB_MMU_MODES - 1;
    if ((addr & (TLB_PAGE_SIZE - 1)) + size <= TLB_PAGE_SIZE)
        return ld_page(cpu, addr, size, idx);
    /* Page-crossing: both pages must translate before any byte is read; a fault
       on the second reports its first byte (CR2), as hardware does. */
    probe(cpu, addr, CPU_ACC_READ, idx);
    probe(cpu, (addr + size - 1) & TLB_PAGE_MASK, CPU_ACC_READ, idx);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= ld_page(cpu, addr + i, 1, idx) << (8 * i);
    return v;
}

void cpu_st(struct cpu *cpu, uint64_t addr, uint64_t v, unsigned size, unsigned idx)
{
    if (size > 8)
        size = 8;
    canonical_check(cpu, addr, size, idx);
    if (__builtin_expect(cpu->dbg.nwatch != 0, 0))
        cpu_watch_check(cpu, addr, size, true);
    idx &= TLB_MMU_MODES - 1;
    if ((addr & (TLB_PAGE_SIZE - 1)) + size <= TLB_PAGE_SIZE) {
        st_page(cpu, addr, v, size, idx);
        return;
    }
    /* Page-crossing: check both pages before writing anything (CR2 as for loads). */
    probe(cpu, addr, CPU_ACC_WRITE, idx);
    probe(cpu, (addr + size - 1) & TLB_PAGE_MASK, CPU_ACC_WRITE, idx);
    for (unsigned i = 0; i < size; i++)
        st_page(cpu, addr + i, v >> (8 * i), 1, idx);
}

void cpu_probe(struct cpu *cpu, uint64_t addr, unsigned size, bool write, unsigned idx)
{
    if (size == 0)
        return;
    canonical_check(cpu, addr, size, idx);
    idx &= TLB_MMU_MODES - 1;
    unsigned acc = write ? CPU_ACC_WRITE : CPU_ACC_READ;
    uint64_t last = (addr + size - 1) & TLB_PAGE_MASK;
    for (uint64_t p = addr;; p = (p & TLB_PAGE_MASK) + TLB_PAGE_SIZE) {
        probe(cpu, p, acc, idx);
        if ((p & TLB_PAGE_MASK) == last)
            break;
    }
}

void *cpu_host_ptr(struct cpu *cpu, uint64_t addr, unsigned size, bool write, unsigned idx)
{
    if ((addr & (TLB_PAGE_SIZE - 1)) + size > TLB_PAGE_SIZE || noncanonical(cpu, addr))
        return NULL;
    idx &= TLB_MMU_MODES - 1;
    unsigned slot;
    struct tlb_entry *e = entry(cpu, idx, addr, &slot);
    uint64_t vpage = addr & TLB_PAGE_MASK;
    uint64_t *tag = write ? &e->write_tag : &e->read_tag;
    if (*tag != vpage) {
        uint64_t ph;
        bool ok;
        fill(cpu, addr, write ? CPU_ACC_WRITE : CPU_ACC_READ, idx, &ph, &ok);
        if (*tag != vpage)
            return NULL;
    }
    return (void *)(uintptr_t)(addr + (uint64_t)e->addend);
}

size_t cpu_fetch_code(struct cpu *cpu, uint64_t addr, uint8_t *buf, size_t len, uint64_t *phys,
                      bool may_fault)
{
    uint64_t ph = 0;
    uint8_t *host = NULL;
    unsigned prot = 0;
    unsigned idx = cpu_mmu_idx(cpu);
    unsigned acc = CPU_ACC_FETCH | (may_fault ? 0 : CPU_ACC_NOFAULT);
    if (noncanonical(cpu, addr)) {
        if (may_fault)
            cpu_raise(cpu, EXC_GP, true, 0);
        return 0;
    }
    if (!cpu->mem->translate(cpu, addr, acc, idx, &ph, &host, &prot))
        return 0;
    uint64_t off = addr & (TLB_PAGE_SIZE - 1);
    if (len > TLB_PAGE_SIZE - off)
        len = TLB_PAGE_SIZE - off;
    *phys = (ph & TLB_PAGE_MASK) + off;
    for (size_t i = 0; i < len; i++)
        buf[i] = host ? host[off + i]
                      : (cpu->mem->mmio_read ? (uint8_t)cpu->mem->mmio_read(cpu, *phys + i, 1) : 0xff);
    return len;
}

uint64_t cpu_code_phys(struct cpu *cpu, uint64_t lin)
{
    unsigned idx = cpu_mmu_idx(cpu), slot;
    uint64_t vpage = lin & TLB_PAGE_MASK, off = lin & (TLB_PAGE_SIZE - 1), ph;
    struct tlb_entry *e = entry(cpu, idx, lin, &slot);
    if ((e->code_tag & ~(uint64_t)TLB_SLOW) == vpage)
        return cpu->tlb_phys[idx & (TLB_MMU_MODES - 1)][slot] + off;
    if (noncanonical(cpu, lin))
        return TB_NO_PAGE;
    bool ok;
    fill(cpu, lin, CPU_ACC_FETCH | CPU_ACC_NOFAULT, idx, &ph, &ok);
    return ok ? ph + off : TB_NO_PAGE;
}

/* The engines' slow paths. Generated code may not have stored rip before the
   access: insn_ra lets cpu_sync_insn find the instruction if something needs it. */
__attribute__((noinline)) uint64_t cpu_slow_load(void *env, uint64_t addr, unsigned memop)
{
    struct cpu *cpu = env;
    unsigned size = IR_MEM_GET_SIZE(memop);
    unsigned idx = IR_MEM_GET_IDX(memop) | ((memop & CPU_MEMOP_SS) ? CPU_MEM_SS : 0);
    cpu->insn_ra = (uintptr_t)__builtin_return_address(0);
    if (memop & CPU_MEMOP_RMW)
        cpu_probe(cpu, addr, size, true, idx); /* read with write intent */
    uint64_t v = cpu_ld(cpu, addr, size, idx);
    cpu->insn_ra = 0;
    if ((memop & IR_MEM_SIGN) && size < 8) {
        unsigned sh = 64 - 8 * size;
        v = (uint64_t)((int64_t)(v << sh) >> sh);
    }
    return v;
}

__attribute__((noinline)) void cpu_slow_store(void *env, uint64_t addr, uint64_t value, unsigned memop)
{
    struct cpu *cpu = env;
    unsigned idx = IR_MEM_GET_IDX(memop) | ((memop & CPU_MEMOP_SS) ? CPU_MEM_SS : 0);
    cpu->insn_ra = (uintptr_t)__builtin_return_address(0);
    cpu_st(cpu, addr, value, IR_MEM_GET_SIZE(memop), idx);
    cpu->insn_ra = 0;
}
