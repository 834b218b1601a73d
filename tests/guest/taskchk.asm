; SPDX-License-Identifier: MIT
; taskchk.asm: the checks of a task switch (SDM vol. 3 7.3, Table 7-1) with their
; error codes, each reported through an IDT task gate (#TS, #NP, #SS tasks that
; record vector, error code and back link): in the new task's context the LDT
; selector (TI set, not an LDT, not present), SS (null, read-only, DPL != CPL,
; not present: #SS), CS (not present: #NP, conforming with DPL > CPL), DS
; (execute-only, beyond the GDT limit), the EXT bit when an exception (#UD)
; switches through a task gate; in the old task's context IRET to a back link that
; is not a busy TSS (#TS(link)) and a GDT task gate naming a data segment
; (#GP(sel)). Then the I/O permission bitmap of a CPL-3 task (IOPL 0): ports
; inside the TSS limit allowed, a port whose second bitmap byte lies past the limit,
; a map base past the limit, a set bit, a word port straddling a set bit: #GP(0).
; expect: exit=1 serial="taskchk ok"
%include "mb.inc"
%include "task.inc"

SEL_CODE   equ 0x08
SEL_DATA   equ 0x10
SEL_A      equ 0x18
SEL_HTS    equ 0x20             ; handler tasks: #TS, #NP, #SS
SEL_HNP    equ 0x28
SEL_HSS    equ 0x30
SEL_LDT    equ 0x38
SEL_LDTNP  equ 0x40             ; LDT, not present
SEL_RO     equ 0x48             ; read-only data
SEL_UDATA  equ 0x50             ; DPL 3 data
SEL_UCODE  equ 0x58             ; DPL 3 code
SEL_XO     equ 0x60             ; execute-only code
SEL_CNP    equ 0x68             ; code, not present
SEL_DNP    equ 0x70             ; data, not present
SEL_CONF3  equ 0x78             ; conforming code, DPL 3
SEL_T1     equ 0x80             ; the bad tasks
SEL_T2     equ 0x88
SEL_T3     equ 0x90
SEL_T4     equ 0x98
SEL_T5     equ 0xa0
SEL_T6     equ 0xa8
SEL_T7     equ 0xb0
SEL_T8     equ 0xb8
SEL_T9     equ 0xc0
SEL_T10    equ 0xc8
SEL_T11    equ 0xd0
SEL_U      equ 0xd8             ; CPL-3 task, TSS limit 0x87 (32-byte I/O map)
SEL_L      equ 0xe0             ; CALLed task that IRETs to a bad link
SEL_GBAD   equ 0xe8             ; task gate -> SEL_DATA
SEL_GA     equ 0xf0             ; DPL-3 task gate -> task A

BASE equ 0x100000
%define LIN(x) ((x) - $$ + BASE)

; TSS32 eip, esp, cs, ss, ds, ldt, esi, edi, eflags
%macro TSS32 9
        dd 0                    ; back link
        dd 0x87000, SEL_DATA, 0, 0, 0, 0 ; ESP0 SS0 ESP1 SS1 ESP2 SS2
        dd 0                    ; CR3
        dd %1, %9               ; EIP EFLAGS
        dd 0, 0, 0, 0           ; EAX ECX EDX EBX
        dd %2, 0, %7, %8        ; ESP EBP ESI EDI
        dd %5, %3, %4, %5, %5, %5 ; ES CS SS DS FS GS
        dd %6                   ; LDT
        dw 0, 0x68              ; T, I/O map base
%endmacro
; BADTASK ss, cs, ds, ldt
%macro BADTASK 4
        TSS32 bad_task, 0x83000, %2, %1, %3, %4, 0, 0, 2
%endmacro

; TRY target, vector, error, link, n: JMP to the task, expect the handler task's record
%macro TRY 5
        mov dword [resume], %%back
        mov dword [h_vec], 0
        jmp %1:0
%%back: EXPECT h_vec, %2, %5
        EXPECT h_err, %3, %5 + 1
        EXPECT h_link, %4, %5 + 2
%endmacro

start:  mov esp, 0x90000
        LOAD_SEGMENTS SEL_CODE, SEL_DATA
        IDT_GATE32 13, gp_handler
        lidt [idtr]
        mov ax, SEL_A
        ltr ax

        ; --- checks after the commit: faults in the new task's context
        TRY SEL_T1, 10, SEL_LDT | 4, SEL_T1, 10     ; LDT selector with TI set
        TRY SEL_T2, 10, SEL_DATA, SEL_T2, 13        ; LDT selector names a data segment
        TRY SEL_T3, 10, SEL_LDTNP, SEL_T3, 16       ; LDT not present: #TS
        TRY SEL_T4, 10, 0, SEL_T4, 19               ; SS null
        TRY SEL_T5, 10, SEL_RO, SEL_T5, 22          ; SS read-only
        TRY SEL_T6, 10, SEL_UDATA, SEL_T6, 25       ; SS DPL 3 at CPL 0
        TRY SEL_T7, 12, SEL_DNP, SEL_T7, 28         ; SS not present: #SS
        TRY SEL_T8, 11, SEL_CNP, SEL_T8, 31         ; CS not present: #NP
        TRY SEL_T9, 10, SEL_CONF3, SEL_T9, 34       ; conforming CS, DPL 3 > CPL 0
        TRY SEL_T10, 10, SEL_XO, SEL_T10, 37        ; DS execute-only
        TRY SEL_T11, 10, 0x1f8, SEL_T11, 40         ; DS beyond the GDT limit
        cmp byte [gdt + SEL_T1 + 5], 0x89           ; the handler made the task available again
        FAIL_UNLESS e, 43
        ; an exception through a task gate: EXT in the error code
        mov dword [resume], .ud_back
        mov dword [h_vec], 0
        ud2                                         ; IDT 6: task gate -> T10
.ud_back:
        EXPECT h_vec, 10, 44
        EXPECT h_err, SEL_XO | 1, 45
        EXPECT h_link, SEL_T10, 46

        ; --- checks before the commit: faults in the old task's context
        mov dword [resume], .l_back
        mov dword [h_vec], 0
        call SEL_L:0                                ; L sets its link to T1 (available), IRET
.l_back:
        EXPECT h_vec, 10, 50
        EXPECT h_err, SEL_T1, 51
        EXPECT h_link, SEL_L, 52                    ; #TS raised while L was current
        mov dword [resume], .g_back
        mov dword [f_count], 0
        jmp SEL_GBAD:0                              ; the gate's TSS selector is data: #GP(0x10)
.g_back:
        EXPECT f_count, 1, 53
        EXPECT f_err, SEL_DATA, 54

        ; --- the I/O permission bitmap at CPL 3, IOPL 0
        mov dword [resume], 0
        mov dword [f_count], 0
        jmp SEL_U:0
        EXPECT u_done, 1, 60
        EXPECT f_count, 5, 61
        EXPECT f_eips, u_2, 62
        EXPECT f_eips + 4, u_3, 63
        EXPECT f_eips + 8, u_4, 64
        EXPECT f_eips + 12, u_5, 65
        EXPECT f_eips + 16, u_7, 66
        EXPECT f_errs, 0, 67
        EXPECT f_errs + 4, 0, 68
        EXPECT f_errs + 16, 0, 69
        EXPECT u_ok, 3, 70                          ; the three allowed OUTs ran

        PUTS ok_msg
        EXIT 0

; ---------------------------------------------------------------- tasks
bad_task:
        EXIT 90                                     ; never runs: its switch faults

task_l: mov word [tss_l], SEL_T1                    ; an available TSS as back link
        iretd
        EXIT 91

; CPL 3, IOPL 0; TSS limit 0x87, map at 0x68: ports 0-0xf7 have both bitmap bytes
task_u: mov al, 0
        out 0x80, al                                ; allowed
        inc dword [u_ok]
u_2:    out 0xf8, al                                ; second bitmap byte past the limit
        mov word [tss_u + 0x66], 0x88               ; map base at the limit + 1
u_3:    out 0x80, al
        mov word [tss_u + 0x66], 0xffff
u_4:    out 0x80, al
        mov word [tss_u + 0x66], 0x68
        or byte [tss_u + 0x68 + 0x10], 1            ; port 0x80 denied
u_5:    out 0x80, al
        out 0x81, al                                ; allowed
        inc dword [u_ok]
        mov dx, 0x7e
        out dx, ax                                  ; 0x7e-0x7f: allowed
        inc dword [u_ok]
        mov dx, 0x7f
u_7:    out dx, ax                                  ; 0x7f-0x80: denied
        mov dword [u_done], 1
        jmp SEL_GA:0                                ; DPL-3 task gate back to A
        EXIT 92

; #TS / #NP / #SS handler tasks: EDI = vector, ESI = own TSS
task_h: pop eax
        mov [h_err], eax
        mov [h_vec], edi
        movzx eax, word [esi]
        mov [h_link], eax
        and byte [gdt + eax + 5], ~2                ; the faulting task is available again
        and byte [gdt + SEL_A + 5], ~2
        mov eax, [resume]
        mov [tss_a + 0x20], eax
        jmp SEL_A:0
        jmp task_h

; #GP (interrupt gate, in the current task): records; resumes at [resume] or skips
; a 2-byte instruction
gp_handler:
        push eax
        push ebx
        mov ebx, [f_count]
        mov eax, [esp + 8]
        mov [f_err], eax
        mov [f_errs + ebx * 4], eax
        mov eax, [esp + 12]
        mov [f_eips + ebx * 4], eax
        inc dword [f_count]
        mov eax, [resume]
        test eax, eax
        jnz .set
        mov eax, [esp + 12]
        add eax, 2
.set:   mov [esp + 12], eax
        pop ebx
        pop eax
        add esp, 4
        iretd

ok_msg: db "taskchk ok", 10, 0

align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff                ; 0x08 code
        dq 0x00cf92000000ffff                ; 0x10 data
        TSSDESC tss_a, 0x67, 0x89
        TSSDESC tss_hts, 0x67, 0x89
        TSSDESC tss_hnp, 0x67, 0x89
        TSSDESC tss_hss, 0x67, 0x89
        dw ldt_end - ldt - 1                 ; 0x38 LDT
        dw LIN(ldt) & 0xffff
        db (LIN(ldt) >> 16) & 0xff, 0x82, 0, LIN(ldt) >> 24
        dw ldt_end - ldt - 1                 ; 0x40 LDT, not present
        dw LIN(ldt) & 0xffff
        db (LIN(ldt) >> 16) & 0xff, 0x02, 0, LIN(ldt) >> 24
        dq 0x00cf90000000ffff                ; 0x48 read-only data
        dq 0x00cff2000000ffff                ; 0x50 DPL 3 data
        dq 0x00cffa000000ffff                ; 0x58 DPL 3 code
        dq 0x00cf98000000ffff                ; 0x60 execute-only code
        dq 0x00cf1a000000ffff                ; 0x68 code, not present
        dq 0x00cf12000000ffff                ; 0x70 data, not present
        dq 0x00cffe000000ffff                ; 0x78 conforming code, DPL 3
        TSSDESC tss_t1, 0x67, 0x89
        TSSDESC tss_t2, 0x67, 0x89
        TSSDESC tss_t3, 0x67, 0x89
        TSSDESC tss_t4, 0x67, 0x89
        TSSDESC tss_t5, 0x67, 0x89
        TSSDESC tss_t6, 0x67, 0x89
        TSSDESC tss_t7, 0x67, 0x89
        TSSDESC tss_t8, 0x67, 0x89
        TSSDESC tss_t9, 0x67, 0x89
        TSSDESC tss_t10, 0x67, 0x89
        TSSDESC tss_t11, 0x67, 0x89
        TSSDESC tss_u, 0x87, 0x89
        TSSDESC tss_l, 0x67, 0x89
        TASKGATE SEL_DATA, 0x85              ; 0xe8
        TASKGATE SEL_A, 0xe5                 ; 0xf0: DPL 3
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt

ldt:    dq 0x00cf92000000ffff
ldt_end:

align 4
tss_a:  TSS32 0, 0, SEL_CODE, SEL_DATA, SEL_DATA, 0, 0, 0, 2
tss_hts: TSS32 task_h, 0x86000, SEL_CODE, SEL_DATA, SEL_DATA, 0, LIN(tss_hts), 10, 2
tss_hnp: TSS32 task_h, 0x85000, SEL_CODE, SEL_DATA, SEL_DATA, 0, LIN(tss_hnp), 11, 2
tss_hss: TSS32 task_h, 0x84000, SEL_CODE, SEL_DATA, SEL_DATA, 0, LIN(tss_hss), 12, 2
;                ss          cs          ds          ldt
tss_t1: BADTASK SEL_DATA,    SEL_CODE,   SEL_DATA,   SEL_LDT | 4
tss_t2: BADTASK SEL_DATA,    SEL_CODE,   SEL_DATA,   SEL_DATA
tss_t3: BADTASK SEL_DATA,    SEL_CODE,   SEL_DATA,   SEL_LDTNP
tss_t4: BADTASK 0,           SEL_CODE,   SEL_DATA,   0
tss_t5: BADTASK SEL_RO,      SEL_CODE,   SEL_DATA,   0
tss_t6: BADTASK SEL_UDATA,   SEL_CODE,   SEL_DATA,   0
tss_t7: BADTASK SEL_DNP,     SEL_CODE,   SEL_DATA,   0
tss_t8: BADTASK SEL_DATA,    SEL_CNP,    SEL_DATA,   0
tss_t9: BADTASK SEL_DATA,    SEL_CONF3,  SEL_DATA,   0
tss_t10: BADTASK SEL_DATA,   SEL_CODE,   SEL_XO,     0
tss_t11: BADTASK SEL_DATA,   SEL_CODE,   0x1f8,      0
tss_l:  TSS32 task_l, 0x82000, SEL_CODE, SEL_DATA, SEL_DATA, 0, 0, 0, 2
tss_u:  TSS32 task_u, 0x81000, SEL_UCODE | 3, SEL_UDATA | 3, SEL_UDATA | 3, 0, 0, 0, 2
        times 0x20 db 0                      ; I/O map: ports 0-0xff (limit ends inside it)

resume: dd 0
h_vec:  dd 0
h_err:  dd 0
h_link: dd 0
f_count: dd 0
f_err:  dd 0
f_errs: times 8 dd 0
f_eips: times 8 dd 0
u_ok:   dd 0
u_done: dd 0
align 8
idt:    times 6 dq 0
        TASKGATE SEL_T10, 0x85               ; 6: #UD
        times 3 dq 0
        TASKGATE SEL_HTS, 0x85               ; 10: #TS
        TASKGATE SEL_HNP, 0x85               ; 11: #NP
        TASKGATE SEL_HSS, 0x85               ; 12: #SS
        times 256 - 13 dq 0
