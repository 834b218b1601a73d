; SPDX-License-Identifier: MIT
; excp64.asm: exceptions in 64-bit mode with their vectors, error codes and saved RIP
; (fault: the instruction; trap: the next one), at CPL 0 and CPL 3: #DE #DB #BP #UD
; (INTO) #NM #NP #SS #GP #PF (not present, write to read-only, reserved bit, NX fetch,
; user access to a supervisor page, CR2) #MF #AC #XM, and privileged instructions at
; CPL 3. Own GDT, TSS (RSP0), 4-level page tables with 4 KiB test pages, IDT.
; A 64-bit ELF (headers written here) started by kiln's loader in 64-bit mode.
; expect: exit=1 serial="excp64 ok"
bits 64
org 0x100000
COM1 equ 0x3f8

%include "elf64.inc"
        ELF64_HEADER file_end

PML4 equ 0x300000
PDPT equ 0x301000
PD   equ 0x302000
PT   equ 0x303000
SUPV equ 0x400000                    ; supervisor-only page
NOTP equ 0x401000                    ; not present
RDON equ 0x402000                    ; read-only
NXPG equ 0x403000                    ; no-execute (holds a RET)
RSVD equ 0x404000                    ; a reserved physical-address bit set
KSTACK equ 0x90000
USTACK equ 0x80000

; TRY {instruction}, vector, error (-1: none pushed), 0 fault / 1 trap, failure code
%macro TRY 5
        mov qword [resume], %%after
        mov qword [got_vec], -1
%%insn: %1
%%next:
%%after:
        cmp qword [got_vec], %2
        FAIL_IF_NOT e, %5
        cmp qword [got_err], %3
        FAIL_IF_NOT e, %5 + 1
%if %4
        mov rax, %%next
%else
        mov rax, %%insn
%endif
        cmp [got_rip], rax
        FAIL_IF_NOT e, %5 + 2
%endmacro

%macro FAIL_IF_NOT 2                 ; cc, n
        j%+1 %%ok
        mov eax, %2
        jmp fail
%%ok:
%endmacro

%macro STUB 1                        ; no error code: push -1 in its place
stub%1: push -1
        push %1
        jmp exc_common
%endmacro
%macro STUBE 1                       ; the CPU pushed an error code
stub%1: push %1
        jmp exc_common
%endmacro

start:  mov rsp, KSTACK
        ; GDT with a 64-bit TSS descriptor built at run time
        mov rax, tss
        mov rdx, rax
        and edx, 0xffffff
        shl rdx, 16
        or rdx, 0x67                 ; limit
        mov rcx, 0x89                ; present, 64-bit TSS available
        shl rcx, 40
        or rdx, rcx
        mov rcx, rax
        shr rcx, 24
        and ecx, 0xff
        shl rcx, 56
        or rdx, rcx
        mov [gdt + 0x30], rdx
        shr rax, 32
        mov [gdt + 0x38], rax
        mov qword [tss + 4], KSTACK  ; RSP0
        lgdt [gdtr]
        push 0x08
        lea rax, [rel .cs]
        push rax
        retfq
.cs:    mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov ax, 0x30
        ltr ax

        ; page tables: 2 MiB user pages for the first GiB, 4 KiB pages at 4 MiB
        mov rdi, PML4
        mov ecx, 4 * 512
        xor eax, eax
        rep stosq
        mov qword [PML4], PDPT | 7
        mov qword [PDPT], PD | 7
        mov rdi, PD
        mov rax, 0x87                ; P RW U PS
        mov ecx, 512
.pd:    stosq
        add rax, 0x200000
        loop .pd
        mov qword [PD + 2 * 8], PT | 7
        mov rdi, PT
        mov rax, 0x400000 | 7
        mov ecx, 512
