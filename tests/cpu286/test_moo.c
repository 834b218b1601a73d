/* SPDX-License-Identifier: MIT */
/* test_moo.c: cmocka tests of the MOO reader, the metadata scanner and the revocation list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/cpu286/meta286.h"
#include "tests/cpu286/moo.h"

/* A growable byte buffer to assemble MOO files. */
struct bb {
    uint8_t d[4096];
    size_t n;
};

static void put(struct bb *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof(b->d));
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

static void put8(struct bb *b, uint8_t v)
{
    put(b, &v, 1);
}

static void put16(struct bb *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void put32(struct bb *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, x, 4);
}

/* Starts a chunk; returns the offset of its length field for end_chunk. */
static size_t begin_chunk(struct bb *b, const char *id)
{
    put(b, id, 4);
    size_t at = b->n;
    put32(b, 0);
    return at;
}

static void end_chunk(struct bb *b, size_t at)
{
    uint32_t len = (uint32_t)(b->n - at - 4);
    for (int i = 0; i < 4; i++)
        b->d[at + i] = (uint8_t)(len >> (8 * i));
}

static void add_regs(struct bb *b, const char *id, uint16_t mask, uint16_t base)
{
    size_t c = begin_chunk(b, id);
    put16(b, mask);
    for (unsigned i = 0; i < 16; i++)
        if (mask & (1u << i))
            put16(b, (uint16_t)(base + i));
    end_chunk(b, c);
}

static void add_ram(struct bb *b, uint32_t n, uint32_t addr0, uint8_t v0)
{
    size_t c = begin_chunk(b, "RAM ");
    put32(b, n);
    for (uint32_t i = 0; i < n; i++) {
        put32(b, addr0 + i);
        put8(b, (uint8_t)(v0 + i));
    }
    end_chunk(b, c);
}

static void add_test(struct bb *b, uint32_t idx, bool exc)
{
    size_t t = begin_chunk(b, "TEST");
    put32(b, idx);
    size_t c = begin_chunk(b, "NAME");
    put32(b, 7);
    put(b, "inc  ax", 7);
    end_chunk(b, c);
    c = begin_chunk(b, "ZZZZ"); /* unknown: skipped */
    put32(b, 0xdeadbeef);
    end_chunk(b, c);
    c = begin_chunk(b, "BYTS");
    put32(b, 2);
    put8(b, 0x40);
    put8(b, 0xf4);
    end_chunk(b, c);
    c = begin_chunk(b, "INIT");
    add_regs(b, "REGS", MOO_ALL_REGS, 0x100);
    add_ram(b, 3, 0x1234, 0x40);
    size_t q = begin_chunk(b, "QUEU");
    put32(b, 1);
    put8(b, 0x90);
    end_chunk(b, q);
    end_chunk(b, c);
    c = begin_chunk(b, "FINA");
    add_regs(b, "REGS", (1u << MOO_AX) | (1u << MOO_IP) | (1u << 15), 0x200);
    add_ram(b, 1, 0x5678, 0x99);
    end_chunk(b, c);
    c = begin_chunk(b, "CYCL");
    put32(b, 1);
    for (int i = 0; i < 15; i++)
        put8(b, (uint8_t)i);
    end_chunk(b, c);
    if (exc) {
        c = begin_chunk(b, "EXCP");
        put8(b, 13);
        put32(b, 0xabcde);
        end_chunk(b, c);
    }
    c = begin_chunk(b, "HASH");
    for (int i = 0; i < 20; i++)
        put8(b, (uint8_t)(i * 17));
    end_chunk(b, c);
    end_chunk(b, t);
}

static void build_file(struct bb *b, uint32_t declared)
{
    b->n = 0;
    size_t c = begin_chunk(b, "MOO ");
    put8(b, 1);
    put8(b, 1);
    put16(b, 0);
    put32(b, declared);
    put(b, "C286", 4);
    end_chunk(b, c);
    c = begin_chunk(b, "META");
    put8(b, 1);
    put8(b, 0);
    put8(b, 2);
    put32(b, 0x40);
    put(b, "inc     ", 8);
    put32(b, declared);
    for (int i = 0; i < 8; i++)
        put8(b, 0);
    put8(b, 0);
    put(b, "\0\0\0", 3);
    end_chunk(b, c);
    add_test(b, 0, false);
    add_test(b, 1, true);
}

static bool parse_copy(const uint8_t *d, size_t n, struct moo_file *f)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, d, n);
    char err[256];
    return moo_parse(f, copy, n, err, sizeof(err));
}

