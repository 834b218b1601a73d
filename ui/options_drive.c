/* SPDX-License-Identifier: MIT */
/* options_drive.c: -drive, -hda..-hdd, -cdrom, a bare image name, and -boot. */
#include <stdlib.h>
#include <string.h>
#include "ui/options.h"

static void drive_free(struct kiln_drive *d)
{
    free(d->file);
    free(d->id);
    d->file = d->id = NULL;
}

static unsigned drive_max_index(enum kiln_drive_if iface)
{
    return iface == KILN_IF_IDE ? KILN_MAX_IDE_UNITS : KILN_MAX_VIRTIO_DRIVES;
}

static bool drive_index_used(const struct kiln_config *cfg, enum kiln_drive_if iface,
                             unsigned index)
{
    for (unsigned i = 0; i < cfg->ndrives; i++)
        if (cfg->drives[i].iface == iface && cfg->drives[i].index == index)
            return true;
    return false;
}

/* Checks d, gives it an index when it has none, and appends it to the
 * configuration, which then owns its strings (freed here on failure). */
static int drive_add(struct opt_ctx *c, struct kiln_drive *d, bool index_given)
{
    struct kiln_config *cfg = c->cfg;
    int rc = 0;

    if (d->media == KILN_MEDIA_CDROM)
        d->readonly = true;
    if (cfg->ndrives == KILN_MAX_DRIVES)
        rc = opt_fail(c, "too many drives (at most %d)", KILN_MAX_DRIVES);
    else if (d->media == KILN_MEDIA_DISK && d->file == NULL)
        rc = opt_fail(c, "file= is required for a disk");
    else if (d->iface == KILN_IF_VIRTIO && d->media == KILN_MEDIA_CDROM)
        rc = opt_fail(c, "media=cdrom needs if=ide");
    else if (d->iface == KILN_IF_NONE && index_given)
        rc = opt_fail(c, "index, bus and unit cannot be used with if=none");
    else if (d->iface == KILN_IF_IDE)
        rc = opt_need(c, d->media == KILN_MEDIA_CDROM ? KILN_FEAT_IDE_CDROM
                                                      : KILN_FEAT_IDE_DISK);
    else if (d->iface == KILN_IF_VIRTIO)
        rc = opt_need(c, KILN_FEAT_VIRTIO_BLK);
    if (rc == 0 && d->format == KILN_FORMAT_QCOW2)
        rc = opt_need(c, KILN_FEAT_QCOW2);
    if (rc == 0 && d->snapshot)
        rc = opt_need(c, KILN_FEAT_SNAPSHOT);
    if (rc == 0 && d->iface != KILN_IF_NONE) {
        unsigned max = drive_max_index(d->iface);
        if (index_given && d->index >= max) {
            rc = opt_fail(c, "index %u is out of range (0..%u for if=%s)", d->index, max - 1,
                          d->iface == KILN_IF_IDE ? "ide" : "virtio");
        } else if (index_given && drive_index_used(cfg, d->iface, d->index)) {
            rc = opt_fail(c, "index %u of if=%s is already in use", d->index,
                          d->iface == KILN_IF_IDE ? "ide" : "virtio");
        } else if (!index_given) {
            for (d->index = 0; d->index < max; d->index++)
                if (!drive_index_used(cfg, d->iface, d->index))
                    break;
            if (d->index == max)
                rc = opt_fail(c, "no free index left on if=%s",
                              d->iface == KILN_IF_IDE ? "ide" : "virtio");
        }
    }
    if (rc < 0) {
        drive_free(d);
        return -1;
    }
    cfg->drives[cfg->ndrives++] = *d;
    return 0;
}

/* Handles one -drive key; sets the bus/unit/index state for later. */
static int drive_key(struct opt_ctx *c, struct kiln_drive *d, const struct opt_kv *kv,
                     int64_t *index, int64_t *bus, int64_t *unit)
{
    const char *k = kv->key, *v = kv->val;
    uint64_t n;

    if (strcmp(k, "file") == 0) {
        if (v[0] == '\0' || !kv->has_val)
            return opt_fail(c, "empty file name");
        return opt_setstr(c, &d->file, v);
    }
    if (strcmp(k, "id") == 0) {
        if (v[0] == '\0' || !kv->has_val)
            return opt_fail(c, "empty id");
        return opt_setstr(c, &d->id, v);
    }
    if (strcmp(k, "format") == 0) {
        if (strcmp(v, "raw") == 0)
            d->format = KILN_FORMAT_RAW;
        else if (strcmp(v, "qcow2") == 0)
            d->format = KILN_FORMAT_QCOW2;
        else
            return opt_fail(c, "unsupported format '%.80s' (raw or qcow2)", v);
        return 0;
    }
    if (strcmp(k, "if") == 0) {
        if (strcmp(v, "ide") == 0)
            d->iface = KILN_IF_IDE;
        else if (strcmp(v, "virtio") == 0)
            d->iface = KILN_IF_VIRTIO;
        else if (strcmp(v, "none") == 0)
            d->iface = KILN_IF_NONE;
        else
            return opt_fail(c, "unsupported interface if=%.80s (ide, virtio or none)", v);
        return 0;
    }
    if (strcmp(k, "media") == 0) {
        if (strcmp(v, "disk") == 0)
            d->media = KILN_MEDIA_DISK;
        else if (strcmp(v, "cdrom") == 0)
            d->media = KILN_MEDIA_CDROM;
        else
            return opt_fail(c, "invalid media '%.80s' (disk or cdrom)", v);
        return 0;
    }
    if (strcmp(k, "readonly") == 0)
        return opt_kv_bool(c, kv, &d->readonly);
    if (strcmp(k, "snapshot") == 0)
        return opt_kv_bool(c, kv, &d->snapshot);
    if (strcmp(k, "cache") == 0) {
        static const char *const modes[] = { "none", "writeback", "writethrough",
                                             "directsync", "unsafe" };
        for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
            if (strcmp(v, modes[i]) == 0)
                return 0; /* accepted; kiln has one caching mode */
        return opt_fail(c, "invalid cache mode '%.80s'", v);
    }
    if (strcmp(k, "index") == 0 || strcmp(k, "bus") == 0 || strcmp(k, "unit") == 0) {
        if (opt_kv_uint(c, kv, 0, strcmp(k, "index") == 0 ? 255 : 1, &n) < 0)
            return -1;
        *(k[0] == 'i' ? index : k[0] == 'b' ? bus : unit) = (int64_t)n;
        return 0;
    }
    return opt_kv_unknown(c, kv);
}

