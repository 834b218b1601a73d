; SPDX-License-Identifier: MIT
; cr3_alias.asm: the same virtual address holds different code in two address spaces
; (like two statically linked programs at 0x401000): under CR3 = A, 0x800000 maps
; physical 0x300000, under CR3 = B it maps 0x301000. Calls to it, after switching CR3
; back and forth and after remapping the page with INVLPG, must run the code that is
; mapped now, never a block translated from the other page. The called code has a
; chained jump within its page and returns through RET (an indirect branch).
; expect: exit=1 serial="cr3 alias ok"
%include "mb.inc"

PD_A equ 0x200000
PD_B equ 0x201000
PT_A equ 0x202000
PT_B equ 0x203000
CODE_A equ 0x300000
CODE_B equ 0x301000
VIRT equ 0x800000

start:  mov esp, 0x90000
        cld
        ; the two code pages: "return 0x1111 + ebx" and "return 0x2222 + ebx"
        mov esi, code_a
        mov edi, CODE_A
        mov ecx, code_a_end - code_a
        rep movsb
        mov esi, code_b
        mov edi, CODE_B
        mov ecx, code_b_end - code_b
        rep movsb
        ; page directories A and B: 0..4 MiB identity (a 4 MiB page), 8 MiB -> PT_A / PT_B
        mov edi, PD_A
        xor eax, eax
        mov ecx, 4 * 1024
        rep stosd
        mov dword [PD_A], 0x83
        mov dword [PD_B], 0x83
        mov dword [PD_A + 2 * 4], PT_A | 3
        mov dword [PD_B + 2 * 4], PT_B | 3
        mov dword [PT_A], CODE_A | 3
        mov dword [PT_B], CODE_B | 3
        mov eax, cr4
        or eax, 0x10                 ; PSE
        mov cr4, eax
        mov eax, PD_A
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax

        mov ebp, 50                  ; rounds: enough for every block to be translated and chained
.round: mov ebx, ebp
        mov eax, PD_A
        mov cr3, eax
        call VIRT
        lea edx, [ebx + 0x1111]
        cmp eax, edx
        FAIL_UNLESS e, 2
        mov eax, PD_B
        mov cr3, eax
        call VIRT
        lea edx, [ebx + 0x2222]
        cmp eax, edx
        FAIL_UNLESS e, 3
        ; same CR3 (B), remap the page to A's code with INVLPG
        mov dword [PT_B], CODE_A | 3
        invlpg [VIRT]
        call VIRT
        lea edx, [ebx + 0x1111]
        cmp eax, edx
        FAIL_UNLESS e, 4
        mov dword [PT_B], CODE_B | 3
        invlpg [VIRT]
        call VIRT
        lea edx, [ebx + 0x2222]
        cmp eax, edx
        FAIL_UNLESS e, 5
        dec ebp
        jnz .round
        PUTS ok_msg
        EXIT 0

; position-independent snippets, copied to the two physical pages
code_a: mov eax, 0x1111
        jmp short .a1                ; a block boundary inside the page (chained)
.a1:    add eax, ebx
        ret
code_a_end:
code_b: mov eax, 0x2222
        jmp short .b1
.b1:    add eax, ebx
        ret
code_b_end:

ok_msg: db "cr3 alias ok", 13, 10, 0
