/* SPDX-License-Identifier: MIT */
/* trace.c: the -d trace output of the vCPU (guest/IR/host code, block entries, state, interrupts, stats). */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/trace.h"
#include "cpu/translate.h"
#include "translate/ir.h"
#include "translate/tb.h"
#include "translate/x86_64.h"

/* Largest block we disassemble (64 instructions of 15 bytes fit). */
#define TRACE_MAX_BYTES 2048

static cs_mode cs_mode_of(const struct cpu *cpu)
{
    if (cpu->hflags & HF_CS64)
        return CS_MODE_64;
    return (cpu->hflags & HF_CS32) ? CS_MODE_32 : CS_MODE_16;
}

void cpu_trace_in_asm(struct cpu *cpu, uint64_t pc, uint32_t size)
{
    struct kiln_log *log = cpu->log;
    if (!log || !log->out)
        return;
    uint8_t buf[TRACE_MAX_BYTES];
    size_t have = 0;
    if (size > sizeof(buf))
        size = sizeof(buf);
    while (have < size) {
        uint64_t phys;
        size_t n = cpu_fetch_code(cpu, pc + have, buf + have, size - have, &phys, false);
        if (n == 0)
            break;
        have += n;
    }
    fprintf(log->out, "IN: [pc=%016" PRIx64 " cs=%04x %s]\n", pc, cpu->seg[1].sel,
            (cpu->hflags & HF_CS64) ? "64-bit" : (cpu->hflags & HF_CS32) ? "32-bit" : "16-bit");
    csh h;
    if (cs_open(CS_ARCH_X86, cs_mode_of(cpu), &h) != CS_ERR_OK) {
        fprintf(log->out, "  (capstone unavailable)\n\n");
        return;
    }
    cs_insn *insn = NULL;
    size_t n = cs_disasm(h, buf, have, pc, 0, &insn);
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        char hex[3 * 16 + 1] = "";
        for (unsigned k = 0; k < insn[i].size && k < 15; k++)
            snprintf(hex + 3 * k, sizeof(hex) - 3 * k, "%02x ", insn[i].bytes[k]);
        fprintf(log->out, "0x%016" PRIx64 ":  %-30s %s %s\n", insn[i].address, hex,
                insn[i].mnemonic, insn[i].op_str);
        done += insn[i].size;
    }
    if (n)
        cs_free(insn, n);
    cs_close(&h);
    if (done < size) {
        fprintf(log->out, "0x%016" PRIx64 ":  ", pc + done);
        for (size_t k = done; k < have && k < done + 15; k++)
            fprintf(log->out, "%02x ", buf[k]);
        fprintf(log->out, "(not decodable by capstone%s)\n", have < size ? ", partly unreadable" : "");
    }
    fputc('\n', log->out);
}

void cpu_trace_ir(struct cpu *cpu, const char *title, uint64_t pc, const struct ir_block *b)
{
    struct kiln_log *log = cpu->log;
    if (!log || !log->out)
        return;
    fprintf(log->out, "%s: [pc=%016" PRIx64 "]\n", title, pc);
    ir_dump(b, log->out);
    fputc('\n', log->out);
}

void cpu_trace_out_asm(struct cpu *cpu, const struct tb *tb)
{
    struct kiln_log *log = cpu->log;
    if (!log || !log->out)
        return;
    fprintf(log->out, "OUT: [pc=%016" PRIx64 " tb=%p size=%u]\n", tb->pc, (const void *)tb,
            tb->code_size);
    if (cpu->engine && cpu->engine->name && strcmp(cpu->engine->name, "x86_64") == 0)
        engine_x86_64_dump(tb, log->out);
    else
        fprintf(log->out, "  (interpreter: no host code, the IR above is what runs)\n");
    fputc('\n', log->out);
}

void cpu_trace_exec(struct cpu *cpu, const struct tb *tb)
{
    struct kiln_log *log = cpu->log;
    if (!log || !log->out)
        return;
    fprintf(log->out, "Trace: tb=%p pc=%016" PRIx64 " [%04x:%016" PRIx64 "] icount=%u\n",
            (const void *)tb, tb->pc, cpu->seg[1].sel, cpu->rip, tb->icount);
}

static const char *const gpr_names[16] = {
    "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
    "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
};
static const char *const seg_names[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };

static void dump_seg(FILE *out, const char *name, const struct cpu_seg *s)
{
    fprintf(out, "%-3s=%04x %016" PRIx64 " %08x %04x\n", name, s->sel, s->base, s->limit, s->attr);
}

