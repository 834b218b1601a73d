; SPDX-License-Identifier: MIT
; long64.asm: a 64-bit ELF kernel (the ELF headers are written here, the file is a
; flat binary): kiln's loader starts it in 64-bit mode (identity-mapped 4 GiB).
; Checks the 64-bit state, a 64-bit IDT (#DE, INT n, the PIT's IRQ 0 waking HLT),
; then leaves long mode (compatibility mode, CR0.PG off, EFER.LME off) to 32-bit
; protected mode and enters it again.
; expect: exit=1 serial="long64 ok"
bits 64
org 0x100000
COM1 equ 0x3f8

%include "elf64.inc"
        ELF64_HEADER bss_end

%macro FAIL_IF_NOT 2                 ; cc, n
        j%+1 %%ok
        mov eax, %2
        jmp fail
%%ok:
%endmacro

start:  mov rax, 0x123456789abcdef0  ; 64-bit operand size
        mov r9, rax
        ror r9, 32
        mov rbx, 0x9abcdef012345678
        cmp r9, rbx
        FAIL_IF_NOT e, 2
        lea rax, [rel start]         ; RIP-relative
        cmp rax, start
        FAIL_IF_NOT e, 3
        mov ecx, 0xc0000080          ; EFER: LME and LMA
        rdmsr
        and eax, 0x500
        cmp eax, 0x500
        FAIL_IF_NOT e, 4
        mov rax, cr0
        bt rax, 31
        FAIL_IF_NOT c, 5
        mov rax, cr4
        test eax, 0x20
        FAIL_IF_NOT nz, 6
        mov rsp, stack_top

        ; the 64-bit IDT: 0 #DE, 0x20 IRQ 0, 0x80 INT n
        mov rax, de_handler
        mov edi, 0
        call set_gate
        mov rax, irq0
        mov edi, 0x20
        call set_gate
        mov rax, int80
        mov edi, 0x80
        call set_gate
        lidt [idtr]

        xor edx, edx
        mov eax, 7
        xor ecx, ecx
de_at:  div ecx                      ; 2 bytes
        cmp qword [de_rip], de_at
        FAIL_IF_NOT e, 10
        mov rax, 0x100000000
        int 0x80
int_ret:
        mov rbx, 0x100000001
        cmp rax, rbx
        FAIL_IF_NOT e, 11
        cmp qword [int_rip], int_ret
        FAIL_IF_NOT e, 12
        mov rax, [int_rsp]
        cmp rax, stack_top
        FAIL_IF_NOT e, 13

        ; IRQ 0: PIC at 0x20, PIT at about 1 kHz, three HLT wake-ups
        mov al, 0x11
        out 0x20, al
        out 0xa0, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x28
        out 0xa1, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x02
        out 0xa1, al
        mov al, 0x01
        out 0x21, al
        out 0xa1, al
        mov al, 0xfe
        out 0x21, al
        mov al, 0xff
        out 0xa1, al
        mov al, 0x34
        out 0x43, al
        mov ax, 1193
        out 0x40, al
        mov al, ah
        out 0x40, al
        mov ecx, 3
.halt:  sti
        hlt
        cli
        dec ecx
        jnz .halt
        cmp dword [ticks], 3
        FAIL_IF_NOT ae, 20
        mov al, 0xff                 ; mask the PIT again
        out 0x21, al

        ; leave long mode: far return to the loader's 32-bit code segment (0x08)
        push 0x08
        lea rax, [rel compat]
        push rax
        retfq

bits 32
compat: mov eax, cr0                 ; compatibility mode: paging off clears LMA
        and eax, 0x7fffffff
        mov cr0, eax
        mov ecx, 0xc0000080
        rdmsr
        test eax, 0x400
        jz .lma_off
        mov eax, 30
        jmp fail32
.lma_off:
        and eax, ~0x100              ; LME off
        wrmsr
        mov ax, 0x18
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, stack_top
        mov dword [pm32_seen], 1     ; plain 32-bit protected mode now
        ; and back in: LME, then paging (CR3 and CR4.PAE are still the loader's)
        mov ecx, 0xc0000080
        rdmsr
        or eax, 0x100
        wrmsr
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp 0x10:long2
fail32: mov dx, 0xf4
        out dx, eax
.h:     hlt
        jmp .h

bits 64
long2:  mov ecx, 0xc0000080
        rdmsr
        test eax, 0x400
        FAIL_IF_NOT nz, 40
        cmp dword [pm32_seen], 1
        FAIL_IF_NOT e, 41
        mov rax, 0xfedcba9876543210  ; 64-bit again
        shr rax, 60
        cmp eax, 0xf
        FAIL_IF_NOT e, 42
        lea rsi, [rel ok_msg]
        call puts
        xor eax, eax
        ELF64_LIB 0x10

de_handler:
        mov rax, [rsp]
        mov [de_rip], rax
        add qword [rsp], 2
        iretq
int80:  inc rax
        mov rbx, [rsp]
        mov [int_rip], rbx
        mov rbx, [rsp + 24]          ; the interrupted RSP
        mov [int_rsp], rbx
        iretq
irq0:   push rax
        inc dword [ticks]
        mov al, 0x20
        out 0x20, al
        pop rax
        iretq

ok_msg: db "long64 ok", 10, 0
align 8
idtr:   dw 256 * 16 - 1
        dq idt
file_end:

absolute file_end
alignb 16
de_rip: resq 1
int_rip: resq 1
int_rsp: resq 1
ticks:  resd 1
pm32_seen: resd 1
alignb 16
idt:    resb 256 * 16
        resb 4096
stack_top:
bss_end:
