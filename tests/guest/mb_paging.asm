; SPDX-License-Identifier: MIT
; mb_paging.asm: a multiboot guest for the whole machine (kiln -kernel): 32-bit paging
; with #PF error codes, CR2, WP, PSE and A/D bits, then long mode (PAE + EFER.LME),
; a 64-bit IDT with an IST stack, SYSCALL / SYSRET to ring 3 and back, IRETQ to ring 3
; and an interrupt back to ring 0 through the TSS's RSP0.
; Result through isa-debug-exit at port 0xf4: 0 = pass, else the failing check.
; expect: exit=1 timeout=20
bits 32
org 0x100000
MB_FLAGS equ 0x00010003
hdr:    dd 0x1badb002, MB_FLAGS, -(0x1badb002 + MB_FLAGS)
        dd hdr, hdr, image_end, bss_end, start

PD  equ 0x200000
PT0 equ 0x201000
PML4 equ 0x210000
PDPT equ 0x211000
PD64 equ 0x212000

%macro RES 1
        mov eax, %1
        out 0xf4, eax
        cli
        hlt
%endmacro
%macro CHECK 2
        j%+2 %%ok
        RES %1
%%ok:
%endmacro

start:  cli
        mov esp, 0x90000
        lgdt [gdtr]
        jmp 0x08:.cs
.cs:    mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        ; 32-bit IDT: #PF (14) and #GP (13)
        mov eax, pf_h
        mov edi, idt32 + 14 * 8
        call setgate
        mov eax, gp_h
        mov edi, idt32 + 13 * 8
        call setgate
        lidt [idtr32]
        ; page directory: PDE0 -> PT0 (identity 0..4 MiB, supervisor), PDE1 = 4 MiB PSE page at 4 MiB
        mov edi, PD
        mov ecx, 2048
        xor eax, eax
        rep stosd                       ; PD and PT0 zeroed
        mov dword [PD], PT0 | 7
        mov dword [PD + 4], 0x400000 | 0x83
        mov edi, PT0
        mov eax, 3                      ; P | W
        mov ecx, 1024
.fill:  stosd
        add eax, 0x1000
        loop .fill
        mov dword [PT0 + 0x300 * 4], 0                  ; 0x300000: not present
        mov dword [PT0 + 0x301 * 4], 0x301000 | 1       ; 0x301000: read-only
        mov eax, cr4
        or eax, 0x10                    ; PSE
        mov cr4, eax
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80010000              ; PG | WP
        mov cr0, eax

        ; not present, supervisor read: error 0, CR2 = address; the handler maps it and it restarts
        mov dword [fixbits], 0x300000 | 3
        mov eax, [0x300010]
        cmp dword [pf_err], 0
        CHECK 1, e
        cmp dword [pf_cr2], 0x300010
        CHECK 2, e
        ; write to a read-only page with WP: error 3 (P | W)
        mov dword [fixbits], 0x301000 | 3
        mov dword [0x301000], 5
        cmp dword [pf_err], 3
        CHECK 3, e
        cmp dword [0x301000], 5
        CHECK 4, e
        ; accessed and dirty bits
        mov eax, [0x302000]
        mov eax, [PT0 + 0x302 * 4]
        and eax, 0x60
        cmp eax, 0x20                   ; A set, D clear after a read
        CHECK 5, e
        mov dword [0x302000], 1
        mov eax, [PT0 + 0x302 * 4]
        and eax, 0x60
        cmp eax, 0x60
        CHECK 6, e
        ; a 4 MiB PSE page maps 0x400000.. identically
        mov dword [0x500000], 0x12345678
        cmp dword [0x500000], 0x12345678
        CHECK 7, e
        ; a user page table entry is not enough when the access is supervisor: fine; the
        ; supervisor may write a read-only page with WP clear
        mov dword [PT0 + 0x303 * 4], 0x303000 | 1
        invlpg [0x303000]
        mov eax, cr0
        and eax, ~0x10000
        mov cr0, eax
        mov dword [0x303000], 9
        cmp dword [0x303000], 9
        CHECK 8, e

        ; ---- long mode: paging off, PAE tables, EFER.LME, paging on
        mov eax, cr0
        and eax, 0x7fffffff
        mov cr0, eax
        mov edi, PML4
        mov ecx, 3 * 1024
        xor eax, eax
        rep stosd
        mov dword [PML4], PDPT | 7
        mov dword [PDPT], PD64 | 7
        mov dword [PD64], 0x000000 | 0x87          ; user-accessible: ring-3 code below runs here
        mov dword [PD64 + 8], 0x200000 | 0x87          ; user-accessible 2 MiB page (ring-3 code runs here)
        mov dword [PD64 + 16], 0x400000 | 0x83
        mov eax, cr4
        or eax, 0x20                    ; PAE
        mov cr4, eax
        mov eax, PML4
        mov cr3, eax
        mov ecx, 0xc0000080
        rdmsr
        or eax, 0x101                   ; LME | SCE
        wrmsr
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov ecx, 0xc0000080
        rdmsr
        test eax, 0x400                 ; LMA
        CHECK 10, nz
        jmp 0x18:long64

setgate: mov [edi], ax
        mov word [edi + 2], 0x08
        mov word [edi + 4], 0x8e00
        shr eax, 16
        mov [edi + 6], ax
        ret

pf_h:   pop dword [pf_err]
        push eax
        mov eax, cr2
        mov [pf_cr2], eax
        shr eax, 12
        and eax, 0x3ff
        push ebx
        mov ebx, [fixbits]
        mov [PT0 + eax * 4], ebx
        pop ebx
        mov eax, cr2
        invlpg [eax]
        pop eax
        iret
gp_h:   RES 99

