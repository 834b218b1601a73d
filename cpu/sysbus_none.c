/* SPDX-License-Identifier: MIT */
/* sysbus_none.c: placeholder cpu_sys_ops() until the system CPU exists (delete it when it lands). */
#include <stddef.h>
#include "cpu/sysbus.h"

/* The full-system CPU (paging, segmentation, interrupts, I/O instructions)
 * is not built yet: the machine reports that instead of running the guest. */
const struct sysbus_cpu_ops *cpu_sys_ops(void)
{
    return NULL;
}
