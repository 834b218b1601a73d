/* SPDX-License-Identifier: MIT */
/* dt_main.c: difftest command line: soak runs, replay, and the make-check suite. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tests/difftest/dt_run.h"

/*
 * Classes `make check` runs (--check). Only classes kiln's frontend has landed belong
 * here: grow the list as cpu/ gains instructions. docs/DIFFTEST.md lists the others
 * and why they are out. The soak (`make difftest`) runs every class regardless.
 */
static const char *const check_classes[] = {
    "alu", "test", "incdec", "negnot", "mul", "imul", "div", "shift", "shxd", "bt", "bitscan",
    "bmi1", "bmi2", "adx", "mov", "movx", "movbe", "lea", "xchg", "cmpxchg", "cmpxchg8b16b",
    "xadd", "bswap", "cmov", "setcc", "jmp", "call", "loop", "pushpop", "enter", "convert",
    "flags", "string", "xlat", "nop", "fault", "smc", "repfault", "noncanon", "pfsplit",
    "x87", "mmx", "ssefp", "sseint", "sse4", "aes", "rloop",
};
/* make check: sequences per class per engine, and for the final mixed run. */
#define CHECK_PER_CLASS 500
#define CHECK_MIXED 5000
#define CHECK_SEED 0x6b696c6e64740001ull
/* The JIT must be creatable (a failure, not a skip) when this is set. */
#define CHECK_REQUIRE_JIT 1

struct opts {
    uint64_t seed;
    long count;
    uint64_t insns;
    bool engine[2];
    bool cls[DT_C_COUNT];
    int max_items;
    int max_fail;
    bool validate, quiet, show, strict_decode, known_bugs;
    const char *argv0;
    const char *insn;
};

struct stats {
    long seqs;
    uint64_t insns[2];
    uint64_t executed[2];   /* instructions kiln executed (loops count every pass) */
    uint64_t slices[2], requests[2];  /* kiln runs resumed after budget exits, exit requests */
    long fails[2];
    long native_errors;
    long bad_encodings;
};

/* Kinds of mismatch seen (each reported in full once). */
#define MAX_KINDS 64
static struct {
    char key[160];
    long count;
    uint64_t seed;
} kinds[MAX_KINDS];
static int nkinds;
/* Mismatches past the first SHRINK_LIMIT are only counted. */
#define SHRINK_LIMIT 300
static long unclassified;

static uint64_t seq_seed(uint64_t master, uint64_t i)
{
    struct dt_rng r = { master ^ (i * 0xd1b54a32d192ed03ull) };
    return dt_rand(&r);
}

static void classes_str(const bool *cls, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < DT_C_COUNT && o < n; i++)
        if (cls[i])
            o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? "," : "", dt_class_name(i));
}

static void make_seq(const struct opts *o, uint64_t ss, struct dt_seq *s, struct dt_state *st)
{
    static struct dt_gen g;
    dt_gen_init(&g, ss);
    for (int i = 0; i < DT_C_COUNT; i++)
        g.enabled[i] = o->cls[i];
    g.insn = o->insn;
    g.known_bugs = o->known_bugs;
    dt_gen_seq(&g, s, o->max_items);
    dt_gen_state(&g, st);
}

/* The host run ended as the generator intends: at the end, or in a deliberate fault. */
static bool native_sane(const struct dt_seq *s, const struct dt_code *c, const struct dt_result *h,
                        char *why, size_t n)
{
    if (h->stop == DT_STOP_END)
        return true;
    if (h->stop == DT_STOP_FAULT) {
        uint32_t off = (uint32_t)(h->rip - DT_MEM_BASE);
        for (int i = 0; i < s->n; i++) {
            if (off < c->start[i] || off >= c->start[i + 1])
                continue;
            int cls = s->it[i].cls;
            if ((cls == DT_C_DIV && h->vector == 0) ||
                (cls == DT_C_FAULT && (h->vector == 6 || h->vector == 13 || h->vector == 14)) ||
                (cls == DT_C_NONCANON && (h->vector == 12 || h->vector == 13)) ||
                ((cls == DT_C_PFSPLIT || cls == DT_C_REPFAULT) && h->vector == 14) ||
                (cls == DT_C_RLOOP && (h->vector == 0 || h->vector == 14)) ||
                /* FP/SIMD: unmasked exceptions (#MF, #XM), misaligned 16-byte operands */
                (cls >= DT_C_X87 && cls <= DT_C_AES &&
                 (h->vector == 16 || h->vector == 19 || (h->vector == 13 && cls != DT_C_X87))))
                return true;
            snprintf(why, n, "unintended exception %u (error %#x) in a %s item", h->vector,
                     h->err, dt_class_name(cls));
            return false;
        }
    }
    snprintf(why, n, "host stop %d outside the sequence: %s", h->stop, h->msg);
    return false;
}

