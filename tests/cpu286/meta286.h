/* SPDX-License-Identifier: MIT */
/* meta286.h: the 80286 suite's metadata.json (status, undefined-flag masks) and revocation list. */
#ifndef KILN_TESTS_META286_H
#define KILN_TESTS_META286_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One opcode form: "opcodes" -> "<op>" or "opcodes" -> "<op>" -> "reg" -> "<r>". */
struct m286_op {
    char opcode[8];        /* upper-case hex as in the file: "00", "D3", "0F01" */
    int reg;               /* ModRM.reg of a group form, -1 for a plain opcode */
    char status[16];       /* "normal", "undocumented", "alias", "undefined", "prefix", ... */
    bool has_mask;
    uint16_t flags_mask;   /* FLAGS bits that are defined (compare only these) */
};

struct m286_meta {
    struct m286_op *ops;
    size_t nops;
};

/* Parses metadata.json text (len bytes). A small purpose-built JSON reader:
   accepts any well-formed JSON, keeps the opcode entries; false with a message
   on malformed input (depth over 32, bad tokens, truncation). */
bool m286_meta_parse(struct m286_meta *m, const char *text, size_t len, char *err, size_t errlen);
/* Reads and parses a metadata.json file. */
bool m286_meta_load(struct m286_meta *m, const char *path, char *err, size_t errlen);
void m286_meta_free(struct m286_meta *m);
/* The entry for opcode (case-insensitive hex) and reg (-1 for none); NULL if absent. */
const struct m286_op *m286_meta_find(const struct m286_meta *m, const char *opcode, int reg);
/* FLAGS compare mask of a form: its flags-mask if any (group entry first, then the
   plain opcode entry), else 0xFFFF. */
uint16_t m286_flags_mask(const struct m286_meta *m, const char *opcode, int reg);

/* Revocation list: SHA-1 hashes (40 hex digits a line, '#' comments; text after
   the hash and a space is a remark). Also used for kiln's own known-bad list. */
struct m286_revoked {
    uint8_t (*hashes)[20]; /* sorted */
    size_t n;
};

/* Parses the list; lines that are neither comments, blank nor start with 40 hex digits are errors. */
bool m286_revoked_parse(struct m286_revoked *r, const char *text, size_t len, char *err,
                        size_t errlen);
bool m286_revoked_load(struct m286_revoked *r, const char *path, char *err, size_t errlen);
void m286_revoked_free(struct m286_revoked *r);
/* True if hash is on the list. */
bool m286_is_revoked(const struct m286_revoked *r, const uint8_t hash[20]);

/* Reads a whole (small) text file, NUL-terminated; NULL on failure. Caller frees. */
char *m286_read_text(const char *path, size_t max_bytes, size_t *len);

#endif
