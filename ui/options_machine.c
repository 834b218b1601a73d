/* SPDX-License-Identifier: MIT */
/* options_machine.c: -m, -smp, -accel, -icount, -seed, -rtc, -display and -d. */
#include <string.h>
#include "config.h"
#include "translate/log.h"
#include "ui/options.h"

int opt_memory(struct opt_ctx *c, const char *arg)
{
    struct opt_kvlist l;
    uint64_t size = 0;
    bool have_size = false;
    int rc = opt_kv_parse(c, &l, arg, "size");

    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const struct opt_kv *kv = &l.items[i];
        if (strcmp(kv->key, "size") == 0) {
            if (!kv->has_val || opt_parse_size(kv->val, 20, &size) < 0)
                rc = opt_fail(c, "invalid size '%.80s'", kv->has_val ? kv->val : "");
            have_size = true;
        } else if (strcmp(kv->key, "slots") == 0 || strcmp(kv->key, "maxmem") == 0) {
            rc = opt_fail(c, "memory hotplug (%s) is not supported", kv->key);
        } else {
            rc = opt_kv_unknown(c, kv);
        }
    }
    opt_kv_free(&l);
    if (rc < 0)
        return -1;
    if (!have_size)
        return opt_fail(c, "missing size");
    if (size < KILN_RAM_MIN)
        return opt_fail(c, "size '%.80s' is below the minimum of 1M", arg);
    if (size > KILN_RAM_MAX)
        return opt_fail(c, "size '%.80s' is above the maximum of 1T", arg);
    c->cfg->ram_size = (size + KILN_RAM_ALIGN - 1) & ~(KILN_RAM_ALIGN - 1);
    return 0;
}

int opt_smp(struct opt_ctx *c, const char *arg)
{
    static const char *const keys[] = { "cpus", "maxcpus", "sockets", "cores", "threads",
                                        "dies", "clusters" };
    uint64_t v[7] = { 0 };
    struct opt_kvlist l;
    uint64_t cpus, maxcpus, sockets, cores, threads, total;
    int rc = opt_kv_parse(c, &l, arg, "cpus");

    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const struct opt_kv *kv = &l.items[i];
        size_t k;
        for (k = 0; k < 7 && strcmp(kv->key, keys[k]) != 0; k++)
            ;
        if (k == 7)
            rc = opt_kv_unknown(c, kv);
        else
            rc = opt_kv_uint(c, kv, 1, k >= 5 ? 1 : 4096, &v[k]);
    }
    opt_kv_free(&l);
    if (rc < 0)
        return -1;
    /* QEMU's rules (machine types since 6.2 prefer cores): with no count
     * given, missing values are 1; otherwise missing cores (or sockets, or
     * threads last) are computed to fill maxcpus. */
    cpus = v[0];
    maxcpus = v[1];
    sockets = v[2];
    cores = v[3];
    threads = v[4];
    if (cpus == 0 && maxcpus == 0) {
        sockets = sockets ? sockets : 1;
        cores = cores ? cores : 1;
        threads = threads ? threads : 1;
    } else {
        maxcpus = maxcpus ? maxcpus : cpus;
        if (cores == 0) {
            sockets = sockets ? sockets : 1;
            threads = threads ? threads : 1;
            cores = maxcpus / (sockets * threads);
        } else if (sockets == 0) {
            threads = threads ? threads : 1;
            sockets = maxcpus / (cores * threads);
        }
        if (threads == 0)
            threads = maxcpus / (sockets * cores);
    }
    total = sockets * cores * threads;
    if (maxcpus == 0)
        maxcpus = total;
    if (cpus == 0)
        cpus = maxcpus;
    if (total != maxcpus || sockets == 0 || cores == 0 || threads == 0)
        return opt_fail(c, "sockets (%llu) * cores (%llu) * threads (%llu) does not "
                        "match maxcpus (%llu)", (unsigned long long)sockets,
                        (unsigned long long)cores, (unsigned long long)threads,
                        (unsigned long long)maxcpus);
    if (cpus > maxcpus)
        return opt_fail(c, "cpus (%llu) is above maxcpus (%llu)", (unsigned long long)cpus,
                        (unsigned long long)maxcpus);
    if (maxcpus > KILN_MAX_CPUS)
        return opt_fail(c, "%llu CPUs is above the maximum of %d",
                        (unsigned long long)maxcpus, KILN_MAX_CPUS);
    if (maxcpus > 1 && opt_need(c, KILN_FEAT_SMP) < 0)
        return -1;
    c->cfg->smp.cpus = (unsigned)cpus;
    c->cfg->smp.maxcpus = (unsigned)maxcpus;
    c->cfg->smp.sockets = (unsigned)sockets;
    c->cfg->smp.cores = (unsigned)cores;
    c->cfg->smp.threads = (unsigned)threads;
    return 0;
}