/* Runs one sequence on every selected engine; returns the number of mismatches. */
static int run_seq(const struct opts *o, uint64_t ss, struct stats *stt, FILE *out)
{
    static struct dt_seq s;
    static struct dt_state st;
    static struct dt_code c;
    static struct dt_result h, k;
    char why[256], cl[512], repro[900];
    int bad = 0;
    make_seq(o, ss, &s, &st);
    if (o->show)
        dt_print_seq(out, &s, &st);
    if (o->validate && dt_validate(&s, why, sizeof why)) {
        stt->bad_encodings++;
        if (!o->quiet || stt->bad_encodings == 1)
            fprintf(out, "decoder disagrees on an encoding (seed %#" PRIx64 "): %s\n", ss, why);
        if (o->strict_decode)
            return 1;
    }
    dt_layout(&s, 0xcc, &c);
    dt_native_run(&c, &st, &h);
    stt->seqs++;
    if (!o->engine[0] && !o->engine[1])
        stt->insns[0] += c.ninsns;
    if (!native_sane(&s, &c, &h, why, sizeof why)) {
        stt->native_errors++;
        fprintf(out, "host run of seed %#" PRIx64 " (classes as given): %s\n", ss, why);
        dt_report(out, -1, ss, "-", &s, &st, why);
        return 1;
    }
    if (h.stop == DT_STOP_ERROR) {
        stt->native_errors++;
        fprintf(out, "native runner error on seed %#" PRIx64 ": %s\n", ss, h.msg);
        return 1;
    }
    bool ok[2] = { true, true };
    char whys[2][256];
    for (int e = 0; e < 2; e++) {
        if (!o->engine[e])
            continue;
        c.b[c.len] = 0xf4;
        dt_kiln_run(e, &c, &st, &k);
        c.b[c.len] = 0xcc;
        stt->insns[e] += c.ninsns;
        stt->executed[e] += k.insns;
        stt->slices[e] += k.slices;
        stt->requests[e] += k.requests;
        ok[e] = dt_compare(&s, &c, &h, &k, whys[e], sizeof whys[e]);
    }
    /* the engines disagree with each other: always worth a full report */
    bool split = o->engine[0] && o->engine[1] && ok[0] != ok[1];
    for (int e = 0; e < 2; e++) {
        if (ok[e])
            continue;
        memcpy(why, whys[e], sizeof why);
        stt->fails[e]++;
        bad++;
        if (o->quiet && stt->fails[e] > 1)
            continue;
        if (stt->fails[0] + stt->fails[1] > SHRINK_LIMIT && !split) {
            unclassified++;          /* shrinking every one would take too long */
            continue;
        }
        struct dt_seq m = s;
        dt_shrink(e, &m, &st, why);
        /* one full report per kind: engine, what differs, classes of the minimal sequence */
        bool mcls[DT_C_COUNT] = { false };
        for (int i = 0; i < m.n; i++)
            mcls[m.it[i].cls] = true;
        classes_str(mcls, cl, sizeof cl);
        char key[sizeof kinds[0].key];
        const char *colon = strchr(why, ':');
        snprintf(key, sizeof key, "%s%s %.*s [%.100s]", dt_engine_name(e), split ? " only" : "",
                 colon ? (int)(colon - why) : (int)strlen(why), why, cl);
        int ki;
        for (ki = 0; ki < nkinds && strcmp(kinds[ki].key, key); ki++)
            ;
        if (ki == nkinds && nkinds < MAX_KINDS) {
            snprintf(kinds[nkinds].key, sizeof key, "%s", key);
            kinds[nkinds].seed = ss;
            nkinds++;
        } else {
            if (ki < nkinds)
                kinds[ki].count++;
            continue;
        }
        kinds[ki].count++;
        bool all = true;
        for (int i = 0; i < DT_C_COUNT; i++)
            all = all && o->cls[i];
        classes_str(o->cls, cl, sizeof cl);
        snprintf(repro, sizeof repro, "%s --replay %#" PRIx64 " --engine %s%s%s --max-items %d%s%s%s",
                 o->argv0, ss, dt_engine_name(e), all ? "" : " --classes ", all ? "" : cl,
                 o->max_items, o->insn ? " --insn " : "", o->insn ? o->insn : "",
                 o->known_bugs ? " --known-bugs" : "");
        dt_report(out, e, ss, repro, &m, &st, why);
        fflush(out);
    }
    return bad;
}

