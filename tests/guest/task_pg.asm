; SPDX-License-Identifier: MIT
; task_pg.asm: hardware task switches with paging on. Each task's CR3 comes from its TSS:
; with 32-bit paging, task B maps linear 0x400000 to another page than task A; after JMP to
; B its mapping is used (and CR3 reads B's table), a global page A touched stays in the
; TLB (CR4.PGE), and the JMP back restores A's mapping. With PAE paging the same through
; PDPTs (the PDPTE registers reload), and a task whose PDPT has a reserved bit in a present
; PDPTE gets #GP(0) in its own context (TR and CR3 already the new task's, EIP its entry).
; expect: exit=1 serial="task paging ok"
%include "mb.inc"

SEL_CODE equ 0x08
SEL_DATA equ 0x10
SEL_A    equ 0x18               ; the main task
SEL_B    equ 0x20               ; the other address space
SEL_C    equ 0x28               ; PAE: a bad PDPTE

PD_A   equ 0x200000             ; 32-bit paging
PD_B   equ 0x201000
PT_A   equ 0x202000
PT_B   equ 0x203000
PDPT_A equ 0x204000             ; PAE
PDPT_B equ 0x204020
PDPT_C equ 0x204040
PAE_PD_A equ 0x205000
PAE_PD_B equ 0x206000
PAE_PT_A equ 0x207000
PAE_PT_B equ 0x208000
PG_A   equ 0x500000             ; what 0x400000 maps to in A and in B
PG_B   equ 0x501000
PG_GA  equ 0x502000             ; the global page 0x401000 in A and in B
PG_GB  equ 0x503000
VA     equ 0x400000
%define LIN(x) ((x) - $$ + 0x100000)

; TSS32 cr3, eip, esp
%macro TSS32 3
        dd 0                    ; back link
        dd 0, 0, 0, 0, 0, 0     ; ESP0 SS0 ESP1 SS1 ESP2 SS2
        dd %1, %2, 2            ; CR3 EIP EFLAGS
        dd 0, 0, 0, 0           ; EAX ECX EDX EBX
        dd %3, 0, 0, 0          ; ESP EBP ESI EDI
        dd SEL_DATA, SEL_CODE, SEL_DATA, SEL_DATA, SEL_DATA, SEL_DATA ; ES CS SS DS FS GS
        dd 0                    ; LDT
        dw 0, 0x68              ; T, I/O map base
%endmacro

; TSSDESC label: an available 32-bit TSS
%macro TSSDESC 1
        dw 0x67
        dw LIN(%1) & 0xffff
        db (LIN(%1) >> 16) & 0xff
        db 0x89
        db 0
        db LIN(%1) >> 24
%endmacro

start:  mov esp, 0x90000
        LOAD_SEGMENTS SEL_CODE, SEL_DATA
        IDT_GATE32 13, gp_handler
        IDT_GATE32 14, pf_handler
        lidt [idtr]
        mov ax, SEL_A
        ltr ax

        ; --- pages and tables
        mov edi, PD_A
        xor eax, eax
        mov ecx, 9 * 1024
        rep stosd
        mov dword [PG_A], 0xaaaa
        mov dword [PG_B], 0xbbbb
        mov dword [PG_GA], 0x6a6a
        mov dword [PG_GB], 0x6b6b
        ; 32-bit: 0-4 MiB identity (a 4 MiB page), 4-8 MiB through PT_A / PT_B
        mov dword [PD_A], 0x83
        mov dword [PD_B], 0x83
        mov dword [PD_A + 4], PT_A | 3
        mov dword [PD_B + 4], PT_B | 3
        mov dword [PT_A], PG_A | 3
        mov dword [PT_B], PG_B | 3
        mov dword [PT_A + 4], PG_GA | 0x103  ; global
        mov dword [PT_B + 4], PG_GB | 0x103
        ; PAE: 0-4 MiB identity (2 MiB pages), 4-6 MiB through PAE_PT_A / PAE_PT_B
        mov dword [PAE_PD_A], 0x83
        mov dword [PAE_PD_A + 8], 0x200083
        mov dword [PAE_PD_A + 16], PAE_PT_A | 3
        mov dword [PAE_PD_B], 0x83
        mov dword [PAE_PD_B + 8], 0x200083
        mov dword [PAE_PD_B + 16], PAE_PT_B | 3
        mov dword [PAE_PT_A], PG_A | 3
        mov dword [PAE_PT_B], PG_B | 3
        mov dword [PDPT_A], PAE_PD_A | 1
        mov dword [PDPT_B], PAE_PD_B | 1
        mov dword [PDPT_C], PAE_PD_A | 1
        mov dword [PDPT_C + 24], PAE_PD_B | 1 | 0x40 ; entry 3: bit 6 is reserved

        ; --- 32-bit paging with CR4.PGE
        mov eax, cr4
        or eax, 0x90                         ; PSE, PGE
        mov cr4, eax
        mov eax, PD_A
        mov cr3, eax
        mov [tss_a + 0x1c], eax              ; the CR3 the switch back loads
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        cmp dword [VA], 0xaaaa
        FAIL_UNLESS e, 1
        cmp dword [VA + 0x1000], 0x6a6a      ; the global page enters the TLB
        FAIL_UNLESS e, 2
        mov dword [tss_b + 0x1c], PD_B
        mov ebx, 0x1234
        jmp SEL_B:0
        cmp ebx, 0x1234                      ; our registers from TSS A
        FAIL_UNLESS e, 3
        cmp dword [b_va], 0xbbbb             ; B saw its own page
        FAIL_UNLESS e, 4
        cmp dword [b_global], 0x6a6a         ; and A's global page, still in the TLB
        FAIL_UNLESS e, 5
        cmp dword [b_cr3], PD_B
        FAIL_UNLESS e, 6
        mov eax, cr3
        cmp eax, PD_A
        FAIL_UNLESS e, 7
        cmp dword [VA], 0xaaaa               ; A's mapping again
        FAIL_UNLESS e, 8
        cmp dword [tss_a + 0x1c], PD_A       ; CR3 is not saved in the old TSS
        FAIL_UNLESS e, 9
        invlpg [VA + 0x1000]
        cmp dword [VA + 0x1000], 0x6a6a
        FAIL_UNLESS e, 10

        ; --- PAE paging
        mov eax, cr0
        and eax, 0x7fffffff
        mov cr0, eax
        mov eax, cr4
        or eax, 0x20
        and eax, ~0x80                       ; PAE, no PGE
        mov cr4, eax
        mov eax, PDPT_A
        mov cr3, eax
        mov [tss_a + 0x1c], eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        cmp dword [VA], 0xaaaa
        FAIL_UNLESS e, 20
        mov dword [b_va], 0
        mov dword [b_cr3], 0
        mov dword [tss_b + 0x1c], PDPT_B
        mov dword [tss_b + 0x20], task_b     ; B starts over
        mov dword [tss_b + 0x38], 0x80000
        jmp SEL_B:0
        cmp dword [b_va], 0xbbbb
        FAIL_UNLESS e, 21
        cmp dword [b_cr3], PDPT_B
        FAIL_UNLESS e, 22
        mov eax, cr3
        cmp eax, PDPT_A
        FAIL_UNLESS e, 23
        cmp dword [VA], 0xaaaa
        FAIL_UNLESS e, 24

        ; task C's PDPT has a bad present entry: #GP(0) after the switch, in C
        mov dword [tss_c + 0x1c], PDPT_C
        jmp SEL_C:0
        cmp dword [gp_count], 1
        FAIL_UNLESS e, 30
        cmp dword [gp_err], 0
        FAIL_UNLESS e, 31
        cmp dword [gp_tr], SEL_C
        FAIL_UNLESS e, 32
        cmp dword [gp_cr3], PDPT_C
        FAIL_UNLESS e, 33
        cmp dword [gp_eip], task_c
        FAIL_UNLESS e, 34
        cmp dword [c_ran], 0                 ; C's first instruction never ran
        FAIL_UNLESS e, 35
        mov eax, cr3
        cmp eax, PDPT_A
        FAIL_UNLESS e, 36
        cmp dword [VA], 0xaaaa
        FAIL_UNLESS e, 37
        cmp dword [pf_count], 0
        FAIL_UNLESS e, 38
        PUTS ok_msg
        EXIT 0

; ---------------------------------------------------------------- tasks
task_b: mov eax, [VA]
        mov [b_va], eax
        mov eax, cr4
        test eax, 0x20
        jnz .cr3
        mov eax, [VA + 0x1000]
        mov [b_global], eax
.cr3:   mov eax, cr3
        mov [b_cr3], eax
        mov ebx, 0xb0b0
        jmp SEL_A:0

task_c: mov dword [c_ran], 1
        jmp SEL_A:0

; #GP: in task C's context after the switch; back to A
gp_handler:
        inc dword [gp_count]
        pop dword [gp_err]
        pop dword [gp_eip]
        str ax
        movzx eax, ax
        mov [gp_tr], eax
        mov eax, cr3
        mov [gp_cr3], eax
        jmp SEL_A:0
pf_handler:
        inc dword [pf_count]
        PUTS pf_msg
        EXIT 90

ok_msg: db "task paging ok", 10, 0
pf_msg: db "#PF", 10, 0

align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff
        dq 0x00cf92000000ffff
        TSSDESC tss_a
        TSSDESC tss_b
        TSSDESC tss_c
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt
b_va:     dd 0
b_global: dd 0
b_cr3:    dd 0
c_ran:    dd 0
gp_count: dd 0
gp_err:   dd -1
gp_eip:   dd 0
gp_tr:    dd 0
gp_cr3:   dd 0
pf_count: dd 0
align 16
tss_a:  TSS32 0, 0, 0
tss_b:  TSS32 PD_B, task_b, 0x80000
tss_c:  TSS32 PDPT_C, task_c, 0x70000
align 8
idt:    times 256 dq 0
