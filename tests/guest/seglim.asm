; SPDX-License-Identifier: MIT
; seglim.asm: protected-mode segment checks on ordinary data accesses. Each probe
; runs at CPL 3 (so a faulting stack access still has the TSS's ring-0 stack for
; the exception frame) and ends either in a fault (#GP / #SS handler) or in
; INT 0x80 (no fault); the handler records vector, error code, EIP, ESP and
; registers, and returns to the ring-0 caller of run3. Checked: expand-up limits
; at the edge (last byte, first byte past, a word straddling), 32-bit and 16-bit
; (B = 0) expand-down data segments, #SS(0) from PUSH, POP and MOV [EBP] on an
; expand-down stack (ESP unchanged), writes to a read-only segment (MOV, ADD,
; REP STOSB), CS-override reads of an execute-only (#GP) and an execute-read code
; segment, a write through CS and through a code segment in DS, a null DS / ES,
; REP MOVSB / STOSB stopping at the limit part way (ECX, ESI, EDI, data exact),
; 16-bit addressing wrapping inside the limit, accesses made by helpers (LOCK,
; XCHG, CMPXCHG8B, x87, SSE, FXSAVE), and segmentation before paging (paging is
; on: a read-only segment onto a not-present page gives #GP for ADD and MOV, #PF
; only for the allowed read).
; expect: exit=1 serial="seglim ok"
%include "mb.inc"

TA      equ 0x200000                 ; base of the test segments
R3ESP   equ 0x80000                  ; ring-3 stack (flat)
R0ESP   equ 0x70000                  ; ring-0 stack of the TSS

; selectors (RPL 3)
FLAT3   equ 0x23
CODE3   equ 0x1b
EU      equ 0x33                     ; data RW, expand-up, limit 0xfff, base TA
RO      equ 0x3b                     ; data read-only, limit 0xfff, base TA
ED32    equ 0x43                     ; data RW expand-down, B = 1, limit 0xfff, base TA
ED16    equ 0x4b                     ; data RW expand-down, B = 0, limit 0xfff, base TA
XO      equ 0x53                     ; code execute-only, flat, 32-bit
RONP    equ 0x5b                     ; data read-only, limit 0xfff, base 8 MiB (not present)

; RUN probe: runs ring-3 code at label probe; returns here when it faulted or did INT 0x80
%macro RUN 1
        mov eax, %1
        call run3
%endmacro
; OK n: the probe did not fault
%macro OK 1
        cmp dword [f_vec], 0x80
        FAIL_UNLESS e, %1
%endmacro
; FAULT vector, eip, n: the probe raised vector with error code 0 at eip
%macro FAULT 3
        cmp dword [f_vec], %1
        FAIL_UNLESS e, %3
        cmp dword [f_err], 0
        FAIL_UNLESS e, %3
        cmp dword [f_eip], %2
        FAIL_UNLESS e, %3
%endmacro

start:  mov esp, 0x90000
        ; TSS descriptor base and IDT gates at run time (labels are not scalars)
        mov eax, tss
        mov [gdt_tss + 2], ax
        shr eax, 16
        mov [gdt_tss + 4], al
        mov [gdt_tss + 7], ah
        mov dword [tss + 4], R0ESP
        mov dword [tss + 8], 0x10
        mov word [tss + 102], 104
        lgdt [gdtr]
        jmp 0x08:.cs
.cs:    mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov fs, ax
        mov gs, ax
        IDT_GATE32 12, h_ss
        IDT_GATE32 13, h_gp
        IDT_GATE32 14, h_pf
        IDT_GATE32 0x80, h_80
        mov byte [idt + 0x80 * 8 + 5], 0xee   ; DPL 3
        lidt [idtr]
        mov eax, cr4
        or eax, 0x600                         ; OSFXSR, OSXMMEXCPT
        mov cr4, eax
        mov eax, cr0
        and eax, ~0xc                         ; EM, TS clear
        or eax, 0x22                          ; MP, NE
        mov cr0, eax
        fninit
        ; paging: 4 MiB identity pages, user-accessible, but [8 MiB, 12 MiB) not present
        xor eax, eax
.pd:    mov edx, eax
        shl edx, 22
        or edx, 0x87                          ; P, RW, U/S, PS
        cmp eax, 2
        jne .pde
        xor edx, edx
.pde:   mov [pd + eax * 4], edx
        inc eax
        cmp eax, 1024
        jb .pd
        mov eax, cr4
        or eax, 0x10                          ; PSE
        mov cr4, eax
        mov eax, pd
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov ax, 0x28
        ltr ax
        ; test data: TA + 0xfff = 0x5a, TA + 0x1000 = 0xa5, TA + 0xfffe = 0x1234
        mov byte [TA + 0xfff], 0x5a
        mov byte [TA + 0x1000], 0xa5
        mov word [TA + 0xfffe], 0x1234
        mov dword [TA - 4], 0xcafef00d       ; offset 0xfffffffc of a base-TA segment
        mov byte [TA], 0x3c

        ; --- expand-up, limit 0xfff ---
        RUN p_eu_last
        OK 2
        cmp byte [f_eax], 0x5a
        FAIL_UNLESS e, 2
        RUN p_eu_past
        FAULT 13, a_eu_past, 3
        RUN p_eu_straddle
        FAULT 13, a_eu_straddle, 4
        RUN p_eu_dword
        OK 5
        RUN p_eu_wpast
        FAULT 13, a_eu_wpast, 6
        cmp byte [TA + 0x1000], 0xa5         ; not written
        FAIL_UNLESS e, 6

        RUN p_a16_wrap                       ; 16-bit addressing wraps to offset 0: allowed
        OK 53
        cmp byte [f_eax], 0x3c
        FAIL_UNLESS e, 53
        RUN p_a16_edge
        FAULT 13, a_a16_edge, 54

        ; --- read-only data ---
        RUN p_ro_read
        OK 7
        RUN p_ro_write
        FAULT 13, a_ro_write, 8
        RUN p_ro_rmw
        FAULT 13, a_ro_rmw, 9
        cmp byte [TA + 0x10], 0               ; untouched
        FAIL_UNLESS e, 9
        RUN p_ro_stos
        FAULT 13, a_ro_stos, 10
        cmp dword [f_ecx], 8
        FAIL_UNLESS e, 10
        cmp dword [f_edi], 0x20
        FAIL_UNLESS e, 10

        ; segmentation before paging: a read-only segment onto a not-present page
        RUN p_ro_np_rmw
        FAULT 13, a_ro_np_rmw, 55
        RUN p_ro_np_mov
        FAULT 13, a_ro_np_mov, 56
        RUN p_ro_np_read                     ; the read itself does reach paging: #PF
        cmp dword [f_vec], 14
        FAIL_UNLESS e, 57

        ; --- expand-down, B = 1, limit 0xfff: offsets 0x1000 .. 0xffffffff ---
        RUN p_ed32_low
        OK 11
        cmp byte [f_eax], 0xa5
        FAIL_UNLESS e, 11
        RUN p_ed32_limit
        FAULT 13, a_ed32_limit, 12
        RUN p_ed32_straddle
        FAULT 13, a_ed32_straddle, 13
        RUN p_ed32_high
        OK 14
        cmp dword [f_eax], 0xcafef00d
        FAIL_UNLESS e, 14
        RUN p_ed32_zero
        FAULT 13, a_ed32_zero, 15

        ; --- expand-down, B = 0, limit 0xfff: offsets 0x1000 .. 0xffff ---
        RUN p_ed16_top
        OK 16
        cmp word [f_eax], 0x1234
        FAIL_UNLESS e, 16
        RUN p_ed16_over
        FAULT 13, a_ed16_over, 17
        RUN p_ed16_big
        FAULT 13, a_ed16_big, 18
        RUN p_ed16_limit
        FAULT 13, a_ed16_limit, 19

        ; --- stack segment faults: #SS(0), ESP unchanged ---
        RUN p_ss_push
        FAULT 12, a_ss_push, 20
        cmp dword [f_esp], 0x1000
        FAIL_UNLESS e, 20
        cmp dword [TA + 0x1000], 0x11111111  ; the first push was done
        FAIL_UNLESS e, 20
        RUN p_ss_pop
        FAULT 12, a_ss_pop, 21
        cmp word [f_esp], 0xfffe
        FAIL_UNLESS e, 21
        RUN p_ss_ebp
        FAULT 12, a_ss_ebp, 22
        RUN p_ss_ebp_ok
        OK 23
        RUN p_ss_eu
        FAULT 12, a_ss_eu, 24
        cmp dword [f_esp], 0x1002
        FAIL_UNLESS e, 24
        RUN p_ds_ebp                         ; DS override on [ebp]: #GP, not #SS
        FAULT 13, a_ds_ebp, 25

        ; --- code segments ---
        RUN p_xo_read
        FAULT 13, a_xo_read, 26
        cmp dword [f_cs], XO
        FAIL_UNLESS e, 26
        RUN p_xr_read
        OK 27
        cmp dword [f_eax], 0x600dc0de
        FAIL_UNLESS e, 27
        RUN p_xr_write
        FAULT 13, a_xr_write, 28
        RUN p_cds_write
        FAULT 13, a_cds_write, 29
        cmp dword [f_eax], 0x600dc0de        ; the read through the code DS worked
        FAIL_UNLESS e, 29

        ; --- null segments ---
        RUN p_null_ds
        FAULT 13, a_null_ds, 30
        RUN p_null_es
        FAULT 13, a_null_es, 31
        cmp dword [f_ecx], 4
        FAIL_UNLESS e, 31

        ; --- string instructions stopping at the limit part way ---
        mov edi, TA + 0xff0                  ; source bytes 0..15 at offsets 0xff0..0xfff
        xor eax, eax
.fill:  mov [edi + eax], al
        inc eax
        cmp eax, 16
        jb .fill
        mov edi, 0x300000
        mov ecx, 0x40
        mov al, 0xee
        rep stosb
        RUN p_movs
        FAULT 13, a_movs, 32
        cmp dword [f_ecx], 0x10
        FAIL_UNLESS e, 33
        cmp dword [f_esi], 0x1000
        FAIL_UNLESS e, 33
        cmp dword [f_edi], 0x300010
        FAIL_UNLESS e, 33
        cmp dword [0x300000], 0x03020100
        FAIL_UNLESS e, 34
        cmp dword [0x30000c], 0x0f0e0d0c
        FAIL_UNLESS e, 34
        cmp byte [0x300010], 0xee
        FAIL_UNLESS e, 34

        mov edi, TA + 0xe00
        mov ecx, 0x400
        xor al, al
        rep stosb
        RUN p_stos
        FAULT 13, a_stos, 35
        cmp dword [f_ecx], 0x100
        FAIL_UNLESS e, 36
        cmp dword [f_edi], 0x1000
        FAIL_UNLESS e, 36
        cmp byte [TA + 0xfff], 0x77
        FAIL_UNLESS e, 36
        cmp byte [TA + 0xf00], 0x77
        FAIL_UNLESS e, 36
        cmp byte [TA + 0xeff], 0
        FAIL_UNLESS e, 36
        cmp byte [TA + 0x1000], 0
        FAIL_UNLESS e, 36

        RUN p_stos_down                      ; backwards on an expand-down segment
        FAULT 13, a_stos_down, 37
        cmp dword [f_ecx], 0x100 - 0x11
        FAIL_UNLESS e, 38
        cmp dword [f_edi], 0xfff
        FAIL_UNLESS e, 38
        cmp byte [TA + 0x1000], 0x66
        FAIL_UNLESS e, 38
        cmp byte [TA + 0x1010], 0x66
        FAIL_UNLESS e, 38
        cmp byte [TA + 0xfff], 0x77
        FAIL_UNLESS e, 38

        RUN p_lods_ok                        ; REP LODSD ending exactly at the limit
        OK 39
        cmp dword [f_esi], 0x1000
        FAIL_UNLESS e, 39

        ; --- accesses made by helpers: LOCK, XCHG, CMPXCHG8B, x87, SSE, FXSAVE ---
        RUN p_lock_ro
        FAULT 13, a_lock_ro, 41
        RUN p_xchg_ro
        FAULT 13, a_xchg_ro, 42
        RUN p_cx8_ro
        FAULT 13, a_cx8_ro, 43
        RUN p_btslock_ro
        FAULT 13, a_btslock_ro, 44
        RUN p_fnstcw_ro
        FAULT 13, a_fnstcw_ro, 45
        RUN p_fld_limit
        FAULT 13, a_fld_limit, 46
        RUN p_fld_ok
        OK 47
        RUN p_sse_ro
        FAULT 13, a_sse_ro, 48
        RUN p_sse_limit
        FAULT 13, a_sse_limit, 49
        RUN p_fxsave_ok
        OK 50
        RUN p_fxsave_limit
        FAULT 13, a_fxsave_limit, 51
        cmp byte [TA + 0x10], 0               ; none of them wrote the read-only segment
        FAIL_UNLESS e, 52

        ; --- a flat segment still reaches everything ---
        RUN p_flat
        OK 40
        cmp dword [f_eax], 0xcafef00d
        FAIL_UNLESS e, 40

        PUTS ok_msg
        EXIT 0

; run3: eax = ring-3 entry (CS 0x1b, SS:ESP 0x23:R3ESP, IF = 0); returns when the
; probe faults or executes INT 0x80.
run3:   mov [r0esp], esp
        mov dword [f_vec], -1
        push FLAT3
        push R3ESP
        push 0x2
        push CODE3
        push eax
        iretd

h_pf:   push 14
        jmp h_common
h_ss:   push 12
        jmp h_common
h_gp:   push 13
        jmp h_common
h_80:   push 0
        push 0x80
h_common:                            ; DS may be anything: record through SS (flat, ring 0)
        mov [ss:f_eax], eax
        mov [ss:f_ecx], ecx
        mov [ss:f_esi], esi
        mov [ss:f_edi], edi
        pop eax
        mov [ss:f_vec], eax
        pop eax
        mov [ss:f_err], eax
        pop eax
        mov [ss:f_eip], eax
        pop eax
        mov [ss:f_cs], eax
        pop eax                      ; eflags
        pop eax
        mov [ss:f_esp], eax
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        cld
        mov esp, [r0esp]
        ret

; ---- ring-3 probes ----
p_eu_last:
        mov ax, EU
        mov ds, ax
        mov al, [0xfff]
        int 0x80
p_eu_past:
        mov ax, EU
        mov ds, ax
a_eu_past:
        mov al, [0x1000]
        int 0x80
p_eu_straddle:
        mov ax, EU
        mov ds, ax
a_eu_straddle:
        mov ax, [0xfff]
        int 0x80
p_eu_dword:
        mov ax, EU
        mov ds, ax
        mov eax, [0xffc]
        int 0x80
p_eu_wpast:
        mov ax, EU
        mov es, ax
a_eu_wpast:
        mov byte [es:0x1000], 1
        int 0x80

p_a16_wrap:
        mov ax, EU
        mov ds, ax
        mov ebx, 0xff00
        mov esi, 0x100
        a16 mov al, [bx + si]
        int 0x80
p_a16_edge:
        mov ax, EU
        mov ds, ax
        mov ebx, 0xf00
        mov esi, 0x100
a_a16_edge:
        a16 mov al, [bx + si]
        int 0x80

p_ro_read:
        mov ax, RO
        mov ds, ax
        mov eax, [0xffc]
        int 0x80
p_ro_write:
        mov ax, RO
        mov ds, ax
a_ro_write:
        mov [0x10], al
        int 0x80
p_ro_rmw:
        mov ax, RO
        mov fs, ax
        mov al, 1
a_ro_rmw:
        add [fs:0x10], al
        int 0x80
p_ro_stos:
        mov ax, RO
        mov es, ax
        mov edi, 0x20
        mov ecx, 8
a_ro_stos:
        rep stosb
        int 0x80

p_ro_np_rmw:
        mov ax, RONP
        mov ds, ax
a_ro_np_rmw:
        add [0x10], al
        int 0x80
p_ro_np_mov:
        mov ax, RONP
        mov ds, ax
a_ro_np_mov:
        mov [0x10], al
        int 0x80
p_ro_np_read:
        mov ax, RONP
        mov ds, ax
        mov al, [0x10]
        int 0x80

p_ed32_low:
        mov ax, ED32
        mov ds, ax
        mov al, [0x1000]
        int 0x80
p_ed32_limit:
        mov ax, ED32
        mov ds, ax
a_ed32_limit:
        mov al, [0xfff]
        int 0x80
p_ed32_straddle:
        mov ax, ED32
        mov gs, ax
a_ed32_straddle:
        mov eax, [gs:0xffe]
        int 0x80
p_ed32_high:
        mov ax, ED32
        mov ds, ax
        mov eax, [0xfffffffc]
        int 0x80
p_ed32_zero:
        mov ax, ED32
        mov ds, ax
        xor ebx, ebx
a_ed32_zero:
        mov [ebx], eax
        int 0x80

p_ed16_top:
        mov ax, ED16
        mov ds, ax
        mov ax, [0xfffe]
        int 0x80
p_ed16_over:
        mov ax, ED16
        mov ds, ax
a_ed16_over:
        mov ax, [0xffff]
        int 0x80
p_ed16_big:
        mov ax, ED16
        mov ds, ax
a_ed16_big:
        mov al, [0x10000]
        int 0x80
p_ed16_limit:
        mov ax, ED16
        mov ds, ax
a_ed16_limit:
        mov al, [0xfff]
        int 0x80

p_ss_push:                           ; expand-down stack, B = 1: 0x1000 is the lowest byte
        mov ax, ED32
        mov ss, ax
        mov esp, 0x1004
        mov eax, 0x11111111
        push eax
a_ss_push:
        push eax
        int 0x80
p_ss_pop:                            ; expand-down stack, B = 0: SP = 0xfffe, a dword pop crosses 0xffff
        mov ax, ED16
        mov ss, ax
        mov esp, 0xfffe
a_ss_pop:
        pop eax
        int 0x80
p_ss_ebp:
        mov ax, ED32
        mov ss, ax
        mov esp, 0x2000
        mov ebp, 0xffc
a_ss_ebp:
        mov eax, [ebp]
        int 0x80
p_ss_ebp_ok:
        mov ax, ED32
        mov ss, ax
        mov esp, 0x2000
        mov ebp, 0xffc
        mov eax, [ebp + 4]
        int 0x80
p_ss_eu:                             ; expand-up stack, limit 0xfff: a push at ESP 0x1002 straddles
        mov ax, EU
        mov ss, ax
        mov esp, 0x1002
        mov eax, 1
a_ss_eu:
        push eax
        int 0x80
p_ds_ebp:
        mov ax, FLAT3
        mov ss, ax
        mov ax, EU
        mov ds, ax
        mov ebp, 0x1000
a_ds_ebp:
        mov eax, [ds:ebp]
        int 0x80

p_xo_read:
        jmp XO:.in
.in:
a_xo_read:
        mov eax, [cs:xr_val]
        int 0x80
p_xr_read:
        mov eax, [cs:xr_val]
        int 0x80
p_xr_write:
        mov eax, 1
a_xr_write:
        mov [cs:xr_val], eax
        int 0x80
p_cds_write:
        mov ax, CODE3
        mov ds, ax
        mov eax, [xr_val]
a_cds_write:
        mov [xr_val], eax
        int 0x80

p_null_ds:
        xor eax, eax
        mov ds, ax
a_null_ds:
        mov eax, [0x1000]
        int 0x80
p_null_es:
        mov ax, FLAT3
        mov ds, ax
        xor eax, eax
        mov es, ax
        mov ecx, 4
        xor edi, edi
a_null_es:
        rep stosb
        int 0x80

p_movs:                              ; DS limit 0xfff, ESI 0xff0: 16 bytes, then #GP
        mov ax, EU
        mov ds, ax
        mov ax, FLAT3
        mov es, ax
        mov esi, 0xff0
        mov edi, 0x300000
        mov ecx, 0x20
a_movs:
        rep movsb
        int 0x80
p_stos:                              ; ES limit 0xfff, EDI 0xf00: 256 bytes, then #GP
        mov ax, EU
        mov es, ax
        mov edi, 0xf00
        mov ecx, 0x200
        mov al, 0x77
a_stos:
        rep stosb
        int 0x80
p_stos_down:                         ; ES expand-down from 0x1010 down: 17 bytes, then #GP at 0xfff
        mov ax, ED32
        mov es, ax
        mov edi, 0x1010
        mov ecx, 0x100
        mov al, 0x66
        std
a_stos_down:
        rep stosb
        int 0x80
p_lods_ok:
        mov ax, EU
        mov ds, ax
        mov esi, 0xf00
        mov ecx, 0x40
        rep lodsd
        int 0x80
p_flat:
        mov ax, FLAT3
        mov ds, ax
        mov eax, [TA - 4]
        int 0x80

p_lock_ro:
        mov ax, RO
        mov ds, ax
a_lock_ro:
        lock add [0x10], eax
        int 0x80
p_xchg_ro:
        mov ax, RO
        mov ds, ax
a_xchg_ro:
        xchg [0x10], eax
        int 0x80
p_cx8_ro:
        mov ax, RO
        mov ds, ax
        xor eax, eax
        xor edx, edx
a_cx8_ro:
        cmpxchg8b [0x10]
        int 0x80
p_btslock_ro:
        mov ax, RO
        mov ds, ax
a_btslock_ro:
        lock bts dword [0x10], 3
        int 0x80
p_fnstcw_ro:
        mov ax, RO
        mov ds, ax
a_fnstcw_ro:
        fnstcw [0x10]
        int 0x80
p_fld_limit:                         ; 8 bytes at 0xffc cross the limit 0xfff
        mov ax, EU
        mov ds, ax
a_fld_limit:
        fld qword [0xffc]
        int 0x80
p_fld_ok:
        mov ax, EU
        mov ds, ax
        fld qword [0xff8]
        fstp qword [0xff0]
        int 0x80
p_sse_ro:
        mov ax, RO
        mov ds, ax
a_sse_ro:
        movups [0x10], xmm0
        int 0x80
p_sse_limit:
        mov ax, EU
        mov ds, ax
a_sse_limit:
        movups xmm0, [0xff8]
        int 0x80
p_fxsave_ok:                         ; 512 bytes at 0xe00 end at the limit
        mov ax, EU
        mov ds, ax
        fxsave [0xe00]
        int 0x80
p_fxsave_limit:
        mov ax, EU
        mov ds, ax
a_fxsave_limit:
        fxsave [0xe10]
        int 0x80

xr_val: dd 0x600dc0de

ok_msg: db "seglim ok", 13, 10, 0
align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff        ; 0x08 ring-0 code
        dq 0x00cf92000000ffff        ; 0x10 ring-0 data
        dq 0x00cffa000000ffff        ; 0x18 ring-3 code, execute/read
        dq 0x00cff2000000ffff        ; 0x20 ring-3 data
gdt_tss:
        dq 0x0000890000000067        ; 0x28 32-bit TSS (base patched)
        dq 0x0040f22000000fff        ; 0x30 EU: data RW, limit 0xfff, base TA
        dq 0x0040f02000000fff        ; 0x38 RO: data read-only
        dq 0x0040f62000000fff        ; 0x40 ED32: expand-down, B = 1
        dq 0x0000f62000000fff        ; 0x48 ED16: expand-down, B = 0
        dq 0x00cff8000000ffff        ; 0x50 XO: code, execute-only
        dq 0x0040f08000000fff        ; 0x58 RONP: data read-only, base 0x800000
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt
r0esp:  dd 0
f_vec:  dd 0
f_err:  dd 0
f_eip:  dd 0
f_cs:   dd 0
f_esp:  dd 0
f_eax:  dd 0
f_ecx:  dd 0
f_esi:  dd 0
f_edi:  dd 0
align 8
tss:    times 104 db 0
align 4096
pd:     times 1024 dd 0
idt:    times 256 dq 0
