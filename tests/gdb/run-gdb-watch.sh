#!/bin/sh
# SPDX-License-Identifier: MIT
# run-gdb-watch.sh SRCDIR KILN GUESTDIR: the real gdb (batch, tests/gdb/watch.gdb)
# against `kiln -gdb tcp:...:PORT -S` running tests/guest/gdbwatch.bin: hardware
# watchpoints (Z2/Z3/Z4) and breakpoints (Z1) on both engines, and a dropped
# connection leaving none behind; cmocka-style summary.
src=$1
kiln=$2
guests=$3
if ! command -v gdb >/dev/null 2>&1; then
    echo "gdb not installed: skipped"
    echo "[  PASSED  ] 0 test(s)."
    exit 0
fi
if [ ! -x "$kiln" ] || [ ! -f "$guests/gdbwatch.bin" ]; then
    echo "[  FAILED  ] 1 test(s): $kiln or $guests/gdbwatch.bin missing"
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
# check NAME PATTERN: the lines after "CHECK NAME" (up to the next CHECK) match PATTERN.
check() {
    got=$(awk -v n="CHECK $1" '$0 == n {on = 1; next} /^CHECK / {on = 0} on' "$tmp/gdb.out")
    if printf '%s\n' "$got" | grep -qE "$2"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "[  FAILED  ] $eng: gdb check $1: wanted /$2/, got: $got"
    fi
}
# seen NAME PATTERN: gdb printed a line matching PATTERN somewhere.
seen() {
    if grep -qE "$2" "$tmp/gdb.out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "[  FAILED  ] $eng: gdb never printed $1 (/$2/)"
    fi
}
n=0
for eng in interp jit; do
    n=$((n + 1))
    port=$((21000 + ($$ + n * 7) % 20000))
    : > "$tmp/kiln.out"
    timeout 30 "$kiln" -kernel "$guests/gdbwatch.bin" -nographic -serial stdio -monitor none \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -accel "$eng" -gdb "tcp:127.0.0.1:$port" -S \
        > "$tmp/kiln.out" 2>&1 < /dev/null &
    kpid=$!
    i=0
    while ! grep -q 'waiting for gdb' "$tmp/kiln.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 50 ] && break
        sleep 0.1
    done
    timeout 60 gdb -nx -batch -ex "target remote 127.0.0.1:$port" -x "$src/tests/gdb/watch.gdb" \
        > "$tmp/gdb.out" 2>&1
    wait $kpid
    krc=$?
    seen watch 'Hardware watchpoint 1: \*\(int \*\)0x100800'
    seen watchvals 'New value = 17'
    seen rwatch 'Hardware read watchpoint 2: \*\(int \*\)0x100800'
    seen awatch 'Hardware access \(read/write\) watchpoint 3: \*\(int \*\)0x100800'
    seen awatchvals 'New value = 18'
    check wpc '= 0x10020a$'
    check wval '= 0x11$'
    # gdb's watchpoint is not in the guest's debug registers (DR1: the guest's own)
    check guestdr '^DR0=[0-9a-f]{16} DR1=0000000000100800 '
    check guestdr 'DR7=0000000000fd0005'
    check rpc '= 0x100305$'
    check reax '= 0x11$'
    check apc '= 0x100407$'
    check aval '= 0x12$'
    check hb '= 0x100500$'
    seen exit 'exited normally'
    if [ "$krc" -eq 1 ] && grep -q 'gdbwatch ok' "$tmp/kiln.out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "[  FAILED  ] $eng: kiln exit status $krc, wanted 1 with \"gdbwatch ok\" (the guest's own #DBs)"
        cat "$tmp/kiln.out"
    fi
    if [ $fail -gt 0 ]; then
        echo "--- gdb output ($eng):"
        cat "$tmp/gdb.out"
        break
    fi
done
# A dropped connection (gdb killed, no detach) with a breakpoint and a watchpoint
# set: kiln forgets them and the guest runs to its exit.
if [ $fail -eq 0 ]; then
    eng=jit
    port=$((21000 + ($$ + 31) % 20000))
    : > "$tmp/kiln.out"
    timeout 30 "$kiln" -kernel "$guests/gdbwatch.bin" -nographic -serial stdio -monitor none \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -accel "$eng" -gdb "tcp:127.0.0.1:$port" -S \
        > "$tmp/kiln.out" 2>&1 < /dev/null &
    kpid=$!
    i=0
    while ! grep -q 'waiting for gdb' "$tmp/kiln.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 50 ] && break
        sleep 0.1
    done
    timeout 60 gdb -nx -batch -ex "target remote 127.0.0.1:$port" -x "$src/tests/gdb/watch-drop.gdb" \
        > "$tmp/gdb.out" 2>&1
    wait $kpid
    krc=$?
    check droppc '= 0x10020a$'
    if [ "$krc" -eq 1 ] && grep -q 'gdbwatch ok' "$tmp/kiln.out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "[  FAILED  ] dropped connection: kiln exit status $krc, wanted 1 with \"gdbwatch ok\""
        cat "$tmp/kiln.out" "$tmp/gdb.out"
    fi
fi
echo "[  PASSED  ] $pass test(s)."
if [ $fail -gt 0 ]; then
    echo "[  FAILED  ] $fail test(s)"
    exit 1
fi