bits 64
long64: mov ax, 0x20
        mov ds, ax
        mov ss, ax
        mov rsp, 0x90000
        mov rax, cs
        cmp rax, 0x18
        CHECK 11, e
        ; 64-bit TSS with IST1, IDT entry 0x80 using IST1
        mov rax, tss64
        mov [gdt + 0x48 + 2], ax
        shr rax, 16
        mov [gdt + 0x48 + 4], al
        mov [gdt + 0x48 + 7], ah
        mov qword [tss64 + 0x24], ist_top
        mov qword [tss64 + 4], 0x80000  ; RSP0
        mov ax, 0x48
        ltr ax
        mov rax, int80_h
        mov rdi, idt64 + 0x80 * 16
        mov [rdi], ax
        mov word [rdi + 2], 0x18
        mov word [rdi + 4], 0xee01      ; IST 1, interrupt gate, DPL 3
        shr rax, 16
        mov [rdi + 6], ax
        shr rax, 16
        mov [rdi + 8], eax
        lidt [idtr64]
        mov rbx, rsp
        int 0x80
        cmp rsp, rbx
        CHECK 12, e
        cmp dword [int80_ok], 1
        CHECK 13, e

        ; SYSCALL from ring 0, SYSRET to ring 3, SYSCALL back
        mov ecx, 0xc0000081             ; STAR: SYSCALL CS 0x18 SS 0x20; SYSRET base 0x28
        mov edx, 0x00280018
        xor eax, eax
        wrmsr
        mov ecx, 0xc0000082             ; LSTAR
        mov rax, sys1
        mov rdx, rax
        shr rdx, 32
        wrmsr
        mov ecx, 0xc0000084             ; SFMASK: clear IF... and AC
        mov eax, 0x40200
        xor edx, edx
        wrmsr
        syscall
after1: RES 20                          ; not reached: sys1 returns to ring 3

sys1:   lea rax, [rel after1]
        cmp rcx, rax
        CHECK 21, e
        mov rax, cs
        cmp rax, 0x18
        CHECK 22, e
        mov rax, ss
        cmp rax, 0x20
        CHECK 23, e
        mov ecx, 0xc0000082
        mov rax, sys2
        mov rdx, rax
        shr rdx, 32
        wrmsr
        lea rcx, [rel ring3]
        mov r11, 0x2
        o64 sysret

ring3:  mov rax, cs
        cmp rax, 0x3b
        jne .bad
        mov rax, ss
        cmp rax, 0x33
        jne .bad
        mov rsp, 0x2ff000               ; a user stack in the user 2 MiB page
        syscall                         ; returns to .bad's address in RCX
.bad:   syscall                         ; a failed check: RCX is sys2 instead
sys2:   mov rax, cs
        cmp rax, 0x18
        CHECK 30, e
        lea rax, [rel ring3.bad]
        cmp rcx, rax
        CHECK 31, e
        test r11, 0x200                 ; ring 3's RFLAGS: SYSRET loaded 2 from R11, so IF clear
        CHECK 32, z
        ; IRETQ to ring 3, then INT through a DPL-3 gate without IST: RSP0 from the TSS,
        ; SS becomes the null selector, the frame holds the ring-3 SS:RSP
        mov ax, 0x20
        mov ss, ax
        mov rax, int81_h
        mov rdi, idt64 + 0x81 * 16
        mov [rdi], ax
        mov word [rdi + 2], 0x18
        mov word [rdi + 4], 0xee00
        shr rax, 16
        mov [rdi + 6], ax
        shr rax, 16
        mov [rdi + 8], eax
        push qword 0x33
        push qword 0x2fe000
        push qword 0x2
        push qword 0x3b
        lea rax, [rel ring3b]
        push rax
        iretq

ring3b: mov rax, cs
        cmp rax, 0x3b
        jne .bad
        cmp rsp, 0x2fe000
        jne .bad
        int 0x81
.bad:   mov rax, 0xbad
        int 0x81

int81_h: cmp rax, 0xbad
        CHECK 33, ne
        cmp rsp, 0x80000 - 40
        CHECK 34, e
        mov rax, ss
        test rax, rax                   ; null SS (RPL 0) after the privilege change
        CHECK 35, z
        cmp qword [rsp + 8], 0x3b       ; CS
        CHECK 36, e
        cmp qword [rsp + 24], 0x2fe000  ; RSP
        CHECK 37, e
        cmp qword [rsp + 32], 0x33      ; SS
        CHECK 38, e
        RES 0

int80_h: lea rax, [rel ist_top]
        lea rdx, [rax - 64]
        cmp rsp, rax
        jae .bad
        cmp rsp, rdx
        jb .bad
        mov dword [int80_ok], 1
        iretq
.bad:   RES 40

align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff           ; 0x08 code32
        dq 0x00cf92000000ffff           ; 0x10 data
        dq 0x00af9a000000ffff           ; 0x18 code64
        dq 0x00cf92000000ffff           ; 0x20 data
        dq 0                            ; 0x28 (SYSRET base)
        dq 0x00cff2000000ffff           ; 0x30 data, ring 3
        dq 0x00affa000000ffff           ; 0x38 code64, ring 3
        dq 0                            ; 0x40
        dw 0x67, 0, 0x8900, 0, 0, 0, 0, 0  ; 0x48 64-bit TSS (base filled in)
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr32: dw 32 * 8 - 1
        dd idt32
idtr64: dw 256 * 16 - 1
        dq idt64
fixbits: dd 0
pf_err: dd 0xffff
pf_cr2: dd 0
int80_ok: dd 0
image_end:
align 16
idt32:  times 32 * 8 db 0
align 16
tss64:  times 0x68 db 0
align 16
idt64:  times 256 * 16 db 0
ist_stack: times 256 db 0
ist_top:
bss_end:
