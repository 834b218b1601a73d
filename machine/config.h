/* SPDX-License-Identifier: MIT */
/* config.h: the parsed machine configuration (what the command line asked for) and the feature table. */
#ifndef KILN_MACHINE_CONFIG_H
#define KILN_MACHINE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

/* ------------------------------------------------------------------ limits */

#define KILN_RAM_MIN       (UINT64_C(1) << 20)   /* 1 MiB */
#define KILN_RAM_MAX       (UINT64_C(1) << 40)   /* 1 TiB */
#define KILN_RAM_DEFAULT   (UINT64_C(128) << 20) /* QEMU's default */
#define KILN_RAM_ALIGN     UINT64_C(4096)        /* sizes are rounded up to pages */
#define KILN_MAX_CPUS      64
#define KILN_MAX_DRIVES    8
#define KILN_MAX_IDE_UNITS 4                     /* 2 buses x master/slave; index 0..3 */
#define KILN_MAX_VIRTIO_DRIVES 8
#define KILN_MAX_SERIALS   4
#define KILN_MAX_DEVICES   16
#define KILN_MAX_CPU_FLAGS 32
#define KILN_CPU_FLAG_NAME_MAX 31                /* characters in a -cpu flag name */
#define KILN_BOOT_ORDER_MAX 16                   /* letters in -boot order= */
#define KILN_GDB_DEFAULT_PORT 1234
#define KILN_ICOUNT_SHIFT_MAX 10
#define KILN_ICOUNT_AUTO   (-1)                  /* icount.shift for shift=auto */

/* ------------------------------------------------------------------ features */

/* Parts of kiln an option may need. kiln_feature_built() says whether each
 * exists; the table is in machine/config.c: flip an entry when the part lands. */
enum kiln_feature {
    KILN_FEAT_JIT,            /* -accel jit: the x86-64 host backend */
    KILN_FEAT_INTERP,         /* -accel interp: the portable IR interpreter */
    KILN_FEAT_SMP,            /* more than one CPU */
    KILN_FEAT_KERNEL_BOOT,    /* -kernel/-initrd/-append: direct kernel boot (Linux, multiboot) */
    KILN_FEAT_BOOT_ORDER,     /* -boot: firmware boot device selection */
    KILN_FEAT_IDE_DISK,       /* IDE hard disks */
    KILN_FEAT_IDE_CDROM,      /* IDE (ATAPI) CD-ROM */
    KILN_FEAT_VIRTIO_BLK,     /* virtio block devices */
    KILN_FEAT_QCOW2,          /* qcow2 disk images */
    KILN_FEAT_SNAPSHOT,       /* -drive snapshot=on: writes kept in memory */
    KILN_FEAT_SERIAL,         /* the 16550 UARTs behind -serial */
    KILN_FEAT_CHR_PTY,        /* pty character backend */
    KILN_FEAT_CHR_TCP,        /* tcp character backend (listening: ,server) */
    KILN_FEAT_CHR_TCP_CLIENT, /* tcp character backend connecting out (no ,server) */
    KILN_FEAT_MONITOR,        /* the human monitor */
    KILN_FEAT_GDBSTUB,        /* the gdb remote stub */
    KILN_FEAT_SDL,            /* the SDL display */
    KILN_FEAT_ICOUNT,         /* -icount: instruction-counted virtual clock */
    KILN_FEAT_RTC,            /* the CMOS real-time clock (-rtc) */
    KILN_FEAT_ISA_DEBUG_EXIT, /* -device isa-debug-exit */
    KILN_FEAT_DEBUGCON,       /* -debugcon: the port 0xe9 debug console */
    KILN_FEAT_CPU_MODELS,     /* -cpu: CPU model and feature flag selection */
    KILN_FEAT_COUNT
};

/* True when the part exists in this build. */
bool kiln_feature_built(enum kiln_feature f);

