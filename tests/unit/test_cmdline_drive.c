/* SPDX-License-Identifier: MIT */
/* test_cmdline_drive.c: the parser's good forms of -drive, -hdX, -cdrom, -snapshot and -boot. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ui/cmdline.h"

#include "cmdline_harness.h"

static void test_drive(void **state)
{
    struct kiln_config cfg;
    const struct kiln_drive *d;

    PARSE_OK(&cfg, "-drive", "file=a.img", "-drive",
             "file=my,,disk.img,format=qcow2,if=virtio,readonly=on,id=d1,cache=none",
             "-drive", "media=cdrom,if=ide,index=3", "-drive",
             "file=b.img,if=ide,readonly,snapshot=on", "-drive", "file=c.img,if=none,id=x");
    assert_int_equal(cfg.ndrives, 5);
    d = &cfg.drives[0];
    assert_string_equal(d->file, "a.img");
    assert_int_equal(d->iface, KILN_IF_IDE);
    assert_int_equal(d->media, KILN_MEDIA_DISK);
    assert_int_equal(d->format, KILN_FORMAT_RAW);
    assert_int_equal(d->index, 0);
    assert_false(d->readonly);
    assert_false(d->snapshot);
    assert_null(d->id);
    d = &cfg.drives[1];
    assert_string_equal(d->file, "my,disk.img");
    assert_int_equal(d->format, KILN_FORMAT_QCOW2);
    assert_int_equal(d->iface, KILN_IF_VIRTIO);
    assert_int_equal(d->index, 0);
    assert_true(d->readonly);
    assert_string_equal(d->id, "d1");
    d = &cfg.drives[2];
    assert_null(d->file); /* empty CD-ROM drive */
    assert_int_equal(d->media, KILN_MEDIA_CDROM);
    assert_int_equal(d->index, 3);
    assert_true(d->readonly);
    d = &cfg.drives[3];
    assert_int_equal(d->index, 1); /* first free IDE index */
    assert_true(d->readonly);
    assert_true(d->snapshot);
    assert_int_equal(cfg.drives[4].iface, KILN_IF_NONE);
    kiln_config_free(&cfg);

    PARSE_OK(&cfg, "-drive", "file=x,bus=1,unit=1", "-drive", "file=y,bus=1", "-drive",
             "file=z,index=1,bus=0,unit=1", "-drive", "file=w,readonly=off,format=raw");
    assert_int_equal(cfg.drives[0].index, 3);
    assert_int_equal(cfg.drives[1].index, 2);
    assert_int_equal(cfg.drives[2].index, 1);
    assert_int_equal(cfg.drives[3].index, 0);
    assert_false(cfg.drives[3].readonly);
    kiln_config_free(&cfg);

    /* escaped commas at the ends of a value, and an '=' inside one */
    PARSE_OK(&cfg, "-drive", "file=,,a,,b,,,if=virtio", "-drive", "file=k=v.img");
    assert_string_equal(cfg.drives[0].file, ",a,b,");
    assert_int_equal(cfg.drives[0].iface, KILN_IF_VIRTIO);
    assert_string_equal(cfg.drives[1].file, "k=v.img");
    kiln_config_free(&cfg);
}

static void test_hdx_cdrom(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-hdb", "b,c.img", "-cdrom", "x.iso", "-hdd", "d.img", "disk.img",
             "-drive", "file=e.img,if=virtio");
    assert_int_equal(cfg.ndrives, 5);
    assert_string_equal(cfg.drives[0].file, "b,c.img"); /* raw file name: no escaping */
    assert_int_equal(cfg.drives[0].index, 1);
    assert_int_equal(cfg.drives[1].media, KILN_MEDIA_CDROM);
    assert_int_equal(cfg.drives[1].index, 2);
    assert_true(cfg.drives[1].readonly);
    assert_int_equal(cfg.drives[2].index, 3);
    assert_string_equal(cfg.drives[3].file, "disk.img"); /* bare name = -hda */
    assert_int_equal(cfg.drives[3].index, 0);
    assert_int_equal(cfg.drives[4].iface, KILN_IF_VIRTIO);
    assert_int_equal(cfg.drives[4].index, 0);
    kiln_config_free(&cfg);
}

static void test_boot(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-boot", "d");
    assert_string_equal(cfg.boot.order, "d");
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-boot", "order=dc,menu=on", "-boot", "once=n,strict=on");
    assert_string_equal(cfg.boot.order, "dc");
    assert_string_equal(cfg.boot.once, "n");
    assert_true(cfg.boot.menu);
    assert_true(cfg.boot.strict);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-boot", "menu=off");
    assert_string_equal(cfg.boot.order, "cad");
    assert_false(cfg.boot.menu);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-boot", "abcdefghijklmnop");
    assert_string_equal(cfg.boot.order, "abcdefghijklmnop");
    kiln_config_free(&cfg);
}

static void test_snapshot(void **state)
{
    struct kiln_config cfg;

    PARSE_OK(&cfg, "-hda", "a.img", "-snapshot", "-drive", "file=b.img,if=virtio");
    assert_true(cfg.drives[0].snapshot);
    assert_true(cfg.drives[1].snapshot);
    kiln_config_free(&cfg);
    PARSE_OK(&cfg, "-hda", "a.img", "-drive", "file=b.img,if=virtio,snapshot=on");
    assert_false(cfg.drives[0].snapshot);
    assert_true(cfg.drives[1].snapshot);
    kiln_config_free(&cfg);
    assert_int_equal(parse_feat(&cfg, 0, (const char *const[]){ "-snapshot", NULL }), -1);
    assert_string_equal(errbuf, "kiln: -snapshot: snapshot mode is not built yet");
    kiln_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drive),
        cmocka_unit_test(test_hdx_cdrom),
        cmocka_unit_test(test_boot),
        cmocka_unit_test(test_snapshot),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    free(outbuf);
    return rc;
}
