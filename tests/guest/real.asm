; SPDX-License-Identifier: MIT
; real.asm: real-mode interrupts and exceptions through the IVT: INT n, INT3, INTO,
; #DE, #BR, #UD return addresses and frames, IF/TF clearing, IRET, nested INT, far CALL/RET/JMP.
bits 16
org 0x1000
%include "guest.inc"

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x8000
        mov word [0x80*4], int80
        mov word [0x80*4+2], 0
        mov word [0x81*4], int81
        mov word [0x81*4+2], 0
        mov word [0*4], de_h
        mov word [0*4+2], 0
        mov word [3*4], bp_h
        mov word [3*4+2], 0
        mov word [4*4], of_h
        mov word [4*4+2], 0
        mov word [5*4], br_h
        mov word [5*4+2], 0
        mov word [6*4], ud_h
        mov word [6*4+2], 0

        ; INT n: handler runs with IF clear, IRET restores IF; the frame is FLAGS CS IP
        sti
        mov bx, 0
        mov si, sp
        int 0x80
        cmp bx, 0x1234
        CHECK 2, e
        cmp sp, si
        CHECK 3, e
        pushf
        pop ax
        test ax, 0x200
        CHECK 4, nz

        ; #DE: a fault, the pushed IP is the DIV's
        mov ax, 100
        mov bl, 0
div1:   div bl
        cmp word [de_ip], div1
        CHECK 5, e
        cmp ax, 0x0032                  ; the handler set BL=2, AX=100 and the DIV re-ran
        CHECK 6, e

        ; INT3: a trap, the pushed IP is the next instruction
        int3
aft3:   cmp word [bp_ip], aft3
        CHECK 7, e

        ; INTO: no trap with OF clear, a trap with OF set
        mov word [of_n], 0
        xor ax, ax
        into
        cmp word [of_n], 0
        CHECK 8, e
        mov al, 0x7f
        add al, 1
        into
afto:   cmp word [of_n], 1
        CHECK 9, e
        cmp word [of_ip], afto
        CHECK 10, e

        ; BOUND: #BR is a fault; the handler moves AX into range and it re-executes
        mov ax, 50
chkb:   bound ax, [bounds]
        cmp ax, 10
        CHECK 11, e
        cmp word [br_ip], chkb
        CHECK 12, e

        ; #UD (UD2): fault at the instruction; the handler skips it
ud:     ud2
        cmp word [ud_ip], ud
        CHECK 13, e

        ; nested software interrupts, CS of the frame
        mov word [depth], 0
        int 0x81
        cmp word [depth], 2
        CHECK 14, e

        ; far CALL / RETF / far JMP through another CS
        call 0x0100:(farfn - 0x1000)
        cmp dx, 0x5a5a
        CHECK 15, e
        jmp 0x0100:(farjmp - 0x1000)
back:   cmp cx, 0x77
        CHECK 16, e

        ; TF: single-step trap #DB after one instruction
        mov word [1*4], db_h
        mov word [1*4+2], 0
        mov word [db_n], 0
        pushf
        pop ax
        or ax, 0x100
        push ax
        popf                            ; TF takes effect after the next instruction
        nop
        nop
        cmp word [db_n], 0
        CHECK 17, ne

        mov si, msg
.p:     lodsb
        test al, al
        jz .d
        out 0xe9, al
        jmp .p
.d:     RESULT 0

int80:  pushf
        pop ax
        test ax, 0x200
        jnz .bad
        push bp
        mov bp, sp
        test word [bp+6], 0x200         ; pushed FLAGS had IF
        jz .bad2
        cmp word [bp+4], 0              ; pushed CS
        jne .bad2
        pop bp
        mov bx, 0x1234
        iret
.bad:   RESULT 100
.bad2:  RESULT 101

int81:  inc word [depth]
        cmp word [depth], 2
        je .out
        int 0x81
.out:   iret

de_h:   push bp
        mov bp, sp
        mov ax, [bp+2]
        mov [de_ip], ax
        pop bp
        mov bl, 2
        mov ax, 100
        iret

bp_h:   push bp
        mov bp, sp
        mov ax, [bp+2]
        mov [bp_ip], ax
        pop bp
        iret

of_h:   inc word [of_n]
        push bp
        mov bp, sp
        mov ax, [bp+2]
        mov [of_ip], ax
        pop bp
        iret

br_h:   push bp
        mov bp, sp
        mov bx, [bp+2]
        mov [br_ip], bx
        pop bp
        mov ax, 10
        iret

ud_h:   push bp
        mov bp, sp
        mov ax, [bp+2]
        mov [ud_ip], ax
        add word [bp+2], 2
        pop bp
        iret

db_h:   inc word [db_n]
        push bp
        mov bp, sp
        and word [bp+6], ~0x100         ; stop stepping
        pop bp
        iret

farfn:  mov ax, cs
        cmp ax, 0x0100
        jne .bad
        mov dx, 0x5a5a
        retf
.bad:   RESULT 102

farjmp: mov cx, 0x77
        jmp 0:back

bounds: dw 0, 10
de_ip:  dw 0
bp_ip:  dw 0
of_n:   dw 0
of_ip:  dw 0
br_ip:  dw 0
ud_ip:  dw 0
depth:  dw 0
db_n:   dw 0
msg:    db "real: ok", 10, 0
