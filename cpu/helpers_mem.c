/* SPDX-License-Identifier: MIT */
/* helpers_mem.c: string instructions, atomic read-modify-write, CMPXCHG8B/16B. */
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/debug.h"
#include "cpu/helpers.h"
#include "cpu/sys.h"
#include "cpu/rmw.h"
#include "cpu/strop.h"

/* Linear address of seg:off for an access of size bytes (a write when write),
   with the segment checks of real, virtual-8086 and protected mode. */
static uint64_t seg_addr(struct cpu *cpu, unsigned seg, uint64_t off, unsigned size, bool write)
{
    if ((!(cpu->hflags & HF_PE) || (cpu->hflags & HF_VM)) && off + size - 1 > cpu->seg[seg].limit)
        cpu_raise(cpu, seg == 2 ? EXC_SS : EXC_GP, true, 0);
    seg_chk_access(cpu, seg, off, size, write);
    if (cpu->hflags & HF_CS64)
        return (seg == 4 || seg == 5) ? cpu->seg[seg].base + off : off;
    return (cpu->seg[seg].base + off) & 0xffffffffu;
}

static uint64_t h_string(void *env, uint64_t desc, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    unsigned kind = desc & 15, size = (desc >> 4) & 15, as = (desc >> 8) & 15;
    unsigned rep = (desc >> 12) & 15, seg = (desc >> 16) & 7;
    unsigned idx = cpu_mmu_idx(cpu);
    uint64_t am = helper_mask(as), step = (uint64_t)((int64_t)cpu->df * (int64_t)size);
    (void)a1; (void)a2; (void)a3;
    if (seg > 5)
        seg = 3;
    unsigned sidx = idx | (seg == X86_SEG_SS ? CPU_MEM_SS : 0); /* source: #SS if non-canonical */
    /* Each iteration counts as an instruction: the block charged one, the others
       come out of the remaining budget (so budgets and single-steps see iterations). */
    int64_t batch = (desc & STR_ONE) ? 1 : STR_FAST_BATCH, slow = 0;
    if (batch > cpu->icount_left + 1)
        batch = cpu->icount_left + 1 > 1 ? cpu->icount_left + 1 : 1;
    for (int64_t n = 0; n < batch; n++) {
        if (rep != STR_REP_NONE && (cpu->gpr[1] & am) == 0)
            return 0;
        uint64_t k = batch > 1 ? str_fast(cpu, kind, size, as, rep, seg, idx, (uint64_t)(batch - n)) : 0;
        if (k) {
            cpu->icount_left -= (int64_t)k - (n == 0);
            n += (int64_t)k - 1;
            if ((cpu->gpr[1] & am) == 0 || (rep == STR_REP_E && cpu->cc_dst != 0 &&
                                            (kind == STR_CMPS || kind == STR_SCAS)) ||
                (rep == STR_REP_NE && cpu->cc_dst == 0 && (kind == STR_CMPS || kind == STR_SCAS)))
                return 0;
            continue;
        }
        if (slow++ == STR_BATCH)
            return 1;
        if (n > 0)
            cpu->icount_left--;
        uint64_t si = cpu->gpr[6] & am, di = cpu->gpr[7] & am;
        switch (kind) {
        case STR_MOVS: {
            uint64_t v = cpu_ld(cpu, seg_addr(cpu, seg, si, size, false), size, sidx);
            cpu_st(cpu, seg_addr(cpu, 0, di, size, true), v, size, idx);
            helper_set_gpr(cpu, 6, as, si + step);
            helper_set_gpr(cpu, 7, as, di + step);
            break;
        }
        case STR_INS: {
            uint64_t a = seg_addr(cpu, 0, di, size, true);
            uint64_t v = cpu_io_read(cpu, (uint16_t)cpu->gpr[2], size);
            cpu_st(cpu, a, v, size, idx);
            helper_set_gpr(cpu, 7, as, di + step);
            break;
        }
        case STR_OUTS: {
            uint64_t v = cpu_ld(cpu, seg_addr(cpu, seg, si, size, false), size, sidx);
            cpu_io_write(cpu, (uint16_t)cpu->gpr[2], (uint32_t)v, size);
            helper_set_gpr(cpu, 6, as, si + step);
            break;
        }
        case STR_STOS:
            cpu_st(cpu, seg_addr(cpu, 0, di, size, true), cpu->gpr[0], size, idx);
            helper_set_gpr(cpu, 7, as, di + step);
            break;
        case STR_LODS: {
            uint64_t v = cpu_ld(cpu, seg_addr(cpu, seg, si, size, false), size, sidx);
            helper_set_gpr(cpu, 0, size, v);
            helper_set_gpr(cpu, 6, as, si + step);
            break;
        }
        case STR_CMPS: case STR_SCAS: {
            uint64_t a, b;
            if (kind == STR_CMPS) {
                a = cpu_ld(cpu, seg_addr(cpu, seg, si, size, false), size, sidx);
                b = cpu_ld(cpu, seg_addr(cpu, 0, di, size, false), size, idx);
                helper_set_gpr(cpu, 6, as, si + step);
            } else {
                a = cpu->gpr[0] & helper_mask(size);
                b = cpu_ld(cpu, seg_addr(cpu, 0, di, size, false), size, idx);
            }
            helper_set_gpr(cpu, 7, as, di + step);
            unsigned lg = size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;
            cpu->cc_op = CC_OP_SUB + lg;
            cpu->cc_dst = (a - b) & helper_mask(size);
            cpu->cc_src = b;
            cpu->cc_src2 = a;
            break;
        }
        default:
            return 0;
        }
        if (rep == STR_REP_NONE)
            return 0;
        helper_set_gpr(cpu, 1, as, (cpu->gpr[1] & am) - 1);
        if ((cpu->gpr[1] & am) == 0)
            return 0;
        if (rep == STR_REP_E && cpu->cc_dst != 0)
            return 0;
        if (rep == STR_REP_NE && cpu->cc_dst == 0)
            return 0;
    }
    return 1;
}
const struct ir_helper helper_string = { h_string, "string", 0 };