void cpu_dump_state(struct cpu *cpu, FILE *out)
{
    if (!out)
        return;
    for (int i = 0; i < 16; i++)
        fprintf(out, "%-3s=%016" PRIx64 "%s", gpr_names[i], cpu->gpr[i], (i % 4) == 3 ? "\n" : " ");
    uint64_t fl = cpu_get_eflags(cpu);
    fprintf(out, "RIP=%016" PRIx64 " RFL=%08" PRIx64 " [%c%c%c%c%c%c%c%c%c] CPL=%u\n", cpu->rip, fl,
            (fl & CPU_OF) ? 'O' : '-', (fl & CPU_DF) ? 'D' : '-', (fl & CPU_IF) ? 'I' : '-',
            (fl & CPU_TF) ? 'T' : '-', (fl & CPU_SF) ? 'S' : '-', (fl & CPU_ZF) ? 'Z' : '-',
            (fl & CPU_AF) ? 'A' : '-', (fl & CPU_PF) ? 'P' : '-', (fl & CPU_CF) ? 'C' : '-',
            (cpu->hflags & HF_CPL_MASK) >> HF_CPL_SHIFT);
    for (int i = 0; i < 6; i++)
        dump_seg(out, seg_names[i], &cpu->seg[i]);
    dump_seg(out, "LDT", &cpu->ldtr);
    dump_seg(out, "TR", &cpu->tr);
    fprintf(out, "GDT=    %016" PRIx64 " %08x\n", cpu->gdtr.base, cpu->gdtr.limit);
    fprintf(out, "IDT=    %016" PRIx64 " %08x\n", cpu->idtr.base, cpu->idtr.limit);
    fprintf(out, "CR0=%08" PRIx64 " CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08" PRIx64 "\n",
            cpu->cr[0], cpu->cr[2], cpu->cr[3], cpu->cr[4]);
    fprintf(out, "DR0=%016" PRIx64 " DR1=%016" PRIx64 " DR2=%016" PRIx64 " DR3=%016" PRIx64 "\n",
            cpu->dr[0], cpu->dr[1], cpu->dr[2], cpu->dr[3]);
    fprintf(out, "DR6=%016" PRIx64 " DR7=%016" PRIx64 "\n", cpu->dr[6], cpu->dr[7]);
    fprintf(out, "EFER=%016" PRIx64 " HFLAGS=%08x\n", cpu->efer, cpu->hflags);
}

void cpu_trace_int(struct cpu *cpu, int vector, bool has_err, uint32_t err, bool hw)
{
    struct kiln_log *log = cpu->log;
    if (!log || !log->out)
        return;
    const char *kind = hw ? "interrupt" : cpu->excp_soft ? "INT n" : "exception";
    fprintf(log->out, "%s: vector=0x%02x", kind, vector & 0xff);
    if (has_err)
        fprintf(log->out, " error=0x%08x", err);
    fprintf(log->out, " at %04x:%016" PRIx64 " (pc=%016" PRIx64 ")", cpu->seg[1].sel, cpu->rip,
            cpu_pc_linear(cpu));
    if (vector == EXC_PF)
        fprintf(log->out, " cr2=%016" PRIx64, cpu->excp_cr2);
    fprintf(log->out, " cpl=%u\n", (cpu->hflags & HF_CPL_MASK) >> HF_CPL_SHIFT);
}

void cpu_trace_stats(struct cpu *cpu)
{
    struct kiln_log *log = cpu->log;
    if (!log || !log->out)
        return;
    const struct cpu_stats *s = &cpu->stats;
    fprintf(log->out, "stats: instructions retired    %" PRIu64 "\n", cpu->insn_count);
    fprintf(log->out, "stats: blocks translated       %" PRIu64 "\n", s->translated);
    fprintf(log->out, "stats: translation time        %.3f ms (%.0f ns/block)\n",
            (double)s->translate_ns / 1e6,
            s->translated ? (double)s->translate_ns / (double)s->translated : 0.0);
    fprintf(log->out, "stats: blocks entered by loop  %" PRIu64 "\n", s->loop_entries);
    fprintf(log->out, "stats: exits unchained slot    %" PRIu64 "\n", s->exit_slot);
    fprintf(log->out, "stats: exits no-chain/indirect %" PRIu64 "\n", s->exit_nochain);
    fprintf(log->out, "stats: exits requested         %" PRIu64 "\n", s->exit_requested);
    fprintf(log->out, "stats: exceptions raised       %" PRIu64 "\n", s->exceptions);
    fprintf(log->out, "stats: TLB misses              %" PRIu64 "\n", s->tlb_fills);
    if (cpu->tbc) {
        struct tb_stats ts;
        tb_cache_stats(cpu->tbc, &ts);
        fprintf(log->out, "stats: TB cache: translated %" PRIu64 " live %u chained %" PRIu64
                " invalidated %" PRIu64 " flushes %" PRIu64 "\n",
                ts.translated, ts.live, ts.chained, ts.invalidated, ts.flushes);
        fprintf(log->out, "stats: chains skipping stores  %" PRIu64 "\n", ts.chained_fast);
    }
    if (cpu->engine && cpu->engine->name && strcmp(cpu->engine->name, "x86_64") == 0) {
        size_t used, total;
        engine_x86_64_usage(cpu->engine, &used, &total);
        fprintf(log->out, "stats: host code %zu of %zu bytes\n", used, total);
    }
    fflush(log->out);
}
