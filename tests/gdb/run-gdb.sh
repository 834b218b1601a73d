#!/bin/sh
# SPDX-License-Identifier: MIT
# run-gdb.sh TARGET SRCDIR: runs the real gdb (batch) against the gdbstub of TARGET
# (tests/gdb/gdb_target) and checks what gdb printed; cmocka-style summary.
target=$1
src=$2
if ! command -v gdb >/dev/null 2>&1; then
    echo "gdb not installed: skipped"
    echo "[  PASSED  ] 0 test(s)."
    exit 0
fi
tmp=$(mktemp -d)
"$target" 0 > "$tmp/target.out" 2>&1 &
pid=$!
i=0
while ! grep -q '^port ' "$tmp/target.out" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 50 ] && break
    sleep 0.1
done
port=$(sed -n 's/^port //p' "$tmp/target.out")
timeout 60 gdb -nx -batch -ex "target remote 127.0.0.1:$port" -x "$src/tests/gdb/basic.gdb" \
    > "$tmp/gdb.out" 2>&1
wait $pid
pass=0
fail=0
# check NAME PATTERN: the lines after "CHECK NAME" (up to the next CHECK) match PATTERN.
check() {
    got=$(awk -v n="CHECK $1" '$0 == n {on = 1; next} /^CHECK / {on = 0} on' "$tmp/gdb.out")
    if printf '%s\n' "$got" | grep -qE "$2"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "[  FAILED  ] gdb check $1: wanted /$2/, got: $got"
    fi
}
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
    fail=$((fail + 1))
    echo "[  FAILED  ] gdb complained about the g packet size"
fi
grep -q '^end 0' "$tmp/target.out" || { fail=$((fail + 1)); echo "[  FAILED  ] stub did not end by detach"; }
# Part 2: gdb against ./kiln -gdb tcp::PORT -S running a multiboot guest (32-bit protected mode).
kiln=$3
guests=$4
if [ -n "$kiln" ] && [ -x "$kiln" ] && [ -f "$guests/hello.bin" ]; then
    kport=$((20000 + $$ % 20000))
    timeout 30 "$kiln" -kernel "$guests/hello.bin" -nographic -serial none -monitor none \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -gdb "tcp:127.0.0.1:$kport" -S \
        > "$tmp/kiln.out" 2>&1 &
    kpid=$!
    i=0
    while ! grep -q 'waiting for gdb' "$tmp/kiln.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 50 ] && break
        sleep 0.1
    done
    timeout 60 gdb -nx -batch -ex "target remote 127.0.0.1:$kport" -x "$src/tests/gdb/kiln.gdb" \
        > "$tmp/gdb.out" 2>&1
    wait $kpid
    krc=$?
    check entry '= 0x100035$'
    check cs '= 0x10$'
    check esp '= 0x90000$'
    check rip1 '= 0x10003a$'
    check bp '= 0x10005b$'
    check mem '0xbc	0x00'
    check monitor 'RIP=000000000010005b'
    grep -q 'exited normally' "$tmp/gdb.out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "[  FAILED  ] kiln: gdb did not see the guest exit"; }
    [ "$krc" -eq 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "[  FAILED  ] kiln: exit status $krc, wanted 1 (isa-debug-exit)"; cat "$tmp/kiln.out"; }
    if grep -q "too long" "$tmp/gdb.out"; then
        fail=$((fail + 1))
        echo "[  FAILED  ] kiln: gdb complained about the g packet size"
    fi
else
    echo "kiln or $guests/hello.bin missing: the kiln part is skipped"
fi
if [ $fail -gt 0 ]; then
    echo "--- gdb output:"; cat "$tmp/gdb.out"; echo "--- target output:"; cat "$tmp/target.out"
    echo "[  PASSED  ] $pass test(s)."
    echo "[  FAILED  ] $fail test(s)"
    rm -rf "$tmp"
    exit 1
fi
echo "[  PASSED  ] $pass test(s)."
rm -rf "$tmp"
