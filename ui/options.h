/* SPDX-License-Identifier: MIT */
/* options.h: shared pieces of the command-line parser (context, key=value lists, numbers). */
#ifndef KILN_UI_OPTIONS_H
#define KILN_UI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "machine/config.h"

/* The state of one parse; there is no global state. */
struct opt_ctx {
    struct kiln_config *cfg;
    FILE *out;              /* where help/version text goes */
    uint64_t built;         /* KILN_FEAT_BIT mask of features this parse accepts */
    char *err;              /* one-line error message buffer */
    size_t errlen;
    const char *opt;        /* canonical option being parsed ("-m"), for messages */
    bool serial_given;      /* -serial seen: the nographic default does not apply */
    bool monitor_given;
    bool display_given;
    bool accel_given;
    bool nodefaults;        /* -nodefaults: no default serial port or monitor */
    bool snapshot;          /* -snapshot: every drive gets snapshot=on */
    const char *opt_initrd; /* spelled options remembered for later checks */
    const char *opt_append;
};

/* An option handler: 0 on success, -1 after opt_fail(), 1 when the program
 * should exit with status 0 (help was printed). */
typedef int (*opt_handler)(struct opt_ctx *c, const char *arg);

/* Writes "kiln: <opt>: <message>" into c->err (control characters become '?')
 * and returns -1. */
int opt_fail(struct opt_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 0 when feature f is built, else -1 with "kiln: <opt>: <what> is not built yet". */
int opt_need(struct opt_ctx *c, enum kiln_feature f);

/* strdup that reports "out of memory" through opt_fail; sets *dst (freeing the old
 * value) and returns 0, or -1. */
int opt_setstr(struct opt_ctx *c, char **dst, const char *s);

/* ---------------------------------------------------------------- key=value lists */

#define OPT_KV_MAX 64

/* One "key=value" item; a bare "key" has has_val false and val "on". */
struct opt_kv {
    const char *key;
    const char *val;
    bool has_val;
};

struct opt_kvlist {
    struct opt_kv items[OPT_KV_MAX];
    size_t n;
    char *buf;              /* storage for keys and unescaped values */
};

/* Splits QEMU-style "a=1,b=x,,y,flag" (",," is a literal comma in a value).
 * When `implied` is set, a first item without '=' is the value of that key.
 * Returns 0, or -1 after opt_fail() for empty items or keys, or too many items.
 * Always call opt_kv_free() afterwards. */
int opt_kv_parse(struct opt_ctx *c, struct opt_kvlist *l, const char *s, const char *implied);
void opt_kv_free(struct opt_kvlist *l);

/* Fails with "unknown parameter '<key>'". */
int opt_kv_unknown(struct opt_ctx *c, const struct opt_kv *kv);

/* Parses a boolean value (on/off, yes/no, true/false; a bare key is on). */
int opt_kv_bool(struct opt_ctx *c, const struct opt_kv *kv, bool *out);

/* Parses an unsigned number (decimal or 0x hex, no sign or spaces) into *out.
 * Returns 0, or -1 for syntax errors and overflow. Sets no error message. */
int opt_parse_u64(const char *s, uint64_t *out);

/* Parses kv's value as a number in [min, max]; fails with
 * "invalid value '<v>' for <key>" or "<key> must be between <min> and <max>". */
int opt_kv_uint(struct opt_ctx *c, const struct opt_kv *kv, uint64_t min, uint64_t max,
                uint64_t *out);

/* Parses a size: a number with an optional fraction and suffix B, K, M, G, T,
 * P or E (powers of 1024, any case); a bare number is in units of 1 << unit_shift.
 * Returns 0, or -1 for syntax errors, overflow and fractional bytes. */
int opt_parse_size(const char *s, unsigned unit_shift, uint64_t *out);

/* ---------------------------------------------------------------- option groups */

/* options_machine.c */
int opt_memory(struct opt_ctx *c, const char *arg);    /* -m */
int opt_smp(struct opt_ctx *c, const char *arg);       /* -smp */
int opt_accel(struct opt_ctx *c, const char *arg);     /* -accel */
int opt_machine(struct opt_ctx *c, const char *arg);   /* -machine, -M */
int opt_cpu(struct opt_ctx *c, const char *arg);       /* -cpu */
int opt_icount(struct opt_ctx *c, const char *arg);    /* -icount */
int opt_seed(struct opt_ctx *c, const char *arg);      /* -seed */
int opt_rtc(struct opt_ctx *c, const char *arg);       /* -rtc */
int opt_display(struct opt_ctx *c, const char *arg);   /* -display */
int opt_debug_log(struct opt_ctx *c, const char *arg); /* -d */

/* options_drive.c */
int opt_drive(struct opt_ctx *c, const char *arg);     /* -drive */
int opt_hdx(struct opt_ctx *c, unsigned index, const char *file); /* -hda..-hdd, positional */
int opt_cdrom(struct opt_ctx *c, const char *arg);     /* -cdrom */
int opt_boot(struct opt_ctx *c, const char *arg);      /* -boot */

/* options_chardev.c */
/* Parses a backend spec (stdio, null, none, file:PATH, pty, tcp:[HOST]:PORT[,...],
 * mon:<spec> when allow_mux) into *out (freed first). */
int opt_chardev(struct opt_ctx *c, const char *spec, struct kiln_chardev *out, bool allow_mux);
int opt_serial(struct opt_ctx *c, const char *arg);    /* -serial */
int opt_monitor(struct opt_ctx *c, const char *arg);   /* -monitor */
int opt_gdb(struct opt_ctx *c, const char *arg);       /* -gdb, and -s with "tcp::1234" */
void opt_chardev_clear(struct kiln_chardev *ch);       /* frees strings, kind NONE */

/* options_device.c */
int opt_device(struct opt_ctx *c, const char *arg);    /* -device */
/* The -device name of a device type, or NULL. */
const char *opt_device_name(enum kiln_device_type t);

#endif