static void print_kinds(FILE *out)
{
    if (nkinds)
        fprintf(out, "difftest: mismatch kinds (engine, what differs, classes in the minimal sequence):\n");
    for (int i = 0; i < nkinds; i++)
        fprintf(out, "  %6ld x  %s  (first: --replay %#" PRIx64 ")\n", kinds[i].count, kinds[i].key,
                kinds[i].seed);
    if (unclassified)
        fprintf(out, "  %6ld more, not shrunk nor classified\n", unclassified);
}

static void test_line(bool ok, const char *name, int *passed, int *failed)
{
    printf("[ %s ] %s\n", ok ? "      OK" : " FAILED ", name);
    if (ok)
        (*passed)++;
    else
        (*failed)++;
}

static int check_main(struct opts *o)
{
    const int ncheck = (int)(sizeof check_classes / sizeof check_classes[0]);
    int ntests = 2 + DT_C_COUNT + (dt_kiln_available() ? 2 * (ncheck + 1) : 0);
    int passed = 0, failed = 0;
    struct stats stt;
    static struct dt_gen gprobe;
    dt_gen_init(&gprobe, 0);
    printf("[==========] Running %d test(s).\n", ntests);
    printf("[ RUN      ] difftest.native_selftest\n");
    test_line(dt_selftest_native(stdout), "difftest.native_selftest", &passed, &failed);
    printf("[ RUN      ] difftest.compare_selftest\n");
    test_line(dt_selftest_compare(stdout), "difftest.compare_selftest", &passed, &failed);
    o->quiet = true;
    o->max_items = 12;
    char name[64];
    /* host side of every class: runs to the end or to a deliberate fault, reproducibly */
    for (int cl = 0; cl < DT_C_COUNT; cl++) {
        if (!gprobe.avail[cl]) {
            printf("difftest: host CPU lacks %s: not generated\n", dt_class_name(cl));
            ntests--;
            continue;
        }
        snprintf(name, sizeof name, "difftest.host.%s", dt_class_name(cl));
        printf("[ RUN      ] %s\n", name);
        memset(o->cls, 0, sizeof o->cls);
        o->cls[cl] = true;
        o->engine[0] = o->engine[1] = false;
        o->validate = o->strict_decode = true;   /* and x86_decode agrees on every length */
        memset(&stt, 0, sizeof stt);
        bool ok = true;
        for (long i = 0; ok && i < 40; i++)
            if (run_seq(o, seq_seed(CHECK_SEED ^ 0x40, (uint64_t)(cl * 1000 + i)), &stt, stdout))
                ok = false;
        test_line(ok, name, &passed, &failed);
    }
    o->validate = o->strict_decode = false;
    if (!dt_kiln_available())
        printf("difftest: cpu/bare.c is not built yet: kiln engines not tested\n");
    for (int e = 0; dt_kiln_available() && e < 2; e++) {
        bool have = dt_kiln_init(e);
        for (int ci = 0; ci <= ncheck; ci++) {
            bool mixed = ci == ncheck;
            snprintf(name, sizeof name, "difftest.%s.%s", dt_engine_name(e),
                     mixed ? "mixed" : check_classes[ci]);
            printf("[ RUN      ] %s\n", name);
            memset(o->cls, 0, sizeof o->cls);
            for (int j = 0; j < ncheck; j++)
                if (mixed || j == ci)
                    o->cls[dt_class_by_name(check_classes[j])] = true;
            o->engine[0] = e == 0;
            o->engine[1] = e == 1;
            bool ok = have;
            if (!have)
                printf("cannot create the %s bare CPU\n", dt_engine_name(e));
            else if (e == 1 && ci == 0 && !dt_kiln_real_jit())
                printf("note: no JIT in this build (translate/x86_64.h absent): the interpreter "
                       "stands in\n");
            memset(&stt, 0, sizeof stt);
            long n = mixed ? CHECK_MIXED : CHECK_PER_CLASS;
            for (long i = 0; ok && i < n; i++)
                if (run_seq(o, seq_seed(CHECK_SEED + (uint64_t)ci * 1000 + (uint64_t)e, (uint64_t)i),
                            &stt, stdout))
                    ok = false;
            if (e == 1 && !have && !CHECK_REQUIRE_JIT)
                ok = true;
            test_line(ok, name, &passed, &failed);
        }
    }
    dt_kiln_fini();
    printf("[==========] %d test(s) run.\n", passed + failed);
    printf("[  PASSED  ] %d test(s).\n", passed);
    if (failed)
        printf("[  FAILED  ] %d test(s)\n", failed);
    return failed ? 1 : 0;
}

