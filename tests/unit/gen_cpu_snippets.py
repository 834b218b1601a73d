#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_cpu_snippets.py: assembles the 64-bit snippets of test_cpu_native.c with nasm into
# tests/unit/cpu_snippets.h. Run it after editing SNIPPETS: python3 gen_cpu_snippets.py > cpu_snippets.h
import subprocess, sys, tempfile, os

ALL = 0x8d5
# (name, nasm source with ';' between instructions, pointer registers, checked flags)
SNIPPETS = [
    ("add r64", "add rax, rcx", "", ALL),
    ("add r32", "add eax, edx", "", ALL),
    ("add r16", "add ax, dx", "", ALL),
    ("add r8", "add al, dl; add ah, ch; add sil, r9b", "", ALL),
    ("add imm", "add rax, 0x12345678; add ecx, -5; add dx, 0x7fff; add r8b, 0x80", "", ALL),
    ("adc", "adc rax, rcx; adc edx, r8d; adc bx, si; adc dil, r10b", "", ALL),
    ("sub", "sub rax, rcx; sub edx, r8d; sub bx, si; sub dil, r10b", "", ALL),
    ("sbb", "sbb rax, rcx; sbb edx, r8d; sbb bx, si; sbb dil, r10b", "", ALL),
    ("and/or/xor", "and rax, rcx; or edx, r8d; xor bx, si; and dil, r10b; or r11, -2", "", ALL),
    ("cmp", "cmp rax, rcx; cmp edx, 7; cmp bl, 0x80", "", ALL),
    ("test", "test rax, rcx; test edx, 0x80000000", "", ALL),
    ("alu mem", "add [rbx], rax; sub [rbx+8], ecx; xor [rbx+16], dx; or [rbx+24], r8b; and rcx, [rbx+32]; adc edx, [rbx+40]", "rbx", ALL),
    ("alu mem imm", "add qword [rbx], 5; sub dword [rbx+4], -7; cmp word [rbx+8], 0x100; and byte [rbx+12], 0x0f", "rbx", ALL),
    ("inc/dec", "inc rax; dec ecx; inc dx; dec bl; inc byte [rsi]; dec qword [rsi+8]", "rsi", ALL),
    ("neg/not", "neg rax; not ecx; neg dx; not bl; neg byte [rsi]; not qword [rsi+8]", "rsi", ALL),
    ("neg zero", "xor eax, eax; neg eax; neg r8", "", ALL),
    ("xor self", "xor eax, eax; sub rcx, rcx", "", ALL),
    ("lock alu", "lock add [rbx], rax; lock sub [rbx+8], ecx; lock xor [rbx+16], dx; lock or [rbx+24], r8b; lock adc [rbx+32], rcx; lock sbb [rbx+40], eax; lock and [rbx+48], r9", "rbx", ALL),
    ("lock inc/neg", "lock inc qword [rbx]; lock dec dword [rbx+8]; lock neg word [rbx+16]; lock not byte [rbx+24]", "rbx", ALL),
    ("mov", "mov rax, rcx; mov edx, r8d; mov bx, si; mov dil, r10b; mov ah, cl; mov r9, 0x123456789abcdef0; mov r10d, -1", "", ALL),
    ("mov mem", "mov [rbx], rax; mov [rbx+8], ecx; mov [rbx+16], dx; mov [rbx+24], ah; mov r8, [rbx+32]; mov r9d, [rbx+40]; mov r10w, [rbx+48]; mov r11b, [rbx+56]", "rbx", ALL),
    ("mov sib", "and esi, 0xff; mov rax, [rbx+rsi*8-0x800]; and edi, 0xff; mov ecx, [rbx+rdi*2+3]; mov edx, [rbx+rsi]", "rbx", ALL),
    ("movzx/movsx", "movzx eax, cl; movzx rdx, word [rsi]; movsx r8, byte [rsi+1]; movsx r9d, cx; movsxd r10, ecx; movsx r11w, dl", "rsi", ALL),
    ("lea", "lea rax, [rcx+rdx*4+0x10]; lea ecx, [rsi+rdi]; lea dx, [rax-1]; lea r8, [rel $]", "", ALL),
    ("lea 32", "lea eax, [ecx+edx*8-1]; lea r9, [r10d+r11d]", "", ALL),
    ("xchg", "xchg rax, rcx; xchg edx, r8d; xchg bl, bh; xchg [rsi], r9; xchg [rsi+8], r10w", "rsi", ALL),
    ("xchg eax", "xchg eax, eax; xchg ecx, ecx", "", ALL),
    ("cbw..cqo", "cbw; cwde; cdqe; cwd; cdq; cqo", "", ALL),
    ("cbw2", "mov ecx, eax; cwde; mov edx, ecx; cbw; xchg eax, ecx; cdqe; cqo", "", ALL),
    ("bswap", "bswap eax; bswap rcx; bswap r9d", "", ALL),
    ("movbe", "movbe eax, [rsi]; movbe rcx, [rsi+8]; movbe [rsi+16], dx; movbe [rsi+24], r8", "rsi", ALL),
    ("cmovcc", "cmp rax, rcx; cmovo rdx, rbx; cmovb r8, r9; cmovz r10d, r11d; cmovbe r12w, r13w; cmovs r14, r15; cmovp rdi, rax; cmovl esi, ecx; cmovle ebx, edx; cmovg eax, ecx", "", ALL),
    ("cmovcc mem", "test eax, eax; cmovnz rcx, [rsi]; cmovz edx, [rsi+8]; cmovns r8d, [rsi]", "rsi", ALL),
    ("setcc add", "add eax, ecx; seto dl; setb dh; setz bl; setbe bh; sets r8b; setp r9b; setl r10b; setle r11b; setno r12b; setae r13b; setnz r14b; seta r15b; setns cl; setnp ch; setge sil; setg dil", "", ALL),
    ("setcc sub", "sub eax, ecx; seto dl; setb dh; setz bl; setbe bh; sets r8b; setp r9b; setl r10b; setle r11b; setno r12b; setae r13b; setnz r14b; seta r15b; setns cl; setnp ch; setge sil; setg dil", "", ALL),
    ("setcc logic", "and rax, rcx; seto dl; setb dh; setz bl; setbe bh; sets r8b; setp r9b; setl r10b; setle r11b; seta r15b; setge sil; setg dil", "", ALL),
    ("setcc inc", "inc r9b; seto dl; setb dh; setz bl; setbe bh; sets r8b; setp cl; setl r10b; setle r11b; seta r15b; setge sil; setg dil", "", ALL),
    ("setcc flags", "seto dl; setb dh; setz bl; setbe bh; sets r8b; setp r9b; setl r10b; setle r11b; seta r15b; setge sil; setg dil; setc [rsi]", "rsi", ALL),
    ("jcc sub", "cmp eax, ecx; jb l1; inc rdx; l1: cmp rax, rcx; jg l2; inc rbx; l2: cmp ax, cx; jle l3; inc r8; l3: cmp al, cl; ja l4; inc r9; l4: js l5; inc r10; l5: jo l6; inc r11; l6: jp l7; inc r12; l7:", "", ALL),
    ("jcc logic", "test eax, ecx; jz l1; inc rdx; l1: jle l2; inc rbx; l2: jg l3; inc r8; l3: jbe l4; inc r9; l4: jl l5; inc r10; l5:", "", ALL),
    ("jcc add", "add eax, ecx; jz l1; inc rdx; l1: jc l2; inc rbx; l2: jo l3; inc r8; l3: jle l4; inc r9; l4: ja l5; inc r10; l5:", "", ALL),
    ("loop", "and ecx, 7; inc ecx; l1: add rax, rdx; loop l1", "", ALL),
    ("loope", "and ecx, 7; inc ecx; l1: inc rax; cmp rax, rdx; loope l1", "", ALL),
    ("loopne", "and ecx, 7; inc ecx; l1: inc rax; test al, 3; loopne l1", "", ALL),
    ("jrcxz", "and ecx, 1; jrcxz l1; inc rax; l1: jecxz l2; inc rdx; l2:", "", ALL),
    ("call/ret", "call f; jmp e; f: mov rax, [rsp]; ret; e:", "", ALL),
    ("ret imm", "push rcx; call f; jmp e; f: ret 8; e:", "", ALL),
    ("call ind", "lea rcx, [rel f]; call rcx; lea rdx, [rel f]; mov [rsi], rdx; call [rsi]; jmp e; f: inc rbx; ret; e:", "rsi", ALL),
    ("jmp ind", "lea rcx, [rel l1]; jmp rcx; inc rax; l1: lea rdx, [rel l2]; mov [rsi], rdx; jmp [rsi]; inc rbx; l2:", "rsi", ALL),
    ("push/pop", "push rax; push word 0x1234; push qword -5; push qword [rsi]; pop rcx; pop rdx; pop dx; pop qword [rsi+8]", "rsi", ALL),
    ("push rsp", "push rsp; pop rax; mov rcx, rsp; push qword [rsp]; pop rdx; pop qword [rsp]", "", ALL),
    ("pop rsp mem", "push rax; push rcx; pop qword [rsp]; pop rdx", "", ALL),
    ("enter/leave", "mov rbp, rsp; enter 32, 0; mov [rbp-8], rax; leave; enter 16, 1; leave; push rbp; mov rbp, rsp; enter 8, 3; leave; pop rbp", "", ALL),
    ("pushf/popf", "pushf; pop rax; and eax, 0x8d5; xor eax, 0x8d5; or eax, 0x200; push rax; popf; pushf; pop rcx", "", ALL),
    ("lahf/sahf", "lahf; mov cl, ah; mov ah, dl; sahf; lahf", "", ALL),
    ("clc/stc/cmc", "clc; setc al; stc; setc cl; cmc; setc dl; cmc; adc rbx, 0", "", ALL),
    ("cld/std", "std; pushf; pop rax; cld; pushf; pop rcx", "", ALL),
    ("mul", "mul rcx; mov r8, rax; mov r9, rdx; mul ecx; mov r10, rax; mov r11, rdx; mul cx; mul cl; mul byte [rsi]", "rsi", ALL),
    ("imul1", "imul rcx; mov r8, rax; mov r9, rdx; imul ecx; mov r10, rax; mov r11, rdx; imul cx; imul cl; imul qword [rsi]", "rsi", ALL),
    ("imul2", "imul rax, rcx; imul edx, r8d; imul bx, si; imul r9, [rsi]", "rsi", ALL),
    ("imul3", "imul rax, rcx, 7; imul edx, r8d, -3; imul bx, si, 0x1234; imul r9, [rsi], 100000", "rsi", ALL),
    ("div", "or rcx, 1; xor edx, edx; div rcx; mov r8, rax; mov r9, rdx; or r10d, 1; xor edx, edx; div r10d; or bx, 1; xor dx, dx; div bx; or sil, 1; movzx eax, al; div sil", "", 0),
    ("div wide", "or rcx, 1; cmp rdx, rcx; jb ok; xor edx, edx; ok: div rcx", "", 0),
    ("idiv", "or rcx, 3; btr rcx, 63; cqo; idiv rcx; mov r8, rax; mov r9, rdx; or r10d, 3; btr r10d, 31; cdq; idiv r10d; or bx, 3; and bx, 0x7fff; cwd; idiv bx; or sil, 3; and sil, 0x7f; cbw; idiv sil; neg rcx; cqo; idiv rcx", "", 0),
    ("shl imm", "shl rax, 5; shl ecx, 1; shl dx, 15; shl bl, 7; shl r8d, 31; shl r9, 63; sal r10b, 3", "", ALL),
    ("shr imm", "shr rax, 5; shr ecx, 1; shr dx, 15; shr bl, 7; shr r8d, 31; shr r9, 63", "", ALL),
    ("sar imm", "sar rax, 5; sar ecx, 1; sar dx, 15; sar bl, 7; sar r8d, 31; sar r9, 63", "", ALL),
    ("shift 1", "shl eax, 1; setc r8b; seto r9b; shr ecx, 1; seto r10b; sar edx, 1; seto r11b", "", ALL),
    ("shift cl", "shl rax, cl; shr edx, cl; sar bx, cl; shl r8b, cl; shr r9b, cl; sar r10w, cl", "", ALL),
    ("shift cl mem", "shl qword [rsi], cl; shr dword [rsi+8], cl; sar byte [rsi+16], cl", "rsi", ALL),
    ("shift 0", "shl eax, 0; shr ecx, 0; sar edx, 0; rol ebx, 0; rcr esi, 0; shld edi, eax, 0; shl r8d, 32", "", ALL),
    ("shift cl 1", "and ecx, 1; shl rax, cl; shr rdx, cl", "", ALL),
    ("rol/ror imm", "rol rax, 5; ror ecx, 1; rol dx, 15; ror bl, 7; rol r8d, 31; ror r9, 63; rol r10b, 1", "", ALL),
    ("rol/ror cl", "rol rax, cl; ror edx, cl; rol bx, cl; ror r8b, cl", "", 0x001),
    ("rcl/rcr", "rcl rax, 1; rcr ecx, 1; rcl dx, 3; rcr bl, 5; rcl r8d, cl; rcr r9w, cl; rcl r10b, cl", "", 0x001),
    ("rcl/rcr 1", "rcl rax, 1; seto r8b; rcr ecx, 1; seto r9b; rcl bl, 1; seto r10b; rcr dx, 1", "", ALL),
    ("shld/shrd", "shld rax, rcx, 5; shrd edx, ebx, 7; shld si, di, 3; shrd r8, r9, 63", "", ALL),
    ("shld/shrd cl", "and ecx, 31; shld rax, rdx, cl; shrd ebx, esi, cl; shld r8d, r9d, cl", "", ALL),
    ("shld/shrd 1", "shld rax, rcx, 1; seto r8b; shrd edx, ebx, 1", "", ALL),
    ("bt", "bt rax, rcx; setc r8b; bt edx, 5; setc r9b; bt word [rsi], 9; setc r10b", "rsi", 0x001),
    ("bts/btr/btc", "bts rax, rcx; btr edx, 5; btc bx, 3; bts qword [rsi], 63; btr dword [rsi+8], 1; btc word [rsi+16], 17", "rsi", 0x001),
    ("bt mem reg", "and rcx, 0x3ff; sub rcx, 0x200; bt [rsi], rcx; setc r8b; bts [rsi], ecx; btr [rsi], cx; btc [rsi], rcx", "rsi", 0x001),
    ("lock bts", "and ecx, 63; lock bts [rsi], rcx; lock btr qword [rsi+8], 3; lock btc dword [rsi+16], 7", "rsi", 0x001),
    ("bsf/bsr", "bsf rax, rcx; setz r8b; bsr edx, ebx; setz r9b; bsf si, di; bsr r10, [rsp]", "", 0x040),
    ("bsf zero", "xor ecx, ecx; bsf rax, rcx; bsr rdx, rcx; bsf r8d, ecx", "", 0x040),
    ("tzcnt/lzcnt", "tzcnt rax, rcx; setc r8b; lzcnt edx, ebx; setc r9b; tzcnt si, di; lzcnt r10w, r11w", "", 0x041),
    ("popcnt", "popcnt rax, rcx; popcnt edx, ebx; popcnt si, di", "", ALL),
    ("andn", "andn rax, rcx, rdx; andn r8d, r9d, r10d", "", ALL),
    ("bextr", "bextr r11, rbx, rsi; bextr edi, ecx, edx", "", ALL),
    ("blsx", "blsi rax, rcx; blsmsk rdx, rbx; blsr rsi, rdi; blsi r8d, r9d; blsr r10d, ecx", "", 0x8c1),
    ("bzhi", "bzhi rax, rcx, rdx; bzhi r8d, r9d, r10d", "", 0x8c1),
    ("mulx/pdep/pext", "mulx rax, rcx, rbx; mulx r8d, r9d, esi; pdep r10, rdi, rdx; pext r11, rbx, rcx; pdep r12d, r13d, r14d; pext r15d, eax, ecx", "", ALL),
    ("rorx/shlx", "rorx rax, rcx, 13; rorx edx, ebx, 31; sarx rsi, rdi, rcx; shlx r8d, r9d, r10d; shrx r11, r12, r13", "", ALL),
    ("adcx/adox", "adcx rax, rcx; adox rdx, rbx; adcx esi, edi; adox r8d, r9d", "", ALL),
    ("cmpxchg", "cmpxchg rcx, rdx; cmpxchg [rsi], ebx; cmpxchg r8w, r9w; cmpxchg [rsi+8], r10b", "rsi", ALL),
    ("cmpxchg eq", "mov rcx, rax; cmpxchg rcx, rdx; mov [rsi], eax; cmpxchg [rsi], ebx; mov r8d, eax; cmpxchg r8d, r9d", "rsi", ALL),
    ("lock cmpxchg", "lock cmpxchg [rsi], rcx; mov [rsi+8], eax; lock cmpxchg [rsi+8], edx", "rsi", ALL),
    ("xadd", "xadd rax, rcx; xadd [rsi], edx; lock xadd [rsi+8], bx; xadd r8b, r9b", "rsi", ALL),
    ("cmpxchg8b", "cmpxchg8b [rsi]; setz r8b; mov eax, [rsi+8]; mov edx, [rsi+12]; cmpxchg8b [rsi+8]; and rsi, -16; lock cmpxchg16b [rsi+16]; mov r9, rax; mov rbx, rax; mov rcx, rdx; cmpxchg16b [rsi+16]", "rsi", ALL),
    ("movs", "and ecx, 15; rep movsb; and ecx, 0; movsq; movsw", "rsi rdi", ALL),
    ("rep movs", "and ecx, 31; rep movsd; mov ecx, edx; and ecx, 7; rep movsq", "rsi rdi", ALL),
    ("stos/lods", "and ecx, 31; rep stosb; stosq; lodsw; lodsd; and ecx, 7; rep lodsq", "rsi rdi", ALL),
    ("cmps/scas", "and ecx, 15; repe cmpsb; mov r8, rcx; and edx, 15; mov ecx, edx; repne scasw; cmpsq; scasd", "rsi rdi", ALL),
    ("repe cmps eq", "and ecx, 15; push rdi; push rsi; push rcx; rep movsb; pop rcx; pop rsi; pop rdi; repe cmpsb", "rsi rdi", ALL),
    ("xlat", "and eax, 0x7f; xlatb; mov cl, al", "rbx", ALL),
    ("nop", "nop; nop dword [rax+rax]; pause; endbr64", "", ALL),
    ("partial regs", "mov ah, 0x12; mov al, bh; add ch, dh; xchg ah, al; mov r8b, sil; inc spl; dec dil", "", ALL),
    ("flags chain", "add eax, ecx; adc edx, ebx; sbb esi, edi; rcl r8, 1; cmc; adc r9, r10", "", ALL),
    ("32-bit zext", "mov eax, eax; add ecx, 0; xchg edx, edx; not r8d; neg r9d; cmovz r10d, r10d; cmovnz r11d, r11d", "", ALL),
]

def assemble(src):
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, 'a.asm'), os.path.join(d, 'a.bin')
        open(a, 'w').write('bits 64\ndefault rel\n' + src.replace('; ', '\n').replace(';', '\n') + '\n')
        subprocess.check_call(['nasm', '-f', 'bin', '-o', b, a])
        return open(b, 'rb').read()

REGS = "rax rcx rdx rbx rsp rbp rsi rdi r8 r9 r10 r11 r12 r13 r14 r15".split()

print("/* SPDX-License-Identifier: MIT */")
print("/* cpu_snippets.h: generated by gen_cpu_snippets.py (nasm); do not edit. */")
print("struct cpu_snippet { const char *name; const char *src; unsigned len; uint8_t code[160]; unsigned ptrs; unsigned flags; };")
print("static const struct cpu_snippet cpu_snippets[] = {")
for name, src, ptrs, fl in SNIPPETS:
    code = assemble(src)
    assert len(code) <= 160, name
    mask = 0
    for r in ptrs.split():
        mask |= 1 << REGS.index(r)
    body = ', '.join('0x%02x' % x for x in code)
    print('    { "%s", "%s", %d, { %s }, 0x%x, 0x%x },' % (name, src.replace('"', '\\"'), len(code), body, mask, fl))
print("};")
