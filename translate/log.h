/* SPDX-License-Identifier: MIT */
/* log.h: the debug log (-d items, -D file) shared by every layer; no globals, no x86. */
#ifndef KILN_TRANSLATE_LOG_H
#define KILN_TRANSLATE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Log items, selectable with -d. Each is one bit of kiln_log.mask. */
enum kiln_log_item {
    KILN_LOG_IN_ASM,       /* guest code of each translated block */
    KILN_LOG_OP,           /* IR before optimization */
    KILN_LOG_OP_OPT,       /* IR after optimization */
    KILN_LOG_OUT_ASM,      /* generated host code */
    KILN_LOG_INT,          /* interrupts and exceptions */
    KILN_LOG_CPU,          /* CPU state before each executed block */
    KILN_LOG_CPU_RESET,    /* CPU state at each reset (and triple fault) */
    KILN_LOG_EXEC,         /* each executed block */
    KILN_LOG_MMU,          /* page walks and TLB activity */
    KILN_LOG_UNIMP,        /* unimplemented features (logged once per key) */
    KILN_LOG_GUEST_ERRORS, /* guest misuse of devices and the CPU */
    KILN_LOG_STATS,        /* statistics at exit */
    KILN_LOG_NOCHAIN,      /* a switch, not output: no direct block chaining */
    KILN_LOG_ITEM_COUNT
};

#define KILN_LOG_BIT(item) (UINT32_C(1) << (item))
/* Items "-d all" turns on: every output item (nochain is a switch, so not it). */
#define KILN_LOG_ALL_OUTPUT (((UINT32_C(1) << KILN_LOG_ITEM_COUNT) - 1) & \
                             ~KILN_LOG_BIT(KILN_LOG_NOCHAIN))

/* The largest number of keys kiln_log_once() remembers; later new keys are refused. */
#define KILN_LOG_ONCE_MAX 8192

/* A log: which items are on and where they go. Owned by the machine, passed down.
 * Not thread-safe: one thread writes a given log (or callers lock). */
struct kiln_log {
    uint32_t mask;      /* KILN_LOG_BIT(item) set for each enabled item */
    FILE *out;          /* destination; stderr unless kiln_log_open() was used */
    bool owns_out;      /* out was opened by kiln_log_open() and is closed by kiln_log_close() */
    uint64_t *once;     /* open-addressed set of key hashes seen by kiln_log_once() */
    size_t once_cap;    /* slots in once (0 or a power of two) */
    size_t once_count;  /* keys stored */
    bool once_full;     /* a key was refused because the set reached KILN_LOG_ONCE_MAX */
};

/* Sets log up with no item enabled, writing to stderr. */
void kiln_log_init(struct kiln_log *log);

/* Sends the log to the file `path` (truncated). Returns 0, or -1 with a
 * one-line reason in err (without program name) and the log unchanged. */
int kiln_log_open(struct kiln_log *log, const char *path, char *err, size_t errlen);

/* Flushes the log, closes a file opened by kiln_log_open(), frees the once-set;
 * afterwards the log is as after kiln_log_init(). */
void kiln_log_close(struct kiln_log *log);

/* Flushes buffered log output. */
void kiln_log_flush(struct kiln_log *log);

/* True when `item` is enabled: an inline mask test, so disabled logging costs
 * one load and branch. A NULL log has nothing enabled. */
static inline bool kiln_log_enabled(const struct kiln_log *log, enum kiln_log_item item)
{
    return __builtin_expect(log != NULL && (log->mask & KILN_LOG_BIT(item)) != 0, 0);
}

/* Writes a printf-style message to the log unconditionally (callers test
 * kiln_log_enabled first, or use KILN_LOG). Adds no newline. NULL log: no-op. */
void kiln_log_printf(struct kiln_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Logs a message when `item` is enabled; arguments are not evaluated otherwise. */
#define KILN_LOG(log, item, ...)                                  \
    do {                                                          \
        if (kiln_log_enabled((log), (item)))                      \
            kiln_log_printf((log), __VA_ARGS__);                  \
    } while (0)

/* Returns true the first time `key` is passed for this log, false afterwards
 * (keys are remembered by a 64-bit hash). Once KILN_LOG_ONCE_MAX keys are
 * stored, new keys return false too. False for a NULL log or key. */
bool kiln_log_once(struct kiln_log *log, const char *key);

/* When `unimp` is enabled and `key` was not logged before, writes
 * "unimplemented: <message>\n". A NULL key uses the formatted message as key.
 * When the key set fills up, says once that further messages are dropped. */
void kiln_log_unimp(struct kiln_log *log, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The -d name of an item ("in_asm"), or NULL when out of range. */
const char *kiln_log_item_name(enum kiln_log_item item);

/* A one-line description of an item for -d help, or NULL when out of range. */
const char *kiln_log_item_help(enum kiln_log_item item);

/* Parses a -d list ("in_asm,int" or "all") into a mask. Returns 0, or -1 with
 * a one-line reason in err (e.g. "unknown log item 'foo'"). The list "help" is
 * not handled here. */
int kiln_log_parse_mask(const char *list, uint32_t *mask, char *err, size_t errlen);

/* Prints the -d help text (one line per item) to f. */
void kiln_log_print_help(FILE *f);

#endif
