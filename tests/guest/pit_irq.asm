; SPDX-License-Identifier: MIT
; pit_irq.asm: the PIT's IRQ 0 through the 8259 PIC into a 32-bit IDT: taken in a
; tight loop, waking HLT, held off by CLI (pending in the IRR), delivered right after
; the instruction that follows STI (the STI shadow), and acknowledged with EOI.
; expect: exit=1 serial="pit_irq ok"
; expect: exit=1 serial="pit_irq ok" args="-icount shift=3"
%include "mb.inc"

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        ; IDT: vector 0x20 = IRQ 0 (interrupt gate)
        IDT_GATE32 0x20, irq0
        lidt [idtr]
        ; PICs: master at vectors 0x20.., slave at 0x28.., only IRQ 0 unmasked
        PIC_INIT 0xfe, 0xff
        ; PIT channel 0: rate generator (mode 2), 1193 -> about 1 kHz
        mov al, 0x34
        out 0x43, al
        mov ax, 1193
        out 0x40, al
        mov al, ah
        out 0x40, al

        ; 1. a tight loop: five ticks arrive (bounded so a lost IRQ fails, not hangs)
        sti
        mov ecx, 2000000000
.spin:  cmp dword [ticks], 5
        jae .spun
        dec ecx
        jnz .spin
        FAIL_UNLESS z, 10            ; (ecx ran out: fail)
.spun:  cli

        ; 2. HLT wakes on each tick
        mov ebx, [ticks]
        mov ecx, 5
.halt:  sti
        hlt
        cli
        dec ecx
        jnz .halt
        mov eax, [ticks]
        sub eax, ebx
        cmp eax, 5                   ; at least one tick per HLT (a slow host may see
        FAIL_UNLESS ae, 20           ; a second one right after an IRET)

        ; 3. with IF clear the tick waits in the IRR and nothing is delivered
        mov ebx, [ticks]
        mov ecx, 2000000000
.irr:   mov al, 0x0a                 ; OCW3: read IRR
        out 0x20, al
        in al, 0x20
        test al, 1
        jnz .pending
        dec ecx
        jnz .irr
        FAIL_UNLESS z, 30
.pending:
        cmp ebx, [ticks]
        FAIL_UNLESS e, 31
        ; 4. STI: the next instruction still runs first (shadow), then the IRQ
        sti
        mov eax, [ticks]             ; in the shadow: not yet
        nop                          ; delivered before this or right after it
        nop
        mov edx, [ticks]
        cli
        cmp eax, ebx
        FAIL_UNLESS e, 40
        cmp edx, ebx
        FAIL_UNLESS a, 41

        PUTS ok_msg
        EXIT 0

irq0:   push eax
        inc dword [ticks]
        mov al, 0x20                 ; non-specific EOI
        out 0x20, al
        pop eax
        iretd

ok_msg: db "pit_irq ok", 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
ticks:  dd 0
align 8
idt:    times 256 dq 0