.pt:    stosq
        add rax, 0x1000
        loop .pt
        mov qword [PT + 0 * 8], SUPV | 3                   ; no U
        mov qword [PT + 1 * 8], 0                          ; not present
        mov qword [PT + 2 * 8], RDON | 5                   ; no W
        mov rax, NXPG | 7
        bts rax, 63
        mov [PT + 3 * 8], rax                              ; XD
        mov rax, RSVD | 7
        bts rax, 40                                        ; above MAXPHYADDR (36)
        mov [PT + 4 * 8], rax
        mov byte [NXPG], 0xc3                              ; RET
        mov ecx, 0xc0000080
        rdmsr
        or eax, 0x800                                      ; EFER.NXE
        wrmsr
        mov rax, PML4
        mov cr3, rax
        mov rax, cr0
        and eax, ~0x10000                                  ; WP off (checked below)
        or eax, 0x40020                                    ; AM, NE
        mov cr0, rax
        mov rax, cr4
        or eax, 0x600                                      ; OSFXSR, OSXMMEXCPT
        mov cr4, rax

        ; IDT: vectors 0-19 to stubs, 0x81 (DPL 3) back from ring 3
        xor ebx, ebx
.idt:   mov rax, [stubs + rbx * 8]
        mov edi, ebx
        call set_gate
        inc ebx
        cmp ebx, 20
        jb .idt
        mov rax, back0
        mov edi, 0x81
        call set_gate
        mov byte [idt + 0x81 * 16 + 5], 0xee                ; DPL 3
        lidt [idtr]

        ; ---- CPL 0 ----
        xor edx, edx
        xor ecx, ecx
        TRY {div ecx}, 0, -1, 0, 10
        TRY {int1}, 1, -1, 1, 13
        TRY {int3}, 3, -1, 1, 16
        TRY {ud2}, 6, -1, 0, 19
        TRY {db 0xce}, 6, -1, 0, 22                         ; INTO: invalid in 64-bit mode
        mov rax, cr0
        or eax, 8                                           ; TS
        mov cr0, rax
        TRY {fld1}, 7, -1, 0, 25
        clts
        mov ax, 0x28                                        ; a not-present data segment
        TRY {mov ds, ax}, 11, 0x28, 0, 28
        mov rbp, 0x8000000000001000                         ; non-canonical, SS-relative
        TRY {mov rax, [rbp]}, 12, 0, 0, 31
        mov rbx, 0x8000000000001000                         ; non-canonical, DS
        TRY {mov rax, [rbx]}, 13, 0, 0, 34
        mov ax, 0x1238                                      ; beyond the GDT limit
        TRY {mov es, ax}, 13, 0x1238, 0, 37
        mov ecx, 0x12345678                                 ; no such MSR
        TRY {rdmsr}, 13, 0, 0, 40
        ; #PF: error code and CR2
        TRY {mov eax, [NOTP + 8]}, 14, 0, 0, 43
        cmp qword [got_cr2], NOTP + 8
        FAIL_IF_NOT e, 46
        TRY {mov dword [NOTP + 4], 1}, 14, 2, 0, 47
        mov rax, cr0
        bts rax, 16                                         ; WP: supervisor writes obey R/W
        mov cr0, rax
        TRY {mov dword [RDON + 12], 1}, 14, 3, 0, 50
        cmp qword [got_cr2], RDON + 12
        FAIL_IF_NOT e, 53
        TRY {mov eax, [RSVD]}, 14, 9, 0, 54                 ; P | RSVD
        ; a call into a no-execute page: the CALL completes, the fetch at the target
        ; faults with P | I/D, RIP and CR2 = the target
        mov rbx, NXPG
        mov qword [resume], .nx_after
        mov qword [got_vec], -1
        call rbx
.nx_after:
        add rsp, 8                                          ; the CALL's return address
        cmp qword [got_vec], 14
        FAIL_IF_NOT e, 57
        cmp qword [got_err], 0x11
        FAIL_IF_NOT e, 58
        cmp qword [got_rip], NXPG
        FAIL_IF_NOT e, 59
        cmp qword [got_cr2], NXPG
        FAIL_IF_NOT e, 60
        cmp byte [NXPG], 0xc3                               ; ... the data is readable
        FAIL_IF_NOT e, 61
        ; #MF: unmasked zero divide, CR0.NE = 1
        fninit
        fldcw [cw_zm]
        fld1
        fldz
        fdivp st1, st0
        TRY {fwait}, 16, -1, 0, 62
        fninit
        ; #XM: unmasked zero divide, CR4.OSXMMEXCPT = 1
        ldmxcsr [mxcsr_zm]
        xorps xmm1, xmm1
        mov eax, 0x3f800000
        movd xmm0, eax
        TRY {divss xmm0, xmm1}, 19, -1, 0, 65
        ldmxcsr [mxcsr_def]

        ; ---- CPL 3 (IRETQ), back through INT 0x81 ----
        mov [kstack_save], rsp
        push 0x23                                           ; SS
        push USTACK                                         ; RSP
        push 0x2                                            ; RFLAGS
        push 0x1b                                           ; CS
        push user
        iretq

