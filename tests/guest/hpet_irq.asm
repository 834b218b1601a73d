; SPDX-License-Identifier: MIT
; hpet_irq.asm: the HPET at 0xfed00000: capabilities, the main counter runs only when
; enabled, timer 0 periodic in legacy replacement mode takes over IRQ 0 (GSI 2) from the
; PIT (which runs ten times faster and must not be seen), then timer 2 as a level-triggered
; one-shot routed to I/O APIC GSI 20, acknowledged through the status register.
; expect: exit=1 serial="hpet_irq ok"
; expect: exit=1 serial="hpet_irq ok" args="-icount shift=3 -append strict"
%include "mb.inc"
%include "apic.inc"

start:  SETUP32
        mov eax, [HPET]                  ; capabilities: vendor 8086, legacy route capable
        shr eax, 16
        cmp eax, 0x8086
        FAIL_UNLESS e, 2
        mov eax, [HPET]
        test eax, 1 << 15
        FAIL_UNLESS nz, 3
        shr eax, 8                       ; 3 timers
        and eax, 0x1f
        cmp eax, 2
        FAIL_UNLESS e, 4
        ; ticks per ms = 10^12 fs / period
        mov ecx, [HPET + 4]
        test ecx, ecx
        FAIL_UNLESS nz, 5
        mov eax, 0xd4a51000              ; 10^12 = 0xe8_d4a51000
        mov edx, 0xe8
        div ecx
        mov [per_ms], eax
        ; halted: the counter stands still
        mov ebx, [HPET + 0xf0]
        mov ecx, 1193
        call pit_wait
        cmp ebx, [HPET + 0xf0]
        FAIL_UNLESS e, 6

        IDT_GATE32 0x30, irq0_isr
        IDT_GATE32 0x34, gsi20_isr
        ; GSI 2 <- ISA IRQ 0, edge, vector 0x30
        mov ebx, 2
        mov eax, 0x30
        xor edx, edx
        call ioapic_set
        ; the PIT at ~2 kHz: it would give about 100 interrupts in 50 ms
        mov al, 0x34
        out 0x43, al
        mov ax, 597
        out 0x40, al
        mov al, ah
        out 0x40, al

        ; 1. timer 0: periodic 5 ms, 32-bit, edge; SETVAL then the period (as Linux)
        mov dword [HPET + 0x100], (1 << 2) | (1 << 3) | (1 << 6) | (1 << 8)
        mov eax, [per_ms]
        imul eax, 5
        mov [HPET + 0x108], eax
        mov [HPET + 0x108], eax
        mov dword [HPET + 0x10], 3       ; enable + legacy replacement
        sti
        mov ecx, 59659                   ; 50 ms
        call pit_wait
        cli
        mov eax, [ticks]
        AT_LEAST eax, 9, 0, 10           ; about 10

        cmp eax, 14                      ; not the PIT's 100
        FAIL_UNLESS be, 11
        mov eax, [HPET + 0xf0]           ; the counter runs
        test eax, eax
        FAIL_UNLESS nz, 12
        mov dword [HPET + 0x10], 0       ; halt: no more ticks (and the PIT is back on IRQ 0)
        mov ebx, 2
        mov eax, 0x10030
        xor edx, edx
        call ioapic_set
        mov dword [HPET + 0x100], 0

        ; 2. timer 2: level, one-shot, routed to GSI 20 (in its route capability)
        mov eax, [HPET + 0x144]
        test eax, 1 << 20
        FAIL_UNLESS nz, 20
        mov ebx, 20
        mov eax, 0x8034                  ; level, vector 0x34
        xor edx, edx
        call ioapic_set
        mov dword [HPET + 0x140], (1 << 1) | (1 << 2) | (20 << 9)
        mov dword [HPET + 0x10], 1       ; enable, no legacy replacement
        mov eax, [HPET + 0xf0]
        add eax, [per_ms]
        mov edx, [HPET + 0xf4]
        adc edx, 0
        mov [HPET + 0x148], eax
        mov [HPET + 0x14c], edx
        sti
        mov ebx, 20                      ; up to 1 s (a late host), 10 ms strict
.w2:    mov ecx, 11932
        call pit_wait
        cmp byte [strict_flag], 0
        jne .w2done
        cmp dword [gsi_ticks], 0
        jne .w2done
        dec ebx
        jnz .w2
.w2done:
        cli
        cmp dword [gsi_ticks], 1         ; once: one-shot, and the handler cleared the status
        FAIL_UNLESS e, 21
        cmp dword [status_seen], 4       ; the status bit was set for timer 2
        FAIL_UNLESS e, 22
        mov eax, [HPET + 0x20]
        test eax, eax
        FAIL_UNLESS z, 23
        mov dword [HPET + 0x10], 0
        PUTS ok_msg
        EXIT 0

irq0_isr:
        inc dword [ticks]
        EOI_LAPIC
        iretd

gsi20_isr:
        push eax
        inc dword [gsi_ticks]
        mov eax, [HPET + 0x20]
        mov [status_seen], eax
        mov [HPET + 0x20], eax           ; write 1 to clear: the level drops
        EOI_LAPIC
        pop eax
        iretd

ok_msg: db "hpet_irq ok", 10, 0
per_ms:      dd 0
ticks:       dd 0
gsi_ticks:   dd 0
status_seen: dd 0
        APIC_DATA
