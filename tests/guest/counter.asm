; SPDX-License-Identifier: MIT
; counter.asm: a guest that runs until stopped from outside, for the monitor and gdb
; tests: 32-bit paging (a 4 MiB identity page and one 4 KiB page at 0xc0000000 that
; maps the counter page), the PIT's IRQ 0 at about 1 kHz counted by its handler, and a
; busy main loop (never HLT) that prints "count N" on COM1 every 100 ticks. It first
; prints "counter start page=0xPPPPPPPP irq=0xIIIIIIII loop=0xLLLLLLLL": the counter
; page's physical address (the dword there is N, the same dword is at virtual
; 0xc0000000), the IRQ 0 handler's and the main loop's addresses. No "; expect:" line: it never ends by itself.
%include "mb.inc"

VPAGE equ 0xc0000000

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        xor eax, eax
        mov [count], eax
        mov [ticks], eax
        mov dword [next], 100
        ; paging: PDE 0 = 4 MiB identity, PDE 768 -> pt, pt[0] -> counter page
        mov dword [pd], 0x00000083
        mov eax, pt
        or eax, 3
        mov [pd + (VPAGE >> 22) * 4], eax
        mov eax, count
        or eax, 3
        mov [pt], eax
        mov eax, cr4
        or eax, 0x10                 ; PSE
        mov cr4, eax
        mov eax, pd
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80010000           ; PG, WP
        mov cr0, eax
        IDT_GATE32 0x20, irq0
        lidt [idtr]
        PIC_INIT 0xfe, 0xff
        mov al, 0x34                 ; PIT channel 0: rate generator, 1193 -> ~1 kHz
        out 0x43, al
        mov ax, 1193
        out 0x40, al
        mov al, ah
        out 0x40, al
        PUTS msg_start
        mov eax, count
        call puthex
        PUTS msg_irq
        mov eax, irq0
        call puthex
        PUTS msg_loop
        mov eax, main_loop
        call puthex
        PUTS msg_nl
        sti
main_loop:
        mov eax, [ticks]
        cmp eax, [next]
        jb main_loop
        add dword [next], 100
        inc dword [VPAGE]            ; the count, through the high mapping
        PUTS msg_count
        mov eax, [count]
        call putdec
        PUTS msg_nl
        jmp main_loop

irq0:   push eax
        inc dword [ticks]
        mov al, 0x20
        out 0x20, al
        pop eax
        iret

; puthex: eax as 0x + 8 hex digits on COM1 (clobbers eax, ecx, edx, ebx)
puthex: mov ebx, eax
        mov dx, COM1
        mov al, '0'
        out dx, al
        mov al, 'x'
        out dx, al
        mov ecx, 8
.d:     rol ebx, 4
        mov al, bl
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .o
        add al, 'a' - '0' - 10
.o:     out dx, al
        dec ecx
        jnz .d
        ret

; putdec: eax in decimal on COM1 (clobbers eax, ecx, edx, edi)
putdec: mov edi, decbuf + 11
        mov byte [edi], 0
        mov ecx, 10
.l:     xor edx, edx
        div ecx
        add dl, '0'
        dec edi
        mov [edi], dl
        test eax, eax
        jnz .l
        mov esi, edi
        jmp mb_puts

msg_start: db "counter start page=", 0
msg_irq:   db " irq=", 0
msg_loop:  db " loop=", 0
msg_count: db "count ", 0
msg_nl:    db 10, 0
decbuf:    times 12 db 0

        FLAT_GDT
idtr:   dw 0x30 * 8 - 1
        dd idt
ticks:  dd 0
next:   dd 0

align 4096
count:  dd 0                         ; the counter page (mapped at VPAGE)
        times 4096 - 4 db 0
pd:     times 4096 db 0
pt:     times 4096 db 0
idt:    times 0x30 * 8 db 0
