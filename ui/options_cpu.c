/* SPDX-License-Identifier: MIT */
/* options_cpu.c: -cpu MODEL[,+flag][,-flag][,flag=on|off]. */
#include <string.h>
#include "ui/options.h"

static const struct {
    const char *name;
    enum kiln_cpu_model model;
    const char *help;
} cpu_models[] = {
    { "max", KILN_CPU_MAX, "every feature kiln emulates" },
    { "qemu64", KILN_CPU_QEMU64, "QEMU's default x86-64 CPU (a conservative feature set)" },
    { "base", KILN_CPU_BASE, "the bare minimum of x86-64" },
};

#define NMODELS (sizeof(cpu_models) / sizeof(cpu_models[0]))

/* True when name is a plausible feature flag name. */
static bool cpu_flag_name_ok(const char *name, size_t len)
{
    if (len == 0 || len > KILN_CPU_FLAG_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-'))
            return false;
    }
    return true;
}

/* Parses one flag item into f. */
static int cpu_flag(struct opt_ctx *c, const struct opt_kv *kv, struct kiln_cpu_flag *f)
{
    const char *name = kv->key;
    bool on = true;

    if (!kv->has_val && (name[0] == '+' || name[0] == '-')) {
        on = name[0] == '+';
        name++;
    } else if (kv->has_val) {
        if (strcmp(kv->val, "on") != 0 && strcmp(kv->val, "off") != 0 &&
            strcmp(kv->val, "yes") != 0 && strcmp(kv->val, "no") != 0 &&
            strcmp(kv->val, "true") != 0 && strcmp(kv->val, "false") != 0)
            return opt_fail(c, "only on/off feature flags are supported ('%.40s=%.40s')",
                            kv->key, kv->val);
        if (opt_kv_bool(c, kv, &on) < 0)
            return -1;
    }
    if (!cpu_flag_name_ok(name, strlen(name)))
        return opt_fail(c, "invalid feature flag '%.80s'", kv->key);
    memset(f, 0, sizeof(*f));
    memcpy(f->name, name, strlen(name));
    f->on = on;
    return 0;
}

int opt_cpu(struct opt_ctx *c, const char *arg)
{
    struct opt_kvlist l;
    struct kiln_config *cfg = c->cfg;
    enum kiln_cpu_model model = KILN_CPU_DEFAULT;
    struct kiln_cpu_flag flags[KILN_MAX_CPU_FLAGS];
    unsigned nflags = 0;
    int rc = opt_kv_parse(c, &l, arg, "model");

    if (rc == 0 && strcmp(l.items[0].key, "model") != 0)
        rc = opt_fail(c, "missing CPU model (try -cpu help)");
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        const struct opt_kv *kv = &l.items[i];
        if (i == 0) {
            size_t k;
            if (strcmp(kv->val, "help") == 0 || strcmp(kv->val, "?") == 0) {
                fprintf(c->out, "CPU models (-cpu MODEL[,+flag][,-flag][,flag=on|off]):\n");
                for (k = 0; k < NMODELS; k++)
                    fprintf(c->out, "  %-8s %s%s\n", cpu_models[k].name, cpu_models[k].help,
                            c->built & KILN_FEAT_BIT(KILN_FEAT_CPU_MODELS)
                                ? "" : " (not built yet)");
                rc = 1;
                break;
            }
            if (strcmp(kv->val, "host") == 0) {
                rc = opt_fail(c, "'host' needs hardware virtualization, which kiln never "
                              "uses (use max)");
                break;
            }
            for (k = 0; k < NMODELS && strcmp(cpu_models[k].name, kv->val) != 0; k++)
                ;
            if (k == NMODELS)
                rc = opt_fail(c, "unsupported CPU model '%.80s' (try -cpu help)", kv->val);
            else
                model = cpu_models[k].model;
        } else if (nflags == KILN_MAX_CPU_FLAGS) {
            rc = opt_fail(c, "too many feature flags (at most %d)", KILN_MAX_CPU_FLAGS);
        } else {
            rc = cpu_flag(c, kv, &flags[nflags++]);
        }
    }
    opt_kv_free(&l);
    if (rc != 0)
        return rc;
    if (opt_need(c, KILN_FEAT_CPU_MODELS) < 0)
        return -1;
    cfg->cpu.model = model;
    memcpy(cfg->cpu.flags, flags, nflags * sizeof(flags[0]));
    cfg->cpu.nflags = nflags;
    return 0;
}
