; SPDX-License-Identifier: MIT
; movss_db.asm: the #DB shadow of MOV SS / POP SS (SDM vol. 3 6.8.3): with TF the
; trap after MOV SS is suppressed and the next one comes after the following
; instruction (DR6.BS alone); a data breakpoint hit by MOV SS r/m or POP SS traps
; after the following instruction (DR6.B0, or B0|BS with TF); followed by INT n or
; a faulting instruction (UD2) the held #DB is taken at the first instruction of
; that handler (CVE-2018-8897); an instruction breakpoint on the instruction after
; MOV SS is ignored; LSS opens no shadow (TF traps right after it).
; expect: exit=1 serial="movss_db ok"
%include "mb.inc"
%include "dbg.inc"

DR7_L0 equ 0x1
RW0_RW4 equ (0x3 << 16) | (0x3 << 18)   ; DR0: read/write, 4 bytes

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        IDT_GATE32 1, db_handler
        IDT_GATE32 6, ud_handler
        IDT_GATE32 0x40, int40_handler
        lidt [idtr]
        xor eax, eax
        mov dr6, eax
        mov ax, 0x10

        ; --- 1. TF: NOP traps; MOV SS does not; the instruction after it does
        call reset
        mov dword [db_tf_stop], 2
        pushfd
        or dword [esp], 0x100
        popfd
        nop
t1_ss:  mov ss, ax
        mov ebx, 7
t1_end: cmp dword [db_count], 2
        FAIL_UNLESS e, 10
        cmp dword [db_eips], t1_ss
        FAIL_UNLESS e, 11
        cmp dword [db_eips + 4], t1_end    ; after MOV SS and MOV EBX
        FAIL_UNLESS e, 12
        cmp dword [db_ebx], 7              ; the instruction ran before the trap
        FAIL_UNLESS e, 13
        mov eax, [db_dr6]
        and eax, 0xe00f
        cmp eax, 0x4000                    ; BS alone
        FAIL_UNLESS e, 14
        ; the same with POP SS
        call reset
        mov dword [db_tf_stop], 1
        push dword 0x10
        pushfd
        or dword [esp], 0x100
        popfd
        pop ss
        mov ebx, 8
t1_pop: cmp dword [db_count], 1
        FAIL_UNLESS e, 15
        cmp dword [db_eip], t1_pop
        FAIL_UNLESS e, 16
        mov eax, [db_dr6]
        and eax, 0xe00f
        cmp eax, 0x4000
        FAIL_UNLESS e, 17

        ; --- 2. a read/write watch on the word MOV SS reads: #DB after the next instruction
        call reset
        mov eax, ssvar
        mov dr0, eax
        mov eax, DR7_L0 | RW0_RW4
        mov dr7, eax
        mov ss, [ssvar]
        mov ebx, 9
t2_end: cmp dword [db_count], 1
        FAIL_UNLESS e, 20
        cmp dword [db_eip], t2_end
        FAIL_UNLESS e, 21
        cmp dword [db_ebx], 9
        FAIL_UNLESS e, 22
        mov eax, [db_dr6]
        and eax, 0xe00f
        cmp eax, 1                         ; B0, not BS
        FAIL_UNLESS e, 23
        ; POP SS reading the watched slot; the next instruction moves ESP back
        call reset
        mov esp, ssvar                     ; ssvar still holds 0x10
        pop ss
        mov esp, 0x90000
t2_pop: cmp dword [db_count], 1
        FAIL_UNLESS e, 24
        cmp dword [db_eip], t2_pop
        FAIL_UNLESS e, 25
        mov eax, [db_dr6]
        and eax, 0xe00f
        cmp eax, 1
        FAIL_UNLESS e, 26
        ; with TF as well: one #DB after the next instruction, B0 and BS
        call reset
        mov dword [db_tf_stop], 1
        pushfd
        or dword [esp], 0x100
        popfd
        mov ss, [ssvar]
        mov ebx, 10
t2_tf:  cmp dword [db_count], 1
        FAIL_UNLESS e, 27
        cmp dword [db_eip], t2_tf
        FAIL_UNLESS e, 28
        mov eax, [db_dr6]
        and eax, 0xe00f
        cmp eax, 0x4001
        FAIL_UNLESS e, 29

        ; --- 3. MOV SS (hit) then INT 0x40: the #DB comes at the handler's first instruction
        call reset
        mov ss, [ssvar]
        int 0x40
