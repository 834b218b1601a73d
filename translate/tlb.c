/* SPDX-License-Identifier: MIT */
/* tlb.c: soft-TLB maintenance shared by every guest. */
#include "translate/tlb.h"

void tlb_flush(struct tlb *tlb)
{
    for (unsigned m = 0; m < TLB_MMU_MODES; m++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            struct tlb_entry *e = &tlb->e[m][i];
            e->read_tag = TLB_INVALID;
            e->write_tag = TLB_INVALID;
            e->code_tag = TLB_INVALID;
            e->addend = 0;
        }
    }
}
