; SPDX-License-Identifier: MIT
; dbgreg.asm: the debug registers from a 32-bit protected-mode guest: an instruction
; breakpoint (fault at the instruction, EFLAGS.RF set by the handler lets it run once,
; hit again on the next call), a write watch and a read/write watch (traps after the
; accessing instruction, DR6.Bn, value written), general detect (DR7.GD: #DB before
; MOV DR with DR6.BD, GD cleared for the handler), TF single steps with DR6.BS, TF
; and a data breakpoint in one #DB, a data breakpoint inside REP MOVSD (trap after the
; iteration that hit, EIP at the REP, ECX/EDI of that point), an I/O breakpoint
; (CR4.DE) and MOV DR4 under CR4.DE (#UD, a fault: RF in the pushed EFLAGS).
; expect: exit=1 serial="dbgreg ok"
%include "mb.inc"
%include "dbg.inc"

DR7_L0 equ 0x1
DR7_L1 equ 0x4
DR7_L2 equ 0x10
DR7_L3 equ 0x40
DR7_GD equ 0x2000

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        IDT_GATE32 1, db_handler
        IDT_GATE32 6, ud_handler
        lidt [idtr]
        mov eax, dr6
        and eax, 0xf
        FAIL_UNLESS z, 2                ; no hits recorded at reset
        mov eax, dr7
        cmp eax, 0x400
        FAIL_UNLESS e, 3

        ; --- 1. instruction breakpoint on bpfn (DR0, R/W 00, LEN 00), called three times;
        ;        the handler sets RF so that the instruction then runs once
        mov eax, bpfn
        mov dr0, eax
        mov eax, DR7_L0
        mov dr7, eax
        mov dword [db_setrf], 1
        xor ebx, ebx
        call bpfn
        call bpfn
        call bpfn
        cmp ebx, 3                      ; each time the instruction ran after the #DB
        FAIL_UNLESS e, 10
        cmp dword [db_count], 3
        FAIL_UNLESS e, 11
        cmp dword [db_eip], bpfn        ; a fault: EIP at the instruction
        FAIL_UNLESS e, 12
        mov eax, [db_dr6]
        and eax, 0x400f
        cmp eax, 1                      ; B0, not BS
        FAIL_UNLESS e, 13
        test dword [db_flags], 0x10000  ; RF clear in the pushed EFLAGS
        FAIL_UNLESS z, 14
        ; a breakpoint in the middle of straight-line code
        mov eax, mid_bp
        mov dr0, eax
        mov dword [db_count], 0
        xor ebx, ebx
        inc ebx
        inc ebx
mid_bp: inc ebx
        inc ebx
        cmp ebx, 4
        FAIL_UNLESS e, 15
        cmp dword [db_count], 1
        FAIL_UNLESS e, 16
        cmp dword [db_eip], mid_bp
        FAIL_UNLESS e, 17
        xor eax, eax
        mov dr7, eax
        mov dword [db_setrf], 0

        ; --- 2. write watch, 4 bytes (DR1, R/W 01, LEN 11): reads do not hit
        mov eax, wvar
        mov dr1, eax
        mov eax, DR7_L1 | (0x1 << 20) | (0x3 << 22)
        mov dr7, eax
        mov dword [db_count], 0
        mov eax, [wvar]                 ; read: nothing
        mov dword [wvar + 4], 9         ; next dword: nothing
        cmp dword [db_count], 0
        FAIL_UNLESS e, 20
        mov ecx, 7
w_at:   mov dword [wvar], 5
w_next: add ecx, 1
        cmp dword [db_count], 1
        FAIL_UNLESS e, 21
        cmp dword [db_eip], w_next      ; a trap: EIP after the store
        FAIL_UNLESS e, 22
        mov eax, [db_dr6]
        and eax, 0xf
        cmp eax, 2                      ; B1
        FAIL_UNLESS e, 23
        cmp dword [db_wvar], 5          ; the store was done when the handler ran
        FAIL_UNLESS e, 24
        cmp ecx, 8
        FAIL_UNLESS e, 25
        mov byte [wvar + 3], 1          ; a byte store overlapping the range
        cmp dword [db_count], 2
        FAIL_UNLESS e, 26

        ; --- 3. read/write watch, 2 bytes (DR2, R/W 11, LEN 01) at an odd address:
        ;        the range is aligned down (rwvar .. rwvar+1)
        mov eax, rwvar + 1
        mov dr2, eax
        mov eax, DR7_L2 | (0x3 << 24) | (0x1 << 26)
        mov dr7, eax
        mov dword [db_count], 0
        mov al, [rwvar + 2]             ; outside: nothing
        cmp dword [db_count], 0
        FAIL_UNLESS e, 30
r_at:   mov al, [rwvar]
r_next: nop
        cmp dword [db_count], 1
        FAIL_UNLESS e, 31
        cmp dword [db_eip], r_next
        FAIL_UNLESS e, 32
        mov eax, [db_dr6]
        and eax, 0xf
        cmp eax, 4                      ; B2
        FAIL_UNLESS e, 33
        add word [rwvar], 1             ; read-modify-write: one #DB
        cmp dword [db_count], 2
        FAIL_UNLESS e, 34
        xor eax, eax
        mov dr7, eax

        ; --- 4. general detect: MOV DR faults with BD, the handler sees GD clear
        mov eax, DR7_GD
        mov dr7, eax
        mov dword [db_count], 0
gd_at:  mov eax, dr0                    ; #DB (fault), then runs after the handler
        cmp dword [db_count], 1
        FAIL_UNLESS e, 40
        cmp dword [db_eip], gd_at
        FAIL_UNLESS e, 41
        test dword [db_dr6], 0x2000     ; BD
        FAIL_UNLESS nz, 42
        test dword [db_dr7], DR7_GD     ; cleared on entry
        FAIL_UNLESS z, 43
        cmp eax, mid_bp                 ; the MOV ran after the handler
        FAIL_UNLESS e, 44

        ; --- 5. TF: a trap after each instruction, DR6.BS; the third trap's
        ;        handler clears TF
        mov dword [db_count], 0
        mov dword [db_tf_stop], 3
        pushfd
        or dword [esp], 0x100
        popfd
tf1:    nop
tf2:    nop
tf3:    nop
tf4:    mov dword [db_tf_stop], 0
        cmp dword [db_count], 3
        FAIL_UNLESS e, 50
        cmp dword [db_eips], tf2        ; after the instruction following POPF
        FAIL_UNLESS e, 51
        cmp dword [db_eips + 8], tf4
        FAIL_UNLESS e, 52
        mov eax, [db_dr6]
        and eax, 0x400f
        cmp eax, 0x4000                 ; BS alone
        FAIL_UNLESS e, 53

        ; --- 6. TF and a write watch hit by the same instruction: one #DB, BS and B1
        mov eax, DR7_L1 | (0x1 << 20) | (0x3 << 22)
        mov dr7, eax
        mov dword [db_count], 0
        mov dword [db_tf_stop], 1
        pushfd
        or dword [esp], 0x100
        popfd
tw_at:  mov dword [wvar], 6
tw_next:
        mov dword [db_tf_stop], 0
        cmp dword [db_count], 1
        FAIL_UNLESS e, 60
        cmp dword [db_eip], tw_next
        FAIL_UNLESS e, 61
        mov eax, [db_dr6]
        and eax, 0x400f
        cmp eax, 0x4002
        FAIL_UNLESS e, 62
        xor eax, eax
        mov dr7, eax

        ; --- 7. REP MOVSD with a write watch on the third destination dword
        mov eax, dst + 8
        mov dr3, eax
        mov eax, DR7_L3 | (0x1 << 28) | (0x3 << 30)
        mov dr7, eax
        mov dword [db_count], 0
        mov esi, src
        mov edi, dst
        mov ecx, 8
        cld
rep_at: rep movsd
        cmp dword [db_count], 1
        FAIL_UNLESS e, 70
        cmp dword [db_eip], rep_at      ; more iterations left: EIP at the REP
        FAIL_UNLESS e, 71
        cmp dword [db_ecx], 5           ; after the third iteration
        FAIL_UNLESS e, 72
        cmp dword [db_edi], dst + 12
        FAIL_UNLESS e, 73
        mov eax, [db_dr6]
        and eax, 0xf
        cmp eax, 8                      ; B3
        FAIL_UNLESS e, 74
        test ecx, ecx                   ; then the copy finished
        FAIL_UNLESS z, 75
        mov eax, [dst + 28]
        cmp eax, [src + 28]
        FAIL_UNLESS e, 76
        xor eax, eax
        mov dr7, eax

        ; --- 8. I/O breakpoint (CR4.DE, R/W 10) on port 0x80; MOV DR4 is then #UD
        mov eax, cr4
        or eax, 0x8
        mov cr4, eax
        mov eax, 0x80
        mov dr0, eax
        mov eax, DR7_L0 | (0x2 << 16)
        mov dr7, eax
        mov dword [db_count], 0
        mov al, 0x55
        out 0x81, al                    ; another port: nothing
        cmp dword [db_count], 0
        FAIL_UNLESS e, 80
io_at:  out 0x80, al
io_next:
        cmp dword [db_count], 1
        FAIL_UNLESS e, 81
        cmp dword [db_eip], io_next
        FAIL_UNLESS e, 82
        mov eax, [db_dr6]
        and eax, 0xf
        cmp eax, 1
        FAIL_UNLESS e, 83
        xor eax, eax
        mov dr7, eax
ud_at:  mov eax, dr4                    ; 3 bytes
        cmp dword [ud_count], 1
        FAIL_UNLESS e, 84
        cmp dword [ud_eip], ud_at
        FAIL_UNLESS e, 85
        test dword [ud_flags], 0x10000  ; a fault: RF set in the pushed EFLAGS
        FAIL_UNLESS nz, 87
        mov eax, cr4
        and eax, ~0x8
        mov cr4, eax
        mov eax, dr5                    ; without DE: DR7
        cmp eax, 0x400
        FAIL_UNLESS e, 86

        PUTS ok_msg
        EXIT 0

bpfn:   inc ebx
        ret

; #DB: records the count, EIP (also in db_eips[]), EFLAGS, DR6 (then clears it), DR7,
; ECX, EDI and the watched variable; sets RF in the frame if db_setrf; clears TF in
; the frame at the db_tf_stop-th #DB.
db_handler:
        DB_ENTER
        mov ebx, [esp + 16]
        mov [db_flags], ebx
        DB_TAKE_DR6
        mov ebx, dr7
        mov [db_dr7], ebx
        mov [db_ecx], ecx
        mov [db_edi], edi
        mov ebx, [wvar]
        mov [db_wvar], ebx
        DB_LEAVE

ud_handler:
        UD_HANDLER 3, ud_flags          ; MOV EAX, DR4

ok_msg: db "dbgreg ok", 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
db_count: dd 0
db_eip: dd 0
db_eips: times 8 dd 0
db_flags: dd 0
db_dr6: dd 0
db_dr7: dd 0
db_ecx: dd 0
db_edi: dd 0
db_wvar: dd 0
db_setrf: dd 0
db_tf_stop: dd 0
ud_count: dd 0
ud_eip: dd 0
ud_flags: dd 0
align 16
wvar:   dd 0, 0
rwvar:  dd 0x11223344
src:    dd 1, 2, 3, 4, 5, 6, 7, 8
dst:    times 8 dd 0
align 8
idt:    times 256 dq 0