static void usage(const char *p)
{
    printf("usage: %s [options]\n"
           "  --check            the make-check suite (fixed seeds, enabled classes only)\n"
           "  --count N          sequences to run (default: until --insns is reached)\n"
           "  --insns N          instructions per engine to run (default 10000000)\n"
           "  --seed S           master seed (default: from the clock, printed)\n"
           "  --replay S         run the one sequence of seed S (as printed in a report)\n"
           "  --engine E         interp, jit or both (default both)\n"
           "  --classes A,B,...  only these instruction classes (default all); --list shows them\n"
           "  --insn NAME        only items with this instruction (decoder mnemonic: rcl, cmpxchg,\n"
           "                     jcc, cmovcc, setcc, ...)\n"
           "  --max-items N      items per sequence (1..%d, default 20)\n"
           "  --max-fail N       stop after N mismatches (default: never; each kind is shown once)\n"
           "  --validate         check every encoding's length with x86_decode\n"
           "  --native-only      host side only (no kiln engine)\n"
           "  --show             print every sequence run (with --replay: the one)\n"
           "  --strict-undef     compare architecturally undefined flags too (does kiln\n"
           "                     do what this host CPU does?)\n"
           "  --known-bugs       also generate cases of known, unfixed kiln bugs\n"
           "                     (docs/DIFFTEST.md lists them)\n", p, DT_MAX_ITEMS);
}

