; SPDX-License-Identifier: MIT
; real_ivt.asm: from the loader's 32-bit protected mode back to real mode (16-bit
; protected-mode segments, CR0.PE off, far jump), then an IVT of our own: a BIOS-style
; INT 0x30 service that returns a value and sets CF in the stacked FLAGS, #DE delivered
; through vector 0 (return address = the DIV), and the PIT's IRQ 0 with the PIC at
; vector 8 (as a BIOS sets it up) in a loop and waking HLT.
; expect: exit=1 serial="real_ivt ok"
; expect: exit=1 serial="real_ivt ok" args="-icount shift=0"
%include "mb.inc"

LOW equ 0x8000                       ; where the 16-bit code runs (below 64 KiB)

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        mov esi, section.low.start   ; copy the 16-bit part down
        mov edi, LOW
        mov ecx, low_end - LOW
        cld
        rep movsb
        jmp 0x18:pm16

align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff        ; 0x08: flat 32-bit code
        dq 0x00cf92000000ffff        ; 0x10: flat 32-bit data
        dq 0x00009a000000ffff        ; 0x18: 16-bit code, base 0, limit 64 KiB
        dq 0x000092000000ffff        ; 0x20: 16-bit data
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt

section low vstart=LOW follows=.text
bits 16
pm16:   mov ax, 0x20
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov eax, cr0
        and eax, ~1
        mov cr0, eax
        jmp 0:real
real:   xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7000
        lidt [ivt_ptr]
        ; the IVT: 0x30 service, 0 #DE, 8 IRQ 0
        mov word [0x30 * 4], svc30
        mov word [0x30 * 4 + 2], 0
        mov word [0 * 4], de_handler
        mov word [0 * 4 + 2], 0
        mov word [8 * 4], irq0
        mov word [8 * 4 + 2], 0
        mov eax, cr0
        test al, 1
        jz .real_ok
        mov al, 2
        jmp fail
.real_ok:

        ; 1. INT 0x30: AX+1 and CF set through the stacked FLAGS
        clc
        mov ax, 41
        int 0x30
        jc .cf_ok
        mov al, 10
        jmp fail
.cf_ok: cmp ax, 42
        je .svc_ok
        mov al, 11
        jmp fail
.svc_ok:

        ; 2. #DE: vector 0, CS:IP of the DIV on the stack
        xor dx, dx
        mov ax, 1
        xor cx, cx
de_at:  div cx
        cmp word [de_ip], de_at
        je .de_ok
        mov al, 20
        jmp fail
.de_ok:

        ; 3. IRQ 0 at vector 8: master PIC at 8, slave at 0x70, only IRQ 0 open
        mov al, 0x11
        out 0x20, al
        out 0xa0, al
        mov al, 0x08
        out 0x21, al
        mov al, 0x70
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
        sti
        mov ecx, 2000000000
.spin:  cmp word [ticks], 3
        jae .spun
        dec ecx
        jnz .spin
        mov al, 30
        jmp fail
.spun:  cli
        mov bx, [ticks]
        sti
        hlt
        hlt
        cli
        mov ax, [ticks]
        sub ax, bx
        cmp ax, 2
        jae .hlt_ok
        mov al, 31
        jmp fail
.hlt_ok:
        mov si, real_msg
        mov dx, COM1
.puts:  lodsb
        test al, al
        jz .done
        out dx, al
        jmp .puts
.done:  mov dx, 0xf4
        xor eax, eax
        out dx, eax
.stop:  hlt
        jmp .stop

fail:   movzx eax, al
        mov dx, 0xf4
        out dx, eax
        jmp fail

svc30:  push bp
        mov bp, sp
        or word [bp + 6], 1          ; CF in the caller's FLAGS
        pop bp
        inc ax
        iret
de_handler:
        push bp
        mov bp, sp
        mov ax, [bp + 2]
        mov [de_ip], ax
        add word [bp + 2], 2         ; skip DIV CX (2 bytes)
        pop bp
        iret
irq0:   push ax
        inc word [ticks]
        mov al, 0x20
        out 0x20, al
        pop ax
        iret

real_msg: db "real_ivt ok", 10, 0
ivt_ptr: dw 0x3ff
        dd 0
de_ip:  dw 0
ticks:  dw 0
low_end:
