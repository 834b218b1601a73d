/* SPDX-License-Identifier: MIT */
/* tlb.c: soft-TLB maintenance shared by every guest. */
#include <string.h>
#include "translate/tlb.h"

/* All-ones tags have TLB_INVALID set, so they never equal a page address; a
   memset is the cheapest way to write them (the addend is never read then). */
_Static_assert(TLB_INVALID == 1u, "all-ones tags must read as invalid");

void tlb_flush_mode(struct tlb *tlb, unsigned mode)
{
    memset(tlb->e[mode % TLB_MMU_MODES], 0xff, sizeof(tlb->e[0]));
}

void tlb_flush(struct tlb *tlb)
{
    memset(tlb->e, 0xff, sizeof(tlb->e));
}
