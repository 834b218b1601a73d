; SPDX-License-Identifier: MIT
; a20.asm: gate A20 through port 0x92 (bit 1): with it closed, physical address bit 20
; reads as 0 (0x300000 aliases 0x200000, for data and for code), and opening it again
; separates them. The code runs from below 1 MiB (copied to 0x8000) since its own
; address at 1 MiB has bit 20 set.
; expect: exit=1 serial="a20 ok"
%include "mb.inc"

LOW equ 0x8000

start:  mov esp, 0x90000
        in al, 0x92
        test al, 2                   ; open after the loader
        FAIL_UNLESS nz, 2
        mov esi, section.low.start
        mov edi, LOW
        mov ecx, low_end - LOW
        cld
        rep movsb
        mov dword [0x200000], 0x11111111
        mov dword [0x300000], 0x33333333
        mov byte [0x200000 + 0x100], 0xc3      ; RET at 0x200100 ...
        mov byte [0x300000 + 0x100], 0xcc      ; ... INT3 at 0x300100 (no IDT: must not run)
        call low_test
        cmp eax, 0x11111111          ; A20 closed: 0x300000 read 0x200000's value
        FAIL_UNLESS e, 10
        cmp ebx, 0x22222222          ; a store to 0x300000 landed at 0x200000
        FAIL_UNLESS e, 11
        cmp ecx, 0x33333333          ; opened: 0x300000 is itself again
        FAIL_UNLESS e, 12
        in al, 0x92
        test al, 2
        FAIL_UNLESS nz, 13
        PUTS ok_msg
        EXIT 0
ok_msg: db "a20 ok", 10, 0

section low vstart=LOW follows=.text
low_test:
        in al, 0x92
        and al, ~3
        out 0x92, al                 ; close A20
        mov eax, [0x300000]
        mov dword [0x300000], 0x22222222
        mov ebx, [0x200000]
        mov edx, 0x300100
        call edx                     ; runs the RET at 0x200100
        push eax
        in al, 0x92
        or al, 2
        out 0x92, al                 ; open it
        pop eax
        mov ecx, [0x300000]
        ret
low_end:
