/* SPDX-License-Identifier: MIT */
/* exec286.h: runs one 80286 MOO test vector on a bare kiln CPU and compares the result. */
#ifndef KILN_TESTS_EXEC286_H
#define KILN_TESTS_EXEC286_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/bare.h"
#include "tests/cpu286/moo.h"

/* Guest memory: the 286's 24-bit physical address space. */
#define X286_MEM_SIZE (16u << 20)

/* Outcome categories (pass kinds first). */
enum x286_cat {
    X286_PASS,          /* matches the hardware */
    X286_PASS_HDELIV,   /* matches, with the harness delivering the exception through the IVT
                           (kiln stopped at it: #GP/#SS always, others with kiln delivery off) */
    X286_F_REGS,        /* a register other than FLAGS differs */
    X286_F_FLAGS,       /* only (defined bits of) FLAGS differ */
    X286_F_MEM,         /* registers match, memory differs */
    X286_F_UD,          /* kiln raised #UD where the 286 executed the instruction (unimplemented?) */
    X286_F_EXC,         /* kiln raised another exception the 286 did not */
    X286_F_NOEXC,       /* the 286 took an exception/interrupt, kiln did not */
    X286_F_VECTOR,      /* both faulted, with different vectors */
    X286_F_WRAP,        /* the 286 raised #GP(13) (real-mode segment limit: a word at
                           offset FFFF), kiln did not (or raised something else) */
    X286_F_DELIVERY,    /* kiln faulted correctly but nothing delivers it (delivery off) */
    X286_F_BUDGET,      /* no HLT within the instruction budget */
    X286_F_STRAY,       /* wrote guest memory the 286 did not */
    X286_F_SETUP,       /* the vector does not fit the harness (address out of range...) */
    /* Documented 286-vs-later-CPU differences kiln (a 386+ model) does not reproduce (n/a): */
    X286_D_LOCK,        /* LOCK on a non-lockable instruction: 286 ignores it, kiln #UD */
    X286_D_SSWRAP,      /* SS-relative word at offset FFFF: 286 #GP(13), kiln #SS(12) */
    X286_D_SEGREG,      /* MOV to FS/GS encodings (8E /4, /5): 286 #UD, kiln loads FS/GS */
    X286_D_LEN,         /* instruction longer than 10 bytes: 286 #UD or #GP, kiln allows 15 */
    X286_D_PARTIAL,     /* #GP(13) in POP m16 / string ops: 286 leaves SP/SI/DI/CX advanced,
                           kiln restores them (restartable fault) */
    X286_D_AAM0,        /* AAM 0: 286 updates SF/ZF/PF before #DE, kiln leaves FLAGS */
    X286_D_IDIV80,      /* IDIV r/m8 quotient overflow: 286 stores AL = 80h without #DE,
                           kiln raises #DE (as every 386+) */
    X286_NCAT
};

/* Short name of a category ("pass", "regs", "286-lock", ...). */
const char *x286_cat_name(enum x286_cat c);
/* True for X286_PASS and X286_PASS_HDELIV. */
bool x286_cat_pass(enum x286_cat c);
/* True for the X286_D_* kinds: the vector tests 286-only behaviour that kiln,
   a model of later CPUs, deliberately does not reproduce. Counted apart from
   passes and failures ("n/a"). */
bool x286_cat_na(enum x286_cat c);

/* Details of one run, for failure reports. */
struct x286_detail {
    enum x286_cat cat;
    struct bare_result res[2];  /* first run, and the run after harness delivery */
    int nruns;
    uint16_t exp[MOO_NREGS], got[MOO_NREGS], cmpmask[MOO_NREGS];
    uint16_t regbad;            /* registers that differ (bit per enum moo_reg) */
    bool upper_bits;            /* kiln set bits above 15 of a 16-bit register */
    uint32_t nmembad;           /* differing bytes (first 8 in membad) */
    struct { uint32_t addr; uint8_t got, exp, mask; } membad[8];
    char note[160];
};

struct x286;

/* A harness with one bare real-mode CPU (16 MiB at guest address 0) on the
   engine. deliver: when kiln stops at an exception the 286 also took, push
   FLAGS/CS/IP and jump through the IVT in the harness, then run on (kiln
   itself delivers most, see x286_set_kiln_deliver). NULL on failure. */
struct x286 *x286_new(enum bare_engine engine, bool deliver, uint64_t budget);
void x286_free(struct x286 *x);
/* Whether kiln delivers (through the IVT, bare_cpu_set_deliver_mask) the
   interrupt the 286 took for each vector; default on. Off: kiln stops at every
   exception and only the harness delivers (if deliver). */
void x286_set_kiln_deliver(struct x286 *x, bool on);

/* Runs test t: loads its registers and RAM, runs to HLT, compares FLAGS under
   flags_mask (and never bits 12-15, which a 286 cannot set in real mode), then
   zeroes every byte it wrote. Fills d (may be NULL) and returns the category. */
enum x286_cat x286_run(struct x286 *x, const struct moo_test *t, uint16_t flags_mask,
                       struct x286_detail *d);

/* Looks for non-zero guest bytes (writes the last tests made outside what their
   vectors expect), zeroes them and returns how many there were; the first max
   addresses go to addrs (may be NULL). Scans all 16 MiB: call it every few
   hundred tests. */
size_t x286_sweep(struct x286 *x, uint32_t *addrs, size_t max);
/* How many of the n guest bytes at addrs are non-zero; zeroes them. */
size_t x286_dirty_at(struct x286 *x, const uint32_t *addrs, size_t n);

/* Prints a failure report: test, disassembly, initial/expected/actual state;
   with ram, also the vector's initial and final RAM lists. */
void x286_print_detail(FILE *out, const struct moo_test *t, const struct x286_detail *d,
                       bool ram);

#endif