int main(int argc, char **argv)
{
    static struct opts o;
    o.argv0 = argv[0];
    o.engine[0] = o.engine[1] = true;
    o.max_items = 20;
    o.max_fail = 0;
    o.insns = 10000000;
    for (int i = 0; i < DT_C_COUNT; i++)
        o.cls[i] = true;
    bool check = false, replay = false, seeded = false, native_only = false;
    uint64_t rseed = 0;
    static const struct option lo[] = {
        { "check", 0, 0, 'k' }, { "count", 1, 0, 'n' }, { "insns", 1, 0, 'i' },
        { "seed", 1, 0, 's' }, { "replay", 1, 0, 'r' }, { "engine", 1, 0, 'e' },
        { "classes", 1, 0, 'c' }, { "max-items", 1, 0, 'm' }, { "max-fail", 1, 0, 'f' },
        { "validate", 0, 0, 'v' }, { "native-only", 0, 0, 'N' }, { "list", 0, 0, 'l' },
        { "show", 0, 0, 'S' }, { "insn", 1, 0, 'I' }, { "strict-undef", 0, 0, 'U' }, { "known-bugs", 0, 0, 'K' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'k': check = true; break;
        case 'n': o.count = strtol(optarg, NULL, 0); break;
        case 'i': o.insns = strtoull(optarg, NULL, 0); break;
        case 's': o.seed = strtoull(optarg, NULL, 0); seeded = true; break;
        case 'r': rseed = strtoull(optarg, NULL, 0); replay = true; break;
        case 'e':
            o.engine[0] = !strcmp(optarg, "interp") || !strcmp(optarg, "both");
            o.engine[1] = !strcmp(optarg, "jit") || !strcmp(optarg, "both");
            break;
        case 'c': {
            memset(o.cls, 0, sizeof o.cls);
            char *dup = strdup(optarg), *save = NULL;
            for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                int c = dt_class_by_name(t);
                if (c < 0) {
                    fprintf(stderr, "unknown class '%s' (see --list)\n", t);
                    return 2;
                }
                o.cls[c] = true;
            }
            free(dup);
            break;
        }
        case 'm': o.max_items = atoi(optarg); break;
        case 'f': o.max_fail = atoi(optarg); break;
        case 'v': o.validate = true; break;
        case 'N': native_only = true; break;
        case 'S': o.show = true; break;
        case 'I': o.insn = optarg; break;
        case 'U': dt_undef_strict(true); break;
        case 'K': o.known_bugs = true; break;
        case 'l':
            for (int i = 0; i < DT_C_COUNT; i++)
                printf("%s\n", dt_class_name(i));
            return 0;
        default: usage(argv[0]); return ch == 'h' ? 0 : 2;
        }
    }
    if (o.max_items < 1 || o.max_items > DT_MAX_ITEMS)
        o.max_items = 20;
    if (!dt_native_init()) {
        fprintf(stderr, "difftest: cannot start the native worker\n");
        return 1;
    }
    if (check) {
        int rc = check_main(&o);
        dt_native_fini();
        return rc;
    }
    if (native_only || !dt_kiln_available())
        o.engine[0] = o.engine[1] = false;
    for (int e = 0; e < 2; e++)
        if (o.engine[e] && !dt_kiln_init(e)) {
            fprintf(stderr, "difftest: cannot create the %s bare CPU\n", dt_engine_name(e));
            return 1;
        }
    struct stats stt;
    memset(&stt, 0, sizeof stt);
    if (replay) {
        run_seq(&o, rseed, &stt, stdout);
    } else {
        if (!seeded)
            o.seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
        printf("difftest: seed %#" PRIx64 "\n", o.seed);
        fflush(stdout);
        for (uint64_t i = 0;; i++) {
            if (o.count ? (long)i >= o.count
                        : (stt.insns[0] >= o.insns || !o.engine[0]) &&
                              (stt.insns[1] >= o.insns || !o.engine[1]) &&
                              (o.engine[0] || o.engine[1] || (long)i >= 100000))
                break;
            run_seq(&o, seq_seed(o.seed, i), &stt, stdout);
            if (o.max_fail && stt.fails[0] + stt.fails[1] + stt.native_errors >= o.max_fail)
                break;
        }
    }
    if (o.engine[1] && !dt_kiln_real_jit())
        printf("difftest: note: no JIT in this build (translate/x86_64.h absent): the "
               "interpreter stood in for it\n");
    print_kinds(stdout);
    printf("difftest: %ld sequence(s); instructions: interp %" PRIu64 ", jit %" PRIu64
           " (executed: %" PRIu64 ", %" PRIu64 "); mismatches: interp %ld, jit %ld; native errors %ld; "
           "bad encodings %ld\n", stt.seqs, stt.insns[0], stt.insns[1], stt.executed[0],
           stt.executed[1], stt.fails[0], stt.fails[1], stt.native_errors, stt.bad_encodings);
    if (o.engine[0] || o.engine[1])
        printf("difftest: kiln runs resumed after budget exits: interp %" PRIu64 ", jit %" PRIu64
               "; after exit requests: interp %" PRIu64 ", jit %" PRIu64 "\n", stt.slices[0],
               stt.slices[1], stt.requests[0], stt.requests[1]);
    dt_kiln_fini();
    dt_native_fini();
    return stt.fails[0] + stt.fails[1] + stt.native_errors ? 1 : 0;
}
