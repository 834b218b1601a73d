; SPDX-License-Identifier: MIT
; ferr.asm: an unmasked x87 exception with CR0.NE = 0 takes the PC/AT route: the next
; waiting x87 instruction signals FERR#, which raises IRQ 13 (vector 0x2d here) until
; the handler writes port 0xF0; no #MF. With CR0.NE = 1 the same instruction raises #MF.
; expect: exit=1 serial="ferr ok"
%include "mb.inc"

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        IDT_GATE32 16, mf_h
        IDT_GATE32 0x2d, irq13_h
        lidt [idtr]
        PIC_INIT 0xfb, 0xdf          ; master: only the cascade (IR2); slave: only IR5 = IRQ 13
        mov eax, cr0
        and eax, ~0x2c               ; NE = 0, TS = 0, EM = 0
        or eax, 0x2                  ; MP
        mov cr0, eax
        fninit
        fldcw [cw_zm]                ; zero-divide unmasked
        fld1
        fldz
        sti
        fdivp st1, st0               ; ZE pending: ES set, nothing signalled yet
        cmp dword [irq13_count], 0
        FAIL_UNLESS e, 2
        fwait                        ; FERR# -> IRQ 13, taken right after
        nop
        cmp dword [irq13_count], 1
        FAIL_UNLESS e, 3
        cmp dword [mf_count], 0
        FAIL_UNLESS e, 4
        ; the handler cleared ES: more waiting instructions signal nothing
        fld1
        fstp st0
        fwait
        nop
        cmp dword [irq13_count], 1
        FAIL_UNLESS e, 5
        ; CR0.NE = 1: #MF instead
        mov eax, cr0
        or eax, 0x20
        mov cr0, eax
        fld1
        fldz
        fdivp st1, st0
        fwait                        ; #MF (a fault: the handler clears ES and returns here)
        cmp dword [mf_count], 1
        FAIL_UNLESS e, 6
        cmp dword [irq13_count], 1
        FAIL_UNLESS e, 7
        PUTS ok_msg
        EXIT 0

irq13_h:
        push eax
        inc dword [irq13_count]
        fnclex
        xor al, al
        out 0xf0, al                 ; release the FERR# latch (IRQ 13 low)
        mov al, 0x20
        out 0xa0, al
        out 0x20, al
        pop eax
        iret
mf_h:   inc dword [mf_count]
        fnclex
        iret

align 4
irq13_count: dd 0
mf_count: dd 0
cw_zm:  dw 0x037b
ok_msg: db "ferr ok", 13, 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
idt:    times 256 * 8 db 0