static uint64_t rmw_apply(unsigned kind, uint64_t old, uint64_t src, uint64_t extra, uint64_t m)
{
    switch (kind) {
    case RMW_ADD: return old + src;
    case RMW_OR: return old | src;
    case RMW_ADC: return old + src + (extra & 1);
    case RMW_SBB: return old - src - (extra & 1);
    case RMW_AND: return old & src;
    case RMW_SUB: return old - src;
    case RMW_XOR: return old ^ src;
    case RMW_XCHG: return src;
    case RMW_NEG: return 0 - old;
    case RMW_NOT: return ~old;
    case RMW_CMPXCHG: return ((old ^ extra) & m) == 0 ? src : old;
    case RMW_BTS: return old | src;
    case RMW_BTR: return old & ~src;
    case RMW_BTC: return old ^ src;
    default: return old;
    }
}

#define CAS_LOOP(type)                                                                   \
    do {                                                                                 \
        type *p = host, cur = __atomic_load_n(p, __ATOMIC_RELAXED);                      \
        for (;;) {                                                                       \
            type nv = (type)rmw_apply(kind, cur, src, extra, m);                         \
            if (__atomic_compare_exchange_n(p, &cur, nv, false, __ATOMIC_SEQ_CST,        \
                                            __ATOMIC_SEQ_CST))                           \
                return cur;                                                              \
        }                                                                                \
    } while (0)

/* a0 = kind | size << 8, a1 = linear address, a2 = source, a3 = carry / expected value. */
static uint64_t h_lock_rmw(void *env, uint64_t desc, uint64_t addr, uint64_t src, uint64_t extra)
{
    struct cpu *cpu = env;
    unsigned kind = desc & 0xff, size = (unsigned)(desc >> 8) & 0xff;
    unsigned idx = cpu_mmu_idx(cpu) | ((desc & RMW_SS) ? CPU_MEM_SS : 0);
    uint64_t m = helper_mask(size);
    void *host = cpu_host_ptr(cpu, addr, size, true, idx);
    if (host && ((uintptr_t)host & (size - 1)) == 0) {
        switch (size) {
        case 1: CAS_LOOP(uint8_t);
        case 2: CAS_LOOP(uint16_t);
        case 4: CAS_LOOP(uint32_t);
        default: CAS_LOOP(uint64_t);
        }
    }
    /* MMIO, code pages, misaligned: not atomic against other vCPUs (single-threaded now). */
    uint64_t old = cpu_ld(cpu, addr, size, idx);
    cpu_st(cpu, addr, rmw_apply(kind, old, src, extra, m) & m, size, idx);
    return old;
}
const struct ir_helper helper_lock_rmw = { h_lock_rmw, "lock_rmw", 0 };

