; SPDX-License-Identifier: MIT
; apic_ipi.asm: IPIs to self through the ICR: a fixed vector is taken at once, held in
; the IRR while TPR blocks its class (and while IF is clear, coalescing), NMI to self is
; taken with IF clear and does not nest (a second NMI waits for IRET); the spurious
; vector register; software disable masks the LVT and stops fixed delivery; ESR.
; expect: exit=1 serial="apic_ipi ok"
; expect: exit=1 serial="apic_ipi ok" args="-icount shift=3 -append strict"
%include "mb.inc"
%include "apic.inc"

start:  SETUP32
        IDT_GATE32 0x50, ipi_isr
        IDT_GATE32 2, nmi_isr
        sti

        ; 1. fixed IPI to self: taken right away
        mov dword [L_ICR], 0x40050
        SETTLE [ipis], 1
        cmp dword [ipis], 1
        FAIL_UNLESS e, 10
        mov eax, [L_ISR + 0x20]          ; EOI'd: not in service
        test eax, 1 << 16
        FAIL_UNLESS z, 11

        ; 2. TPR 0x50 blocks class 5: pending in the IRR until TPR drops
        mov dword [L_TPR], 0x50
        mov dword [L_ICR], 0x40050
        SETTLE [ipis], 2
        cmp dword [ipis], 1
        FAIL_UNLESS e, 20
        mov eax, [L_IRR + 0x20]
        test eax, 1 << 16
        FAIL_UNLESS nz, 21
        mov eax, [LAPIC + 0xa0]          ; PPR follows TPR
        cmp eax, 0x50
        FAIL_UNLESS e, 22
        mov dword [L_TPR], 0x40
        SETTLE [ipis], 2
        cmp dword [ipis], 2
        FAIL_UNLESS e, 23

        ; 3. with IF clear two IPIs of the same vector coalesce in the IRR
        cli
        mov dword [L_ICR], 0x40050
        mov dword [L_ICR], 0x40050
        cmp dword [ipis], 2
        FAIL_UNLESS e, 30
        sti
        SETTLE [ipis], 4
        cmp dword [ipis], 3
        FAIL_UNLESS e, 31

        ; 4. NMI to self with IF clear; the handler sends a second one, which must
        ;    wait for its IRET (no nesting)
        cli
        mov dword [L_ICR], 0x40400
        mov ecx, 1000000
.wnmi:  cmp dword [nmis], 2
        jae .nmi_done
        dec ecx
        jnz .wnmi
.nmi_done:
        cmp dword [nmis], 2
        FAIL_UNLESS e, 40
        cmp byte [nested], 0
        FAIL_UNLESS e, 41
        sti

        ; 5. spurious vector register: vector and enable bit read back
        mov dword [L_SVR], 0x1ef
        mov eax, [L_SVR]
        and eax, 0x1ff
        cmp eax, 0x1ef
        FAIL_UNLESS e, 50

        ; 6. software disable: LVT masks forced, fixed IPIs not delivered
        mov dword [L_SVR], 0x0ef
        mov dword [L_LVTT], 0x00050
        mov eax, [L_LVTT]
        test eax, 0x10000
        FAIL_UNLESS nz, 60
        mov dword [L_ICR], 0x40050
        SETTLE [ipis], 4
        cmp dword [ipis], 3
        FAIL_UNLESS e, 61
        mov dword [L_SVR], 0x1ff

        ; 7. an illegal vector (< 16) is not sent; ESR bit 5 after the ESR write
        mov dword [L_ESR], 0
        mov dword [L_ICR], 0x40005
        mov dword [L_ESR], 0
        mov eax, [L_ESR]
        test eax, 1 << 5
        FAIL_UNLESS nz, 70
        cli
        PUTS ok_msg
        EXIT 0

ipi_isr:
        inc dword [ipis]
        EOI_LAPIC
        iretd

nmi_isr:
        cmp byte [in_nmi], 0
        je .first
        mov byte [nested], 1
.first: mov byte [in_nmi], 1
        inc dword [nmis]
        cmp dword [nmis], 1
        jne .out
        mov dword [L_ICR], 0x40400       ; a second NMI while this one runs
        push ecx
        mov ecx, 10000                   ; give it every chance to (wrongly) nest
.spin:  dec ecx
        jnz .spin
        pop ecx
.out:   mov byte [in_nmi], 0
        iretd

ok_msg: db "apic_ipi ok", 10, 0
ipis:   dd 0
nmis:   dd 0
in_nmi: db 0
nested: db 0
        APIC_DATA
