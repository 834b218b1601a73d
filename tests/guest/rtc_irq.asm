; SPDX-License-Identifier: MIT
; rtc_irq.asm: the CMOS RTC's periodic interrupt (register B PIE, 1024 Hz) on IRQ 8,
; through the slave 8259 cascaded on the master's IRQ 2: waking HLT, acknowledged by
; reading register C and an EOI to both PICs; register C shows PF and IRQF.
; expect: exit=1 serial="rtc_irq ok"
%include "mb.inc"

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        IDT_GATE32 0x28, irq8
        lidt [idtr]
        PIC_INIT 0xfb, 0xfe
        mov al, 0x8c                 ; clear a stale flag: read C (NMI off while indexing)
        out 0x70, al
        in al, 0x71
        mov al, 0x8a                 ; A: 32.768 kHz base, rate 6 = 1024 Hz
        out 0x70, al
        mov al, 0x26
        out 0x71, al
        mov al, 0x8b                 ; B: PIE on, 24 h, binary untouched otherwise
        out 0x70, al
        in al, 0x71
        or al, 0x40
        mov bl, al
        mov al, 0x8b
        out 0x70, al
        mov al, bl
        out 0x71, al
        mov ecx, 3
.halt:  sti
        hlt
        cli
        dec ecx
        jnz .halt
        cmp dword [ticks], 3
        FAIL_UNLESS ae, 10
        mov al, [regc]
        and al, 0xc0                 ; IRQF and PF
        cmp al, 0xc0
        FAIL_UNLESS e, 11
        mov al, 0x8b                 ; PIE off again
        out 0x70, al
        in al, 0x71
        and al, ~0x40
        mov bl, al
        mov al, 0x8b
        out 0x70, al
        mov al, bl
        out 0x71, al
        PUTS ok_msg
        EXIT 0

irq8:   push eax
        inc dword [ticks]
        mov al, 0x0c                 ; read C: acknowledges the RTC
        out 0x70, al
        in al, 0x71
        mov [regc], al
        mov al, 0x20
        out 0xa0, al                 ; EOI slave, then master
        out 0x20, al
        pop eax
        iretd

ok_msg: db "rtc_irq ok", 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
ticks:  dd 0
regc:   db 0
align 8
idt:    times 256 dq 0