int opt_accel(struct opt_ctx *c, const char *arg)
{
    static const char *const hw[] = { "kvm", "hvf", "whpx", "xen", "nvmm", "qtest" };
    struct opt_kvlist l;
    struct kiln_config *cfg = c->cfg;
    enum kiln_accel accel = cfg->accel;
    unsigned tb_size = cfg->tb_size_mib;
    bool one_insn = cfg->one_insn_per_tb, have_accel = false;
    uint64_t n;
    int rc = opt_kv_parse(c, &l, arg, "accel");

    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const struct opt_kv *kv = &l.items[i];
        if (strcmp(kv->key, "accel") == 0) {
            have_accel = true;
            if (strcmp(kv->val, "jit") == 0 || strcmp(kv->val, "tcg") == 0) {
                accel = KILN_ACCEL_JIT;
                rc = opt_need(c, KILN_FEAT_JIT);
            } else if (strcmp(kv->val, "interp") == 0) {
                accel = KILN_ACCEL_INTERP;
                rc = opt_need(c, KILN_FEAT_INTERP);
            } else {
                rc = -2;
                for (size_t k = 0; k < sizeof(hw) / sizeof(hw[0]); k++)
                    if (strcmp(kv->val, hw[k]) == 0)
                        rc = opt_fail(c, "%s is not supported (kiln never uses hardware "
                                      "virtualization; use jit or interp)", hw[k]);
                if (rc == -2)
                    rc = opt_fail(c, "unknown accelerator '%.80s' (use jit or interp)",
                                  kv->val);
            }
        } else if (strcmp(kv->key, "tb-size") == 0) {
            rc = opt_kv_uint(c, kv, 1, 4096, &n);
            tb_size = (unsigned)n;
        } else if (strcmp(kv->key, "one-insn-per-tb") == 0) {
            rc = opt_kv_bool(c, kv, &one_insn);
        } else if (strcmp(kv->key, "thread") == 0) {
            if (strcmp(kv->val, "single") != 0)
                rc = opt_fail(c, "thread=%.80s is not supported (only thread=single)",
                              kv->val);
        } else {
            rc = opt_kv_unknown(c, kv);
        }
    }
    opt_kv_free(&l);
    if (rc < 0)
        return -1;
    if (!have_accel)
        return opt_fail(c, "missing accelerator name (jit or interp)");
    cfg->accel = accel;
    cfg->tb_size_mib = tb_size;
    cfg->one_insn_per_tb = one_insn;
    c->accel_given = true;
    return 0;
}

