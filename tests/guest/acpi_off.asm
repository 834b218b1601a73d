; SPDX-License-Identifier: MIT
; acpi_off.asm: powers the machine off the way an operating system does: finds the RSDP
; in the BIOS area, checks it and the RSDT, FADT and DSDT (signatures and checksums),
; reads PM1a_CNT_BLK from the FADT and SLP_TYPa from the DSDT's \_S5 package, enables
; ACPI through SMI_CMD if the FADT asks for it, then writes SLP_TYP | SLP_EN. kiln
; must exit with status 0; coming back from the write is a failure.
; expect: exit=0 serial="acpi_off: S5"
%include "mb.inc"

start:  mov esp, 0x90000
        cld
        ; 1. "RSD PTR " on a 16-byte boundary in 0xE0000-0xFFFFF, checksum over 20 bytes
        mov esi, 0xe0000
.scan:  cmp dword [esi], 'RSD '
        jne .next
        cmp dword [esi + 4], 'PTR '
        jne .next
        mov ecx, 20
        call sum
        test al, al
        jz .found
.next:  add esi, 16
        cmp esi, 0x100000
        jb .scan
        PUTS no_rsdp
        EXIT 2
.found: mov esi, [esi + 16]              ; RSDT
        cmp dword [esi], 'RSDT'
        FAIL_UNLESS e, 3
        call table_ok
        FAIL_UNLESS z, 4
        ; 2. the FADT among the RSDT's entries
        mov ecx, [esi + 4]
        sub ecx, 36
        shr ecx, 2
        lea edi, [esi + 36]
.ent:   test ecx, ecx
        jz .nofadt
        mov ebx, [edi]
        cmp dword [ebx], 'FACP'
        je .fadt
        add edi, 4
        dec ecx
        jmp .ent
.nofadt:
        EXIT 5
.fadt:  mov esi, ebx
        call table_ok
        FAIL_UNLESS z, 6
        mov eax, [esi + 64]              ; PM1a_CNT_BLK
        test eax, eax
        FAIL_UNLESS nz, 7
        mov [pm1a_cnt], eax
        mov edx, [esi + 48]              ; SMI_CMD: 0 = ACPI is always on
        test edx, edx
        jz .enabled
        mov al, [esi + 52]               ; ACPI_ENABLE
        out dx, al
.enabled:
        ; 3. the DSDT and its \_S5 package: Name(_S5_, Package(n) { SLP_TYPa, ... })
        mov esi, [esi + 40]
        cmp dword [esi], 'DSDT'
        FAIL_UNLESS e, 8
        call table_ok
        FAIL_UNLESS z, 9
        mov ecx, [esi + 4]
        lea edi, [esi + 36]
        lea ebx, [esi + ecx - 8]
.s5:    cmp edi, ebx
        FAIL_UNLESS b, 10
        cmp dword [edi], '_S5_'
        je .s5pkg
        inc edi
        jmp .s5
.s5pkg: cmp byte [edi + 4], 0x12         ; PackageOp
        FAIL_UNLESS e, 11
        test byte [edi + 5], 0xc0        ; a one-byte PkgLength
        FAIL_UNLESS z, 12
        movzx eax, byte [edi + 7]        ; the first element (after NumElements)
        cmp al, 0x0a                     ; BytePrefix
        jne .small
        movzx eax, byte [edi + 8]
        jmp .typ
.small: cmp al, 1                        ; ZeroOp / OneOp
        FAIL_UNLESS be, 13
.typ:   and eax, 7
        mov [slp_typ], eax
        PUTS s5_msg
        ; 4. SLP_TYPa | SLP_EN
        mov eax, [slp_typ]
        shl eax, 10
        or eax, 1 << 13
        mov edx, [pm1a_cnt]
        out dx, ax
        ; still here: the power-off did not happen
        mov ecx, 1000000
.wait:  loop .wait
        PUTS still_on
        EXIT 14

; sum: al = the byte sum of ecx bytes at esi
sum:    push esi
        xor eax, eax
.s:     add al, [esi]
        inc esi
        loop .s
        pop esi
        ret
; table_ok: ZF when the table at esi (length at +4) sums to zero and is not too long
table_ok:
        mov ecx, [esi + 4]
        cmp ecx, 0x10000
        jae .bad
        cmp ecx, 36
        jb .bad
        call sum
        test al, al
        ret
.bad:   or esp, esp                      ; ZF = 0
        ret

pm1a_cnt: dd 0
slp_typ: dd 0
no_rsdp: db "acpi_off: no RSDP", 13, 10, 0
s5_msg:  db "acpi_off: S5", 13, 10, 0
still_on: db "acpi_off: still running after SLP_EN", 13, 10, 0
