; SPDX-License-Identifier: MIT
; v86task.asm: hardware task switches into and out of virtual-8086 mode (SDM vol. 3
; 7.3, 20.2-20.3): a JMP to a 32-bit TSS whose EFLAGS has VM=1 starts a V86 task
; (bases = selector << 4, limit 0xFFFF, CPL 3: V86-style segment loads); INT n through a
; DPL-3 IDT task gate and #GP (IOPL < 3 INT n, HLT, an I/O bitmap denial) through the
; #GP task gate back to the monitor, whose checks read the V86 task's saved TSS (EIP,
; EFLAGS.VM/IOPL/NT, selectors, ESP, EAX), the back link and busy bits; IRET with NT=1
; resumes the V86 task in V86 mode (and the edited TSS: EIP, IOPL). IN/OUT in V86
; mode use the TSS I/O bitmap whatever IOPL is. A 16-bit TSS (no room for VM) entered
; from V86 runs in protected mode and returns to V86 by IRET. A CALL through a GDT task
; gate into a V86 task sets its NT and back link; IRET inside V86 mode ignores NT.
; expect: exit=1 serial="v86task ok"
%include "mb.inc"
%include "task.inc"

SEL_CODE  equ 0x08
SEL_DATA  equ 0x10
SEL_A     equ 0x18              ; the monitor (32-bit TSS)
SEL_V     equ 0x20              ; V86 task entered by JMP
SEL_C     equ 0x28              ; 16-bit TSS
SEL_W     equ 0x30              ; V86 task entered by CALL
SEL_WGATE equ 0x38              ; GDT task gate -> SEL_W
SEL_H     equ 0x40              ; handler task of INT 0x42 (from W)
SEL_CODE2 equ 0x48              ; 32-bit code with base 0x100000 (task C's 16-bit IP)

BASE equ 0x100000
%define LIN(x) ((x) - $$ + BASE)

VM   equ 0x20000
NT   equ 0x4000
IOPL3 equ 0x3000
VCHK equ VM | NT | IOPL3        ; EFLAGS bits the checks compare

; Real-mode-style segments of the V86 tasks (linear = selector << 4).
V_CS equ 0x4000
V_SS equ 0x4800
V_DS equ 0x5000
V_ES equ 0x5100
V_FS equ 0x5200
V_GS equ 0x5300
V_DS2 equ 0x5400                ; loaded by MOV DS inside V86 mode
%define VOFF(x) ((x) - vcode)   ; offset of V86 code in segment V_CS

; TSS32 eip, eflags, esp, esi, es, cs, ss, ds, fs, gs (I/O bitmap at 0x68)
%macro TSS32 10
        dd 0                    ; back link
        dd 0, 0, 0, 0, 0, 0     ; ESP0 SS0 ESP1 SS1 ESP2 SS2
        dd 0                    ; CR3 (paging is off)
        dd %1, %2               ; EIP EFLAGS
        dd 0, 0, 0, 0           ; EAX ECX EDX EBX
        dd %3, 0, %4, 0         ; ESP EBP ESI EDI
        dd %5, %6, %7, %8, %9, %10 ; ES CS SS DS FS GS
        dd 0                    ; LDT
        dw 0, 0x68              ; T, I/O map base
%endmacro

; IOMAP: ports 0x00-0xff, all denied but 0x80 and 0xf4-0xf7 (isa-debug-exit), then the 0xff end byte.
%macro IOMAP 0
        times 0x10 db 0xff
        db 0xfe                 ; 0x80 allowed, 0x81-0x87 denied
        times 0x0d db 0xff
        db 0x0f                 ; 0xf4-0xf7 allowed
        db 0xff
        db 0xff
%endmacro
IOMAP_END equ 0x68 + 0x21       ; TSS limit (last byte) + 1

; EXPECT_FL tss, value, n: the saved EFLAGS' VM, NT and IOPL
%macro EXPECT_FL 3
        mov eax, [%1 + 0x24]
        and eax, VCHK
        cmp eax, %2
        FAIL_UNLESS e, %3
%endmacro

; EXPECT_W addr, value, n: a 16-bit word
%macro EXPECT_W 3
        cmp word [%1], %2
        FAIL_UNLESS e, %3
%endmacro

start:  mov esp, 0x90000
        LOAD_SEGMENTS SEL_CODE, SEL_DATA
        lidt [idtr]
        mov ax, SEL_A
        ltr ax
        ; the V86 code to V_CS:0, its inputs
        cld
        mov esi, vcode
        mov edi, V_CS << 4
        mov ecx, vcode_end - vcode
        rep movsb
        mov word [(V_DS << 4) + 0x10], 0x1234
        mov word [(V_ES << 4) + 4], 0x1111
        mov word [(V_DS2 << 4)], 0xbeef

        ; --- (1) JMP to the V86 task; it comes back by INT 0x40 (task gate, DPL 3)
        jmp SEL_V:0
        cmp esp, 0x90000                     ; no error code
        FAIL_UNLESS e, 1
        str ax
        cmp ax, SEL_A
        FAIL_UNLESS e, 2
        EXPECT_W tss_a, SEL_V, 3             ; nested: back link, NT
        pushfd
        pop eax
        test eax, NT
        FAIL_UNLESS nz, 4
        cmp byte [gdt + SEL_V + 5], 0x8b     ; V stays busy, A busy
        FAIL_UNLESS e, 5
        cmp byte [gdt + SEL_A + 5], 0x8b
        FAIL_UNLESS e, 6
        EXPECT tss_v + 0x20, VOFF(v_r1), 7   ; INT n: the next instruction
        EXPECT_FL tss_v, VM | IOPL3, 8       ; entered by JMP: NT clear
        EXPECT_W tss_v + 0x4c, V_CS, 9
        EXPECT_W tss_v + 0x50, V_SS, 10
        EXPECT_W tss_v + 0x54, V_DS, 11
        EXPECT_W tss_v + 0x48, V_ES, 12
        EXPECT_W tss_v + 0x58, V_FS, 13
        EXPECT_W tss_v + 0x5c, V_GS, 14
        EXPECT tss_v + 0x38, 0x1000, 15      ; ESP
        EXPECT tss_v + 0x28, 0x2345, 16      ; EAX: DS:SI + ES:4
        EXPECT_W (V_FS << 4) + 6, 0x2345, 17 ; stored through FS
        EXPECT_W tss_v, 0, 18                ; V's back link untouched

        ; --- (2) IRET (NT) back into V86; IN from a port the bitmap denies, IOPL 3: #GP(0)
        iretd
        cmp esp, 0x90000 - 4
        FAIL_UNLESS e, 20
        pop eax
        test eax, eax
        FAIL_UNLESS z, 21
        EXPECT_W tss_a, SEL_V, 22
        test dword [tss_a + 0x24], NT        ; the IRET saved us with NT clear
        FAIL_UNLESS z, 29
        cmp byte [gdt + SEL_V + 5], 0x8b
        FAIL_UNLESS e, 23
        EXPECT tss_v + 0x20, VOFF(v_io), 24  ; a fault: the faulting instruction
        EXPECT_FL tss_v, VM | IOPL3, 25
        EXPECT_W tss_v + 0x54, V_DS2, 26     ; MOV DS in V86 mode
        EXPECT_W (V_GS << 4) + 8, 0xbeef, 27 ; read through the new DS base
        EXPECT_W (V_DS << 4) + 0x20, 0x1000, 28 ; SP pushed in V86 mode (16-bit stack)
        ; skip the IN, IOPL 0 from now on
        add dword [tss_v + 0x20], 2
        and dword [tss_v + 0x24], ~IOPL3

        ; --- (3) INT n with IOPL 0: #GP(0)
        iretd
        cmp esp, 0x90000 - 4
        FAIL_UNLESS e, 30
        pop eax
        test eax, eax
        FAIL_UNLESS z, 31
        EXPECT tss_v + 0x20, VOFF(v_int), 32
        EXPECT_FL tss_v, VM, 33
        add dword [tss_v + 0x20], 2

        ; --- (4) IN allowed by the bitmap at IOPL 0, then HLT: #GP(0)
        iretd
        pop eax
        test eax, eax
        FAIL_UNLESS z, 40
        EXPECT tss_v + 0x20, VOFF(v_hlt), 41
        EXPECT_W (V_GS << 4) + 0xc, 0x600d, 42
        inc dword [tss_v + 0x20]
        or dword [tss_v + 0x24], IOPL3

        ; --- (5) INT 0x44 to the 16-bit TSS C and its IRET back to V86 mode, then INT 0x40
        iretd
        cmp esp, 0x90000
        FAIL_UNLESS e, 50
        EXPECT c_ok, 1, 51
        EXPECT tss_v + 0x20, VOFF(v_r6), 52
        EXPECT_FL tss_v, VM | IOPL3, 53
        cmp byte [gdt + SEL_C + 5], 0x81     ; C left by IRET: available
        FAIL_UNLESS e, 54
        test word [tss_c + 0x10], NT         ; and saved with NT clear
        FAIL_UNLESS z, 56
        EXPECT_W (V_GS << 4) + 0x12, 0x5a5a, 55 ; V saw C's mark in V86 mode

        ; --- (6) CALL through a task gate into V86 task W; W's INT 0x42 to task H ends the test
        call SEL_WGATE:0
        EXIT 60                               ; IRET in V86 mode must not return here

; ---------------------------------------------------------------- 16-bit TSS task C
task_c: str ax                                ; runs at CS base 0x100000 (16-bit IP), protected mode
        cmp ax, SEL_C
        FAIL_UNLESS e, 70
        cmp word [tss_c], SEL_V
        FAIL_UNLESS e, 71
        pushfd
        pop eax
        test eax, NT
        FAIL_UNLESS nz, 72
        mov eax, [tss_v + 0x24]              ; the V86 task's VM kept in its 32-bit TSS
        and eax, VCHK
        cmp eax, VM | IOPL3
        FAIL_UNLESS e, 73
        cmp word [tss_v + 0x4c], V_CS
        FAIL_UNLESS e, 74
        mov word [(V_GS << 4) + 0x10], 0xc0de
        mov dword [c_ok], 1
        iretd
        jmp task_c

; ---------------------------------------------------------------- task H (from W)
task_h: str ax
        cmp ax, SEL_H
        FAIL_UNLESS e, 80
        cmp word [tss_h], SEL_W
        FAIL_UNLESS e, 81
        cmp word [tss_w], SEL_A              ; CALL: W's back link is the caller
        FAIL_UNLESS e, 82
        EXPECT_FL tss_w, VM | IOPL3 | NT, 83 ; and W's NT
        EXPECT tss_w + 0x20, VOFF(w_r), 84
        cmp byte [gdt + SEL_A + 5], 0x8b
        FAIL_UNLESS e, 85
        cmp byte [gdt + SEL_W + 5], 0x8b
        FAIL_UNLESS e, 86
        cmp byte [gdt + SEL_H + 5], 0x8b
        FAIL_UNLESS e, 87
        EXPECT_W tss_w + 0x4c, V_CS, 88
        EXPECT tss_w + 0x38, 0x800, 89       ; W's SP after its own V86 IRET
        EXPECT_W (V_GS << 4) + 0x14, 0x77, 90
        PUTS ok_msg
        EXIT 0

; ---------------------------------------------------------------- V86 code (copied to V_CS:0)
; VFAIL n: from V86 mode, exit with status 2n+1 (ports 0xf4-0xf7 allowed by the bitmap)
%macro VFAIL 1
        mov dx, 0xf4
        mov eax, %1
        out dx, eax
        jmp $
%endmacro

bits 16
vcode:
v0:     in al, 0x80                          ; allowed by the bitmap
        mov ax, [si]                         ; DS:SI = 0x5010
        add ax, [es:4]
        mov [fs:6], ax
        int 0x40                             ; (1)
v_r1:   mov bx, sp
        push bx                              ; a 16-bit push through SS = V_SS
        pop word [0x20]                      ; V_DS: 0x50020
        mov ax, V_DS2
        mov ds, ax                           ; base 0x54000
        mov ax, [0]
        mov [gs:8], ax
v_io:   in al, 0x81                          ; (2) denied by the bitmap with IOPL 3
v_int:  int 0x41                             ; (3) IOPL 0: #GP(0)
        in al, 0x80                          ; allowed at IOPL 0
        mov word [gs:0xc], 0x600d
v_hlt:  hlt                                  ; (4)
        int 0x44                             ; (5) 16-bit TSS C
v_r5:   cmp word [gs:0x10], 0xc0de
        je .ok
        VFAIL 100
.ok:    mov word [gs:0x12], 0x5a5a
        int 0x40
v_r6:   VFAIL 101                            ; never resumed

w0:     pushf                                ; V86 IRET (IOPL 3) with NT = 1: no task return
        push cs
        push word VOFF(w1)
        iret
        VFAIL 102
w1:     pushf
        pop ax
        test ax, NT
        jnz .ok
        VFAIL 103
.ok:    mov word [gs:0x14], 0x77
        int 0x42
w_r:    VFAIL 104
vcode_end:
bits 32

ok_msg: db "v86task ok", 10, 0

align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff                ; 0x08 code
        dq 0x00cf92000000ffff                ; 0x10 data
        TSSDESC tss_a, 0x67, 0x89
        TSSDESC tss_v, IOMAP_END - 1, 0x89
        TSSDESC tss_c, 0x2b, 0x81
        TSSDESC tss_w, IOMAP_END - 1, 0x89
        TASKGATE SEL_W, 0x85
        TSSDESC tss_h, 0x67, 0x89
        dw 0xffff, 0                         ; 0x48 code, base 0x100000
        db 0x10, 0x9a, 0xcf, 0x00
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt

align 4
tss_a:  TSS32 0, 2, 0, 0, SEL_DATA, SEL_CODE, SEL_DATA, SEL_DATA, SEL_DATA, SEL_DATA
tss_v:  TSS32 VOFF(v0), VM | IOPL3 | 2, 0x1000, 0x10, V_ES, V_CS, V_SS, V_DS, V_FS, V_GS
        IOMAP
tss_w:  TSS32 VOFF(w0), VM | IOPL3 | 2, 0x800, 0, V_ES, V_CS, V_SS, V_DS, V_FS, V_GS
        IOMAP
tss_h:  TSS32 task_h, 2, 0x88000, 0, SEL_DATA, SEL_CODE, SEL_DATA, SEL_DATA, SEL_DATA, SEL_DATA
tss_c:  TSS16 task_c, 0                  ; 16-bit TSS

c_ok:   dd 0
align 8
idt:    times 13 dq 0
        TASKGATE SEL_A, 0x85                 ; 13: #GP -> the monitor
        times 0x40 - 14 dq 0
        TASKGATE SEL_A, 0xe5                 ; 0x40: DPL 3
        dq 0                                 ; 0x41: not present (must not be reached)
        TASKGATE SEL_H, 0xe5                 ; 0x42
        dq 0
        TASKGATE SEL_C, 0xe5                 ; 0x44
        times 256 - 0x45 dq 0
