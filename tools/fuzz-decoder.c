/* SPDX-License-Identifier: MIT */
/* fuzz-decoder.c: long comparison run of the decoder against capstone: fuzz-decoder [count [seed [show]]]. */
#include <stdlib.h>
#include <time.h>
#include "tests/unit/test_decode_cmp.h"

int main(int argc, char **argv)
{
    uint64_t count = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL);
    unsigned show = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 10;
    uint64_t total_bad = 0;

    printf("fuzz-decoder: %" PRIu64 " instructions per mode, seed %" PRIu64 "\n", count, seed);
    for (int m = X86_MODE_16; m <= X86_MODE_64; m++) {
        struct dcmp d;
        unsigned shown[DCMP_NRESULTS] = { 0 };
        if (dcmp_open(&d, (enum x86_mode)m, seed + (uint64_t)m * 0x1234567) < 0) {
            fprintf(stderr, "fuzz-decoder: cs_open failed\n");
            return 2;
        }
        for (uint64_t i = 0; i < count; i++) {
            uint8_t buf[16];
            char text[512];
            dcmp_generate(&d, buf);
            enum dcmp_result r = dcmp_check(&d, buf, NULL, 0);
            if (r != DCMP_MATCH && r != DCMP_ALLOWED && shown[r] < show) {
                shown[r]++;
                dcmp_check(&d, buf, text, sizeof(text));
                d.count[r]--;
                puts(text);
            }
        }
        printf("mode %d:", m == 0 ? 16 : m == 1 ? 32 : 64);
        for (int r = 0; r < DCMP_NRESULTS; r++)
            printf(" %s=%" PRIu64, dcmp_result_names[r], d.count[r]);
        printf("\n  both valid %" PRIu64 ", operand lists compared %" PRIu64 ", allowlist hits:",
               d.both_valid, d.both_valid - d.opcount_differs);
        for (int a = 1; a < 32; a++)
            if (d.allow_hits[a])
                printf(" A%d=%" PRIu64, a, d.allow_hits[a]);
        printf("\n");
        if (getenv("FUZZ_SIZES"))
            for (int op = 0; op < X86_OP_COUNT; op++)
                if (d.size_mismatch[op])
                    printf("  memsize %s %" PRIu64 " %s\n", x86_op_name(op), d.size_mismatch[op],
                           d.size_example[op]);
        for (int r = DCMP_LEN; r < DCMP_NRESULTS; r++)
            total_bad += d.count[r];
        dcmp_close(&d);
    }
    printf("fuzz-decoder: %" PRIu64 " mismatches\n", total_bad);
    return total_bad ? 1 : 0;
}
