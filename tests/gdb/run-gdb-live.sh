#!/bin/sh
# SPDX-License-Identifier: MIT
# run-gdb-live.sh SRCDIR KILN GUESTDIR: the gdb stub on a running guest (no -S):
# tests/guest/counter runs under `kiln -gdb`, the real gdb attaches (the guest stops),
# single-steps with a timer interrupt pending (singlestep-irq off: never enters the
# handler; on: does), continue + Ctrl-C (SIGINT to gdb), detach (the guest runs on),
# a second gdb attaches and kills kiln (status 0). cmocka-style summary.
src=$1 kiln=$2 bin=$3
. "$src/tests/gdb/gdblib.sh"
gdb_required
if [ ! -f "$bin/counter.bin" ]; then
    echo "$bin/counter.bin not built"; echo "[  FAILED  ] 1 test(s)"; exit 1
fi
gdb_tmp
port=$((23000 + $$ % 20000))
"$kiln" -kernel "$bin/counter.bin" -nographic -serial "file:$tmp/serial" -monitor none \
    -gdb "tcp:127.0.0.1:$port" > "$tmp/kiln.out" 2>&1 < /dev/null &
kpid=$!
if ! wait_lines "$tmp/serial" '^count ' 2; then
    bad "the guest does not run before gdb comes: $(cat "$tmp/kiln.out")"
    echo "[  FAILED  ] $fail test(s)"; exit 1
fi
wait_lines "$tmp/kiln.out" 'gdb stub listening on 127.0.0.1:' 1 && pass=$((pass + 1)) || bad "no listening message"
[ -n "$(sed -n 's/.* irq=\(0x[0-9a-f]*\) .*/\1/p' "$tmp/serial")" ] || bad "no irq= in the guest's banner"
irq=$(sed -n 's/.* irq=\(0x[0-9a-f]*\) .*/\1/p' "$tmp/serial" | head -1)
loop=$(sed -n 's/.* loop=\(0x[0-9a-f]*\)$/\1/p' "$tmp/serial" | head -1)
MARK=$tmp/continuing
export MARK
timeout 120 gdb -nx -batch -ex "target remote 127.0.0.1:$port" -ex "set \$irq = $irq" \
    -ex "set \$loop = $loop" -x "$src/tests/gdb/live.gdb" > "$tmp/gdb.out" 2>&1 &
gpid=$!
i=0
while [ ! -f "$MARK" ] && kill -0 $gpid 2>/dev/null && [ $i -lt 1000 ]; do i=$((i + 1)); sleep 0.1; done
sleep 1
s1=$(wc -c < "$tmp/serial")
# Ctrl-C goes to gdb itself: timeout(1) would pass a SIGINT on to its whole process
# group as well, and gdb takes a second Ctrl-C as "give up waiting" (disconnects).
gdbpid=$(ps -o pid= --ppid $gpid | head -1)
kill -INT ${gdbpid:-$gpid} 2>/dev/null
wait $gpid
# attach: stopped (instructions retired do not move over half a second)
r=$(section attach | sed -n 's/^instructions retired: //p' | tr '\n' ' ')
set -- $r
[ $# -eq 2 ] && [ "$1" = "$2" ] && pass=$((pass + 1)) || bad "attach did not stop the guest (retired: $r)"
check sstep_default '^singlestep-irq: off$'
check sstep_off '^off_hits 0$' '^pic0 \(master\): irr=[0-9a-f]*[13579bdf] ' '^INTR line: 1$'
check sstep_on '^singlestep-irq: on$' '^on_hits 1$' '^cs 0x8$'
check ctrlc 'received signal SIGINT' '^stopped_pc 0x'
check end 'detached'
# while gdb let it run before the Ctrl-C, the guest printed
[ "$s1" -gt 0 ] && pass=$((pass + 1))
# detached: the guest runs on
c1=$(grep -c '^count ' "$tmp/serial")
wait_lines "$tmp/serial" '^count ' $((c1 + 2)) && pass=$((pass + 1)) || bad "the guest did not run on after detach"
# a second gdb attaches and kills kiln
timeout 30 gdb -nx -batch -ex "target remote 127.0.0.1:$port" -ex 'printf "pc %#lx\n", $pc' -ex kill \
    > "$tmp/gdb2.out" 2>&1
i=0
while kill -0 "$kpid" 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
if kill -0 "$kpid" 2>/dev/null; then
    bad "kill did not end kiln: $(cat "$tmp/gdb2.out")"
else
    wait "$kpid"; rc=$?
    kpid=
    [ $rc -eq 0 ] && grep -q '^pc 0x' "$tmp/gdb2.out" && pass=$((pass + 1)) ||
        bad "second gdb / kill: status $rc: $(cat "$tmp/gdb2.out")"
fi
if grep -qE "too long|Remote failure" "$tmp/gdb.out"; then
    bad "gdb complained: $(grep -E 'too long|Remote failure' "$tmp/gdb.out" | head -3)"
fi
summary