user:   mov ax, 0x23
        mov ds, ax
        mov es, ax
        ; #AC: CR0.AM (set above), EFLAGS.AC, CPL 3, a misaligned dword
        pushfq
        or qword [rsp], 0x40000
        popfq
        mov rbx, misaligned + 1
        TRY {mov eax, [rbx]}, 17, 0, 0, 70
        pushfq
        and qword [rsp], ~0x40000
        popfq
        mov qword [got_vec], -1
        mov eax, [rbx]                                      ; AC clear: no fault
        cmp qword [got_vec], -1
        FAIL_IF_NOT e, 73
        ; a supervisor page from CPL 3: P | U (read), P | W | U (write)
        TRY {mov eax, [SUPV]}, 14, 5, 0, 76
        TRY {mov dword [SUPV + 8], 1}, 14, 7, 0, 79
        cmp qword [got_cr2], SUPV + 8
        FAIL_IF_NOT e, 82
        ; privileged instructions at CPL 3: #GP(0)
        TRY {cli}, 13, 0, 0, 83
        TRY {hlt}, 13, 0, 0, 86
        TRY {mov rax, cr0}, 13, 0, 0, 89
        mov qword [user_done], 1
        int 0x81

back0:  mov rsp, [kstack_save]
        cmp qword [user_done], 1
        FAIL_IF_NOT e, 90
        mov rsi, ok_msg
        call puts
        mov dx, 0xf4
        xor eax, eax
        out dx, eax
.h:     hlt
        jmp .h

        ELF64_LIB 0x08

; every exception: record vector, error code, RIP and CR2, resume at [resume]
exc_common:
        push rax
        mov rax, [rsp + 8]
        mov [got_vec], rax
        mov rax, [rsp + 16]
        mov [got_err], rax
        mov rax, [rsp + 24]
        mov [got_rip], rax
        mov rax, cr2
        mov [got_cr2], rax
        mov rax, [resume]
        mov [rsp + 24], rax
        pop rax
        add rsp, 16
        iretq

        STUB 0
        STUB 1
        STUB 2
        STUB 3
        STUB 4
        STUB 5
        STUB 6
        STUB 7
        STUBE 8
        STUB 9
        STUBE 10
        STUBE 11
        STUBE 12
        STUBE 13
        STUBE 14
        STUB 15
        STUB 16
        STUBE 17
        STUB 18
        STUB 19

align 8
stubs:  dq stub0, stub1, stub2, stub3, stub4, stub5, stub6, stub7, stub8, stub9
        dq stub10, stub11, stub12, stub13, stub14, stub15, stub16, stub17, stub18, stub19
resume: dq 0
got_vec: dq 0
got_err: dq 0
got_rip: dq 0
got_cr2: dq 0
kstack_save: dq 0
user_done: dq 0
misaligned: dq 0, 0
cw_zm:  dw 0x037b
mxcsr_zm: dd 0x1d80                  ; ZM clear
mxcsr_def: dd 0x1f80
ok_msg: db "excp64 ok", 10, 0
align 16
gdt:    dq 0
        dq 0x00209a0000000000        ; 0x08 code, 64-bit, DPL 0
        dq 0x00cf92000000ffff        ; 0x10 data, DPL 0
        dq 0x0020fa0000000000        ; 0x18 code, 64-bit, DPL 3
        dq 0x00cff2000000ffff        ; 0x20 data, DPL 3
        dq 0x00cf12000000ffff        ; 0x28 data, not present
        dq 0, 0                      ; 0x30 TSS (built at run time)
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dq gdt
align 16
tss:    times 0x68 db 0
idtr:   dw 256 * 16 - 1
        dq idt
align 16
idt:    times 256 * 16 db 0
file_end:
