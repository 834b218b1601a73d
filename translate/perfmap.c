/* SPDX-License-Identifier: MIT */
/* perfmap.c: /tmp/perf-<pid>.map lines for JIT blocks, so perf names samples in generated code. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "translate/perfmap.h"

struct perfmap {
    int fd;
};

struct perfmap *perfmap_open(void)
{
    const char *v = getenv("KILN_PERF_MAP");
    if (!v || !*v || !strcmp(v, "0"))
        return NULL;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/perf-%ld.map", (long)getpid());
    struct perfmap *pm = malloc(sizeof(*pm));
    if (!pm)
        return NULL;
    /* O_APPEND: several TB caches (one per vCPU) write whole lines to one file */
    pm->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (pm->fd < 0) {
        free(pm);
        return NULL;
    }
    return pm;
}

void perfmap_add(struct perfmap *pm, const void *code, size_t size, uint64_t pc)
{
    if (!pm || !code || !size)
        return;
    char line[80];
    int n = snprintf(line, sizeof(line), "%lx %zx tb_%llx\n", (unsigned long)(uintptr_t)code, size,
                     (unsigned long long)pc);
    if (n > 0 && (size_t)n < sizeof(line) && write(pm->fd, line, (size_t)n) < 0) {
        /* best effort: a full disk only loses names */
    }
}

void perfmap_close(struct perfmap *pm)
{
    if (!pm)
        return;
    close(pm->fd);
    free(pm);
}
