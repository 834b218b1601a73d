/* SPDX-License-Identifier: MIT */
/* mmu.c: x86 page walks (32-bit with PSE, PAE, 4-level) with permissions, A/D bits and #PF error codes. */
#include "cpu/mmu.h"
#include "cpu/sys.h"

#define PTE_P 0x1u
#define PTE_W 0x2u
#define PTE_U 0x4u
#define PTE_A 0x20u
#define PTE_D 0x40u
#define PTE_PS 0x80u
#define PTE_NX ((uint64_t)1 << 63)
#define PF_P 0x1u
#define PF_W 0x2u
#define PF_U 0x4u
#define PF_RSVD 0x8u
#define PF_I 0x10u
#define PHYS_BITS 40
#define ADDR_MASK (((uint64_t)1 << PHYS_BITS) - 1)
#define PDPTE_RSVD (0x1e6u | ~ADDR_MASK) /* bits 2:1, 8:5, 63:MAXPHYADDR (no NX in a PDPTE) */

struct walk {
    struct cpu *cpu;
    const struct mmu_phys *pm;
    uint64_t pte_addr[4];
    unsigned pte_size;
    unsigned n;
    uint64_t pte[4];
};

static uint64_t rd(struct walk *w, uint64_t pa)
{
    uint64_t v = w->pm->load(w->cpu, pa, w->pte_size);
    w->pte_addr[w->n] = pa;
    w->pte[w->n] = v;
    w->n++;
    return v;
}

/* Sets A on every entry of the walk and D on the last for a write. */
static void set_ad(struct walk *w, bool write)
{
    for (unsigned i = 0; i < w->n; i++) {
        uint64_t v = w->pte[i] | PTE_A;
        if (i == w->n - 1 && write)
            v |= PTE_D;
        if (v != w->pte[i])
            w->pm->store(w->cpu, w->pte_addr[i], v, w->pte_size);
    }
}

bool mmu_walk(struct cpu *cpu, const struct mmu_phys *pm, uint64_t va, enum cpu_access acc, unsigned mode,
              struct mmu_result *res)
{
    struct walk w = { cpu, pm, { 0 }, 8, 0, { 0 } };
    bool write = acc == CPU_ACC_WRITE, fetch = acc == CPU_ACC_FETCH;
    bool nxe = (cpu->efer & 0x800) != 0, user = mode == 1;
    uint64_t cr3 = cpu->cr[3], cr4 = cpu->cr[4];
    bool smep = !user && (cr4 & CR4_SMEP), smap = !user && mode != 2 && (cr4 & CR4_SMAP);
    uint32_t err = (write ? PF_W : 0) | (user ? PF_U : 0) |
                   (fetch && (nxe || (cr4 & CR4_SMEP)) ? PF_I : 0);
    bool uok = true, wok = true, nx = false;
    uint64_t pa = 0, e = 0, rsvd_nx = nxe ? 0 : PTE_NX;
    uint64_t page_mask = 0xfff;

    if (!(cr4 & 0x20)) { /* 32-bit paging */
        w.pte_size = 4;
        e = rd(&w, (cr3 & 0xfffff000u) + ((va >> 22) & 0x3ff) * 4);
        if (!(e & PTE_P))
            goto notpresent;
        uok &= (e & PTE_U) != 0;
        wok &= (e & PTE_W) != 0;
        if ((e & PTE_PS) && (cr4 & 0x10)) {
            pa = (e & 0xffc00000u) | (((e >> 13) & 0xff) << 32);
            page_mask = 0x3fffff;
        } else {
            e = rd(&w, (e & 0xfffff000u) + ((va >> 12) & 0x3ff) * 4);
            if (!(e & PTE_P))
                goto notpresent;
            uok &= (e & PTE_U) != 0;
            wok &= (e & PTE_W) != 0;
            pa = e & 0xfffff000u;
        }
    } else {
        bool lm = (cpu->efer & 0x400) != 0;
        int level;
        uint64_t table;
        if (lm) {
            if ((uint64_t)((int64_t)(va << 16) >> 16) != va)
                cpu_raise(cpu, EXC_GP, true, 0); /* non-canonical */
            table = cr3 & ADDR_MASK & ~(uint64_t)0xfff;
            level = 4;
        } else {
            e = cpu->pdpte[(va >> 30) & 3]; /* the registers, checked when loaded */
            if (!(e & PTE_P))
                goto notpresent;
            table = e & ADDR_MASK & ~(uint64_t)0xfff;
            level = 2;
        }
        for (; level >= 1; level--) {
            unsigned shift = 12 + 9 * (unsigned)(level - 1);
            e = rd(&w, table + ((va >> shift) & 0x1ff) * 8);
            if (!(e & PTE_P))
                goto notpresent;
            if ((e & rsvd_nx) || ((e >> PHYS_BITS) & (((uint64_t)1 << (52 - PHYS_BITS)) - 1)))
                goto reserved; /* NX without EFER.NXE, address bits above MAXPHYADDR */
            uok &= (e & PTE_U) != 0;
            wok &= (e & PTE_W) != 0;
            nx |= nxe && (e & PTE_NX);
            if (level == 4 && (e & PTE_PS))
                goto reserved;
            if (level > 1 && (e & PTE_PS)) {
                if (level == 3 && !lm)
                    goto reserved;
                page_mask = ((uint64_t)1 << shift) - 1;
                pa = e & ADDR_MASK & ~page_mask;
                break;
            }
            table = e & ADDR_MASK & ~(uint64_t)0xfff;
            if (level == 1)
                pa = table;
        }
    }
    /* Permissions. */
    bool wp = (cpu->cr[0] & 0x10000) != 0;
    if (user && !uok)
        goto protection;
    if (write && !wok && (user || wp))
        goto protection;
    if (fetch && nx)
        goto protection;
    if (uok && (fetch ? smep : smap))
        goto protection; /* SMEP / SMAP: a supervisor access to a user page */
    set_ad(&w, write);
    res->phys = (pa & ~page_mask) | (va & page_mask & ~(uint64_t)0xfff);
    res->prot = 0;
    bool data_ok = !(uok && smap);
    if (data_ok)
        res->prot |= CPU_PROT_R;
    bool dirty = write || (w.pte[w.n - 1] & PTE_D);
    if ((wok || (!user && !wp)) && (!user || uok) && dirty && data_ok)
        res->prot |= CPU_PROT_W;
    if (!nx && !(uok && smep))
        res->prot |= CPU_PROT_X;
    res->global = (w.pte[w.n - 1] & 0x100) != 0;
    return true;
protection:
    res->error = err | PF_P;
    return false;
reserved:
    res->error = err | PF_P | PF_RSVD;
    return false;
notpresent:
    res->error = err;
    return false;
}

bool mmu_pae_legacy(const struct cpu *cpu)
{
    return (cpu->cr[0] & CR0_PG) && (cpu->cr[4] & CR4_PAE) && !(cpu->efer & EFER_LMA);
}

bool mmu_load_pdptes(struct cpu *cpu, const struct mmu_phys *pm, uint64_t cr3)
{
    uint64_t e[4] = { 0, 0, 0, 0 };
    if (!pm)
        pm = cpu->pt_mem;
    for (unsigned i = 0; i < 4 && pm; i++) {
        e[i] = pm->load(cpu, (cr3 & 0xffffffe0u) + i * 8, 8);
        if ((e[i] & PTE_P) && (e[i] & PDPTE_RSVD))
            return false;
    }
    for (unsigned i = 0; i < 4; i++)
        cpu->pdpte[i] = e[i];
    return true;
}
