/* SPDX-License-Identifier: MIT */
/* x86_64_dis.c: disassembly of JIT host code with capstone (-d out_asm). */
#include <capstone/capstone.h>
#include <inttypes.h>
#include "translate/tb.h"
#include "translate/x86_64.h"

void engine_x86_64_dump(const struct tb *tb, FILE *out)
{
    if (!tb->code || !tb->code_size) {
        fprintf(out, "  (no host code)\n");
        return;
    }
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
        fprintf(out, "  (capstone unavailable)\n");
        return;
    }
    cs_insn *insn;
    size_t n = cs_disasm(h, tb->code, tb->code_size, (uint64_t)(uintptr_t)tb->code, 0, &insn);
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "  0x%012" PRIx64 ":  %-8s %s\n", insn[i].address, insn[i].mnemonic,
                insn[i].op_str);
        done += insn[i].size;
    }
    if (n)
        cs_free(insn, n);
    if (done < tb->code_size)
        fprintf(out, "  (%zu undecodable bytes)\n", (size_t)(tb->code_size - done));
    cs_close(&h);
}
