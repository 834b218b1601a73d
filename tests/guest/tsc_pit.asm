; SPDX-License-Identifier: MIT
; tsc_pit.asm: TSC calibration the way Linux does it: PIT channel 2 in mode 0, gated
; through port 0x61 bit 0, polled on port 0x61 bit 5 (OUT2) for 10 ms; RDTSC before
; and after must have advanced by a plausible amount (50 MHz .. 100 GHz) and never
; go backwards.
; expect: exit=1 serial="tsc_pit ok"
; expect: exit=1 serial="tsc_pit ok" args="-icount shift=2"
%include "mb.inc"

start:  mov esp, 0x90000
        rdtsc                        ; monotonic
        mov esi, eax
        mov edi, edx
        rdtsc
        sub eax, esi
        sbb edx, edi
        FAIL_UNLESS ns, 2
        in al, 0x61
        and al, ~0x02                ; speaker off
        or al, 0x01                  ; gate channel 2 on
        out 0x61, al
        mov al, 0xb0                 ; channel 2, lo/hi, mode 0
        out 0x43, al
        mov al, 11932 & 0xff         ; 10 ms at 1.193182 MHz
        out 0x42, al
        in al, 0x61                  ; OUT2 is low while counting
        test al, 0x20
        FAIL_UNLESS z, 5
        mov al, 11932 >> 8
        out 0x42, al                 ; the count starts now
        rdtsc
        mov esi, eax
        mov edi, edx
        mov ecx, 100000000
.poll:  in al, 0x61
        test al, 0x20
        jnz .done
        dec ecx
        jnz .poll
        FAIL_UNLESS nz, 10           ; OUT2 never rose
.done:  rdtsc
        sub eax, esi
        sbb edx, edi
        test edx, edx                ; delta below 2^32 (< 430 GHz)
        FAIL_UNLESS z, 11
        cmp eax, 500000              ; >= 50 MHz over 10 ms
        FAIL_UNLESS ae, 12
        cmp eax, 1000000000          ; <= 100 GHz
        FAIL_UNLESS be, 13
        PUTS ok_msg
        EXIT 0
ok_msg: db "tsc_pit ok", 10, 0