static void test_parse_valid(void **state)
{
    (void)state;
    struct bb b;
    build_file(&b, 2);
    struct moo_file f;
    assert_true(parse_copy(b.d, b.n, &f));
    assert_int_equal(f.ntests, 2);
    assert_string_equal(f.cpu, "C286");
    assert_true(f.has_meta);
    assert_string_equal(f.mnemonic, "inc");
    assert_int_equal(f.meta_opcode, 0x40);
    const struct moo_test *t = &f.tests[1];
    assert_int_equal(t->index, 1);
    assert_int_equal(t->name_len, 7);
    assert_memory_equal(t->name, "inc  ax", 7);
    assert_int_equal(t->nbytes, 2);
    assert_int_equal(t->bytes[0], 0x40);
    assert_int_equal(t->init.regs.mask, MOO_ALL_REGS);
    for (unsigned i = 0; i < MOO_NREGS; i++)
        assert_int_equal(t->init.regs.v[i], 0x100 + i);
    assert_int_equal(t->init.queue_len, 1);
    /* bit 15 (no register) is parsed past, not stored */
    assert_int_equal(t->fina.regs.mask, (1u << MOO_AX) | (1u << MOO_IP));
    assert_int_equal(t->fina.regs.v[MOO_AX], 0x200);
    assert_int_equal(t->fina.regs.v[MOO_IP], 0x20c);
    assert_int_equal(t->init.ram.count, 3);
    uint32_t a;
    uint8_t v;
    moo_ram_entry(&t->init.ram, 2, &a, &v);
    assert_int_equal(a, 0x1236);
    assert_int_equal(v, 0x42);
    moo_ram_entry(&t->init.ram, 3, &a, &v); /* out of range: zeroes */
    assert_int_equal(a, 0);
    moo_ram_entry(&t->fina.ram, 0, &a, &v);
    assert_int_equal(a, 0x5678);
    assert_int_equal(v, 0x99);
    assert_int_equal(t->ncycles, 1);
    assert_false(f.tests[0].has_exception);
    assert_true(t->has_exception);
    assert_int_equal(t->exc_number, 13);
    assert_int_equal(t->exc_flag_addr, 0xabcde);
    assert_true(t->has_hash);
    char hex[41];
    moo_hash_hex(t->hash, hex);
    assert_string_equal(hex, "00112233445566778899aabbccddeeff10213243");
    moo_free(&f);
}

static void test_parse_count_mismatch(void **state)
{
    (void)state;
    struct bb b;
    build_file(&b, 3);
    struct moo_file f;
    assert_false(parse_copy(b.d, b.n, &f));
    assert_int_equal(f.ntests, 2); /* what was read is kept */
    moo_free(&f);
}

/* Every truncation of a valid file is an error, never a crash or over-read. */
static void test_parse_truncated(void **state)
{
    (void)state;
    struct bb b;
    build_file(&b, 2);
    for (size_t n = 0; n < b.n; n++) {
        struct moo_file f;
        assert_false(parse_copy(b.d, n, &f));
        moo_free(&f);
    }
}

/* Random corruption: parse must return (true or false) with consistent results. */
static void test_parse_corrupt(void **state)
{
    (void)state;
    struct bb b;
    build_file(&b, 2);
    uint32_t seed = 12345;
    unsigned ok = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t d[sizeof(b.d)];
        memcpy(d, b.d, b.n);
        int flips = 1 + iter % 4;
        for (int k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % b.n;
            seed = seed * 1103515245u + 12345u;
            d[pos] = (iter & 1) ? (uint8_t)(seed >> 16) : (uint8_t)(d[pos] ^ (1u << ((seed >> 16) & 7)));
        }
        struct moo_file f;
        if (parse_copy(d, b.n, &f)) {
            ok++;
            for (size_t i = 0; i < f.ntests; i++) {
                const struct moo_test *t = &f.tests[i];
                const uint8_t *end = f.buf + f.len;
                assert_true(t->init.ram.data + (size_t)t->init.ram.count * 5 <= end);
                assert_true(t->fina.ram.data + (size_t)t->fina.ram.count * 5 <= end);
                assert_true(!t->name || (const uint8_t *)t->name + t->name_len <= end);
                assert_true(!t->bytes || t->bytes + t->nbytes <= end);
            }
        }
        moo_free(&f);
    }
    assert_true(ok > 0); /* flips in payload values still parse */
}

