#!/bin/bash
# SPDX-License-Identifier: MIT
# run-gdb-mon.sh SRCDIR KILN GUESTDIR: gdb and the monitor at once on the running counter
# guest (kiln -gdb ... -monitor tcp:...): while gdb holds the guest stopped the monitor
# still answers (the machine keeps serving its chardevs between gdb packets); while gdb
# lets it run, the monitor's "stop" stops it and gdb sees SIGINT. cmocka-style summary.
src=$1 kiln=$2 bin=$3
. "$src/tests/gdb/gdblib.sh"
gdb_required
gdb_tmp
wait_file() { i=0; while [ ! -f "$1" ] && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done; [ -f "$1" ]; }
gport=$((25000 + $$ % 20000))
mport=$((gport + 1))
"$kiln" -kernel "$bin/counter.bin" -nographic -serial "file:$tmp/serial" \
    -monitor "tcp:127.0.0.1:$mport,server,nowait" -gdb "tcp:127.0.0.1:$gport" > "$tmp/kiln.out" 2>&1 < /dev/null &
kpid=$!
i=0
while ! grep -q '^count 2' "$tmp/serial" 2>/dev/null && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.1; done
export MARK1=$tmp/mark1 MARK2=$tmp/mark2 ACK1=$tmp/ack1
timeout 60 gdb -nx -batch -ex "target remote 127.0.0.1:$gport" -x "$src/tests/gdb/gdbmon.gdb" \
    > "$tmp/gdb.out" 2>&1 &
gpid=$!
if wait_file "$MARK1" && exec 4<>"/dev/tcp/127.0.0.1/$mport"; then
    # gdb holds the guest: the monitor answers, the guest does not count on
    s1=$(wc -c < "$tmp/serial")
    printf 'info registers\n' >&4
    timeout 3 sed -n '/^RIP=/q' <&4 > /dev/null && pass=$((pass + 1)) ||
        bad "no monitor answer while gdb holds the guest"
    sleep 0.5
    s2=$(wc -c < "$tmp/serial")
    [ "$s1" = "$s2" ] && pass=$((pass + 1)) || bad "the guest ran while gdb held it ($s1 -> $s2 bytes)"
    touch "$ACK1"
    # gdb continues; the monitor's stop ends the continue with SIGINT
    if wait_file "$MARK2"; then
        sleep 1
        printf 'stop\n' >&4
    fi
    wait $gpid
    grep -q 'received signal SIGINT' "$tmp/gdb.out" && grep -q '^pc 0x' "$tmp/gdb.out" &&
        grep -q 'detached' "$tmp/gdb.out" && pass=$((pass + 1)) ||
        bad "gdb did not stop on the monitor's stop" "$(cat "$tmp/gdb.out")"
    # after detach the guest runs again (monitor cont is not needed: detach resumes)
    c1=$(grep -c '^count ' "$tmp/serial")
    sleep 1
    c2=$(grep -c '^count ' "$tmp/serial")
    [ "$c2" -gt "$c1" ] && pass=$((pass + 1)) || bad "the guest did not run on after detach ($c1 -> $c2)"
    printf 'quit\n' >&4
    exec 4<&-
else
    bad "gdb or the monitor did not come up" "$(cat "$tmp/kiln.out" "$tmp/gdb.out")"
    kill $gpid 2>/dev/null
fi
i=0
while kill -0 "$kpid" 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
if kill -0 "$kpid" 2>/dev/null; then
    bad "quit did not end kiln"
else
    wait "$kpid"; rc=$?; kpid=
    [ $rc -eq 0 ] && pass=$((pass + 1)) || bad "exit status $rc"
fi
summary
