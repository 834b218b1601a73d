/* SPDX-License-Identifier: MIT */
/* bench_cpu.c: runs the CPU workloads natively, in kiln (JIT, interpreter) and in qemu-x86_64; prints MIPS and ratios. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cpu/bare.h"

/*
 * Each workload exists as a Linux ELF (run natively and by qemu-x86_64) and
 * as two flat images for kiln's bare CPU: the same iteration count, and one
 * INTERP_DIV times smaller for the interpreter. Guest instructions are counted
 * by kiln; MIPS for native and QEMU use kiln's count for the same program.
 * Every number is the median of `reps` runs, all taken in this one process on
 * this one machine. Benchmarks measure host time: that is their point.
 */

#define MEM_SIZE (4u << 20)

/* Wall-clock time (-w) or, by default, CPU time: on a shared, loaded host the
   wall clock mostly measures the run queue, CPU time what the program costs. */
static int use_wall;

static double now(void)
{
    struct timespec ts;
    clock_gettime(use_wall ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Runs argv as a child; returns seconds, or -1 if it could not run. */
static double time_process(char *const argv[])
{
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    double t = use_wall ? now() - t0
                        : ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
                              ru.ru_stime.tv_usec * 1e-6;
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
        return -1;
    return t;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = malloc(MEM_SIZE);
    *len = buf ? fread(buf, 1, MEM_SIZE, f) : 0;
    fclose(f);
    return buf;
}

/* Runs a flat image in kiln; returns seconds and the instruction count, or -1. */
static double time_kiln(enum bare_engine engine, const char *path, uint64_t base, uint64_t *insns)
{
    size_t len;
    unsigned char *img = read_file(path, &len);
    if (!img)
        return -1;
    struct bare_cpu *cpu = bare_cpu_new(engine, BARE_MODE_LONG64, base, MEM_SIZE);
    if (!cpu) {
        free(img);
        return -1;
    }
    bare_cpu_write(cpu, base, img, len);
    free(img);
    struct bare_regs r;
    bare_cpu_get_regs(cpu, &r);
    r.rip = base;
    bare_cpu_set_regs(cpu, &r);
    struct bare_result res;
    double t0 = now();
    bare_cpu_run(cpu, UINT64_MAX, &res);
    double t = now() - t0;
    bare_cpu_free(cpu);
    if (res.stop != BARE_STOP_HLT) {
        fprintf(stderr, "bench-cpu: %s stopped with exception %u at the wrong place\n", path, res.vector);
        return -1;
    }
    *insns = res.insns;
    return t;
}

static int has_program(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench-cpu -d DIR -b BASE -k INTERP_DIV [-r REPS] [-w] WORKLOAD...\n"
                    "  -w  wall-clock time instead of CPU time (user + system)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    uint64_t base = 0;
    int div = 0, reps = 3, opt;
    while ((opt = getopt(argc, argv, "d:b:k:r:w")) != -1) {
        switch (opt) {
        case 'd': dir = optarg; break;
        case 'b': base = strtoull(optarg, NULL, 0); break;
        case 'k': div = atoi(optarg); break;
        case 'r': reps = atoi(optarg); break;
        case 'w': use_wall = 1; break;
        default: usage();
        }
    }
    if (!dir || !base || div <= 0 || reps <= 0 || reps > 99 || optind >= argc)
        usage();
    int qemu = has_program("qemu-x86_64");

    printf("Guest MIPS (%s time, median of %d runs; interpreter on 1/%d of the work)\n\n",
           use_wall ? "wall-clock" : "CPU", reps, div);
    printf("%-9s %9s %9s %9s %9s | %10s %9s %10s\n", "workload", "native", "kiln-jit", "kiln-int",
           "qemu-tcg", "jit/interp", "jit/qemu", "jit/native");
    int failed = 0;
    for (int w = optind; w < argc; w++) {
        char elf[512], flat[512], small[512];
        snprintf(elf, sizeof(elf), "%s/%s", dir, argv[w]);
        snprintf(flat, sizeof(flat), "%s/%s.bin", dir, argv[w]);
        snprintf(small, sizeof(small), "%s/%s-small.bin", dir, argv[w]);
        double tn[99], tj[99], ti[99], tq[99];
        uint64_t nj = 0, ni = 0;
        int ok = 1;
        for (int r = 0; r < reps && ok; r++) {
            char *const native_argv[] = { elf, NULL };
            char *const qemu_argv[] = { "qemu-x86_64", elf, NULL };
            tn[r] = time_process(native_argv);
            tj[r] = time_kiln(BARE_ENGINE_JIT, flat, base, &nj);
            ti[r] = time_kiln(BARE_ENGINE_INTERP, small, base, &ni);
            tq[r] = qemu ? time_process(qemu_argv) : -1;
            ok = tn[r] > 0 && tj[r] > 0 && ti[r] > 0;
        }
        if (!ok) {
            printf("%-9s (did not run to completion in kiln or natively)\n", argv[w]);
            failed = 1;
            continue;
        }
        double mn = nj / median(tn, reps) / 1e6;
        double mj = nj / median(tj, reps) / 1e6;
        double mi = ni / median(ti, reps) / 1e6;
        double mq = qemu ? nj / median(tq, reps) / 1e6 : 0;
        printf("%-9s %9.0f %9.0f %9.1f ", argv[w], mn, mj, mi);
        if (qemu)
            printf("%9.0f | %9.1fx %8.2fx %9.2fx\n", mq, mj / mi, mj / mq, mj / mn);
        else
            printf("%9s | %9.1fx %9s %9.2fx\n", "-", mj / mi, "-", mj / mn);
    }
    if (!qemu)
        printf("\n(qemu-x86_64 not installed: apt-get install qemu-user for the QEMU column)\n");
    return failed;
}
