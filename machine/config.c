/* SPDX-License-Identifier: MIT */
/* config.c: configuration defaults and freeing, and the table of built features. */
#include <stdlib.h>
#include <string.h>
#include "machine/config.h"

/* THE feature table: set `built` to true when a part lands (and its tests pass).
 * Options that need a part that is not built fail with "... is not built yet". */
static const struct {
    const char *name;
    const char *what;
    bool built;
} features[KILN_FEAT_COUNT] = {
    [KILN_FEAT_JIT] = { "jit", "the JIT (x86-64 host backend)", true },
    [KILN_FEAT_INTERP] = { "interp", "the IR interpreter", true },
    [KILN_FEAT_SMP] = { "smp", "SMP (more than one CPU)", false },
    [KILN_FEAT_KERNEL_BOOT] = { "kernel-boot", "the system CPU needed for direct kernel boot", true },
    [KILN_FEAT_BOOT_ORDER] = { "boot-order", "boot device selection", false },
    [KILN_FEAT_IDE_DISK] = { "ide-disk", "the IDE disk", false },
    [KILN_FEAT_IDE_CDROM] = { "ide-cdrom", "the IDE CD-ROM", false },
    [KILN_FEAT_VIRTIO_BLK] = { "virtio-blk", "virtio-blk", false },
    [KILN_FEAT_QCOW2] = { "qcow2", "the qcow2 image format", false },
    [KILN_FEAT_SNAPSHOT] = { "snapshot", "snapshot mode", false },
    [KILN_FEAT_SERIAL] = { "serial", "the serial port", true },
    [KILN_FEAT_CHR_PTY] = { "chr-pty", "the pty backend", true },
    [KILN_FEAT_CHR_TCP] = { "chr-tcp", "the tcp backend", true },
    [KILN_FEAT_CHR_TCP_CLIENT] = { "chr-tcp-client",
                                   "the tcp client backend (add ,server to listen)", true },
    [KILN_FEAT_MONITOR] = { "monitor", "the monitor", true },
    [KILN_FEAT_GDBSTUB] = { "gdbstub", "the gdb stub", true },
    [KILN_FEAT_SDL] = { "sdl", "the SDL display", false },
    [KILN_FEAT_ICOUNT] = { "icount", "the instruction-counted clock", true },
    [KILN_FEAT_RTC] = { "rtc", "the real-time clock", true },
    [KILN_FEAT_ISA_DEBUG_EXIT] = { "isa-debug-exit", "the isa-debug-exit device", true },
    [KILN_FEAT_DEBUGCON] = { "debugcon", "the debug console (port 0xe9)", true },
    [KILN_FEAT_CPU_MODELS] = { "cpu-models", "CPU model selection", false },
};

bool kiln_feature_built(enum kiln_feature f)
{
    return (unsigned)f < KILN_FEAT_COUNT && features[f].built;
}

uint64_t kiln_features_built(void)
{
    uint64_t m = 0;

    for (unsigned f = 0; f < KILN_FEAT_COUNT; f++)
        if (features[f].built)
            m |= KILN_FEAT_BIT(f);
    return m;
}

const char *kiln_feature_name(enum kiln_feature f)
{
    return (unsigned)f < KILN_FEAT_COUNT ? features[f].name : NULL;
}

const char *kiln_feature_what(enum kiln_feature f)
{
    return (unsigned)f < KILN_FEAT_COUNT ? features[f].what : NULL;
}

void kiln_config_init(struct kiln_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->ram_size = KILN_RAM_DEFAULT;
    cfg->smp.cpus = 1;
    cfg->smp.maxcpus = 1;
    cfg->smp.sockets = 1;
    cfg->smp.cores = 1;
    cfg->smp.threads = 1;
    strcpy(cfg->boot.order, "cad");
    cfg->display = KILN_DISPLAY_NONE;
    cfg->serial[0].kind = KILN_CHR_NULL;
    cfg->nserial = 1;
    cfg->monitor.kind = KILN_CHR_NONE;
    cfg->gdb.kind = KILN_CHR_NONE;
    cfg->debugcon.kind = KILN_CHR_NONE;
    cfg->accel = KILN_ACCEL_JIT;
    cfg->icount.sleep = true;
    cfg->rtc.base = KILN_RTC_UTC;
    cfg->rtc.clock = KILN_RTC_CLOCK_HOST;
}

static void chardev_free(struct kiln_chardev *c)
{
    free(c->path);
    free(c->host);
}

void kiln_config_free(struct kiln_config *cfg)
{
    free(cfg->kernel);
    free(cfg->initrd);
    free(cfg->append);
    for (unsigned i = 0; i < KILN_MAX_DRIVES; i++) {
        free(cfg->drives[i].file);
        free(cfg->drives[i].id);
    }
    for (unsigned i = 0; i < KILN_MAX_SERIALS; i++)
        chardev_free(&cfg->serial[i]);
    chardev_free(&cfg->monitor);
    chardev_free(&cfg->gdb);
    chardev_free(&cfg->debugcon);
    free(cfg->log_file);
    for (unsigned i = 0; i < KILN_MAX_DEVICES; i++)
        free(cfg->devices[i].id);
    kiln_config_init(cfg);
}