/* a0 = 8 or 16, a1 = linear address, a2 = 1 for a stack-segment reference. */
static uint64_t h_cmpxchg8b(void *env, uint64_t size, uint64_t addr, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    unsigned idx = cpu_mmu_idx(cpu) | (a2 ? CPU_MEM_SS : 0);
    uint64_t flags = cc_compute_all(cpu->cc_op, cpu->cc_dst, cpu->cc_src, cpu->cc_src2);
    (void)a3;
    bool eq;
    if (size == 16) {
        if (addr & 15)
            cpu_raise(cpu, EXC_GP, true, 0);
        uint64_t lo = cpu_ld(cpu, addr, 8, idx), hi = cpu_ld(cpu, addr + 8, 8, idx);
        eq = lo == cpu->gpr[0] && hi == cpu->gpr[2];
        if (eq) {
            cpu_st(cpu, addr, cpu->gpr[3], 8, idx);
            cpu_st(cpu, addr + 8, cpu->gpr[1], 8, idx);
        } else {
            cpu_st(cpu, addr, lo, 8, idx);
            cpu_st(cpu, addr + 8, hi, 8, idx);
            cpu->gpr[0] = lo;
            cpu->gpr[2] = hi;
        }
    } else {
        uint64_t cmp = (cpu->gpr[0] & 0xffffffffu) | (cpu->gpr[2] << 32);
        uint64_t nv = (cpu->gpr[3] & 0xffffffffu) | (cpu->gpr[1] << 32);
        uint64_t old;
        void *host = cpu_host_ptr(cpu, addr, 8, true, idx);
        if (host && ((uintptr_t)host & 7) == 0) {
            old = cmp;
            eq = __atomic_compare_exchange_n((uint64_t *)host, &old, nv, false, __ATOMIC_SEQ_CST,
                                             __ATOMIC_SEQ_CST);
        } else {
            old = cpu_ld(cpu, addr, 8, idx);
            eq = old == cmp;
            cpu_st(cpu, addr, eq ? nv : old, 8, idx);
        }
        if (!eq) {
            cpu->gpr[0] = old & 0xffffffffu;
            cpu->gpr[2] = old >> 32;
        }
    }
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->cc_src = (flags & ~(uint64_t)CPU_ZF) | (eq ? CPU_ZF : 0);
    return 0;
}
const struct ir_helper helper_cmpxchg8b = { h_cmpxchg8b, "cmpxchg8b", 0 };

uint32_t cpu_io_read(struct cpu *cpu, uint16_t port, unsigned size)
{
    cpu_io_check(cpu, port, size); /* IOPL, TSS I/O bitmap: cpu/sys_insn.c */
    if (__builtin_expect(cpu->dbg.nio != 0, 0))
        cpu_watch_io(cpu, port, size);
    if (!cpu->mem->io_read)
        return (uint32_t)helper_mask(size);
    return cpu->mem->io_read(cpu, port, size) & (uint32_t)helper_mask(size);
}

void cpu_io_write(struct cpu *cpu, uint16_t port, uint32_t value, unsigned size)
{
    cpu_io_check(cpu, port, size); /* IOPL, TSS I/O bitmap: cpu/sys_insn.c */
    if (__builtin_expect(cpu->dbg.nio != 0, 0))
        cpu_watch_io(cpu, port, size);
    if (cpu->mem->io_write)
        cpu->mem->io_write(cpu, port, value & (uint32_t)helper_mask(size), size);
}

/* a0 = size | IO_OUT, a1 = port, a2 = value to write. */
static uint64_t h_io(void *env, uint64_t desc, uint64_t port, uint64_t v, uint64_t a3)
{
    (void)a3;
    unsigned size = desc & 0xff;
    if (desc & IO_OUT) {
        cpu_io_write(env, (uint16_t)port, (uint32_t)v, size);
        return 0;
    }
    return cpu_io_read(env, (uint16_t)port, size);
}
const struct ir_helper helper_io = { h_io, "io", 0 };
