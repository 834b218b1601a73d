; SPDX-License-Identifier: MIT
; pdpte.asm: PAE paging's PDPTE registers (SDM vol. 3 4.4.1). MOV CR0 enabling paging and
; MOV CR3 load the four PDPTEs; a present one with a reserved bit (2:1, 8:5, 63:MAXPHYADDR;
; bit 63 is no NX here) raises #GP(0) and changes nothing (CR0.PG stays clear, CR3 keeps its
; value). Walks use the loaded entries: a PDPTE rewritten in memory takes effect only at the
; next load (MOV CR3, or MOV CR4 changing PGE), not after INVLPG, not after a MOV CR4 that
; changes another bit. MOV CR0 changing CD reloads (and faults on a bad entry); changing WP
; does not.
; expect: exit=1 serial="pdpte ok"
%include "mb.inc"

PDPT  equ 0x200000               ; the good table
PDPTB equ 0x200040               ; a second table, for the bad entries
PD0   equ 0x201000               ; 0-1 GiB: 0-4 MiB identity (2 MiB pages)
PD1   equ 0x202000               ; 1-2 GiB: 0x40000000 -> 0x400000
PD2   equ 0x203000               ; 1-2 GiB: 0x40000000 -> 0x600000
VA    equ 0x40000000

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        IDT_GATE32 13, gp_handler
        IDT_GATE32 14, pf_handler
        lidt [idtr]

        ; --- tables
        mov edi, PDPT
        xor eax, eax
        mov ecx, 4 * 1024
        rep stosd
        mov dword [PD0], 0x000083
        mov dword [PD0 + 8], 0x200083
        mov dword [PD1], 0x400083
        mov dword [PD2], 0x600083
        mov dword [0x400000], 0xaaaa
        mov dword [0x600000], 0xbbbb
        mov dword [PDPT], PD0 | 1
        mov dword [PDPT + 8], PD1 | 1
        mov dword [PDPT + 16], PD2 | 3       ; RW: reserved in a PDPTE
        mov eax, cr4
        or eax, 0x20                         ; PAE
        mov cr4, eax
        mov eax, PDPT
        mov cr3, eax                         ; paging off: no PDPTE load, no check

        ; --- MOV CR0 enabling paging with a bad PDPTE: #GP(0), paging stays off
        mov dword [resume], .pg1
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
.pg1:   cmp dword [gp_count], 1
        FAIL_UNLESS e, 2
        cmp dword [gp_err], 0
        FAIL_UNLESS e, 3
        mov eax, cr0
        test eax, 0x80000000
        FAIL_UNLESS z, 4
        mov dword [PDPT + 16], PD2 | 1 | 0x18 | 0xe00 ; PWT, PCD and bits 11:9 are allowed
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        cmp dword [gp_count], 1
        FAIL_UNLESS e, 5
        cmp dword [VA], 0xaaaa
        FAIL_UNLESS e, 6
        cmp dword [VA + 0x40000000], 0xbbbb  ; PDPTE 2
        FAIL_UNLESS e, 7

        ; --- MOV CR3 to a table with a bad present entry: #GP(0), CR3 unchanged
        mov esi, bad_bits
        mov ebx, 1
.bad:   mov eax, [esi]
        mov edx, [esi + 4]
        or eax, eax
        jnz .b1
        or edx, edx
        jz .bad_done
.b1:    mov dword [PDPTB], PD0 | 1
        mov dword [PDPTB + 4], 0
        mov dword [PDPTB + 8], 0
        mov dword [PDPTB + 12], 0
        or eax, PD2 | 1
        mov [PDPTB + 24], eax                ; entry 3
        mov [PDPTB + 28], edx
        mov dword [resume], .b2
        mov eax, PDPTB
        mov cr3, eax
.b2:    inc ebx
        cmp [gp_count], ebx
        FAIL_UNLESS e, 8
        cmp dword [gp_err], 0
        FAIL_UNLESS e, 9
        mov eax, cr3
        cmp eax, PDPT
        FAIL_UNLESS e, 10
        cmp dword [VA], 0xaaaa               ; still the old PDPTEs
        FAIL_UNLESS e, 11
        add esi, 8
        jmp .bad
.bad_done:
        ; a not-present entry's other bits do not matter
        mov dword [PDPTB + 24], 0xfffffffe
        mov dword [PDPTB + 28], 0xffffffff
        mov eax, PDPTB
        mov cr3, eax
        cmp [gp_count], ebx
        FAIL_UNLESS e, 12
        mov dword [resume], .np
        mov eax, [VA]                        ; PDPTE 1 not present: #PF
.np:    cmp dword [pf_count], 1
        FAIL_UNLESS e, 13
        mov eax, PDPT
        mov cr3, eax

        ; --- a PDPTE rewritten in memory: the old one stays in use until a reload
        mov dword [PDPT + 8], PD2 | 1
        invlpg [VA]
        cmp dword [VA], 0xaaaa
        FAIL_UNLESS e, 14
        mov eax, PDPT
        mov cr3, eax                         ; same value: reloads
        cmp dword [VA], 0xbbbb
        FAIL_UNLESS e, 15
        ; MOV CR4 changing OSFXSR: no reload; changing PGE: reload
        mov dword [PDPT + 8], PD1 | 1
        mov eax, cr4
        xor eax, 0x200
        mov cr4, eax
        invlpg [VA]
        cmp dword [VA], 0xbbbb
        FAIL_UNLESS e, 16
        mov eax, cr4
        xor eax, 0x80                        ; PGE
        mov cr4, eax
        cmp dword [VA], 0xaaaa
        FAIL_UNLESS e, 17
        ; MOV CR4 changing PGE with a bad entry: #GP(0), CR4 unchanged
        mov dword [PDPT + 8], PD1 | 1 | 0x20
        mov dword [resume], .c4
        mov ecx, cr4
        mov eax, ecx
        xor eax, 0x80
        mov cr4, eax
.c4:    inc ebx
        cmp [gp_count], ebx
        FAIL_UNLESS e, 18
        mov eax, cr4
        cmp eax, ecx
        FAIL_UNLESS e, 19
        ; MOV CR0 changing WP: no reload, no check; changing CD: reload, #GP(0)
        mov ecx, cr0
        mov eax, ecx
        xor eax, 0x10000
        mov cr0, eax
        cmp [gp_count], ebx
        FAIL_UNLESS e, 20
        mov cr0, ecx
        mov dword [resume], .c0
        mov eax, ecx
        or eax, 0x40000000                   ; CD
        mov cr0, eax
.c0:    inc ebx
        cmp [gp_count], ebx
        FAIL_UNLESS e, 21
        mov eax, cr0
        cmp eax, ecx
        FAIL_UNLESS e, 22
        invlpg [VA]
        cmp dword [VA], 0xaaaa
        FAIL_UNLESS e, 23
        cmp dword [pf_count], 1
        FAIL_UNLESS e, 24
        PUTS ok_msg
        EXIT 0

gp_handler:
        inc dword [gp_count]
        pop dword [gp_err]
        push eax
        mov eax, [resume]
        mov [esp + 4], eax
        pop eax
        iretd
pf_handler:
        inc dword [pf_count]
        add esp, 4
        push eax
        mov eax, [resume]
        mov [esp + 4], eax
        pop eax
        iretd

ok_msg: db "pdpte ok", 10, 0
; reserved bits of a present PDPTE, as (low, high) dwords; (0, 0) ends the list
align 4
bad_bits:
        dd 1 << 1, 0                         ; R/W
        dd 1 << 2, 0                         ; U/S
        dd 1 << 5, 0                         ; A
        dd 1 << 6, 0
        dd 1 << 7, 0                         ; PS
        dd 1 << 8, 0                         ; G
        dd 0, 1 << 19                        ; bit 51: above MAXPHYADDR
        dd 0, 1 << 31                        ; bit 63: no NX in a PDPTE
        dd 0, 0
FLAT_GDT
align 4
idtr:   dw 256 * 8 - 1
        dd idt
resume: dd 0
gp_count: dd 0
gp_err: dd -1
pf_count: dd 0
align 8
idt:    times 256 dq 0
