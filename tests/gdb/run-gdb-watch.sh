#!/bin/sh
# SPDX-License-Identifier: MIT
# run-gdb-watch.sh SRCDIR KILN GUESTDIR: the real gdb (batch, tests/gdb/watch.gdb)
# against `kiln -gdb tcp:...:PORT -S` running tests/guest/gdbwatch.bin: hardware
# watchpoints (Z2/Z3/Z4) and breakpoints (Z1) on both engines, and a dropped
# connection leaving none behind; cmocka-style summary.
src=$1
kiln=$2
guests=$3
. "$src/tests/gdb/gdblib.sh"
gdb_required
if [ ! -x "$kiln" ] || [ ! -f "$guests/gdbwatch.bin" ]; then
    echo "[  FAILED  ] 1 test(s): $kiln or $guests/gdbwatch.bin missing"
    exit 1
fi
gdb_tmp
# seen NAME PATTERN: gdb printed a line matching PATTERN somewhere.
seen() {
    if grep -qE "$2" "$tmp/gdb.out"; then
        pass=$((pass + 1))
    else
        bad "gdb never printed $1 (/$2/)"
    fi
}
# guest_ok WHAT: kiln ended with status 1 after the guest printed "gdbwatch ok" (its own #DBs).
guest_ok() {
    if [ "$krc" -eq 1 ] && grep -q 'gdbwatch ok' "$tmp/kiln.out"; then
        pass=$((pass + 1))
    else
        bad "${1}kiln exit status $krc, wanted 1 with \"gdbwatch ok\" (the guest's own #DBs)" \
            "$(cat "$tmp/kiln.out")"
    fi
}
n=0
for eng in interp jit; do
    n=$((n + 1))
    port=$((21000 + ($$ + n * 7) % 20000))
    kiln_paused 30 "$kiln" "$guests/gdbwatch.bin" "$port" -serial stdio -monitor none -accel "$eng"
    gdb_batch 60 "$port" -x "$src/tests/gdb/watch.gdb"
    kiln_wait
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
    guest_ok ""
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
    kiln_paused 30 "$kiln" "$guests/gdbwatch.bin" "$port" -serial stdio -monitor none -accel "$eng"
    gdb_batch 60 "$port" -x "$src/tests/gdb/watch-drop.gdb"
    kiln_wait
    check droppc '= 0x10020a$'
    guest_ok "dropped connection: "
    [ $fail -gt 0 ] && cat "$tmp/gdb.out"
fi
summary
