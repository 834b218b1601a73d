/* SPDX-License-Identifier: MIT */
/* e820.c: the BIOS-style physical memory map handed to kernels (Linux zero page, multiboot). */
#include "machine/loader.h"

#define EBDA_START 0x9fc00ull
#define BIOS_START 0xf0000ull
#define HIGH_START 0x100000ull

static unsigned add(struct e820_entry *out, unsigned n, unsigned max,
                    uint64_t addr, uint64_t len, uint32_t type)
{
    if (len == 0 || n >= max)
        return n;
    out[n].addr = addr;
    out[n].len = len;
    out[n].type = type;
    return n + 1;
}

unsigned e820_build(struct memmap *mm, struct e820_entry *out, unsigned max)
{
    uint64_t below = memmap_ram_below_4g(mm);
    uint64_t above = memmap_ram_above_4g(mm);
    unsigned n = 0;

    /* Conventional memory up to the EBDA; the EBDA and the BIOS area stay
     * reserved even without firmware, as kernels expect. */
    n = add(out, n, max, 0, below < EBDA_START ? below : EBDA_START, E820_RAM);
    if (below > EBDA_START)
        n = add(out, n, max, EBDA_START, 0xa0000 - EBDA_START, E820_RESERVED);
    n = add(out, n, max, BIOS_START, HIGH_START - BIOS_START, E820_RESERVED);
    if (below > HIGH_START)
        n = add(out, n, max, HIGH_START, below - HIGH_START, E820_RAM);
    if (above)
        n = add(out, n, max, MEMMAP_4G, above, E820_RAM);
    return n;
}