int opt_machine(struct opt_ctx *c, const char *arg)
{
    struct opt_kvlist l;
    int rc = opt_kv_parse(c, &l, arg, "type");
    bool have_type = false;

    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const struct opt_kv *kv = &l.items[i];
        const char *v = kv->val;
        if (strcmp(kv->key, "type") == 0) {
            have_type = true;
            if (strcmp(v, "help") == 0 || strcmp(v, "?") == 0) {
                fprintf(c->out, "Machines:\n  %-10s %s\n", "pc",
                        "standard PC (i440FX + PIIX); pc-i440fx-* are aliases");
                rc = 1;
            } else if (strcmp(v, "q35") == 0 || strncmp(v, "pc-q35", 6) == 0) {
                rc = opt_fail(c, "q35 is not built (only pc)");
            } else if (strcmp(v, "pc") != 0 && strncmp(v, "pc-i440fx-", 10) != 0) {
                rc = opt_fail(c, "unsupported machine '%.80s' (only pc)", v);
            }
        } else if (strcmp(kv->key, "accel") == 0 && strchr(v, ':') != NULL) {
            /* QEMU's fallback list "kvm:tcg": take the first kiln can use. */
            char name[16];
            const char *p = v;
            rc = -2;
            while (rc == -2 && *p != '\0') {
                size_t len = strcspn(p, ":");
                if (len < sizeof(name)) {
                    memcpy(name, p, len);
                    name[len] = '\0';
                    if (strcmp(name, "tcg") == 0 || strcmp(name, "jit") == 0 ||
                        strcmp(name, "interp") == 0)
                        rc = opt_accel(c, name);
                }
                p += len + (p[len] == ':');
            }
            if (rc == -2)
                rc = opt_fail(c, "no usable accelerator in '%.80s' (use jit or interp)", v);
        } else if (strcmp(kv->key, "accel") == 0) {
            rc = opt_accel(c, v);
        } else {
            rc = opt_kv_unknown(c, kv);
        }
    }
    opt_kv_free(&l);
    if (rc != 0)
        return rc;
    if (!have_type)
        return opt_fail(c, "missing machine type (pc)");
    c->cfg->machine = KILN_MACHINE_PC;
    return 0;
}

int opt_icount(struct opt_ctx *c, const char *arg)
{
    struct opt_kvlist l;
    int shift = -2;
    bool sleep = true;
    uint64_t n;
    int rc = opt_kv_parse(c, &l, arg, "shift");

    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const struct opt_kv *kv = &l.items[i];
        if (strcmp(kv->key, "shift") == 0) {
            if (strcmp(kv->val, "auto") == 0) {
                shift = KILN_ICOUNT_AUTO;
            } else {
                rc = opt_kv_uint(c, kv, 0, KILN_ICOUNT_SHIFT_MAX, &n);
                shift = (int)n;
            }
        } else if (strcmp(kv->key, "sleep") == 0) {
            rc = opt_kv_bool(c, kv, &sleep);
        } else if (strcmp(kv->key, "align") == 0 || strcmp(kv->key, "rr") == 0 ||
                   strcmp(kv->key, "rrfile") == 0 || strcmp(kv->key, "rrsnapshot") == 0) {
            rc = opt_fail(c, "%s is not supported", kv->key);
        } else {
            rc = opt_kv_unknown(c, kv);
        }
    }
    opt_kv_free(&l);
    if (rc < 0)
        return -1;
    if (shift == -2)
        return opt_fail(c, "shift= is required (a number 0..%d, or auto)",
                        KILN_ICOUNT_SHIFT_MAX);
    if (opt_need(c, KILN_FEAT_ICOUNT) < 0)
        return -1;
    c->cfg->icount.enabled = true;
    c->cfg->icount.shift = shift;
    c->cfg->icount.sleep = sleep;
    return 0;
}

int opt_seed(struct opt_ctx *c, const char *arg)
{
    uint64_t n;
    if (opt_parse_u64(arg, &n) < 0)
        return opt_fail(c, "'%s' is not a number (a seed from 0 to 2^64-1)", arg);
    c->cfg->seed_set = true;
    c->cfg->seed = n;
    return 0;
}

