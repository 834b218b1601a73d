/* SPDX-License-Identifier: MIT */
/* sys_insn.c: C helpers of INT, CLI/STI, the I/O permission check, segment loads and far transfers. */
#include "cpu/sys.h"
#include "cpu/sys_helpers.h"
#include "cpu/flags.h"
#include "cpu/decode.h"

#define UNUSED4 (void)a0; (void)a1; (void)a2; (void)a3

static uint64_t h_far_jmp(void *env, uint64_t sel, uint64_t off, uint64_t opsize, uint64_t next)
{
    sys_far_jmp(env, (uint16_t)sel, off, (unsigned)opsize, next);
    return 0;
}
const struct ir_helper helper_far_jmp = { h_far_jmp, "far_jmp", 0 };

static uint64_t h_far_call(void *env, uint64_t sel, uint64_t off, uint64_t opsize, uint64_t next)
{
    sys_far_call(env, (uint16_t)sel, off, (unsigned)opsize, next);
    return 0;
}
const struct ir_helper helper_far_call = { h_far_call, "far_call", 0 };

static uint64_t h_retf(void *env, uint64_t opsize, uint64_t imm, uint64_t a2, uint64_t a3)
{
    (void)a2; (void)a3;
    sys_retf(env, (unsigned)opsize, (unsigned)imm & 0xffff);
    return 0;
}
const struct ir_helper helper_retf = { h_retf, "retf", 0 };

static uint64_t h_iret(void *env, uint64_t opsize, uint64_t next, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a2; (void)a3;
    cpu->nmi_blocked = false;       /* IRET ends the NMI handler's blocking, even if it faults */
    if (cpu->nmi_pending)
        cpu->exit_request = 1;
    sys_iret(cpu, (unsigned)opsize, next);
    if ((cpu->irq_line && (cpu->eflags & CPU_IF)) || cpu->nmi_pending)
        cpu->exit_request = 1;
    return 0;
}
const struct ir_helper helper_iret = { h_iret, "iret", 0 };

/* INT n (kind 0), INT3 (1), INTO (2), INT1 (3): rip is already the next instruction;
   own = the instruction's address, the rip of a fault raised while delivering it. */
static uint64_t h_int(void *env, uint64_t vec, uint64_t kind, uint64_t own, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a3;
    if (kind == 0 && (cpu->hflags & HF_VM) && ((cpu->eflags >> 12) & 3) < 3) {
        cpu->rip = own;
        cpu_raise(cpu, EXC_GP, true, 0);
    }
    cpu->excp_soft = kind != 3;
    cpu->excp_soft_rip = own;
    cpu_raise(cpu, (int)vec, false, 0);
}
const struct ir_helper helper_int = { h_int, "int", 0 };

/* CLI / STI: IOPL check in protected and virtual-8086 mode. */
static void check_iopl(struct cpu *cpu)
{
    if ((cpu->hflags & HF_PE) && cpu_cpl(cpu) > ((cpu->eflags >> 12) & 3))
        cpu_raise(cpu, EXC_GP, true, 0);
}

static uint64_t h_cli(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    UNUSED4;
    check_iopl(cpu);
    cpu->eflags &= ~(uint64_t)CPU_IF;
    return 0;
}
const struct ir_helper helper_cli = { h_cli, "cli", 0 };

static uint64_t h_sti(void *env, uint64_t next, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct cpu *cpu = env;
    (void)a1; (void)a2; (void)a3;
    check_iopl(cpu);
    if (!(cpu->eflags & CPU_IF)) {
        cpu->irq_inhibit = true; /* the next instruction runs before an interrupt */
        cpu->irq_inhibit_rip = next;
        cpu->eflags |= CPU_IF;
        if (cpu->irq_line)
            cpu->exit_request = 1;
    }
    return 0;
}
const struct ir_helper helper_sti = { h_sti, "sti", 0 };

/* I/O permission: IOPL, else the TSS bitmap (32/64-bit TSS only). */
void cpu_io_check(struct cpu *cpu, uint16_t port, unsigned size)
{
    if (!(cpu->hflags & HF_PE))
        return;
    if (!(cpu->hflags & HF_VM) && cpu_cpl(cpu) <= ((cpu->eflags >> 12) & 3))
        return;
    unsigned type = cpu->tr.attr & 0xf;
    if ((type != 9 && type != 11) || cpu->tr.limit < 0x67)
        cpu_raise(cpu, EXC_GP, true, 0);
    uint64_t base = cpu->tr.base;
    uint32_t iomap = (uint32_t)cpu_ld(cpu, base + 0x66, 2, 0);
    uint32_t off = iomap + port / 8u;
    if (off + 1 > cpu->tr.limit)
        cpu_raise(cpu, EXC_GP, true, 0);
    uint32_t bits = (uint32_t)cpu_ld(cpu, base + off, 2, 0);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        cpu_raise(cpu, EXC_GP, true, 0);
}

static uint64_t h_load_seg_sys(void *env, uint64_t seg, uint64_t sel, uint64_t a2, uint64_t a3)
{
    (void)a2; (void)a3;
    cpu_load_seg(env, (int)seg, (uint16_t)sel);
    return 0;
}
const struct ir_helper helper_load_seg_sys = { h_load_seg_sys, "load_seg_sys", 0 };
