#!/bin/sh
# SPDX-License-Identifier: MIT
# run-gdb.sh SRCDIR KILN GUESTDIR TARGET: runs the real gdb (batch) against the gdbstub of
# TARGET (tests/gdb/gdb_target) and checks what gdb printed; then against KILN running
# GUESTDIR/hello.bin paused (skipped when either is missing); cmocka-style summary.
src=$1 kiln=$2 guests=$3 target=$4
. "$src/tests/gdb/gdblib.sh"
gdb_required
gdb_tmp
"$target" 0 > "$tmp/target.out" 2>&1 &
pid=$!
wait_lines "$tmp/target.out" '^port ' 1 50
port=$(sed -n 's/^port //p' "$tmp/target.out")
gdb_batch 60 "$port" -x "$src/tests/gdb/basic.gdb"
wait $pid
check arch 'i386:x86-64'
check rip0 '= 0x1000$'
check insn0 'mov +\$0x1,%eax|mov +eax, ?0x1'
check rip1 '= 0x1005$'
check rax1 '= 0x1$'
check ripbp '= 0x100b$'
check raxbp '= 0x6$'
check rbxbp '= 0x0$'
check membp '0x48	0xff	0xc3'
check rcxset '= 0x1234$'
check fsbase '= 0x0$'
check rbxstep '= 0x1$'
check memwrite '0x0*55aa'
check monitor 'RIP=000000000000100e'
check unmapped 'Cannot access memory'
if grep -q "too long" "$tmp/gdb.out"; then
    bad "gdb complained about the g packet size"
fi
grep -q '^end 0' "$tmp/target.out" || bad "stub did not end by detach"
# Part 2: gdb against ./kiln -gdb tcp::PORT -S running a multiboot guest (32-bit protected mode).
if [ -n "$kiln" ] && [ -x "$kiln" ] && [ -f "$guests/hello.bin" ]; then
    kport=$((20000 + $$ % 20000))
    kiln_paused 30 "$kiln" "$guests/hello.bin" "$kport" -serial none -monitor none
    gdb_batch 60 "$kport" -x "$src/tests/gdb/kiln.gdb"
    kiln_wait
    check entry '= 0x100035$'
    check cs '= 0x10$'
    check esp '= 0x90000$'
    check rip1 '= 0x10003a$'
    check bp '= 0x10005b$'
    check mem '0xbc	0x00'
    check monitor 'RIP=000000000010005b'
    grep -q 'exited normally' "$tmp/gdb.out" && pass=$((pass + 1)) || bad "kiln: gdb did not see the guest exit"
    [ "$krc" -eq 1 ] && pass=$((pass + 1)) || bad "kiln: exit status $krc, wanted 1 (isa-debug-exit)" "$(cat "$tmp/kiln.out")"
    if grep -q "too long" "$tmp/gdb.out"; then
        bad "kiln: gdb complained about the g packet size"
    fi
else
    echo "kiln or $guests/hello.bin missing: the kiln part is skipped"
fi
if [ $fail -gt 0 ]; then
    echo "--- gdb output:"; cat "$tmp/gdb.out"; echo "--- target output:"; cat "$tmp/target.out"
fi
summary
