; SPDX-License-Identifier: MIT
; pgsec.asm: 32-bit paging protections of the system CPU: global pages (CR4.PGE) survive a CR3
; reload but not INVLPG or a CR4.PGE toggle; SMEP (#PF P|I fetching a user page at CPL 0);
; SMAP (#PF on supervisor data accesses to user pages with EFLAGS.AC = 0, STAC/CLAC, implicit
; supervisor accesses - an LDT in a user page - fault even with AC = 1); CPUID advertises
; SMEP and SMAP but neither PCID nor INVPCID, and CR4.PCIDE is reserved (#GP).
; expect: exit=1 serial="pgsec ok"
%include "mb.inc"

PD   equ 0x200000                ; page directory
PT0  equ 0x201000                ; 0-4 MiB identity, 4 KiB pages
PT1  equ 0x202000                ; 4-8 MiB: the test pages
P1   equ 0x210000                ; two physical pages with different contents
P2   equ 0x211000
VG   equ 0x4a0000                ; global mapping
VN   equ 0x4a1000                ; non-global mapping
VUX  equ 0x4a2000                ; user page holding code
VUD  equ 0x4a3000                ; user page holding data (and an LDT)
PUX  equ 0x212000
PUD  equ 0x213000

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        IDT_GATE32 14, pf_handler
        IDT_GATE32 13, gp_handler
        IDT_GATE32 6, ud_handler
        lidt [idtr]

        ; --- CPUID: SMEP (7.EBX[7]) SMAP (7.EBX[20]) PGE (1.EDX[13]); no PCID (1.ECX[17]), no INVPCID (7.EBX[10])
        mov eax, 7
        xor ecx, ecx
        cpuid
        test ebx, 1 << 7
        FAIL_UNLESS nz, 1
        test ebx, 1 << 20
        FAIL_UNLESS nz, 2
        test ebx, 1 << 10
        FAIL_UNLESS z, 3
        mov eax, 1
        cpuid
        test ecx, 1 << 17
        FAIL_UNLESS z, 4
        test edx, 1 << 13
        FAIL_UNLESS nz, 5
        mov dword [resume], .pcide
        mov eax, cr4
        or eax, 1 << 17
        mov cr4, eax                         ; PCIDE: reserved -> #GP(0)
.pcide: cmp dword [gp_count], 1
        FAIL_UNLESS e, 6

        ; --- page tables
        mov edi, PD
        mov ecx, 3 * 1024
        xor eax, eax
        rep stosd
        mov dword [PD], PT0 | 3
        mov dword [PD + 4], PT1 | 7          ; user-accessible directory entry
        mov edi, PT0
        mov eax, 3
        mov ecx, 1024
.fill:  stosd
        add eax, 0x1000
        loop .fill
        mov dword [P1], 0x11111111
        mov dword [P2], 0x22222222
        mov dword [PT1 + 0xa0 * 4], P1 | 0x103   ; VG -> P1, global
        mov dword [PT1 + 0xa1 * 4], P1 | 0x003   ; VN -> P1
        mov dword [PT1 + 0xa2 * 4], PUX | 0x007  ; user code page
        mov dword [PT1 + 0xa3 * 4], PUD | 0x007  ; user data page
        mov esi, user_code                   ; copy the user page's code (a RET)
        mov edi, PUX
        movsb
        mov dword [PUD], 0x33333333
        mov eax, PD
        mov cr3, eax
        mov eax, cr4
        or eax, 0x80                         ; PGE
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax

        ; --- global pages
        cmp dword [VG], 0x11111111           ; both cached in the TLB
        FAIL_UNLESS e, 10
        cmp dword [VN], 0x11111111
        FAIL_UNLESS e, 11
        mov dword [PT1 + 0xa0 * 4], P2 | 0x103   ; remap both, no INVLPG
        mov dword [PT1 + 0xa1 * 4], P2 | 0x003
        mov eax, cr3
        mov cr3, eax
        cmp dword [VG], 0x11111111           ; global: kept across the CR3 load
        FAIL_UNLESS e, 12
        cmp dword [VN], 0x22222222           ; not global: walked again
        FAIL_UNLESS e, 13
        invlpg [VG]
        cmp dword [VG], 0x22222222
        FAIL_UNLESS e, 14
        mov dword [PT1 + 0xa0 * 4], P1 | 0x103
        mov eax, cr4                         ; toggling PGE flushes global entries too
        and eax, ~0x80
        mov cr4, eax
        or eax, 0x80
        mov cr4, eax
        cmp dword [VG], 0x11111111
        FAIL_UNLESS e, 15

        ; --- SMEP off: the supervisor may run user code; on: #PF(P|I) at the target
        call VUX
        mov eax, cr4
        or eax, 1 << 20
        mov cr4, eax
        mov dword [resume], .smep
        call VUX
.smep:  add esp, 4                           ; the CALL's return address
        cmp dword [pf_count], 1
        FAIL_UNLESS e, 20
        cmp dword [pf_err], 0x11
        FAIL_UNLESS e, 21
        cmp dword [pf_cr2], VUX
        FAIL_UNLESS e, 22
        cmp dword [pf_eip], VUX
        FAIL_UNLESS e, 23

        ; --- SMAP: supervisor data accesses to user pages
        cmp dword [VUD], 0x33333333          ; SMAP still off
        FAIL_UNLESS e, 30
        mov eax, cr4
        or eax, 1 << 21
        mov cr4, eax
        mov dword [resume], .s1
        mov eax, [VUD]                       ; AC = 0: #PF(P)
.s1:    cmp dword [pf_count], 2
        FAIL_UNLESS e, 31
        cmp dword [pf_err], 1
        FAIL_UNLESS e, 32
        cmp dword [pf_cr2], VUD
        FAIL_UNLESS e, 33
        mov dword [resume], .s2
        mov dword [VUD + 4], 5               ; write: #PF(P|W)
.s2:    cmp dword [pf_err], 3
        FAIL_UNLESS e, 34
        stac
        pushfd
        pop eax
        test eax, 1 << 18
        FAIL_UNLESS nz, 35
        cmp dword [VUD], 0x33333333          ; AC = 1: allowed
        FAIL_UNLESS e, 36
        mov dword [VUD + 4], 6
        cmp dword [pf_count], 3
        FAIL_UNLESS e, 37
        ; implicit supervisor access (the LDT in a user page): #PF even with AC = 1
        mov dword [VUD + 8], 0x0000ffff
        mov dword [VUD + 12], 0x00cf9200
        mov ax, 0x18
        lldt ax
        mov dword [resume], .s3
        mov ax, 0x0c                         ; LDT entry 1
        mov fs, ax
.s3:    cmp dword [pf_count], 4
        FAIL_UNLESS e, 38
        cmp dword [pf_err], 1
        FAIL_UNLESS e, 39
        cmp dword [pf_cr2], VUD + 8
        FAIL_UNLESS e, 40
        clac
        mov dword [resume], .s4
        mov eax, [VUD]                       ; AC = 0 again: #PF
.s4:    cmp dword [pf_count], 5
        FAIL_UNLESS e, 41
        push dword 1 << 18                   ; POPF can set AC too
        popfd
        cmp dword [VUD], 0x33333333
        FAIL_UNLESS e, 42
        cmp dword [pf_count], 5
        FAIL_UNLESS e, 43
        clac
        mov eax, cr4                         ; SMEP off, SMAP on: the supervisor may fetch
        and eax, ~(1 << 20)                  ; from a user page, but that gives its data
        mov cr4, eax                         ; reads no way around SMAP
        call VUX
        mov dword [resume], .s5
        mov eax, [VUX]
.s5:    cmp dword [pf_count], 6
        FAIL_UNLESS e, 44
        cmp dword [pf_cr2], VUX
        FAIL_UNLESS e, 45
        PUTS ok_msg
        EXIT 0

user_code:
        ret

pf_handler:
        inc dword [pf_count]
        pop dword [pf_err]
        mov eax, cr2
        mov [pf_cr2], eax
        mov eax, [esp]
        mov [pf_eip], eax
        mov eax, [resume]
        mov [esp], eax
        iretd
gp_handler:
        inc dword [gp_count]
        add esp, 4
        mov eax, [resume]
        mov [esp], eax
        iretd
ud_handler:
        PUTS ud_msg
        EXIT 90

ok_msg: db "pgsec ok", 10, 0
ud_msg: db "#UD", 10, 0
align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff
        dq 0x00cf92000000ffff
        dw 0x0f, VUD & 0xffff                ; 0x18: LDT in the user page
        db (VUD >> 16) & 0xff, 0x82, 0, VUD >> 24
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt
resume: dd 0
pf_count: dd 0
pf_err: dd 0
pf_cr2: dd 0
pf_eip: dd 0
gp_count: dd 0
align 8
idt:    times 256 dq 0