/* The mask of built features (bit f set when feature f is built). */
uint64_t kiln_features_built(void);

/* Short name ("monitor") and what an error calls it ("the monitor"); NULL when out of range. */
const char *kiln_feature_name(enum kiln_feature f);
const char *kiln_feature_what(enum kiln_feature f);

#define KILN_FEAT_BIT(f) (UINT64_C(1) << (f))
#define KILN_FEAT_ALL    ((UINT64_C(1) << KILN_FEAT_COUNT) - 1)

/* ------------------------------------------------------------------ configuration */

enum kiln_machine_type { KILN_MACHINE_PC };  /* i440FX + PIIX PC, the only board */
enum kiln_accel { KILN_ACCEL_JIT, KILN_ACCEL_INTERP };
/* -cpu models; DEFAULT lets the CPU layer choose. */
enum kiln_cpu_model { KILN_CPU_DEFAULT, KILN_CPU_MAX, KILN_CPU_QEMU64, KILN_CPU_BASE };
enum kiln_display { KILN_DISPLAY_NONE, KILN_DISPLAY_SDL };
enum kiln_drive_if { KILN_IF_IDE, KILN_IF_VIRTIO, KILN_IF_NONE };
enum kiln_media { KILN_MEDIA_DISK, KILN_MEDIA_CDROM };
enum kiln_format { KILN_FORMAT_RAW, KILN_FORMAT_QCOW2 };
enum kiln_rtc_base { KILN_RTC_UTC, KILN_RTC_LOCALTIME, KILN_RTC_DATETIME };
enum kiln_rtc_clock { KILN_RTC_CLOCK_HOST, KILN_RTC_CLOCK_RT, KILN_RTC_CLOCK_VM };

/* Character backends of -serial, -monitor and -gdb. */
enum kiln_chr_kind {
    KILN_CHR_NONE,   /* absent: no device at all ("none") */
    KILN_CHR_NULL,   /* present, output discarded, no input */
    KILN_CHR_STDIO,  /* the terminal */
    KILN_CHR_FILE,   /* output written to `path` (truncated), no input */
    KILN_CHR_PTY,    /* a new pseudo-terminal; its name is printed at start */
    KILN_CHR_TCP,    /* a TCP socket: host/port, server, wait */
};

struct kiln_chardev {
    enum kiln_chr_kind kind;
    bool mux;        /* "mon:" prefix: shares the backend with the monitor (Ctrl-A c) */
    char *path;      /* KILN_CHR_FILE: file name (heap) */
    char *host;      /* KILN_CHR_TCP: host, NULL for any (server) / localhost (client) */
    uint16_t port;   /* KILN_CHR_TCP: 1..65535 */
    bool server;     /* KILN_CHR_TCP: listen instead of connect */
    bool wait;       /* KILN_CHR_TCP server: wait for a client before starting */
    bool nodelay;    /* KILN_CHR_TCP: TCP_NODELAY */
};

struct kiln_drive {
    char *file;               /* image file (heap); NULL for an empty CD-ROM drive */
    char *id;                 /* id= (heap) or NULL */
    enum kiln_format format;
    enum kiln_drive_if iface;
    enum kiln_media media;
    unsigned index;           /* IDE: 0..3 (bus = index/2, unit = index%2); virtio: 0..7 */
    bool readonly;
    bool snapshot;            /* writes go to a temporary overlay, image untouched
                                 (snapshot=on, or -snapshot for every drive) */
};

/* Devices -device can add. */
enum kiln_device_type { KILN_DEV_ISA_DEBUG_EXIT };

struct kiln_device {
    enum kiln_device_type type;
    char *id;                 /* id= (heap) or NULL */
    union {
        struct {
            uint16_t iobase;  /* default 0x501 */
            uint16_t iosize;  /* default 2; iobase + iosize <= 0x10000 */
        } isa_debug_exit;     /* writing v to the port exits with status (v << 1) | 1 */
    } u;
};

