; SPDX-License-Identifier: MIT
; uart_irq.asm: the COM1 16550's transmitter-empty interrupt on IRQ 4 through the PIC
; (as Linux's 8250 driver uses it): IER.ETBEI with MCR.OUT2 raises IRQ 4 while THR is
; empty, IIR says THRE (2), reading IIR clears it, and writing THR re-arms it.
; expect: exit=1 serial="uart_irq ok"
%include "mb.inc"

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        IDT_GATE32 0x24, irq4
        lidt [idtr]
        PIC_INIT 0xef, 0xff   ; PIC: vectors 0x20.., only IRQ 4 open
        ; UART: 115200 8N1, FIFOs on, OUT2 (the PC's IRQ enable) + DTR/RTS
        mov dx, COM1 + 3
        mov al, 0x80
        out dx, al
        mov dx, COM1
        mov al, 1
        out dx, al
        inc dx
        xor al, al
        out dx, al
        mov dx, COM1 + 3
        mov al, 0x03
        out dx, al
        mov dx, COM1 + 2
        mov al, 0x07
        out dx, al
        mov dx, COM1 + 4
        mov al, 0x0b
        out dx, al
        mov dx, COM1 + 2             ; no interrupt enabled: IIR = "none pending" (bit 0)
        in al, dx
        test al, 1
        FAIL_UNLESS nz, 2
        mov dx, COM1 + 1             ; ETBEI: THR is empty, so IRQ 4 is raised at once
        mov al, 0x02
        out dx, al
        mov al, 0x0a                 ; ... and waits in the PIC's IRR while IF is clear
        out 0x20, al
        in al, 0x20
        test al, 0x10
        FAIL_UNLESS nz, 9
        sti                          ; taken right after the next instruction
        nop
        nop
        cli
        cmp dword [irqs], 1
        FAIL_UNLESS e, 10
        mov al, [iir_seen]
        and al, 0x0f
        cmp al, 0x02                 ; THRE
        FAIL_UNLESS e, 11
        ; writing THR re-arms: the character goes out, THR empties, IRQ 4 again
        mov dx, COM1
        mov al, '*'
        out dx, al
        mov ecx, 1000000
        sti
.wait:  cmp dword [irqs], 2
        jae .got
        dec ecx
        jnz .wait
.got:   cli
        cmp dword [irqs], 2
        FAIL_UNLESS ae, 20
        mov dx, COM1 + 1             ; interrupts off again
        xor al, al
        out dx, al
        PUTS ok_msg
        EXIT 0

irq4:   push eax
        push edx
        inc dword [irqs]
        mov dx, COM1 + 2
        in al, dx                    ; IIR: reading it with THRE pending clears it
        mov [iir_seen], al
        mov al, 0x20
        out 0x20, al
        pop edx
        pop eax
        iretd

ok_msg: db 10, "uart_irq ok", 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
irqs:   dd 0
iir_seen: db 0
align 8
idt:    times 256 dq 0
