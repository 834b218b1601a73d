; SPDX-License-Identifier: MIT
; modes.asm: every x86 operating mode in one boot, with interrupt handlers in each:
; real mode (own IVT, a BIOS-style INT 10h teletype service on COM1) -> 32-bit protected
; mode (own IDT, INT 0x40) -> long mode (4-level paging, 64-bit IDT, INT 0x41) ->
; compatibility mode -> paging and long mode off -> 16-bit protected mode -> real mode
; again, where INT 10h prints once more; then isa-debug-exit.
;
; Entry: multiboot v1 starts a kernel in 32-bit protected mode and kiln has no firmware
; to start one in real mode, so the first thing done is the drop to real mode (through a
; 16-bit protected-mode segment, as real_ivt.asm does). The 16-bit code is linked at
; 0x8000 (CS = 0, so gdb's $pc is the linear address) and copied there from the image.
;
; Built with symbols (not as a flat binary): nasm -f elf64, linked by
; tests/guest/modes.ld into obj/tests/guest/modes.elf (ELF64, for gdb: `break real_entry`),
; and converted with objcopy to the ELF32 multiboot kernel modes.bin that kiln boots.
; tests/gdb/modes.gdb steps and breaks through every transition.
; expect: exit=1 serial="modes: real again ok"
; expect: exit=1 serial="modes: real again ok" args="-icount shift=0"

COM1 equ 0x3f8
LOW  equ 0x8000

global start, real_entry, int10_handler, pm_jmp, pm32_entry, pm_int40, long_jmp, long_entry
global long_int41, to_compat, compat_entry, paging_off, to_pm16, pm16_back, pe_off, real_jmp
global real2_entry, exit_guest, fail, puts16
extern low_load, low_size            ; from modes.ld

; ---------------------------------------------------------------- 32-bit, at 1 MiB
section .text
bits 32
mb_header:
        dd 0x1BADB002, 0, -0x1BADB002  ; multiboot v1, no flags: the ELF headers say where

start:  mov esp, 0x90000
        cld
        mov esi, low_load               ; the 16-bit part to its link address
        mov edi, LOW
        mov ecx, low_size
        rep movsb
        lgdt [gdtr]
        jmp 0x18:pm16_down

; 32-bit protected mode, entered from real mode
pm32_entry:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, 0x90000
        mov eax, cr0
        test al, 1
        jz fail32
        mov eax, pm_int40               ; IDT gate 0x40 (32-bit interrupt gate)
        mov [idt32 + 0x40 * 8], ax
        mov word [idt32 + 0x40 * 8 + 2], 0x08
        mov word [idt32 + 0x40 * 8 + 4], 0x8e00
        shr eax, 16
        mov [idt32 + 0x40 * 8 + 6], ax
        lidt [idt32_ptr]
        mov eax, 41
        int 0x40
        cmp eax, 42
        jne fail32
        mov esi, msg_pm32
        call puts32

        ; to long mode: PAE, CR3, EFER.LME, CR0.PG, far jump to the 64-bit code segment
        mov eax, cr4
        or eax, 0x20
        mov cr4, eax
        mov eax, pml4
        mov cr3, eax
        mov ecx, 0xc0000080
        rdmsr
        or eax, 0x100
        wrmsr
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
long_jmp:
        jmp 0x28:long_entry

; compatibility mode (32-bit code, EFER.LMA still set), then out of long mode
compat_entry:
        mov ax, 0x10
        mov ds, ax
        mov ss, ax
        mov eax, cr0
paging_off:
        and eax, 0x7fffffff
        mov cr0, eax                    ; paging off: LMA clears
        mov ecx, 0xc0000080
        rdmsr
        and eax, ~0x100
        wrmsr
        mov eax, cr4
        and eax, ~0x20
        mov cr4, eax
        mov esi, msg_back32
        call puts32
to_pm16:
        jmp 0x18:pm16_back

; INT 0x40 in protected mode: eax + 1, says so on COM1
pm_int40:
        push esi
        mov esi, msg_int40
        call puts32
        pop esi
        inc eax
        iret

puts32: push eax
        push edx
        mov dx, COM1
.n:     lodsb
        test al, al
        jz .d
        out dx, al
        jmp .n
.d:     pop edx
        pop eax
        ret

fail32: mov dx, 0xf4
        mov eax, 9
        out dx, eax
        hlt

; ---------------------------------------------------------------- 64-bit
bits 64
long_entry:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov rsp, 0x90000
        mov rax, long_int41             ; 64-bit IDT gate 0x41
        mov rdi, idt64 + 0x41 * 16
        mov [rdi], ax
        mov word [rdi + 2], 0x28
        mov word [rdi + 4], 0x8e00
        shr rax, 16
        mov [rdi + 6], ax
        shr rax, 16
        mov [rdi + 8], eax
        lidt [idt64_ptr]
        mov rax, 0x100000029            ; a 64-bit value through the handler
        int 0x41
        mov rcx, 0x10000002a
        cmp rax, rcx
        jne long_bad
        mov rsi, msg_long
        call puts64
        push 0x08                       ; far return to 32-bit compatibility mode
        mov rax, compat_entry
        push rax
to_compat:
        retfq
long_bad:
        mov dx, 0xf4
        mov eax, 10
        out dx, eax
        hlt

long_int41:
        push rsi
        mov rsi, msg_int41
        call puts64
        pop rsi
        inc rax
        iretq

puts64: push rax
        push rdx
        mov dx, COM1
.n:     lodsb
        test al, al
        jz .d
        out dx, al
        jmp .n
.d:     pop rdx
        pop rax
        ret

; ---------------------------------------------------------------- data at 1 MiB
section .data
msg_pm32:   db "modes: prot32 ok", 10, 0
msg_int40:  db "modes: int 0x40 in protected mode", 10, 0
msg_long:   db "modes: long64 ok", 10, 0
msg_int41:  db "modes: int 0x41 in long mode", 10, 0
msg_back32: db "modes: left long mode", 10, 0
align 8
idt32_ptr:  dw 0x42 * 8 - 1
            dd idt32
idt64_ptr:  dw 0x42 * 16 - 1
            dq idt64
align 4096
pml4:       dq pdpt + 3
            times 511 dq 0
pdpt:       dq pd + 3
            times 511 dq 0
pd:         dq 0x83                     ; 0-2 MiB identity, one large page
            times 511 dq 0
idt32:      times 0x42 * 8 db 0
align 16
idt64:      times 0x42 * 16 db 0

; ---------------------------------------------------------------- 16-bit, at 0x8000
section .low progbits alloc exec write align=16
bits 16
; 16-bit protected mode on the way down from the loader's 32-bit mode
pm16_down:
        mov ax, 0x20
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov eax, cr0
        and eax, ~1
        mov cr0, eax
        jmp 0:real_entry

real_entry:
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x7000                 ; (all of ESP: gdb shows $sp as a 64-bit register)
        lidt [ivt_ptr]
        mov word [0x10 * 4], int10_handler
        mov word [0x10 * 4 + 2], 0
        mov si, msg_real
        call puts16
        mov ax, 0x0f00                  ; "get video mode": the service answers AL = 3
        int 0x10
        cmp al, 3
        jne fail
        ; to protected mode
        cli
        lgdt [gdtr]
        mov eax, cr0
        or eax, 1
        mov cr0, eax
pm_jmp: jmp dword 0x08:pm32_entry

; 16-bit protected mode on the way back, then PE off
pm16_back:
        mov ax, 0x20
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov eax, cr0
pe_off: and eax, ~1
        mov cr0, eax
real_jmp:
        jmp 0:real2_entry

real2_entry:
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x7000                 ; (all of ESP: gdb shows $sp as a 64-bit register)
        lidt [ivt_ptr]
        mov si, msg_real2
        call puts16
        mov ax, 0x0f00
        int 0x10
        cmp al, 3
        jne fail
exit_guest:
        mov dx, 0xf4
        xor eax, eax
        out dx, eax                     ; status 1
        hlt

fail:   mov dx, 0xf4
        mov eax, 8
        out dx, eax
        hlt

; puts16: the string at ds:si through the INT 10h teletype service
puts16: mov ah, 0x0e
.n:     lodsb
        test al, al
        jz .d
        int 0x10
        jmp .n
.d:     ret

; INT 10h, BIOS style: AH = 0Eh prints AL on COM1, AH = 0Fh returns mode 3 in AL
int10_handler:
        cmp ah, 0x0e
        jne .mode
        push dx
        mov dx, COM1
        out dx, al
        pop dx
        iret
.mode:  cmp ah, 0x0f
        jne .ret
        mov al, 3
.ret:   iret

msg_real:   db "modes: real mode, int 10h", 10, 0
msg_real2:  db "modes: real again ok", 10, 0
align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff           ; 0x08: flat 32-bit code
        dq 0x00cf92000000ffff           ; 0x10: flat data
        dq 0x00009a000000ffff           ; 0x18: 16-bit code, base 0, 64 KiB
        dq 0x000092000000ffff           ; 0x20: 16-bit data
        dq 0x00af9a000000ffff           ; 0x28: 64-bit code
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
ivt_ptr: dw 0x3ff
        dd 0
