; SPDX-License-Identifier: MIT
; task.asm: hardware task switches (32- and 16-bit TSS): JMP to a TSS and back (registers
; saved, busy bits, CR0.TS, LDTR, CR3 kept without paging), CALL + IRET with NT and the
; back link, CALL through a task gate, the T bit's #DB, fault cases with their error codes
; (busy TSS, short TSS limit, not-present TSS, RPL, bad CS / not-present DS in the new
; task's context, reported through an IDT task gate), #DF through a task gate, DR7's
; local enables cleared by a switch.
; expect: exit=1 serial="task ok"
%include "mb.inc"
%include "task.inc"

SEL_CODE  equ 0x08
SEL_DATA  equ 0x10
SEL_A     equ 0x18              ; the main task
SEL_B     equ 0x20
SEL_C     equ 0x28              ; 16-bit TSS
SEL_GATE  equ 0x30              ; task gate -> SEL_B
SEL_DF    equ 0x38
SEL_SHORT equ 0x40              ; limit 0x66: #TS
SEL_LDT   equ 0x48
SEL_E     equ 0x50              ; CS = a data segment
SEL_H     equ 0x58              ; handler task of #TS / #NP
SEL_NP    equ 0x60              ; not present
SEL_F     equ 0x68              ; DS not present
SEL_DNP   equ 0x70              ; data segment, not present
SEL_G     equ 0x78              ; T bit
SEL_CODE2 equ 0x80              ; 32-bit code with base 0x100000 (task C's 16-bit IP)

BASE equ 0x100000
%define LIN(x) ((x) - $$ + BASE)

; TSS32 eip, esp, eax, ldt, tbit, cs, ds
%macro TSS32 7
        dd 0                    ; back link
        dd 0, 0, 0, 0, 0, 0     ; ESP0 SS0 ESP1 SS1 ESP2 SS2
        dd 0xdeadb000           ; CR3 (not loaded: paging is off)
        dd %1, 2                ; EIP EFLAGS
        dd %3, 0, 0, 0          ; EAX ECX EDX EBX
        dd %2, 0, 0, 0          ; ESP EBP ESI EDI
        dd SEL_DATA, %6, SEL_DATA, %7, SEL_DATA, SEL_DATA ; ES CS SS DS FS GS
        dd %4                   ; LDT
        dw %5, 0x68             ; T, I/O map base
%endmacro

; EXPECT_FAULT var, value, n: checks a recorded fault field
start:  mov esp, 0x90000
        LOAD_SEGMENTS SEL_CODE, SEL_DATA
        IDT_GATE32 1, db_handler
        IDT_GATE32 13, gp_handler
        mov byte [idt + 0 * 8 + 5], 0x0e     ; #DE: type set, not present
        lidt [idtr]
        mov ax, SEL_A
        ltr ax
        cmp byte [gdt + SEL_A + 5], 0x8b
        FAIL_UNLESS e, 1

        ; --- JMP to task B and back; DR7's local enables (L0, LE) do not survive a
        ;     task switch, the global ones (G1) do (exec breakpoints never reached)
        mov eax, 0xffff0
        mov dr0, eax
        mov dr1, eax
        mov eax, 0x1 | 0x8 | 0x100
        mov dr7, eax
        mov ebx, 0xa0a0
        jmp SEL_B:0
        cmp ebx, 0xa0a0                      ; our registers came back from TSS A
        FAIL_UNLESS e, 2
        cmp esp, 0x90000
        FAIL_UNLESS e, 3
        str ax
        cmp ax, SEL_A
        FAIL_UNLESS e, 4
        EXPECT tss_b + 0x20, task_b.called, 5 ; B's EIP: after its JMP
        EXPECT tss_b + 0x34, 0xb0b0, 6      ; B's EBX saved
        cmp byte [gdt + SEL_B + 5], 0x89    ; B left by JMP: not busy
        FAIL_UNLESS e, 7
        cmp byte [gdt + SEL_A + 5], 0x8b
        FAIL_UNLESS e, 8
        sldt ax
        test ax, ax                          ; TSS A's LDT field is null
        FAIL_UNLESS z, 9
        mov eax, cr0
        test eax, 8                          ; B cleared TS, our switch back set it
        FAIL_UNLESS nz, 10
        clts

        ; --- CALL and IRET (NT, back link)
        call SEL_B:0
        pushfd
        pop eax
        test eax, 0x4000
        FAIL_UNLESS z, 11
        cmp byte [gdt + SEL_B + 5], 0x89
        FAIL_UNLESS e, 12
        EXPECT b_calls, 1, 13
        call SEL_GATE:0                      ; through the GDT task gate
        EXPECT b_calls, 2, 14

        ; --- 16-bit TSS
        call SEL_C:0
        EXPECT c_ok, 1, 15
        cmp word [tss_c + 0x0e], task_c.back - $$
        FAIL_UNLESS e, 16
        cmp byte [gdt + SEL_C + 5], 0x81
        FAIL_UNLESS e, 17

        ; --- T bit: #DB before the new task's first instruction
        call SEL_G:0
        EXPECT db_count, 1, 18
        EXPECT db_eip, task_g, 19
        EXPECT g_ok, 1, 20
        mov eax, [db_dr6]
        test eax, 0x8000
        FAIL_UNLESS nz, 21

        ; --- faults before the switch (old task's context)
        mov dword [resume], .f1
        jmp SEL_A:0                          ; busy: #GP(sel)
.f1:    EXPECT f_vec, 13, 30
        EXPECT f_err, SEL_A, 31
        mov dword [resume], .f2
        jmp (SEL_B | 3):0                    ; RPL 3 > DPL 0: #GP(sel)
.f2:    EXPECT f_err, SEL_B, 32
        mov dword [f_vec], 0
        mov dword [resume], .f3
        jmp SEL_SHORT:0                      ; limit < 0x67: #TS(sel) through the task gate
.f3:    EXPECT h_err, SEL_SHORT, 33
        EXPECT h_link, SEL_A, 34
        EXPECT f_vec, 0, 35
        mov dword [resume], .f4
        jmp SEL_NP:0                         ; not present: #NP(sel)
.f4:    EXPECT h_err, SEL_NP, 36
        EXPECT h_link, SEL_A, 37
        cmp byte [gdt + SEL_A + 5], 0x8b
        FAIL_UNLESS e, 38

        ; --- faults after the switch (the new task's context)
        mov dword [resume], .f5
        jmp SEL_E:0                          ; CS is data: #TS(CS) in task E
.f5:    EXPECT h_err, SEL_DATA, 40
        EXPECT h_link, SEL_E, 41
        cmp byte [gdt + SEL_E + 5], 0x8b     ; E is the current task when it faults
        FAIL_UNLESS e, 42
        mov dword [resume], .f6
        jmp SEL_F:0                          ; DS not present: #NP(DS) in task F
.f6:    EXPECT h_err, SEL_DNP, 43
        EXPECT h_link, SEL_F, 44
        str ax
        cmp ax, SEL_A
        FAIL_UNLESS e, 45

        ; --- #DE with a not-present gate -> #NP -> #DF through the task gate
        xor edx, edx
        mov eax, 1
        xor ecx, ecx
        div ecx
        EXIT 50

; ---------------------------------------------------------------- tasks
task_b: cmp eax, 0x1234
        FAIL_UNLESS e, 60
        str ax
        cmp ax, SEL_B
        FAIL_UNLESS e, 61
        mov eax, cr0
        test eax, 8
        FAIL_UNLESS nz, 62
        pushfd
        pop eax
        test eax, 0x4000                     ; entered by JMP: NT clear
        FAIL_UNLESS z, 63
        cmp byte [gdt + SEL_A + 5], 0x89
        FAIL_UNLESS e, 64
        cmp byte [gdt + SEL_B + 5], 0x8b
        FAIL_UNLESS e, 65
        sldt ax
        cmp ax, SEL_LDT
        FAIL_UNLESS e, 66
        mov eax, cr3
        test eax, eax
        FAIL_UNLESS z, 67
        mov eax, dr7
        and eax, 0x1ff
        cmp eax, 0x8                         ; L0 and LE cleared, G1 kept
        FAIL_UNLESS e, 90
        xor eax, eax
        mov dr7, eax
        clts
        mov ebx, 0xb0b0
        jmp SEL_A:0
.called:                                     ; entered by CALL: NT, back link, A stays busy
        pushfd
        pop eax
        test eax, 0x4000
        FAIL_UNLESS nz, 70
        cmp word [tss_b], SEL_A
        FAIL_UNLESS e, 71
        cmp byte [gdt + SEL_A + 5], 0x8b
        FAIL_UNLESS e, 72
        inc dword [b_calls]
        iretd
        jmp .called

task_c: cmp ax, 0x5678                       ; runs at CS base 0x100000 (16-bit IP)
        FAIL_UNLESS e, 75
        pushfd
        pop ecx
        test ecx, 0x4000
        FAIL_UNLESS nz, 76
        cmp word [tss_c], SEL_A
        FAIL_UNLESS e, 77
        str cx
        cmp cx, SEL_C
        FAIL_UNLESS e, 78
        mov dword [c_ok], 1
        iretd
.back:  jmp task_c

task_g: mov dword [g_ok], 1
        iretd
        jmp task_g

task_h: pop eax                              ; error code pushed on this task's stack
        mov [h_err], eax
        movzx eax, word [tss_h]
        mov [h_link], eax
        mov eax, [resume]
        mov [tss_a + 0x20], eax              ; task A resumes at [resume]
        cmp word [tss_h], SEL_A
        jne .jmp
        iretd                                ; nested from A: back through the link
        jmp task_h
.jmp:   jmp SEL_A:0                          ; A left by JMP: not busy
        jmp task_h

task_df:
        pop eax
        test eax, eax                        ; #DF error code 0
        FAIL_UNLESS z, 80
        cmp word [tss_df], SEL_A
        FAIL_UNLESS e, 81
        str ax
        cmp ax, SEL_DF
        FAIL_UNLESS e, 82
        PUTS ok_msg
        EXIT 0

gp_handler:
        mov dword [f_vec], 13
        pop dword [f_err]
        mov eax, [resume]
        mov [esp], eax
        iretd

db_handler:
        inc dword [db_count]
        mov eax, [esp]
        mov [db_eip], eax
        mov eax, dr6
        mov [db_dr6], eax
        iretd

ok_msg: db "task ok", 10, 0

align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff                ; 0x08 code
        dq 0x00cf92000000ffff                ; 0x10 data
        TSSDESC tss_a, 0x67, 0x89
        TSSDESC tss_b, 0x67, 0x89
        TSSDESC tss_c, 0x2b, 0x81
        TASKGATE SEL_B, 0x85
        TSSDESC tss_df, 0x67, 0x89
        TSSDESC tss_short, 0x66, 0x89
        dw ldt_end - ldt - 1                 ; 0x48 LDT
        dw LIN(ldt) & 0xffff
        db (LIN(ldt) >> 16) & 0xff, 0x82, 0, LIN(ldt) >> 24
        TSSDESC tss_e, 0x67, 0x89
        TSSDESC tss_h, 0x67, 0x89
        TSSDESC tss_a, 0x67, 0x09            ; 0x60: not present
        TSSDESC tss_f, 0x67, 0x89
        dq 0x00cf12000000ffff                ; 0x70 data, not present
        TSSDESC tss_g, 0x67, 0x89
        dw 0xffff, 0                         ; 0x80 code, base 0x100000
        db 0x10, 0x9a, 0xcf, 0x00
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt

ldt:    dq 0x00cf92000000ffff
ldt_end:

align 4
tss_a:  TSS32 0, 0, 0, 0, 0, SEL_CODE, SEL_DATA
tss_b:  TSS32 task_b, 0x88000, 0x1234, SEL_LDT, 0, SEL_CODE, SEL_DATA
tss_df: TSS32 task_df, 0x84000, 0, 0, 0, SEL_CODE, SEL_DATA
tss_short: TSS32 0, 0, 0, 0, 0, SEL_CODE, SEL_DATA
tss_e:  TSS32 task_b, 0x83000, 0, 0, 0, SEL_DATA, SEL_DATA
tss_h:  TSS32 task_h, 0x86000, 0, 0, 0, SEL_CODE, SEL_DATA
tss_f:  TSS32 task_b, 0x82000, 0, 0, 0, SEL_CODE, SEL_DNP
tss_g:  TSS32 task_g, 0x81000, 0, 0, 1, SEL_CODE, SEL_DATA
tss_c:  TSS16 task_c, 0x5678                  ; 16-bit TSS

resume: dd 0
f_vec:  dd 0
f_err:  dd 0
h_err:  dd 0
h_link: dd 0
b_calls: dd 0
c_ok:   dd 0
g_ok:   dd 0
db_count: dd 0
db_eip: dd 0
db_dr6: dd 0
align 8
idt:    times 8 dq 0
        TASKGATE SEL_DF, 0x85                      ; 8: #DF
        dq 0
        TASKGATE SEL_H, 0x85                       ; 10: #TS
        TASKGATE SEL_H, 0x85                       ; 11: #NP
        times 256 - 12 dq 0
