; SPDX-License-Identifier: MIT
; rdrand.asm: RDRAND and RDSEED: advertised by CPUID, CF = 1 and OF SF ZF AF PF = 0
; after them, 16-bit forms keep the register's upper half, successive values differ.
; expect: exit=1 serial="rdrand ok"
; expect: exit=1 serial="rdrand ok" args="-seed 7"
%include "mb.inc"

start:  mov esp, 0x90000
        mov eax, 1
        cpuid
        bt ecx, 30                   ; RDRAND
        FAIL_UNLESS c, 2
        mov eax, 7
        xor ecx, ecx
        cpuid
        bt ebx, 18                   ; RDSEED
        FAIL_UNLESS c, 3
        ; flags: set every arithmetic flag but CF first
        mov eax, 0x8d4               ; OF SF ZF AF PF
        push eax
        popf
        rdrand ebx
        pushf
        pop eax
        and eax, 0x8d5
        cmp eax, 1                   ; only CF
        FAIL_UNLESS e, 4
        mov ecx, 0x12345678
        rdseed cx                    ; 16 bits: the upper half stays
        setc dl
        mov eax, ecx
        shr eax, 16
        cmp eax, 0x1234
        FAIL_UNLESS e, 5
        cmp dl, 1                    ; CF = 1 after RDSEED too
        FAIL_UNLESS e, 6
        ; successive 32-bit values differ (a 1 in 2^32 chance each that they do not)
        rdrand esi
        rdrand edi
        cmp esi, edi
        FAIL_UNLESS ne, 7
        PUTS ok_msg
        EXIT 0

ok_msg: db "rdrand ok", 13, 10, 0
