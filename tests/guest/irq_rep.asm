; SPDX-License-Identifier: MIT
; irq_rep.asm: PIT interrupts (10 kHz) arriving in the middle of long REP MOVSD and
; REP STOSB (backwards, DF = 1): the handler sees the REP instruction as the saved EIP
; with ECX part way, and the string operations still end with every byte right and
; ECX, ESI, EDI where they belong. Repeats each until an interrupt has hit mid-way.
; expect: exit=1 serial="irq_rep ok"
; expect: exit=1 serial="irq_rep ok" args="-icount shift=3"
%include "mb.inc"

SRC equ 0x400000
DST equ 0xc00000
DWORDS equ 0x200000                  ; 8 MiB

start:  mov esp, 0x90000
        FLAT_SEGMENTS
        IDT_GATE32 0x20, irq0
        lidt [idtr]
        PIC_INIT 0xfe, 0xff
        mov al, 0x34                 ; PIT channel 0, rate generator, 119 -> ~10 kHz
        out 0x43, al
        mov al, 119
        out 0x40, al
        xor al, al
        out 0x40, al
        cld
        ; source pattern: dword i = i * 0x9e3779b9
        mov edi, SRC
        xor eax, eax
        mov ecx, DWORDS
.fill:  mov edx, eax
        imul edx, edx, 0x9e3779b9
        mov [edi], edx
        add edi, 4
        inc eax
        loop .fill

        ; 1. REP MOVSD, forwards
        mov ebp, 200
.copy:  mov dword [DST + DWORDS * 4 - 4], 0
        mov esi, SRC
        mov edi, DST
        mov ecx, DWORDS
        mov dword [want_eip], .movs_at
        sti
.movs_at: rep movsd
        cli
        test ecx, ecx
        FAIL_UNLESS z, 2
        cmp esi, SRC + DWORDS * 4
        FAIL_UNLESS e, 3
        cmp edi, DST + DWORDS * 4
        FAIL_UNLESS e, 4
        mov esi, SRC
        mov edi, DST
        mov ecx, DWORDS
        repe cmpsd
        FAIL_UNLESS e, 5
        cmp dword [mid_hits], 0
        jne .copied
        dec ebp
        jnz .copy
        EXIT 6                       ; no interrupt ever landed inside the REP
.copied:
        ; 2. REP STOSB backwards
        mov dword [mid_hits], 0
        mov ebp, 200
.store: inc byte [fillb]
        mov al, [fillb]
        mov edi, DST + DWORDS * 4 - 1
        mov ecx, DWORDS * 4
        mov dword [want_eip], .stos_at
        std
        sti
.stos_at: rep stosb
        cli
        cld
        test ecx, ecx
        FAIL_UNLESS z, 7
        cmp edi, DST - 1
        FAIL_UNLESS e, 8
        mov edi, DST
        mov ecx, DWORDS * 4
        repe scasb
        FAIL_UNLESS e, 9
        cmp dword [mid_hits], 0
        jne .stored
        dec ebp
        jnz .store
        EXIT 10
.stored:
        cmp dword [ticks], 2
        FAIL_UNLESS ae, 11
        PUTS ok_msg
        EXIT 0

; IRQ 0: count, and note an interrupt taken inside the REP (saved EIP = the REP, ECX part way)
irq0:   push eax
        inc dword [ticks]
        mov eax, [esp + 4]
        cmp eax, [want_eip]
        jne .eoi
        test ecx, ecx
        jz .eoi
        inc dword [mid_hits]
.eoi:   mov al, 0x20
        out 0x20, al
        pop eax
        iretd

ticks:  dd 0
mid_hits: dd 0
want_eip: dd 0
fillb:  db 0
ok_msg: db "irq_rep ok", 10, 0
        FLAT_GDT
idtr:   dw 256 * 8 - 1
        dd idt
idt:    times 256 * 8 db 0
