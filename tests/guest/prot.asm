; SPDX-License-Identifier: MIT
; prot.asm: real -> 32-bit protected mode: GDT/IDT, #GP/#NP/#UD error codes and return
; addresses, trap gates, LTR, IRET to ring 3, interrupt gates with a TSS stack switch,
; IOPL (CLI, OUT) and gate DPL checks from ring 3, a call gate back to ring 0, RETF outward.
bits 16
org 0x1000
%include "guest.inc"

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x8000
        lgdt [gdtr]
        lidt [idtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pm32

bits 32
; gate vector, handler, type/attr byte
%macro GATE 3
        mov eax, %2
        mov edi, idt + %1 * 8
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov byte [edi + 4], 0
        mov byte [edi + 5], %3
        shr eax, 16
        mov [edi + 6], ax
%endmacro

; CHECK3 n, cond: as CHECK, from ring 3 (reports through the DPL-3 gate 0x43)
%macro CHECK3 2
        j%+2 %%ok
        mov eax, %1
        int 0x43
%%ok:
%endmacro

pm32:   mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov fs, ax
        mov gs, ax
        mov esp, 0x9000
        mov ax, cs
        cmp ax, 0x08
        CHECK 1, e
        GATE 6, ud_h, 0x8e
        GATE 11, np_h, 0x8e
        GATE 13, gp_h, 0x8e
        GATE 0x40, i40_h, 0x8f          ; trap gate, DPL 0
        GATE 0x41, i41_h, 0xee          ; interrupt gate, DPL 3
        GATE 0x42, i42_h, 0xee
        GATE 0x43, fail_h, 0xee

        ; #GP(selector) for a selector beyond the GDT limit; the fault leaves DS alone
        mov dword [skip], 2
        mov ax, 0x48
        mov ds, ax
        mov ax, ds
        cmp ax, 0x10
        CHECK 2, e
        cmp dword [gp_err], 0x48
        CHECK 3, e
        ; #NP(selector) for a not-present data segment
        mov ax, 0x3b                    ; RPL 3 is fine for DPL 3 data
        mov es, ax
        cmp dword [np_err], 0x38
        CHECK 4, e
        ; #GP(selector) loading SS with RPL != CPL
        mov dword [gp_err], 0
        mov ax, 0x13
        mov ss, ax
        cmp dword [gp_err], 0x10
        CHECK 5, e
        ; #UD
        ud2
        cmp dword [ud_n], 1
        CHECK 6, e
        ; trap gate: IF stays as it was
        int 0x40
        cmp dword [i40_n], 1
        CHECK 7, e

        ; debug registers: stored, DR7 reads with its fixed bit
        mov eax, 0x12345678
        mov dr0, eax
        mov ebx, dr0
        cmp ebx, eax
        CHECK 9, e
        xor eax, eax
        mov dr7, eax
        mov eax, dr7
        cmp eax, 0x400
        CHECK 10, e

        ; ring 3 via IRET; interrupts come back through the TSS's ring-0 stack
        mov word [tss + 8], 0x10        ; SS0
        mov dword [tss + 4], 0xa000     ; ESP0
        mov word [tss + 0x66], 0x68     ; I/O bitmap beyond the limit: no ports from ring 3
        mov ax, 0x28
        ltr ax
        str bx
        cmp bx, 0x28
        CHECK 8, e
        push dword 0x23                 ; SS
        push dword 0x7000               ; ESP
        push dword 0x002                ; EFLAGS: IOPL 0, IF 0
        push dword 0x1b                 ; CS
        push dword ring3
        iret

ring3:  mov ax, cs
        cmp ax, 0x1b
        CHECK3 20, e
        mov ax, 0x23
        mov ds, ax
        mov es, ax
        int 0x41                        ; DPL 3 gate: privilege change, stack switch
        cmp esp, 0x7000
        CHECK3 21, e
        mov ax, ss
        cmp ax, 0x23
        CHECK3 22, e
        cmp dword [i41_ok], 1
        CHECK3 23, e
        ; CLI with CPL > IOPL: #GP(0)
        mov dword [skip], 1
        mov dword [gp_err], 0xffff
        cli
        cmp dword [gp_err], 0
        CHECK3 24, e
        ; INT to a DPL 0 gate: #GP(vector * 8 + 2)
        mov dword [skip], 2
        int 0x40
        cmp dword [gp_err], 0x40 * 8 + 2
        CHECK3 25, e
        ; OUT without I/O permission: #GP(0)
        mov dword [gp_err], 0xffff
        out 0xe9, al
        cmp dword [gp_err], 0
        CHECK3 26, e
        ; MOV from DR at CPL 3: #GP(0)
        mov dword [skip], 3
        mov dword [gp_err], 0xffff
        mov eax, dr0
        cmp dword [gp_err], 0
        CHECK3 29, e
        ; call gate to ring 0 and RETF back
        call 0x33:0
        cmp eax, 0x600d
        CHECK3 27, e
        mov ax, ss
        cmp ax, 0x23
        CHECK3 28, e
        int 0x42

gate_fn: mov ax, cs                     ; ring 0 through the call gate
        cmp ax, 0x08
        CHECK 40, e
        mov ax, ss
        cmp ax, 0x10
        CHECK 41, e
        cmp dword [esp + 4], 0x1b       ; caller's CS
        CHECK 42, e
        cmp dword [esp + 12], 0x23      ; caller's SS
        CHECK 43, e
        mov eax, 0x600d
        retf

gp_h:   pop dword [gp_err]
        push eax
        mov eax, [skip]
        add [esp + 4], eax
        pop eax
        iret
np_h:   pop dword [np_err]
        push eax
        mov eax, [skip]
        add [esp + 4], eax
        pop eax
        iret
ud_h:   inc dword [ud_n]
        add dword [esp], 2
        iret
i40_h:  inc dword [i40_n]
        iret
i41_h:  mov ax, ss
        cmp ax, 0x10
        CHECK 60, e
        cmp esp, 0xa000 - 20
        CHECK 61, e
        cmp dword [esp + 4], 0x1b       ; CS
        CHECK 62, e
        cmp dword [esp + 16], 0x23      ; SS
        CHECK 63, e
        cmp dword [esp + 12], 0x7000    ; ESP
        CHECK 64, e
        mov dword [i41_ok], 1
        iret
fail_h: out 0xf4, ax
        hlt
i42_h:  mov esi, msg
.p:     lodsb
        test al, al
        jz .d
        out 0xe9, al
        jmp .p
.d:     RESULT 0

align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff           ; 0x08 code, ring 0
        dq 0x00cf92000000ffff           ; 0x10 data, ring 0
        dq 0x00cffa000000ffff           ; 0x18 code, ring 3
        dq 0x00cff2000000ffff           ; 0x20 data, ring 3
        dw 0x67, tss, 0x8900, 0         ; 0x28 32-bit TSS (base < 64 KiB)
        dw gate_fn, 0x08, 0xec00, 0     ; 0x30 call gate, DPL 3 -> 0x08:gate_fn
        dq 0x00cf72000000ffff           ; 0x38 data, DPL 3, not present
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 0x44 * 8 - 1
        dd idt
skip:   dd 0
gp_err: dd 0
np_err: dd 0
ud_n:   dd 0
i40_n:  dd 0
i41_ok: dd 0
msg:    db "prot: ok", 10, 0
align 16
tss:    times 0x68 db 0
align 8
idt:    times 0x44 * 8 db 0
