; SPDX-License-Identifier: MIT
; apic_timer.asm: the local APIC timer against the PIT: the current count runs down at a
; steady rate (calibrated over 10 ms of PIT channel 2), a one-shot of 1 ms fires exactly
; once, a periodic timer of 5 ms gives about 10 interrupts in 50 ms (9..12 under -icount;
; at most 12 in realtime, where a loaded host loses periods), masking stops them, and the
; divide configuration scales the rate (16x; checked under -icount only).
; expect: exit=1 serial="apic_timer ok"
; expect: exit=1 serial="apic_timer ok" args="-icount shift=3 -append strict"
%include "mb.inc"
%include "apic.inc"

start:  SETUP32
        mov eax, 1
        cpuid
        test edx, 1 << 9                 ; CPUID advertises the APIC
        FAIL_UNLESS nz, 2
        mov ecx, 0x1b                    ; IA32_APIC_BASE: enabled, BSP, at 0xfee00000
        rdmsr
        and eax, 0xfffff900
        cmp eax, 0xfee00900
        FAIL_UNLESS e, 3
        IDT_GATE32 0x40, timer_isr

        ; 1. calibration: divide by 16, masked one-shot from 0xffffffff, 10 ms of PIT
        mov dword [L_DIV], 0x3
        mov dword [L_LVTT], 0x10040
        mov dword [L_INIT], 0xffffffff
        mov ecx, 11932
        call pit_wait
        mov eax, 0xffffffff
        sub eax, [L_CUR]
        mov [per10ms], eax
        cmp eax, 1000                    ; it must have counted
        FAIL_UNLESS a, 10
        mov eax, [L_CUR]                 ; and keeps counting down
        mov ecx, 1193
        call pit_wait
        cmp eax, [L_CUR]
        FAIL_UNLESS a, 11
        cmp dword [ticks], 0             ; masked: no interrupt
        FAIL_UNLESS e, 12

        ; 2. one-shot of 1 ms: exactly one interrupt, then the count reads 0
        sti
        mov dword [L_LVTT], 0x40
        mov eax, [per10ms]
        xor edx, edx
        mov ecx, 10
        div ecx
        mov [per1ms], eax
        mov [L_INIT], eax
        mov ebx, 20                      ; up to 1 s (a late host), 10 ms strict
.w1:    mov ecx, 11932                   ; 10 ms
        call pit_wait
        cmp byte [strict_flag], 0
        jne .w1done
        cmp dword [ticks], 0
        jne .w1done
        dec ebx
        jnz .w1
.w1done:
        mov ecx, 23864                   ; 20 ms more: still one
        call pit_wait
        cmp dword [ticks], 1
        FAIL_UNLESS e, 20
        cmp dword [L_CUR], 0
        FAIL_UNLESS e, 21

        ; 3. periodic, 5 ms: about 10 interrupts in 50 ms (a descheduled host loses some)
        mov dword [ticks], 0
        mov dword [L_LVTT], 0x20040
        mov eax, [per1ms]
        imul eax, 5
        mov [L_INIT], eax
        mov ecx, 59659                   ; 50 ms
        call pit_wait
        mov eax, [ticks]
        mov [periodic], eax
        AT_LEAST eax, 9, 0, 30
        cmp eax, 12
        FAIL_UNLESS be, 31
        ; masked: the interrupts stop, the count goes on
        or dword [L_LVTT], 0x10000
        mov ebx, [ticks]
        mov ecx, 23864                   ; 20 ms
        call pit_wait
        cmp ebx, [ticks]
        FAIL_UNLESS e, 32
        mov dword [L_INIT], 0            ; stops the timer

        ; 4. divide by 1 counts 16 times faster than by 16 (within a factor 2); only
        ;    under -icount: in realtime a descheduled host stretches either window
        cmp byte [strict_flag], 0
        je .div_done
        mov dword [L_DIV], 0xb
        mov dword [L_LVTT], 0x10040
        mov dword [L_INIT], 0xffffffff
        mov ecx, 11932
        call pit_wait
        mov eax, 0xffffffff
        sub eax, [L_CUR]
        mov dword [L_INIT], 0
        xor edx, edx
        div dword [per10ms]              ; ratio
        cmp eax, 8
        FAIL_UNLESS ae, 40
        cmp eax, 32
        FAIL_UNLESS be, 41
.div_done:
        cli
        PUTS ok_msg
        EXIT 0

timer_isr:
        inc dword [ticks]
        EOI_LAPIC
        iretd

ok_msg: db "apic_timer ok", 10, 0
ticks:    dd 0
per10ms:  dd 0
per1ms:   dd 0
periodic: dd 0
        APIC_DATA
