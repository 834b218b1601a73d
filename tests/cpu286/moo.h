/* SPDX-License-Identifier: MIT */
/* moo.h: reader for MOO single-instruction CPU test files (SingleStepTests 80286 suite). */
#ifndef KILN_TESTS_MOO_H
#define KILN_TESTS_MOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A MOO file is a sequence of chunks (4-byte ASCII id, u32 little-endian
 * payload length, payload): a "MOO " header, optional "META"/"RMSK" chunks,
 * then one "TEST" chunk per test holding NAME, BYTS, INIT, FINA (each with
 * REGS, RAM , QUEU, RMSK subchunks), CYCL, EXCP and HASH subchunks. Unknown
 * chunks are skipped by length. The parser is bounds-checked throughout:
 * corrupt input gives an error message, never a crash or an over-read.
 */

/* Register order of REGS masks and moo_regs.v[]. */
enum moo_reg {
    MOO_AX, MOO_BX, MOO_CX, MOO_DX, MOO_CS, MOO_SS, MOO_DS, MOO_ES,
    MOO_SP, MOO_BP, MOO_SI, MOO_DI, MOO_IP, MOO_FLAGS, MOO_NREGS
};
#define MOO_ALL_REGS ((uint16_t)((1u << MOO_NREGS) - 1))

/* A REGS (or RMSK) chunk: mask bit i set = v[i] present. */
struct moo_regs {
    uint16_t mask;
    uint16_t v[MOO_NREGS];
};

/* A RAM chunk: count entries of 5 bytes (u32 address, u8 value) at data,
   which points into the file buffer. Read entries with moo_ram_entry(). */
struct moo_ram {
    uint32_t count;
    const uint8_t *data;
};

/* INIT or FINA state. */
struct moo_state {
    bool has_regs, has_rmask;
    struct moo_regs regs;
    struct moo_regs rmask;  /* per-test undefined-bit masks (if has_rmask) */
    struct moo_ram ram;
    uint32_t queue_len;     /* QUEU bytes (not used by the harness) */
};

struct moo_test {
    uint32_t index;          /* 0-based index from the TEST chunk */
    const char *name;        /* disassembly from NAME, not NUL-terminated */
    uint32_t name_len;
    const uint8_t *bytes;    /* instruction bytes from BYTS */
    uint32_t nbytes;
    struct moo_state init, fina;
    uint32_t ncycles;        /* CYCL entries (bus cycles are not checked) */
    bool has_exception;      /* EXCP: an exception or interrupt was taken */
    uint8_t exc_number;
    uint32_t exc_flag_addr;  /* physical address of the FLAGS word it pushed */
    bool has_hash;
    uint8_t hash[20];        /* SHA-1 that identifies the test (revocation list) */
};

struct moo_file {
    uint8_t *buf;            /* the whole file, owned (tests point into it) */
    size_t len;
    uint8_t version_major, version_minor;
    uint32_t declared_count; /* test count in the header */
    char cpu[5];             /* CPU id from the header, e.g. "C286" */
    bool has_meta;
    uint32_t meta_opcode;    /* META: raw opcode, 0xFFFFFFFF if several */
    char mnemonic[9];        /* META: mnemonic, trailing spaces removed */
    uint8_t cpu_mode;        /* META: 0 = real mode */
    bool has_rmask;          /* file-level RMSK (applies to every test) */
    struct moo_regs rmask;
    struct moo_test *tests;
    size_t ntests;
};

/* Parses len bytes at buf into *f, taking ownership of buf (it is freed by
   moo_free, even on failure). On error returns false with a message in err
   (errlen bytes); tests parsed before the corrupt chunk are kept in f. */
bool moo_parse(struct moo_file *f, uint8_t *buf, size_t len, char *err, size_t errlen);

/* Reads a MOO file, gzip-compressed or not, and parses it (as moo_parse).
   Files over max_bytes decompressed are rejected. */
bool moo_load(struct moo_file *f, const char *path, size_t max_bytes, char *err, size_t errlen);

/* Frees what moo_parse/moo_load allocated; f is zeroed. Safe on a zeroed f. */
void moo_free(struct moo_file *f);

/* Entry i (< ram->count) of a RAM chunk. */
void moo_ram_entry(const struct moo_ram *ram, uint32_t i, uint32_t *addr, uint8_t *val);

/* Lower-case name of register i ("ax" .. "flags"; "?" out of range). */
const char *moo_reg_name(unsigned i);

/* Formats a 20-byte hash as 40 lower-case hex digits plus NUL into out. */
void moo_hash_hex(const uint8_t hash[20], char out[41]);

#endif