/* Parses exactly `len` decimal digits at s into *v. */
static bool rtc_digits(const char *s, int len, int *v)
{
    *v = 0;
    for (int i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t rtc_days(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" (UTC) into seconds since the epoch. */
static bool rtc_parse_datetime(const char *s, int64_t *out)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, mo, d, h = 0, mi = 0, sec = 0;
    size_t len = strlen(s);

    if ((len != 10 && len != 19) || !rtc_digits(s, 4, &y) || s[4] != '-' ||
        !rtc_digits(s + 5, 2, &mo) || s[7] != '-' || !rtc_digits(s + 8, 2, &d))
        return false;
    if (len == 19 && (s[10] != 'T' || !rtc_digits(s + 11, 2, &h) || s[13] != ':' ||
                      !rtc_digits(s + 14, 2, &mi) || s[16] != ':' ||
                      !rtc_digits(s + 17, 2, &sec)))
        return false;
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
        sec > 59)
        return false;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    *out = rtc_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return true;
}

int opt_rtc(struct opt_ctx *c, const char *arg)
{
    struct opt_kvlist l;
    struct kiln_config *cfg = c->cfg;
    enum kiln_rtc_base base = cfg->rtc.base;
    enum kiln_rtc_clock clock = cfg->rtc.clock;
    int64_t when = cfg->rtc.base_time;
    bool slew = cfg->rtc.driftfix_slew;
    int rc = opt_kv_parse(c, &l, arg, NULL);

    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const struct opt_kv *kv = &l.items[i];
        if (strcmp(kv->key, "base") == 0) {
            if (strcmp(kv->val, "utc") == 0)
                base = KILN_RTC_UTC;
            else if (strcmp(kv->val, "localtime") == 0)
                base = KILN_RTC_LOCALTIME;
            else if (rtc_parse_datetime(kv->val, &when))
                base = KILN_RTC_DATETIME;
            else
                rc = opt_fail(c, "invalid base '%.80s' (utc, localtime, YYYY-MM-DD or "
                              "YYYY-MM-DDTHH:MM:SS)", kv->val);
        } else if (strcmp(kv->key, "clock") == 0) {
            if (strcmp(kv->val, "host") == 0)
                clock = KILN_RTC_CLOCK_HOST;
            else if (strcmp(kv->val, "rt") == 0)
                clock = KILN_RTC_CLOCK_RT;
            else if (strcmp(kv->val, "vm") == 0)
                clock = KILN_RTC_CLOCK_VM;
            else
                rc = opt_fail(c, "invalid clock '%.80s' (host, rt or vm)", kv->val);
        } else if (strcmp(kv->key, "driftfix") == 0) {
            if (strcmp(kv->val, "none") == 0 || strcmp(kv->val, "slew") == 0)
                slew = strcmp(kv->val, "slew") == 0;
            else
                rc = opt_fail(c, "invalid driftfix '%.80s' (none or slew)", kv->val);
        } else {
            rc = opt_kv_unknown(c, kv);
        }
    }
    opt_kv_free(&l);
    if (rc < 0 || opt_need(c, KILN_FEAT_RTC) < 0)
        return -1;
    cfg->rtc.base = base;
    cfg->rtc.base_time = base == KILN_RTC_DATETIME ? when : 0;
    cfg->rtc.clock = clock;
    cfg->rtc.driftfix_slew = slew;
    return 0;
}

int opt_display(struct opt_ctx *c, const char *arg)
{
    static const char *const others[] = { "gtk", "curses", "vnc", "cocoa", "egl-headless",
                                          "spice-app", "dbus", "default" };
    size_t len = strcspn(arg, ",=");
    bool is_none = len == 4 && memcmp(arg, "none", 4) == 0;
    bool is_sdl = len == 3 && memcmp(arg, "sdl", 3) == 0;

    if (len == 0)
        return opt_fail(c, "missing display type (none or sdl)");
    if (!is_none && !is_sdl) {
        for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
            if (strlen(others[i]) == len && memcmp(arg, others[i], len) == 0)
                return opt_fail(c, "%s is not built (available: none, sdl)", others[i]);
        return opt_fail(c, "unknown display '%.*s' (available: none, sdl)",
                        (int)(len > 80 ? 80 : len), arg);
    }
    if (arg[len] != '\0')
        return opt_fail(c, "display options are not supported ('%.80s')", arg);
    if (is_sdl) {
        if (opt_need(c, KILN_FEAT_SDL) < 0)
            return -1;
        if (!KILN_HAVE_SDL)
            return opt_fail(c, "sdl was not compiled in (configure found no SDL2)");
        c->cfg->display = KILN_DISPLAY_SDL;
    } else {
        c->cfg->display = KILN_DISPLAY_NONE;
    }
    c->display_given = true;
    return 0;
}

int opt_debug_log(struct opt_ctx *c, const char *arg)
{
    char why[160];
    uint32_t mask;

    if (strcmp(arg, "help") == 0) {
        kiln_log_print_help(c->out);
        return 1;
    }
    if (kiln_log_parse_mask(arg, &mask, why, sizeof(why)) < 0)
        return opt_fail(c, "%s", why);
    c->cfg->log_mask = mask;
    return 0;
}
