/* SPDX-License-Identifier: MIT */
/* run286.c: runs the 80286 real-mode test suite on kiln's bare CPU (both engines). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/cpu286/exec286.h"
#include "tests/cpu286/meta286.h"
#include "tests/cpu286/suite286.h"

#ifndef KILN_TESTDATA_DEFAULT
#define KILN_TESTDATA_DEFAULT "../shared/testdata/80286"
#endif
#ifndef KILN_CPU286_KNOWN_BAD
#define KILN_CPU286_KNOWN_BAD "tests/cpu286/known_bad.txt"
#endif

static void usage(FILE *out)
{
    fprintf(out,
        "usage: run286 [options]\n"
        "Runs the SingleStepTests 80286 real-mode vectors on kiln's bare CPU.\n"
        "  --data=DIR       test data (default: $KILN_TESTDATA, else %s)\n"
        "  --engine=E       interp, jit or both (default both)\n"
        "  -f, --file=STEM  only this opcode file (00, 80.2, D3 = all D3.*); repeatable\n"
        "  -v, --verbose    report every failure (up to --max-fail) and per-file lines\n"
        "  --max-fail=N     failures shown in detail per file and engine (default 3)\n"
        "  --sample=N       run every Nth vector (default 1 = all)\n"
        "  --budget=N       instruction budget per vector (default 1024)\n"
        "  --no-deliver     the harness does not deliver exceptions kiln stopped at\n"
        "  --no-kiln-deliver  kiln stops at every exception (does not deliver it)\n"
        "  --known-bad=F    list of vectors judged wrong, skipped (default %s)\n"
        "  --no-fork        run in-process (for a debugger; a crash ends the run)\n"
        "  --timeout=S      seconds per file and engine before it counts as hung (default 300)\n"
        "  --markdown       print the per-opcode table as Markdown\n"
        "  --print-enabled  print enabled.txt lines for the files that pass fully\n"
        "  --check          make-check mode: parse every file, run the files listed in\n"
        "                   --enabled=FILE, print cmocka-style summary lines\n",
        KILN_TESTDATA_DEFAULT, KILN_CPU286_KNOWN_BAD);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds the mode directory (holding metadata.json) from the data root. */
static bool locate_data(const char *root, char *modedir, size_t n, char *revlist, size_t rn)
{
    char p[4160];
    snprintf(modedir, n, "%s/v1_real_mode", root);
    snprintf(revlist, rn, "%s/revocation_list.txt", root);
    snprintf(p, sizeof(p), "%s/metadata.json", modedir);
    if (is_file(p))
        return true;
    /* KILN_TESTDATA may name the mode directory itself */
    snprintf(modedir, n, "%s", root);
    snprintf(revlist, rn, "%s/../revocation_list.txt", root);
    snprintf(p, sizeof(p), "%s/metadata.json", modedir);
    return is_file(p);
}

static int cmp_stem(const void *a, const void *b)
{
    const struct s286_file *x = a, *y = b;
    return strcasecmp(x->stem, y->stem);
}

/* Lists *.MOO.gz / *.MOO files of dir into *out (sorted by stem). */
static int list_files(const char *dir, struct s286_file **out, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *nm = de->d_name;
        size_t l = strlen(nm), sl;
        if (l > 7 && strcasecmp(nm + l - 7, ".MOO.gz") == 0)
            sl = l - 7;
        else if (l > 4 && strcasecmp(nm + l - 4, ".MOO") == 0)
            sl = l - 4;
        else
            continue;
        if (sl == 0 || sl >= sizeof((*out)->stem))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 128;
            struct s286_file *nf = realloc(*out, cap * sizeof(*nf));
            if (!nf) {
                closedir(d);
                return -1;
            }
            *out = nf;
        }
        struct s286_file *f = &(*out)[(*n)++];
        memset(f, 0, sizeof(*f));
        memcpy(f->stem, nm, sl);
        f->stem[sl] = 0;
        snprintf(f->path, sizeof(f->path), "%s/%s", dir, nm);
        s286_stem_split(f->stem, f->opcode, sizeof(f->opcode), &f->reg);
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof(**out), cmp_stem);
    return 0;
}

