/* SPDX-License-Identifier: MIT */
/* rng.c: the random numbers of RDRAND and RDSEED: xoshiro256** seeded from the host, or from -seed for repeatable runs. */
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "cpu/cpu.h"
#include "cpu/helpers.h"

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void cpu_rng_seed(struct cpu *cpu, bool seeded, uint64_t seed)
{
    uint64_t x = seed;
    if (!seeded) {
        /* Host entropy; if that fails, the time and an address still differ per run. */
        if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != (ssize_t)sizeof(x)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)(uintptr_t)cpu;
        }
    }
    for (int i = 0; i < 4; i++)
        cpu->rng[i] = splitmix(&x);
}

static uint64_t next(struct cpu *cpu)
{
    uint64_t *s = cpu->rng;
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

static uint64_t h_rdrand(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    (void)a0; (void)a1; (void)a2; (void)a3;
    return next(env);
}
const struct ir_helper helper_rdrand = { h_rdrand, "rdrand", 0 };
