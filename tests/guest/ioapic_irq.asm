; SPDX-License-Identifier: MIT
; ioapic_irq.asm: ISA interrupts through the I/O APIC with the 8259s masked: the PIT's
; IRQ 0 arrives on GSI 2 (the MADT override) as an edge, the RTC's IRQ 8 as a level with
; remote IRR set until the local APIC's EOI, re-sent after the EOI while the line is
; still high, and masking a pin holds it back.
; expect: exit=1 serial="ioapic_irq ok"
; expect: exit=1 serial="ioapic_irq ok" args="-icount shift=3 -append strict"
%include "mb.inc"
%include "apic.inc"

start:  SETUP32
        ; ID, version (0x11), 24 pins, all masked after reset
        mov dword [IOAPIC], 1
        mov eax, [IOAPIC + 0x10]
        cmp eax, 0x00170011
        FAIL_UNLESS e, 2
        mov ebx, 2
        call ioapic_get_lo
        test eax, 0x10000
        FAIL_UNLESS nz, 3
        IDT_GATE32 0x30, pit_isr
        IDT_GATE32 0x38, rtc_isr

        ; 1. PIT at 1 kHz on GSI 2, edge, physical destination 0, vector 0x30
        mov ebx, 2
        mov eax, 0x30
        xor edx, edx
        call ioapic_set
        mov al, 0x34
        out 0x43, al
        mov ax, 1193
        out 0x40, al
        mov al, ah
        out 0x40, al
        sti
        WAIT_TICKS [pit_ticks], 5
        cmp dword [pit_ticks], 5
        FAIL_UNLESS ae, 10
        cmp byte [pit_rirr], 0           ; edge pins never show remote IRR
        FAIL_UNLESS e, 11
        ; masked: no more ticks
        mov ebx, 2
        mov eax, 0x10030
        xor edx, edx
        call ioapic_set
        mov ebx, [pit_ticks]
        mov ecx, 11932
        call pit_wait
        cmp ebx, [pit_ticks]
        FAIL_UNLESS e, 12

        ; 2. RTC periodic interrupt (1024 Hz) on GSI 8, level, vector 0x38
        mov ebx, 8
        mov eax, 0x8038
        xor edx, edx
        call ioapic_set
        mov al, 0x0a
        out 0x70, al
        mov al, 0x26
        out 0x71, al
        mov al, 0x0b
        out 0x70, al
        mov al, 0x42                     ; PIE, 24 h
        out 0x71, al
        WAIT_TICKS [rtc_ticks], 3
        mov eax, [rtc_ticks]
        cmp eax, 3
        FAIL_UNLESS ae, 20
        cmp byte [rtc_rirr], 1           ; remote IRR was set inside the handler
        FAIL_UNLESS e, 21
        mov ebx, 8                       ; and clear after the EOI
        call ioapic_get_lo
        test eax, 1 << 14
        FAIL_UNLESS z, 22

        ; 3. a handler that EOIs without reading register C: the line stays high,
        ;    so every EOI brings the interrupt back at once (stop after 20)
        mov byte [no_ack], 1
        mov dword [rtc_ticks], 0
        WAIT_TICKS [rtc_ticks], 20
        cmp dword [rtc_ticks], 20
        FAIL_UNLESS ae, 30
        cmp byte [no_ack], 0
        FAIL_UNLESS e, 31
        cli
        mov al, 0x0b                     ; RTC interrupts off
        out 0x70, al
        mov al, 0x02
        out 0x71, al
        mov al, 0x0c
        out 0x70, al
        in al, 0x71
        PUTS ok_msg
        EXIT 0

pit_isr:
        push eax
        push ebx
        push ecx
        inc dword [pit_ticks]
        mov ebx, 2
        call ioapic_get_lo
        test eax, 1 << 14
        jz .ok
        mov byte [pit_rirr], 1
.ok:    EOI_LAPIC
        pop ecx
        pop ebx
        pop eax
        iretd

rtc_isr:
        push eax
        push ebx
        push ecx
        inc dword [rtc_ticks]
        mov ebx, 8
        call ioapic_get_lo
        test eax, 1 << 14
        jz .no
        mov byte [rtc_rirr], 1
.no:    cmp byte [no_ack], 0
        je .ack
        cmp dword [rtc_ticks], 20
        jb .eoi
        mov byte [no_ack], 0
.ack:   mov al, 0x0c                     ; reading C lowers IRQ 8
        out 0x70, al
        in al, 0x71
.eoi:   EOI_LAPIC
        pop ecx
        pop ebx
        pop eax
        iretd

ok_msg: db "ioapic_irq ok", 10, 0
pit_ticks: dd 0
rtc_ticks: dd 0
pit_rirr:  db 0
rtc_rirr:  db 0
no_ack:    db 0
        APIC_DATA