/* -f selection: exact stem, or the opcode part of grouped stems ("D3" = "D3.*"). */
static bool selected(const struct s286_file *f, char **sel, int nsel)
{
    if (!nsel)
        return true;
    for (int i = 0; i < nsel; i++)
        if (strcasecmp(sel[i], f->stem) == 0 || (f->reg >= 0 && strcasecmp(sel[i], f->opcode) == 0))
            return true;
    return false;
}

/* Runs one loaded file on one engine in a child process (unless no_fork),
   so a crash or hang in the CPU is reported for that file instead of ending the run. */
static void run_isolated(struct s286_file *f, int eng, const struct s286_opts *o,
                         const struct s286_ctx *c)
{
    struct s286_tally *t = &f->tally[eng];
    memset(t, 0, sizeof(*t));
    t->ran = true;
    if (o->no_fork) {
        s286_run_file(f, eng, o, c, t);
        return;
    }
    fflush(stdout);
    fflush(stderr);
    int fd[2];
    if (pipe(fd) != 0) {
        t->signal = -1;
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        t->signal = -1;
        return;
    }
    if (pid == 0) {
        close(fd[0]);
        alarm(o->timeout);
        struct s286_tally res;
        memset(&res, 0, sizeof(res));
        res.ran = true;
        s286_run_file(f, eng, o, c, &res);
        fflush(stdout);
        fflush(stderr);
        const char *p = (const char *)&res;
        size_t left = sizeof(res);
        while (left) {
            ssize_t w = write(fd[1], p, left);
            if (w <= 0)
                _exit(2);
            p += w;
            left -= (size_t)w;
        }
        _exit(0);
    }
    close(fd[1]);
    struct s286_tally res;
    size_t got = 0;
    while (got < sizeof(res)) {
        ssize_t r = read(fd[0], (char *)&res + got, sizeof(res) - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got == sizeof(res) && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        *t = res;
        return;
    }
    t->signal = WIFSIGNALED(status) ? WTERMSIG(status) : -1;
    t->timeout = t->signal == SIGALRM;
    printf("  %s %s: %s\n", f->stem, s286_engine_name(eng),
           t->timeout ? "TIMEOUT (hung)" : "CRASHED");
}

int main(int argc, char **argv)
{
    struct s286_opts o = {
        .engines = 3, .max_fail = 3, .sample = 1, .budget = 1024, .deliver = true,
        .kiln_deliver = true,
        .timeout = 300,
    };
    const char *data = getenv("KILN_TESTDATA");
    const char *enabled = NULL, *known_bad = KILN_CPU286_KNOWN_BAD;
    bool print_enabled = false;
    static char *sel[256];
    int nsel = 0;
    if (!data || !*data)
        data = KILN_TESTDATA_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "--data=", 7))
            data = a + 7;
        else if (!strcmp(a, "--engine=interp"))
            o.engines = 1;
        else if (!strcmp(a, "--engine=jit"))
            o.engines = 2;
        else if (!strcmp(a, "--engine=both"))
            o.engines = 3;
        else if (!strncmp(a, "--file=", 7) && nsel < 256)
            sel[nsel++] = (char *)a + 7;
        else if (!strcmp(a, "-f") && i + 1 < argc && nsel < 256)
            sel[nsel++] = argv[++i];
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
            o.verbose = true;
        else if (!strncmp(a, "--max-fail=", 11))
            o.max_fail = (unsigned)strtoul(a + 11, NULL, 0);
        else if (!strncmp(a, "--sample=", 9))
            o.sample = (unsigned)strtoul(a + 9, NULL, 0);
        else if (!strncmp(a, "--budget=", 9))
            o.budget = strtoull(a + 9, NULL, 0);
        else if (!strncmp(a, "--known-bad=", 12))
            known_bad = a + 12;
        else if (!strcmp(a, "--no-deliver"))
            o.deliver = false;
        else if (!strcmp(a, "--no-kiln-deliver"))
            o.kiln_deliver = false;
        else if (!strcmp(a, "--no-fork"))
            o.no_fork = true;
        else if (!strncmp(a, "--timeout=", 10))
            o.timeout = (unsigned)strtoul(a + 10, NULL, 0);
        else if (!strcmp(a, "--markdown"))
            o.markdown = true;
        else if (!strcmp(a, "--print-enabled"))
            print_enabled = true;
        else if (!strcmp(a, "--check"))
            o.check = true;
        else if (!strncmp(a, "--enabled=", 10))
            enabled = a + 10;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "run286: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!o.sample)
        o.sample = 1;

    char modedir[4096], revpath[4096], metapath[4200], err[512];
    if (!is_dir(data) || !locate_data(data, modedir, sizeof(modedir), revpath, sizeof(revpath))) {
        printf("run286: 80286 test data not found at '%s' (expected v1_real_mode/metadata.json "
               "there).\nSet KILN_TESTDATA to the 80286 test-data directory, or KILN_SKIP_286=1 "
               "to leave these tests out of make check.\n", data);
        printf("[  FAILED  ] 1 test(s)\n");
        return 1;
    }
    struct s286_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    unsigned setup_fail = 0;
    snprintf(metapath, sizeof(metapath), "%s/metadata.json", modedir);
    if (!m286_meta_load(&ctx.meta, metapath, err, sizeof(err))) {
        printf("run286: %s\n", err);
        setup_fail++;
    }
    if (!is_file(revpath)) {
        printf("run286: no revocation list at %s (no vector is skipped)\n", revpath);
    } else if (!m286_revoked_load(&ctx.revoked, revpath, err, sizeof(err))) {
        printf("run286: %s\n", err);
        setup_fail++;
    }

    if (*known_bad && !m286_revoked_load(&ctx.known_bad, known_bad, err, sizeof(err))) {
        printf("run286: known-bad list: %s\n", err);
        setup_fail++;
    }

    struct s286_file *files;
    size_t nfiles;
    if (list_files(modedir, &files, &nfiles) != 0 || nfiles == 0) {
        printf("run286: no MOO files in %s\n[  FAILED  ] 1 test(s)\n", modedir);
        return 1;
    }
    if (o.check) {
        if (!enabled) {
            printf("run286: --check needs --enabled=FILE\n[  FAILED  ] 1 test(s)\n");
            return 1;
        }
        setup_fail += s286_apply_enabled(enabled, files, nfiles);
    }

    printf("run286: %s, engines:%s%s, sample 1/%u%s%s\n", modedir,
           (o.engines & 1) ? " interp" : "", (o.engines & 2) ? " jit" : "", o.sample,
           o.deliver ? "" : ", no harness delivery", o.kiln_deliver ? "" : ", no kiln delivery");
    unsigned parsed = 0, parse_fail = 0, self_pass = 0, self_fail = 0, selfchecked = 0;
    for (size_t i = 0; i < nfiles; i++) {
        struct s286_file *f = &files[i];
        bool want = o.check ? f->enabled != 0 : selected(f, sel, nsel);
        if (!want && !o.check)
            continue;
        struct moo_file mf;
        if (!moo_load(&mf, f->path, 1u << 30, err, sizeof(err))) {
            printf("run286: %s\n", err);
            f->load_failed = true;
            parse_fail++;
            moo_free(&mf);
            continue;
        }
        parsed++;
        f->ntests = mf.ntests;
        snprintf(f->mnemonic, sizeof(f->mnemonic), "%s", mf.mnemonic);
        if (want) {
            f->moo = &mf;
            for (int e = 0; e < 2 && o.check; e++) {
                /* once per engine, on its first enabled file */
                if (!(f->enabled & (1u << e)) || (selfchecked & (1u << e)))
                    continue;
                unsigned ok = 0;
                int missed = s286_selfcheck(f, e, &o, &ctx, &ok);
                if (missed < 0)
                    continue; /* no passing vector here: try the next file */
                selfchecked |= 1u << e;
                self_pass += ok;
                self_fail += (unsigned)missed;
            }
            for (int e = 0; e < 2; e++) {
                bool on = o.check ? (f->enabled & (1u << e)) : (o.engines & (1u << e));
                if (on)
                    run_isolated(f, e, &o, &ctx);
            }
            f->moo = NULL;
            if (o.verbose || o.check)
                s286_print_file_line(f);
        }
        moo_free(&mf);
    }

    int rc;
    if (o.check) {
        rc = s286_check_summary(files, nfiles, parsed + self_pass,
                                parse_fail + setup_fail + self_fail);
    } else {
        s286_print_table(files, nfiles, &o);
        if (print_enabled)
            s286_print_enabled(files, nfiles);
        rc = (parse_fail + setup_fail) ? 1 : 0;
    }
    free(files);
    m286_meta_free(&ctx.meta);
    m286_revoked_free(&ctx.revoked);
    m286_revoked_free(&ctx.known_bad);
    return rc;
}
