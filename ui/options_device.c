/* SPDX-License-Identifier: MIT */
/* options_device.c: -device and the table of devices it can add. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "ui/options.h"

/* A numeric device property stored into struct kiln_device at `off`. */
struct dev_prop {
    const char *name;
    uint64_t min, max, def;
    size_t off;
    unsigned size; /* 1, 2, 4 or 8 bytes */
    const char *help;
};

struct dev_desc {
    const char *name;
    enum kiln_device_type type;
    enum kiln_feature feature;
    const char *help;
    const struct dev_prop *props;
    size_t nprops;
    int (*check)(struct opt_ctx *c, const struct kiln_device *d); /* NULL: none */
};

static int debug_exit_check(struct opt_ctx *c, const struct kiln_device *d)
{
    if ((uint32_t)d->u.isa_debug_exit.iobase + d->u.isa_debug_exit.iosize > 0x10000)
        return opt_fail(c, "isa-debug-exit: iobase + iosize is beyond port 0xffff");
    return 0;
}

#define DEV_OFF(field) offsetof(struct kiln_device, field)

static const struct dev_prop debug_exit_props[] = {
    { "iobase", 0, 0xffff, 0x501, DEV_OFF(u.isa_debug_exit.iobase), 2,
      "first I/O port (default 0x501)" },
    { "iosize", 1, 0x100, 2, DEV_OFF(u.isa_debug_exit.iosize), 2,
      "number of ports (default 2)" },
};

static const struct dev_desc devices[] = {
    { "isa-debug-exit", KILN_DEV_ISA_DEBUG_EXIT, KILN_FEAT_ISA_DEBUG_EXIT,
      "writing V to its port exits kiln with status (V << 1) | 1",
      debug_exit_props, sizeof(debug_exit_props) / sizeof(debug_exit_props[0]),
      debug_exit_check },
};

#define NDEVICES (sizeof(devices) / sizeof(devices[0]))

const char *opt_device_name(enum kiln_device_type t)
{
    for (size_t i = 0; i < NDEVICES; i++)
        if (devices[i].type == t)
            return devices[i].name;
    return NULL;
}

static void dev_store(struct kiln_device *d, const struct dev_prop *p, uint64_t v)
{
    unsigned char *dst = (unsigned char *)d + p->off;

    switch (p->size) {
    case 1: { uint8_t x = (uint8_t)v; memcpy(dst, &x, 1); break; }
    case 2: { uint16_t x = (uint16_t)v; memcpy(dst, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(dst, &x, 4); break; }
    default: memcpy(dst, &v, 8); break;
    }
}

static void dev_print_list(FILE *f, uint64_t built)
{
    fprintf(f, "Devices (-device NAME[,prop=value...]; -device NAME,help lists properties):\n");
    for (size_t i = 0; i < NDEVICES; i++)
        fprintf(f, "  %-16s %s%s\n", devices[i].name, devices[i].help,
                built & KILN_FEAT_BIT(devices[i].feature) ? "" : " (not built yet)");
}

static void dev_print_props(FILE *f, const struct dev_desc *dd)
{
    fprintf(f, "%s properties:\n", dd->name);
    fprintf(f, "  %-10s %s\n", "id", "a name for the device");
    for (size_t i = 0; i < dd->nprops; i++)
        fprintf(f, "  %-10s %s, %llu..%llu (0x%llx..0x%llx)\n", dd->props[i].name,
                dd->props[i].help, (unsigned long long)dd->props[i].min,
                (unsigned long long)dd->props[i].max, (unsigned long long)dd->props[i].min,
                (unsigned long long)dd->props[i].max);
}

int opt_device(struct opt_ctx *c, const char *arg)
{
    struct opt_kvlist l;
    const struct dev_desc *dd = NULL;
    struct kiln_device d;
    struct kiln_config *cfg = c->cfg;
    int rc = opt_kv_parse(c, &l, arg, "driver");

    memset(&d, 0, sizeof(d));
    if (rc < 0)
        goto out;
    if (strcmp(l.items[0].key, "driver") != 0 || l.items[0].val[0] == '\0') {
        rc = opt_fail(c, "missing device name (try -device help)");
        goto out;
    }
    if (strcmp(l.items[0].val, "help") == 0 || strcmp(l.items[0].val, "?") == 0) {
        dev_print_list(c->out, c->built);
        rc = 1;
        goto out;
    }
    for (size_t i = 0; i < NDEVICES && dd == NULL; i++)
        if (strcmp(devices[i].name, l.items[0].val) == 0)
            dd = &devices[i];
    if (dd == NULL) {
        rc = opt_fail(c, "unknown device '%.80s' (try -device help)", l.items[0].val);
        goto out;
    }
    d.type = dd->type;
    for (size_t k = 0; k < dd->nprops; k++)
        dev_store(&d, &dd->props[k], dd->props[k].def);
    for (size_t i = 1; i < l.n && rc == 0; i++) {
        const struct opt_kv *kv = &l.items[i];
        const struct dev_prop *p = NULL;
        uint64_t v;

        if (strcmp(kv->key, "help") == 0 && !kv->has_val) {
            dev_print_props(c->out, dd);
            rc = 1;
            break;
        }
        if (strcmp(kv->key, "id") == 0) {
            rc = kv->val[0] == '\0' ? opt_fail(c, "empty id") : opt_setstr(c, &d.id, kv->val);
            continue;
        }
        for (size_t k = 0; k < dd->nprops && p == NULL; k++)
            if (strcmp(dd->props[k].name, kv->key) == 0)
                p = &dd->props[k];
        if (p == NULL) {
            rc = opt_fail(c, "%s has no property '%.80s' (try -device %s,help)", dd->name,
                          kv->key, dd->name);
        } else if ((rc = opt_kv_uint(c, kv, p->min, p->max, &v)) == 0) {
            dev_store(&d, p, v);
        }
    }
    if (rc == 0 && dd->check != NULL)
        rc = dd->check(c, &d);
    if (rc == 0)
        rc = opt_need(c, dd->feature);
    if (rc == 0 && cfg->ndevices == KILN_MAX_DEVICES)
        rc = opt_fail(c, "too many devices (at most %d)", KILN_MAX_DEVICES);
    if (rc == 0) {
        cfg->devices[cfg->ndevices++] = d;
        d.id = NULL;
    }
out:
    free(d.id);
    opt_kv_free(&l);
    return rc;
}
