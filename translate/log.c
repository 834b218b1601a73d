/* SPDX-License-Identifier: MIT */
/* log.c: the debug log: item names, -d list parsing, output and log-once keys. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "translate/log.h"

static const struct {
    const char *name;
    const char *help;
} log_items[KILN_LOG_ITEM_COUNT] = {
    [KILN_LOG_IN_ASM] = { "in_asm", "show guest code of each translated block" },
    [KILN_LOG_OP] = { "op", "show the IR of each block before optimization" },
    [KILN_LOG_OP_OPT] = { "op_opt", "show the IR of each block after optimization" },
    [KILN_LOG_OUT_ASM] = { "out_asm", "show the host code generated for each block" },
    [KILN_LOG_INT] = { "int", "show interrupts and exceptions" },
    [KILN_LOG_CPU] = { "cpu", "show CPU registers before entering each block" },
    [KILN_LOG_CPU_RESET] = { "cpu_reset", "show CPU registers at each reset and triple fault" },
    [KILN_LOG_EXEC] = { "exec", "show each block as it is executed" },
    [KILN_LOG_MMU] = { "mmu", "show page walks and TLB activity" },
    [KILN_LOG_UNIMP] = { "unimp", "report unimplemented features (once each)" },
    [KILN_LOG_GUEST_ERRORS] = { "guest_errors",
                                "report guest misuse of devices and the CPU" },
    [KILN_LOG_STATS] = { "stats", "print translation and execution statistics at exit" },
    [KILN_LOG_NOCHAIN] = { "nochain",
                           "do not chain blocks together (a switch; implies no output)" },
};

/* Writes a formatted one-line reason into err, replacing control characters. */
static void log_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void log_seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    for (char *p = err; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

void kiln_log_init(struct kiln_log *log)
{
    memset(log, 0, sizeof(*log));
    log->out = stderr;
}

int kiln_log_open(struct kiln_log *log, const char *path, char *err, size_t errlen)
{
    FILE *f;

    if (path == NULL || path[0] == '\0') {
        log_seterr(err, errlen, "empty log file name");
        return -1;
    }
    f = fopen(path, "w");
    if (f == NULL) {
        log_seterr(err, errlen, "cannot open log file '%.200s': %s", path, strerror(errno));
        return -1;
    }
    if (log->owns_out && log->out != NULL)
        fclose(log->out);
    log->out = f;
    log->owns_out = true;
    return 0;
}

void kiln_log_close(struct kiln_log *log)
{
    if (log->owns_out && log->out != NULL)
        fclose(log->out);
    else if (log->out != NULL)
        fflush(log->out);
    free(log->once);
    kiln_log_init(log);
}

void kiln_log_flush(struct kiln_log *log)
{
    if (log != NULL && log->out != NULL)
        fflush(log->out);
}

void kiln_log_printf(struct kiln_log *log, const char *fmt, ...)
{
    va_list ap;

    if (log == NULL || log->out == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(log->out, fmt, ap);
    va_end(ap);
}

/* FNV-1a, with 0 reserved for empty slots. */
static uint64_t log_hash(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    return h ? h : 1;
}

/* Inserts h into the table (which has a free slot); returns false if present. */
static bool log_once_insert(uint64_t *tab, size_t cap, uint64_t h)
{
    size_t i = (size_t)(h ^ (h >> 29)) & (cap - 1);

    while (tab[i] != 0) {
        if (tab[i] == h)
            return false;
        i = (i + 1) & (cap - 1);
    }
    tab[i] = h;
    return true;
}

static bool log_once_contains(const uint64_t *tab, size_t cap, uint64_t h)
{
    size_t i = (size_t)(h ^ (h >> 29)) & (cap - 1);

    while (tab[i] != 0) {
        if (tab[i] == h)
            return true;
        i = (i + 1) & (cap - 1);
    }
    return false;
}

/* Doubles the table (keeping the load factor at most 1/2). */
static bool log_once_grow(struct kiln_log *log)
{
    size_t ncap = log->once_cap ? log->once_cap * 2 : 64;
    uint64_t *ntab = calloc(ncap, sizeof(*ntab));

    if (ntab == NULL)
        return false;
    for (size_t i = 0; i < log->once_cap; i++)
        if (log->once[i] != 0)
            log_once_insert(ntab, ncap, log->once[i]);
    free(log->once);
    log->once = ntab;
    log->once_cap = ncap;
    return true;
}

bool kiln_log_once(struct kiln_log *log, const char *key)
{
    uint64_t h;

    if (log == NULL || key == NULL)
        return false;
    h = log_hash(key);
    if (log->once_cap != 0 && log_once_contains(log->once, log->once_cap, h))
        return false;
    if (log->once_count >= KILN_LOG_ONCE_MAX) {
        log->once_full = true;
        return false;
    }
    if ((log->once_count + 1) * 2 > log->once_cap && !log_once_grow(log)) {
        log->once_full = true;
        return false;
    }
    log_once_insert(log->once, log->once_cap, h);
    log->once_count++;
    return true;
}

void kiln_log_unimp(struct kiln_log *log, const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    bool was_full;

    if (!kiln_log_enabled(log, KILN_LOG_UNIMP))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    was_full = log->once_full;
    if (kiln_log_once(log, key != NULL ? key : msg)) {
        kiln_log_printf(log, "unimplemented: %s\n", msg);
    } else if (!was_full && log->once_full) {
        kiln_log_printf(log, "unimplemented: too many distinct messages, "
                        "dropping new ones\n");
    }
}

const char *kiln_log_item_name(enum kiln_log_item item)
{
    if ((unsigned)item >= KILN_LOG_ITEM_COUNT)
        return NULL;
    return log_items[item].name;
}

const char *kiln_log_item_help(enum kiln_log_item item)
{
    if ((unsigned)item >= KILN_LOG_ITEM_COUNT)
        return NULL;
    return log_items[item].help;
}

int kiln_log_parse_mask(const char *list, uint32_t *mask, char *err, size_t errlen)
{
    uint32_t m = 0;
    const char *p = list;

    if (list == NULL || list[0] == '\0') {
        log_seterr(err, errlen, "empty log item list (try -d help)");
        return -1;
    }
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int found = -1;

        if (len == 0) {
            log_seterr(err, errlen, "empty log item in '%.100s' (try -d help)", list);
            return -1;
        }
        if (len == 3 && memcmp(p, "all", 3) == 0) {
            m |= KILN_LOG_ALL_OUTPUT;
            found = 0;
        }
        for (int i = 0; found < 0 && i < KILN_LOG_ITEM_COUNT; i++) {
            if (strlen(log_items[i].name) == len && memcmp(log_items[i].name, p, len) == 0) {
                m |= KILN_LOG_BIT(i);
                found = i;
            }
        }
        if (found < 0) {
            log_seterr(err, errlen, "unknown log item '%.*s' (try -d help)",
                       (int)(len > 100 ? 100 : len), p);
            return -1;
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    *mask = m;
    return 0;
}

void kiln_log_print_help(FILE *f)
{
    fprintf(f, "Log items (-d item1[,...]):\n");
    for (int i = 0; i < KILN_LOG_ITEM_COUNT; i++)
        fprintf(f, "  %-13s %s\n", log_items[i].name, log_items[i].help);
    fprintf(f, "  %-13s %s\n", "all", "every item above except nochain");
}