int opt_drive(struct opt_ctx *c, const char *arg)
{
    struct opt_kvlist l;
    struct kiln_drive d = { .format = KILN_FORMAT_RAW, .iface = KILN_IF_IDE,
                            .media = KILN_MEDIA_DISK };
    int64_t index = -1, bus = -1, unit = -1;
    int rc = opt_kv_parse(c, &l, arg, NULL);

    for (size_t i = 0; i < l.n && rc == 0; i++)
        rc = drive_key(c, &d, &l.items[i], &index, &bus, &unit);
    opt_kv_free(&l);
    if (rc == 0 && (bus >= 0 || unit >= 0)) {
        int64_t bu = (bus < 0 ? 0 : bus) * 2 + (unit < 0 ? 0 : unit);
        if (d.iface != KILN_IF_IDE)
            rc = opt_fail(c, "bus and unit are for if=ide only (use index)");
        else if (index >= 0 && index != bu)
            rc = opt_fail(c, "index=%lld does not match bus=%lld,unit=%lld", (long long)index,
                          (long long)(bus < 0 ? 0 : bus), (long long)(unit < 0 ? 0 : unit));
        else
            index = bu;
    }
    if (rc < 0) {
        drive_free(&d);
        return -1;
    }
    d.index = index >= 0 ? (unsigned)index : 0;
    return drive_add(c, &d, index >= 0);
}

int opt_hdx(struct opt_ctx *c, unsigned index, const char *file)
{
    struct kiln_drive d = { .format = KILN_FORMAT_RAW, .iface = KILN_IF_IDE,
                            .media = KILN_MEDIA_DISK, .index = index };

    if (file[0] == '\0')
        return opt_fail(c, "empty file name");
    if (opt_setstr(c, &d.file, file) < 0)
        return -1;
    return drive_add(c, &d, true);
}

int opt_cdrom(struct opt_ctx *c, const char *arg)
{
    struct kiln_drive d = { .format = KILN_FORMAT_RAW, .iface = KILN_IF_IDE,
                            .media = KILN_MEDIA_CDROM, .index = 2 };

    if (arg[0] == '\0')
        return opt_fail(c, "empty file name");
    if (opt_setstr(c, &d.file, arg) < 0)
        return -1;
    return drive_add(c, &d, true);
}

/* Checks a boot order: letters a..p, each at most once. */
static int boot_letters(struct opt_ctx *c, const char *key, const char *v, char *dst)
{
    size_t len = strlen(v);

    if (len == 0)
        return opt_fail(c, "empty %s", key);
    if (len > KILN_BOOT_ORDER_MAX)
        return opt_fail(c, "%s '%.80s' is too long", key, v);
    for (size_t i = 0; i < len; i++) {
        if (v[i] < 'a' || v[i] > 'p')
            return opt_fail(c, "invalid boot device '%c' in %s (use a-p: c disk, d CD-ROM)",
                            v[i], key);
        if (memchr(v, v[i], i) != NULL)
            return opt_fail(c, "boot device '%c' given twice in %s", v[i], key);
    }
    memcpy(dst, v, len + 1);
    return 0;
}

int opt_boot(struct opt_ctx *c, const char *arg)
{
    struct opt_kvlist l;
    char order[KILN_BOOT_ORDER_MAX + 1], once[KILN_BOOT_ORDER_MAX + 1];
    bool menu = c->cfg->boot.menu, strict = c->cfg->boot.strict;
    int rc = opt_kv_parse(c, &l, arg, "order");

    strcpy(order, c->cfg->boot.order);
    strcpy(once, c->cfg->boot.once);
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const struct opt_kv *kv = &l.items[i];
        if (strcmp(kv->key, "order") == 0)
            rc = boot_letters(c, "order", kv->val, order);
        else if (strcmp(kv->key, "once") == 0)
            rc = boot_letters(c, "once", kv->val, once);
        else if (strcmp(kv->key, "menu") == 0)
            rc = opt_kv_bool(c, kv, &menu);
        else if (strcmp(kv->key, "strict") == 0)
            rc = opt_kv_bool(c, kv, &strict);
        else
            rc = opt_kv_unknown(c, kv);
    }
    opt_kv_free(&l);
    if (rc < 0 || opt_need(c, KILN_FEAT_BOOT_ORDER) < 0)
        return -1;
    strcpy(c->cfg->boot.order, order);
    strcpy(c->cfg->boot.once, once);
    c->cfg->boot.menu = menu;
    c->cfg->boot.strict = strict;
    return 0;
}