static void test_parse_huge_length(void **state)
{
    (void)state;
    struct bb b;
    build_file(&b, 2);
    /* the first TEST chunk's length field follows the header and META chunks */
    size_t test_at = 8 + 12 + 8 + 31;
    assert_memory_equal(b.d + test_at, "TEST", 4);
    memset(b.d + test_at + 4, 0xff, 4);
    struct moo_file f;
    assert_false(parse_copy(b.d, b.n, &f));
    moo_free(&f);
    assert_false(parse_copy((const uint8_t *)"MOO ", 4, &f));
    moo_free(&f);
}

static const char meta_json[] =
    "{ \"version\": \"1.0.0\", \"list\": [1, 2.5, -3e2, true, false, null, {\"a\": []}],\n"
    "  \"opcodes\": {\n"
    "    \"00\": { \"status\": \"normal\", \"arch\": \"86\" },\n"
    "    \"08\": { \"status\": \"normal\", \"flags\": \".....a..\", \"flags-mask\": 65519 },\n"
    "    \"d3\": { \"reg\": { \"4\": { \"status\": \"normal\", \"flags-mask\": 63470 },\n"
    "                       \"6\": { \"status\": \"undocumented\", \"flags\": \"x\\\"y\" } } }\n"
    "  }\n}\n";

static void test_meta_parse(void **state)
{
    (void)state;
    struct m286_meta m;
    char err[256];
    assert_true(m286_meta_parse(&m, meta_json, strlen(meta_json), err, sizeof(err)));
    assert_int_equal(m286_flags_mask(&m, "00", -1), 0xffff);
    assert_int_equal(m286_flags_mask(&m, "08", -1), 0xffef);
    assert_int_equal(m286_flags_mask(&m, "D3", 4), 63470);
    assert_int_equal(m286_flags_mask(&m, "D3", 6), 0xffff);
    assert_int_equal(m286_flags_mask(&m, "FF", 1), 0xffff);
    const struct m286_op *e = m286_meta_find(&m, "d3", 6);
    assert_non_null(e);
    assert_string_equal(e->status, "undocumented");
    assert_null(m286_meta_find(&m, "version", -1));
    m286_meta_free(&m);
}

static void test_meta_malformed(void **state)
{
    (void)state;
    struct m286_meta m;
    char err[256];
    size_t n = strlen(meta_json);
    /* every proper prefix that cuts into the value is malformed */
    for (size_t i = 0; i + 2 < n; i++)
        assert_false(m286_meta_parse(&m, meta_json, i, err, sizeof(err)));
    static const char range[] = "{\"opcodes\": {\"00\": {\"flags-mask\": 70000}}}";
    const char *bad[] = {"{\"a\" 1}", "{\"a\": tru}", "[1,]x", range, "\"unterminated", "{} {}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(m286_meta_parse(&m, bad[i], strlen(bad[i]), err, sizeof(err)));
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    assert_false(m286_meta_parse(&m, deep, sizeof(deep), err, sizeof(err)));
}

static void test_revoked(void **state)
{
    (void)state;
    const char *text = "# comment\n\n  626be5084b331080eb08256c12a62d24afdf2a03  \r\n"
                       "00112233445566778899AABBCCDDEEFF10213243 pushed CS reads as SS\n";
    struct m286_revoked r;
    char err[256];
    assert_true(m286_revoked_parse(&r, text, strlen(text), err, sizeof(err)));
    assert_int_equal(r.n, 2);
    uint8_t h[20];
    for (int i = 0; i < 20; i++)
        h[i] = (uint8_t)(i * 17);
    assert_true(m286_is_revoked(&r, h));
    h[19] ^= 1;
    assert_false(m286_is_revoked(&r, h));
    m286_revoked_free(&r);
    const char *bad = "626be5084b331080eb08256c12a62d24afdf2a0\n";
    assert_false(m286_revoked_parse(&r, bad, strlen(bad), err, sizeof(err)));
    const char *bad2 = "626be5084b331080eb08256c12a62d24afdf2a0g\n";
    assert_false(m286_revoked_parse(&r, bad2, strlen(bad2), err, sizeof(err)));
    assert_true(m286_revoked_parse(&r, "", 0, err, sizeof(err)));
    assert_false(m286_is_revoked(&r, h));
    m286_revoked_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_count_mismatch),
        cmocka_unit_test(test_parse_truncated),
        cmocka_unit_test(test_parse_corrupt),
        cmocka_unit_test(test_parse_huge_length),
        cmocka_unit_test(test_meta_parse),
        cmocka_unit_test(test_meta_malformed),
        cmocka_unit_test(test_revoked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
