; SPDX-License-Identifier: MIT
; gdbwatch.asm: the guest of tests/gdb/watch.gdb (gdb's watch / rwatch / awatch /
; hbreak through the gdbstub), also run alone. The accesses gdb watches sit at fixed
; addresses (checked at assembly time); the variable is at 0x100800. The guest keeps
; its own debug registers busy at the same time: DR1 watches the same variable for
; reads and writes (so the read-modify-write at 0x100400 is both gdb's awatch stop
; and, when gdb continues, the guest's #DB), DR0 a variable of its own.
;   0x100200 mov dword [0x100800], 0x11   next 0x10020a   (gdb: watch)
;   0x100300 mov eax, [0x100800]          next 0x100305   (gdb: rwatch)
;   0x100400 add dword [0x100800], 1      next 0x100407   (gdb: awatch; guest DR1)
;   0x100500 nop                                          (gdb: hbreak)
; expect: exit=1 serial="gdbwatch ok"
%include "mb.inc"

%macro AT 1
        times %1 - ($ - $$) nop
%endmacro
; ASSERT_AT label, offset: assembly fails unless label is at $$ + offset.
%macro ASSERT_AT 2
        times -((%1 - $$) != %2) db 0
%endmacro

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        IDT_GATE32 1, db_handler
        lidt [idtr]
        ; guest watches: DR0 writes of gvar (4 bytes), DR1 reads/writes of var (4 bytes)
        mov eax, gvar
        mov dr0, eax
        mov eax, var
        mov dr1, eax
        mov eax, 0x1 | 0x4 | (0x1 << 16) | (0x3 << 18) | (0x3 << 20) | (0x3 << 22)
        mov dr7, eax
        jmp w_at

        AT 0x200
w_at:   mov dword [var], 0x11
w_next: jmp r_at
        ASSERT_AT w_next, 0x20a

        AT 0x300
r_at:   mov eax, [var]
r_next: jmp a_at
        ASSERT_AT r_next, 0x305

        AT 0x400
a_at:   add dword [var], 1
a_next: jmp check
        ASSERT_AT a_next, 0x407

        AT 0x500
hb_at:  nop
        mov dword [gvar], 7             ; the guest's own watch only
g_next: xor eax, eax
        mov dr7, eax
        ; the guest saw: #DB after each access to var (3) and after the gvar store
        cmp dword [db_count], 4
        FAIL_UNLESS e, 10
        cmp dword [db_eips], w_next
        FAIL_UNLESS e, 11
        cmp dword [db_eips + 4], r_next
        FAIL_UNLESS e, 12
        cmp dword [db_eips + 8], a_next
        FAIL_UNLESS e, 13
        cmp dword [db_eips + 12], g_next
        FAIL_UNLESS e, 14
        cmp dword [db_dr6s + 8], 2       ; B1
        FAIL_UNLESS e, 15
        cmp dword [db_dr6s + 12], 1      ; B0
        FAIL_UNLESS e, 16
        cmp dword [var], 0x12
        FAIL_UNLESS e, 17
        PUTS ok_msg
        EXIT 0
check:  jmp hb_at

; #DB: logs EIP and DR6.B0-B3 of up to 8 debug exceptions, clears DR6.
db_handler:
        push eax
        push ebx
        mov eax, [db_count]
        cmp eax, 8
        jae .full
        mov ebx, [esp + 8]
        mov [db_eips + eax * 4], ebx
        mov ebx, dr6
        and ebx, 0xf
        mov [db_dr6s + eax * 4], ebx
.full:  inc dword [db_count]
        xor ebx, ebx
        mov dr6, ebx
        pop ebx
        pop eax
        iretd

ok_msg: db "gdbwatch ok", 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
db_count: dd 0
db_eips: times 8 dd 0
db_dr6s: times 8 dd 0
gvar:   dd 0

        AT 0x800
var:    dd 0
        dd 0
align 8
idt:    times 256 dq 0