t3_end: cmp dword [db_count], 1
        FAIL_UNLESS e, 30
        cmp dword [db_eip], int40_handler
        FAIL_UNLESS e, 31
        cmp dword [db_int40], 0            ; before the handler's body ran
        FAIL_UNLESS e, 32
        cmp dword [int40_count], 1
        FAIL_UNLESS e, 33
        cmp dword [int40_eip], t3_end      ; INT n still returns after itself
        FAIL_UNLESS e, 34
        mov eax, [db_dr6]
        and eax, 0xe00f
        cmp eax, 1
        FAIL_UNLESS e, 35
        cmp dword [db_cs], 0x08
        FAIL_UNLESS e, 36

        ; --- 4. MOV SS (hit) then a faulting UD2: #UD first, #DB at its handler's entry
        call reset
        mov ss, [ssvar]
t4_ud:  ud2
        cmp dword [db_count], 1
        FAIL_UNLESS e, 40
        cmp dword [db_eip], ud_handler
        FAIL_UNLESS e, 41
        cmp dword [db_ud], 0
        FAIL_UNLESS e, 42
        cmp dword [ud_count], 1
        FAIL_UNLESS e, 43
        cmp dword [ud_eip], t4_ud          ; a fault: at the UD2
        FAIL_UNLESS e, 44
        mov eax, [db_dr6]
        and eax, 0xe00f
        cmp eax, 1
        FAIL_UNLESS e, 45
        xor eax, eax
        mov dr7, eax
        ; a fault after MOV SS without any hit: no #DB at all
        call reset
        mov ax, 0x10
        mov ss, ax
        ud2
        cmp dword [db_count], 0
        FAIL_UNLESS e, 46
        cmp dword [ud_count], 1
        FAIL_UNLESS e, 47

        ; --- 5. an instruction breakpoint right after MOV SS is ignored; elsewhere it faults
        call reset
        mov eax, bp_ins
        mov dr0, eax
        mov eax, DR7_L0
        mov dr7, eax
        mov dword [db_setrf], 1
        xor ebx, ebx
        mov ax, 0x10
        call bp_fn                         ; MOV SS; INC at bp_ins: no #DB
        cmp dword [db_count], 0
        FAIL_UNLESS e, 50
        cmp ebx, 1
        FAIL_UNLESS e, 51
        call bp_ins                        ; INC at bp_ins reached by CALL: #DB
        cmp dword [db_count], 1
        FAIL_UNLESS e, 52
        cmp dword [db_eip], bp_ins
        FAIL_UNLESS e, 53
        cmp ebx, 2
        FAIL_UNLESS e, 54
        mov eax, [db_dr6]
        and eax, 0xe00f
        cmp eax, 1
        FAIL_UNLESS e, 55
        xor eax, eax
        mov dr7, eax

        ; --- 6. LSS: no shadow, TF traps right after it
        call reset
        mov dword [db_tf_stop], 1
        mov dword [farptr], 0x90000
        mov word [farptr + 4], 0x10
        pushfd
        or dword [esp], 0x100
        popfd
        lss esp, [farptr]
t6_end: nop
        cmp dword [db_count], 1
        FAIL_UNLESS e, 60
        cmp dword [db_eip], t6_end
        FAIL_UNLESS e, 61

        PUTS ok_msg
        EXIT 0

; clears the records and DR6
reset:  xor eax, eax
        mov [db_count], eax
        mov [db_eip], eax
        mov [db_tf_stop], eax
        mov [db_setrf], eax
        mov [ud_count], eax
        mov [int40_count], eax
        mov dr6, eax
        mov ax, 0x10
        ret

bp_fn:  mov ss, ax
bp_ins: inc ebx
        ret

; #DB: records count, EIP (also db_eips[]), CS, DR6 (then clears it), EBX and the
; INT 0x40 / #UD counts at that moment; RF in the frame if db_setrf; clears TF in the
; frame at the db_tf_stop-th #DB.
db_handler:
        DB_ENTER
        mov ebx, [esp + 12]
        mov [db_cs], ebx
        DB_TAKE_DR6
        mov ebx, [esp]
        mov [db_ebx], ebx
        mov ebx, [int40_count]
        mov [db_int40], ebx
        mov ebx, [ud_count]
        mov [db_ud], ebx
        DB_LEAVE

ud_handler:
        UD_HANDLER 2                       ; UD2

int40_handler:
        push eax
        inc dword [int40_count]
        mov eax, [esp + 4]
        mov [int40_eip], eax
        pop eax
        iretd

ok_msg: db "movss_db ok", 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
db_count: dd 0
db_eip: dd 0
db_eips: times 8 dd 0
db_cs:  dd 0
db_dr6: dd 0
db_ebx: dd 0
db_int40: dd 0
db_ud:  dd 0
db_setrf: dd 0
db_tf_stop: dd 0
ud_count: dd 0
ud_eip: dd 0
int40_count: dd 0
int40_eip: dd 0
farptr: dd 0, 0
align 16
ssvar:  dd 0x10, 0
align 8
idt:    times 256 dq 0
