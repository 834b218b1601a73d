; SPDX-License-Identifier: MIT
; tsc_deadline.asm: the local APIC timer in TSC-deadline mode: CPUID bit, IA32_TSC_DEADLINE
; arms it, the interrupt comes when the TSC has passed the deadline (never before) and
; disarms the MSR, writing 0 cancels, a past deadline fires at once, and outside the mode
; the MSR ignores writes.
; expect: exit=1 serial="tsc_deadline ok"
; expect: exit=1 serial="tsc_deadline ok" args="-icount shift=3 -append strict"
%include "mb.inc"
%include "apic.inc"

start:  SETUP32
        mov eax, 1
        cpuid
        test ecx, 1 << 24                ; TSC-deadline timer
        FAIL_UNLESS nz, 2
        test ecx, 1 << 21                ; no x2APIC
        FAIL_UNLESS z, 3
        IDT_GATE32 0x41, timer_isr
        mov dword [L_LVTT], 0x40041      ; TSC-deadline mode, vector 0x41
        sti

        ; 1. deadline = now + ~1 ms of TSC (whatever its rate: measured against the PIT)
        rdtsc
        mov esi, eax
        mov edi, edx
        mov ecx, 1193
        call pit_wait
        rdtsc
        sub eax, esi                     ; eax = TSC ticks per ms
        mov [per_ms], eax
        rdtsc
        add eax, [per_ms]
        adc edx, 0
        mov [deadline], eax
        mov [deadline + 4], edx
        mov ecx, 0x6e0
        wrmsr
        rdmsr                            ; reads back while armed
        cmp eax, [deadline]
        FAIL_UNLESS e, 10
        cmp dword [ticks], 0
        FAIL_UNLESS e, 11
        mov ebx, 20                      ; up to 1 s (a late host), 10 ms strict
.w1:    mov ecx, 11932
        call pit_wait
        cmp byte [strict_flag], 0
        jne .w1done
        cmp dword [ticks], 0
        jne .w1done
        dec ebx
        jnz .w1
.w1done:
        cmp dword [ticks], 1
        FAIL_UNLESS e, 12
        mov eax, [fired]                 ; not before the deadline
        mov edx, [fired + 4]
        sub eax, [deadline]
        sbb edx, [deadline + 4]
        FAIL_UNLESS ns, 13
        mov ecx, 0x6e0                   ; disarmed once it fired
        rdmsr
        or eax, edx
        FAIL_UNLESS z, 14

        ; 2. HLT wakes on it
        rdtsc
        add eax, [per_ms]
        adc edx, 0
        mov ecx, 0x6e0
        wrmsr
        hlt
        cmp dword [ticks], 2
        FAIL_UNLESS e, 20

        ; 3. armed then cancelled with 0: nothing
        rdtsc
        add eax, [per_ms]
        adc edx, 0
        mov ecx, 0x6e0
        wrmsr
        xor eax, eax
        xor edx, edx
        wrmsr
        mov ecx, 11932
        call pit_wait
        cmp dword [ticks], 2
        FAIL_UNLESS e, 30

        ; 4. a deadline in the past fires at once
        mov eax, 1
        xor edx, edx
        mov ecx, 0x6e0
        wrmsr
        mov ecx, 1193
        call pit_wait
        cmp dword [ticks], 3
        FAIL_UNLESS e, 40

        ; 5. one-shot mode: the MSR ignores writes and reads 0
        mov dword [L_LVTT], 0x00041
        rdtsc
        add eax, 1000
        adc edx, 0
        mov ecx, 0x6e0
        wrmsr
        rdmsr
        or eax, edx
        FAIL_UNLESS z, 50
        mov ecx, 11932
        call pit_wait
        cmp dword [ticks], 3
        FAIL_UNLESS e, 51
        cli
        PUTS ok_msg
        EXIT 0

timer_isr:
        push eax
        push edx
        rdtsc
        mov [fired], eax
        mov [fired + 4], edx
        inc dword [ticks]
        EOI_LAPIC
        pop edx
        pop eax
        iretd

ok_msg: db "tsc_deadline ok", 10, 0
ticks:    dd 0
per_ms:   dd 0
align 8
deadline: dq 0
fired:    dq 0
        APIC_DATA
