#!/bin/sh
# SPDX-License-Identifier: MIT
# run-gdb-modes.sh SRCDIR KILN GUESTDIR [engine...]: the real gdb (batch, tests/gdb/modes.gdb,
# symbols from GUESTDIR/modes.elf) against `kiln -S -gdb` booting GUESTDIR/modes.bin on each
# engine (default: interp jit): breakpoints on symbols and single steps across real ->
# protected -> long -> compatibility -> 16-bit protected -> real mode. cmocka-style summary.
src=$1 kiln=$2 bin=$3
shift 3
engines=${*:-interp jit}
. "$src/tests/gdb/gdblib.sh"
gdb_required
if [ ! -f "$bin/modes.elf" ] || [ ! -f "$bin/modes.bin" ]; then
    echo "$bin/modes.elf or modes.bin not built"; echo "[  FAILED  ] 1 test(s)"; exit 1
fi
gdb_tmp
port=$((22000 + $$ % 20000))
for eng in $engines; do
    port=$((port + 1))
    kiln_paused 60 "$kiln" "$bin/modes.bin" "$port" -serial "file:$tmp/serial" -monitor none -accel "$eng"
    gdb_batch 60 "$port" "$bin/modes.elf" -x "$src/tests/gdb/modes.gdb"
    kiln_wait
    # every breakpoint/step landed where the symbol says (14 pc checks), the stacked
    # return address of INT 10h is in puts16
    nok=$(grep -c '^pc_ok 1$' "$tmp/gdb.out")
    [ "$nok" -eq 14 ] && ! grep -q '^pc_ok 0' "$tmp/gdb.out" && grep -q '^ret_ok 1$' "$tmp/gdb.out" &&
        pass=$((pass + 1)) || bad "pc checks: $nok of 14 hit, $(grep -E '^(pc|ret)_ok 0' "$tmp/gdb.out" | wc -l) wrong"
    check real 'in real_entry \(\)' '^cs 0$' '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <real_entry>' '^cs +0x0 +0$'
    check real_dis ':  xor ax, ax$' ':  mov ds, ax$'
    check real_step '^ds 0$'
    check int10 'in int10_handler \(\)' '^cs 0$' '^stacked_cs 0$'
    check pm_jmp ':  ljmp 8:0x[0-9a-f]+$'
    check prot '^cs 0x8$' '^cs +0x8 +8$' ':  mov ax, 0x10$' '^CR0=00000011 ' '^EFER=0000000000000000 '
    check int40 '^rax 0x29$' '^stacked_cs 0x8$'
    check long '^cs 0x28$' '<long_entry>:[[:space:]]+mov +\$0x10,%ax' '^CR0=80000011 ' '^EFER=0000000000000500 ' \
        '^CS =0028 .* 0a9b$'
    check int41 '^rax 0x100000029$' '^stacked_cs 0x28$'
    check compat '^cs 0x8$' '^EFER=0000000000000500 ' '^CS =0008 .* 0c9b$'
    check paging_off '^CR0=00000011 ' '^EFER=0000000000000100 '
    check pm16 '^cs 0x18$' ':  mov ax, 0x20$'
    check real2 '^cs 0$' '^CR0=00000010 ' '^EFER=0000000000000000 '
    check int10b 'in int10_handler \(\)' '^cs 0$'
    check end 'exited normally'
    [ "$krc" -eq 1 ] && grep -q 'modes: real again ok' "$tmp/serial" && pass=$((pass + 1)) ||
        bad "kiln exit status $krc (wanted 1), serial: $(cat "$tmp/serial")"
    if grep -qE "too long|Remote failure|Ignoring packet error|Architecture .* not recognized|Internal error" "$tmp/gdb.out"; then
        bad "gdb complained:" "$(grep -E "too long|Remote failure|Ignoring|not recognized|Internal error" "$tmp/gdb.out" | head -5)"
    else
        pass=$((pass + 1))
    fi
    if [ $fail -gt 0 ]; then
        echo "--- gdb output ($eng):"; sed 's/^/    /' "$tmp/gdb.out" | head -80
    fi
done
summary
