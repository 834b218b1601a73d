/* SPDX-License-Identifier: MIT */
/* trace_unimp.c: -d unimp messages of the vCPU. */
#include <inttypes.h>
#include <stdio.h>
#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/trace_unimp.h"
#include "translate/log.h"

void cpu_trace_unimp_insn(struct cpu *cpu, const struct x86_insn *in, uint64_t ip)
{
    char key[48], text[128];
    snprintf(key, sizeof(key), "insn:%u", (unsigned)in->op);
    if (x86_insn_format(in, ip, text, sizeof(text)) < 0)
        snprintf(text, sizeof(text), "%s", x86_op_name(in->op) ? x86_op_name(in->op) : "?");
    kiln_log_unimp(cpu->log, key, "instruction '%s' at %04x:%016" PRIx64 " (raises #UD)", text,
                   cpu->seg[1].sel, ip);
}

void cpu_trace_unimp_msr(struct cpu *cpu, uint32_t idx, bool write)
{
    char key[32];
    snprintf(key, sizeof(key), "msr:%c:%08x", write ? 'w' : 'r', idx);
    kiln_log_unimp(cpu->log, key, "%s of MSR %#x at rip %016" PRIx64 " (raises #GP)",
                   write ? "WRMSR" : "RDMSR", idx, cpu->rip);
}
