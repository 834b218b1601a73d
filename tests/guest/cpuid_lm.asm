; SPDX-License-Identifier: MIT
; cpuid_lm.asm: the leaf-1 CPUID bits of Linux's x86-64 required-features list
; (FPU PSE TSC MSR PAE CX8 PGE CMOV FXSR SSE SSE2) and LM, all of which the system CPU
; implements, and a few advertised instructions working: CMOV, CMPXCHG8B, the TSC MSR.
; expect: exit=1 serial="cpuid_lm ok"
%include "mb.inc"

REQ_EDX equ (1 << 0) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 13) | (1 << 15) | (1 << 24) | (1 << 25) | (1 << 26)

start:  mov esp, 0x90000
        xor eax, eax
        cpuid
        cmp eax, 1
        FAIL_UNLESS ae, 2
        mov eax, 1
        cpuid
        and edx, REQ_EDX
        cmp edx, REQ_EDX
        FAIL_UNLESS e, 3
        mov eax, 0x80000000
        cpuid
        cmp eax, 0x80000001
        FAIL_UNLESS ae, 4
        mov eax, 0x80000001
        cpuid
        bt edx, 29                   ; long mode
        FAIL_UNLESS c, 5
        ; CMOV
        mov eax, 1
        mov ebx, 2
        cmp eax, ebx
        cmovb eax, ebx
        cmp eax, 2
        FAIL_UNLESS e, 10
        ; CMPXCHG8B: equal -> stores ECX:EBX, ZF set
        mov eax, 0x11111111
        mov edx, 0x22222222
        mov ebx, 0x33333333
        mov ecx, 0x44444444
        cmpxchg8b [qw]
        FAIL_UNLESS z, 11
        cmp dword [qw], 0x33333333
        FAIL_UNLESS e, 12
        cmp dword [qw + 4], 0x44444444
        FAIL_UNLESS e, 13
        ; the TSC MSR (0x10) reads like RDTSC and goes forward
        rdtsc
        mov esi, eax
        mov edi, edx
        mov ecx, 0x10
        rdmsr
        sub eax, esi
        sbb edx, edi
        FAIL_UNLESS ns, 14
        PUTS ok_msg
        EXIT 0
ok_msg: db "cpuid_lm ok", 10, 0
align 8
qw:     dd 0x11111111, 0x22222222
