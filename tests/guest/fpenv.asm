; SPDX-License-Identifier: MIT
; fpenv.asm: the real-mode FNSTENV/FNSAVE images (16- and 32-bit): instruction and
; data pointers as 20/32-bit linear addresses split around the opcode, FLDENV and
; FRSTOR reading them back.
bits 16
org 0x1000
%include "guest.inc"

DSEG equ 0x1000                 ; data at linear 0x10000 + offset: pointer bits 19:16 = 1

start:  cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x8000
        mov ax, DSEG
        mov ds, ax
        mov es, ax
        mov dword [val], 0x40490fdb     ; pi as a float
        fninit
ld1:    fld dword [val]                 ; D9 /0, modrm 06 (disp16): FOP 0x106
        fnstenv [env16]
        cmp word [env16 + 6], ld1       ; IP bits 15:0 (CS = 0: linear = offset)
        CHECK 2, e
        cmp word [env16 + 8], 0x0106    ; IP bits 19:16 = 0, FOP
        CHECK 3, e
        cmp word [env16 + 10], val      ; DP bits 15:0
        CHECK 4, e
        cmp word [env16 + 12], 0x1000   ; DP bits 19:16 = 1
        CHECK 5, e
        cmp word [env16 + 0], 0x037f    ; FNSTENV masks exceptions: the image has the old CW
        CHECK 6, e
        o32 fnstenv [env32]
        cmp dword [env32 + 12], 0xffff0000 + ld1
        CHECK 7, e
        cmp dword [env32 + 16], 0x00000106
        CHECK 8, e
        cmp dword [env32 + 20], 0xffff0000 + val
        CHECK 9, e
        cmp dword [env32 + 24], 0x00001000
        CHECK 10, e
        ; FLDENV of the 16-bit image, then FNSTENV again gives the same 14 bytes
        fldenv [env16]
        fnstenv [env16b]
        mov si, env16
        mov di, env16b
        mov cx, 7
        cld
        repe cmpsw
        CHECK 11, e
        ; FNSAVE / FRSTOR: the stack follows the 14-byte image
        fninit
        fld dword [val]
        fnsave [save]
        cmp dword [save + 14 + 4], 0xc90fdb00  ; ST0 = pi as a float (significand, high half)
        CHECK 12, e
        cmp word [save + 14 + 8], 0x4000       ; sign/exponent
        CHECK 13, e
        fldz                                   ; FNSAVE reinitialised: now ST0 = 0
        fninit
        frstor [save]
        fstp dword [out]
        cmp dword [out], 0x40490fdb
        CHECK 14, e
        cmp word [save + 8], 0x0106            ; the image's FOP is FLD m32's
        CHECK 15, e
        RESULT 0

align 4
val:    dd 0
out:    dd 0
env16:  times 14 db 0
env16b: times 14 db 0
align 4
env32:  times 28 db 0
save:   times 108 db 0
