/* SPDX-License-Identifier: MIT */
/* cmdline_harness.h: what the command-line parser tests share: parse "kiln" + args, capture errors and help. */
#ifndef KILN_TESTS_CMDLINE_HARNESS_H
#define KILN_TESTS_CMDLINE_HARNESS_H

/* Include after <cmocka.h>, <stdio.h>, <stdlib.h>, <string.h> and "ui/cmdline.h". */

static char errbuf[256];
static char *outbuf;
static size_t outlen;

/* Parses "kiln" + args (NULL-terminated) with the given features; help text
 * goes to outbuf. */
static int parse_feat(struct kiln_config *cfg, uint64_t built, const char *const *args)
{
    char *argv[80];
    int argc = 0;
    FILE *out;
    int rc;

    argv[argc++] = (char *)"kiln";
    for (; *args != NULL; args++) {
        assert_true(argc < 79);
        argv[argc++] = (char *)*args;
    }
    argv[argc] = NULL;
    free(outbuf);
    outbuf = NULL;
    out = open_memstream(&outbuf, &outlen);
    assert_non_null(out);
    memset(errbuf, 'X', sizeof(errbuf));
    rc = kiln_parse_args_ex(cfg, argc, argv, out, built, errbuf, sizeof(errbuf));
    fclose(out);
    if (rc != -1)
        assert_string_equal(errbuf, "");
    return rc;
}

#define PARSE(cfg, ...) parse_feat((cfg), KILN_FEAT_ALL, (const char *const[]){ __VA_ARGS__, NULL })
#define PARSE_OK(cfg, ...)                                                               \
    do {                                                                                 \
        int rc_ = PARSE(cfg, __VA_ARGS__);                                               \
        if (rc_ != 0)                                                                    \
            fail_msg("parse failed (%d): %s", rc_, errbuf);                              \
    } while (0)

#endif