/* A -cpu feature flag: "+avx2"/"avx2=on" (on) or "-x2apic"/"x2apic=off" (off).
 * Names are not checked by the parser ([a-z0-9_.-]); the CPU layer must reject
 * names it does not know. */
struct kiln_cpu_flag {
    char name[KILN_CPU_FLAG_NAME_MAX + 1];
    bool on;
};

struct kiln_config {
    enum kiln_machine_type machine;
    struct {
        enum kiln_cpu_model model;
        struct kiln_cpu_flag flags[KILN_MAX_CPU_FLAGS]; /* in command-line order */
        unsigned nflags;
    } cpu;
    uint64_t ram_size;                 /* bytes, multiple of KILN_RAM_ALIGN */
    struct {
        unsigned cpus;                 /* CPUs at start, 1..KILN_MAX_CPUS */
        unsigned maxcpus;              /* >= cpus; = sockets * cores * threads */
        unsigned sockets, cores, threads;
    } smp;

    char *kernel;                      /* -kernel (heap) or NULL */
    char *initrd;                      /* -initrd (heap) or NULL; only with kernel */
    char *append;                      /* -append (heap) or NULL; only with kernel */

    struct kiln_drive drives[KILN_MAX_DRIVES];
    unsigned ndrives;                  /* in command-line order; indexes are unique per iface */

    struct {
        char order[KILN_BOOT_ORDER_MAX + 1]; /* letters a..p, default "cad" */
        char once[KILN_BOOT_ORDER_MAX + 1];  /* order for the first boot only, or "" */
        bool menu;
        bool strict;
    } boot;

    enum kiln_display display;
    bool nographic;                    /* -nographic (display none + stdio defaults) */

    struct kiln_chardev serial[KILN_MAX_SERIALS];
    unsigned nserial;                  /* COM1.. ; 0 after -serial none or -nodefaults */
    struct kiln_chardev monitor;       /* KILN_CHR_NONE when there is no monitor */
    struct kiln_chardev gdb;           /* KILN_CHR_TCP when -s/-gdb, else KILN_CHR_NONE */
    struct kiln_chardev debugcon;      /* -debugcon: port 0xe9 output, KILN_CHR_NONE if absent */
    bool start_paused;                 /* -S */

    uint32_t log_mask;                 /* KILN_LOG_BIT(item) of translate/log.h */
    char *log_file;                    /* -D (heap) or NULL for stderr */

    enum kiln_accel accel;
    unsigned tb_size_mib;              /* -accel tb-size=, 0 for the default */
    bool one_insn_per_tb;              /* -accel one-insn-per-tb=on */

    struct kiln_device devices[KILN_MAX_DEVICES];
    unsigned ndevices;

    bool no_reboot;                    /* guest reset exits instead */
    bool no_shutdown;                  /* guest power-off stops instead of exiting */

    bool seed_set;                     /* -seed N given */
    uint64_t seed;                     /* -seed: RDRAND/RDSEED come from a PRNG seeded with it */

    struct {
        bool enabled;                  /* -icount given */
        int shift;                     /* 0..KILN_ICOUNT_SHIFT_MAX (ns per insn = 1 << shift) or KILN_ICOUNT_AUTO */
        bool sleep;                    /* sleep=on: the clock waits for real time when idle */
    } icount;

    struct {
        enum kiln_rtc_base base;
        int64_t base_time;             /* KILN_RTC_DATETIME: seconds since 1970-01-01 UTC */
        enum kiln_rtc_clock clock;
        bool driftfix_slew;
    } rtc;
};

/* Fills cfg with the defaults (128 MiB, 1 CPU, boot "cad", no devices...). */
void kiln_config_init(struct kiln_config *cfg);

/* Frees the heap strings of cfg and re-initializes it. Safe after a failed parse. */
void kiln_config_free(struct kiln_config *cfg);

#endif
