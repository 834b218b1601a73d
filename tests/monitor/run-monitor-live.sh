#!/bin/bash
# SPDX-License-Identifier: MIT
# run-monitor-live.sh KILN GUESTDIR: every monitor command against a guest that is
# running (tests/guest/counter.asm: paging on, PIT interrupts, "count N" on COM1
# about ten times a second), over -monitor stdio and -monitor tcp. Each command's
# output is what the monitor printed up to its next prompt. cmocka-style summary.
kiln=$1
bin=$2
pass=0
fail=0
tmp=$(mktemp -d)
kpid=
cleanup() { [ -n "$kpid" ] && kill "$kpid" 2>/dev/null; exec 3>&- 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "[  FAILED  ] $1"
    [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/    /' | head -30
}
# count_lines FILE PATTERN
count_lines() { tr -d '\r' 2>/dev/null < "$1" | grep -cE "$2"; }
# wait_for FILE PATTERN [N] [SECONDS]: until FILE has N lines matching PATTERN.
wait_for() {
    local i=0 n=${3:-1} lim=$(( ${4:-10} * 10 ))
    while [ "$(count_lines "$1" "$2")" -lt "$n" ]; do
        i=$((i + 1))
        [ $i -gt $lim ] && return 1
        sleep 0.1
    done
}
last_count() { tr -d '\r' < "$tmp/serial" | sed -n 's/^count \([0-9]*\)$/\1/p' | tail -1; }
serial_size() { wc -c < "$tmp/serial"; }
prompts() { grep -o '(kiln) ' "$tmp/out" | wc -l; }
# mon CMD: sends CMD, waits for the next prompt, leaves the output in $R.
mon() {
    local before n i=0
    before=$(prompts)
    n=$(wc -c < "$tmp/out")
    printf '%s\n' "$1" >&3
    while [ "$(prompts)" -le "$before" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then
            R="(no prompt after '$1')"
            return 1
        fi
        sleep 0.05
    done
    R=$(tail -c +$((n + 1)) "$tmp/out" | tr -d '\r' | sed 's/(kiln) $//')
}
retired() { mon "info jit"; printf '%s\n' "$R" | sed -n 's/^instructions retired: //p'; }
word_at() { mon "$1"; printf '%s\n' "$R" | sed -n 's/^[0-9a-f]*: *0x\([0-9a-f]*\).*/\1/p' | head -1; }

if [ ! -f "$bin/counter.bin" ]; then
    echo "$bin/counter.bin not built"; echo "[  FAILED  ] 1 test(s)"; exit 1
fi

# ---- 1. -monitor stdio on a running guest ----
mkfifo "$tmp/in"
"$kiln" -kernel "$bin/counter.bin" -nographic -serial "file:$tmp/serial" -monitor stdio \
    < "$tmp/in" > "$tmp/out" 2>&1 &
kpid=$!
exec 3> "$tmp/in"
if ! wait_for "$tmp/serial" '^count ' 3 20; then
    bad "the guest does not run" "$(cat "$tmp/out" "$tmp/serial" 2>/dev/null)"
    echo "[  PASSED  ] $pass test(s)."; echo "[  FAILED  ] $fail test(s)"; exit 1
fi
page=$(tr -d '\r' < "$tmp/serial" | sed -n 's/^counter start page=0x\([0-9a-f]*\) .*/\1/p' | head -1)
loop=$(tr -d '\r' < "$tmp/serial" | sed -n 's/.* loop=0x\([0-9a-f]*\)$/\1/p' | head -1)
[ -n "$page" ] && [ -n "$loop" ] && ok || bad "guest banner: page '$page' loop '$loop'"

mon "info registers"
printf '%s\n' "$R" | grep -qE 'RIP=00000000001[0-9a-f]{5}' && printf '%s\n' "$R" | grep -q 'CR0=80010011' &&
    ok || bad "running: info registers (RIP in the guest, CR0 with PG and WP)" "$R"

r1=$(retired); sleep 0.5; r2=$(retired)
[ -n "$r1" ] && [ -n "$r2" ] && [ "$r2" -gt "$r1" ] && ok || bad "running: info jit (retired $r1 then $r2)"
mon "info jit"
printf '%s\n' "$R" | grep -qE '^engine: ' && printf '%s\n' "$R" | grep -qE '^blocks: translated [1-9]' &&
    ok || bad "running: info jit fields" "$R"

# xp reads the counter page, x the same dword through the 0xc0000000 mapping.
v1=$(word_at "xp/1wx 0x$page"); sleep 0.5; v2=$(word_at "xp/1wx 0x$page")
[ -n "$v1" ] && [ -n "$v2" ] && [ $((0x$v2)) -gt $((0x$v1)) ] && ok ||
    bad "running: xp of the counter ($v1 then $v2)"
v3=$(word_at "x/1wx 0xc0000000")
[ -n "$v3" ] && [ $((0x$v3)) -ge $((0x$v2)) ] && ok || bad "running: x through the guest's page tables ($v3 < $v2)"

mon "info tlb"
printf '%s\n' "$R" | grep -qE "^0*c0000000: *0*$page" && printf '%s\n' "$R" | grep -qE '^0*0: .*4M' &&
    ok || bad "running: info tlb (0xc0000000 -> counter page, 4M identity page)" "$R"
mon "info mem"
printf '%s\n' "$R" | grep -qE '^0*c0000000-0*c0001000 ' && ok || bad "running: info mem" "$R"
mon "info mtree"
printf '%s\n' "$R" | grep -qi 'ram' && ok || bad "running: info mtree" "$R"
mon "info pci"
# structure, not today's device list: a host bridge (class 0600) at 00:00.0; every unindented line
# starts with bus:dev.fn vendor:device
printf '%s\n' "$R" | grep -qE '^00:00\.0 [0-9a-f]{4}:[0-9a-f]{4} .*class 0600' &&
    ! printf '%s\n' "$R" | grep -vqE '^([0-9a-f]{2}:[0-9a-f]{2}\.[0-7] [0-9a-f]{4}:[0-9a-f]{4} |[[:space:]]|$)' &&
    ok || bad "running: info pci" "$R"
mon "info irq"
printf '%s\n' "$R" | grep -qE '^pic0 \(master\): irr=[0-9a-f]{2} isr=[0-9a-f]{2} imr=fe ' &&
    printf '%s\n' "$R" | grep -qE '^pic1 \(slave\): .* imr=ff ' && printf '%s\n' "$R" | grep -qE '^INTR line: [01]' &&
    ok || bad "running: info irq (the guest's masks fe/ff)" "$R"
# info lapic/ioapic/hpet (aliases of info irq): every controller, structure only
for c in lapic ioapic hpet; do
    mon "info $c"
    printf '%s\n' "$R" | grep -qE '^pic0 \(master\): .* imr=fe ' && printf '%s\n' "$R" | grep -qE '^lapic: base 0x[0-9a-f]+ ' &&
        printf '%s\n' "$R" | grep -qE '^ioapic: id [0-9]+, [0-9]+ pins' && printf '%s\n' "$R" | grep -qE '^hpet: ' &&
        ok || bad "running: info $c" "$R"
done
mon "x/10i 0x$loop"
n=$(printf '%s\n' "$R" | grep -cE '^[0-9a-f]{16}: +[a-z]')
first=$(printf '%s\n' "$R" | head -1)
[ "$n" -eq 10 ] && printf '%s\n' "$first" | grep -qE "^0*$loop: +mov" && ok ||
    bad "running: x/10i at the main loop ($n lines)" "$R"
mon "help"
for c in 'info registers' 'info tlb' 'info mem' 'info mtree' 'info pci' 'info irq' 'info jit' \
         'x/FMT' 'xp/FMT' stop cont system_reset quit singlestep-irq; do
    printf '%s\n' "$R" | grep -qF -- "$c" || { bad "help lacks '$c'" "$R"; break; }
done && ok

# stop: nothing runs, nothing is printed, the counter holds; x and xp agree exactly.
mon "stop"
sleep 0.3
s1=$(serial_size); r1=$(retired); v1=$(word_at "xp/1wx 0x$page")
sleep 1
s2=$(serial_size); r2=$(retired); v2=$(word_at "xp/1wx 0x$page"); v3=$(word_at "x/1wx 0xc0000000")
[ "$s1" = "$s2" ] && [ -n "$r1" ] && [ "$r1" = "$r2" ] && ok ||
    bad "stop: the guest went on (serial $s1 -> $s2 bytes, retired $r1 -> $r2)"
[ -n "$v1" ] && [ "$v1" = "$v2" ] && [ "$v2" = "$v3" ] && ok || bad "stop: counter moved or x != xp ($v1 $v2 $v3)"
mon "info registers"
printf '%s\n' "$R" | grep -qE 'RIP=00000000001[0-9a-f]{5}' && ok || bad "stopped: info registers" "$R"

# cont: it goes on.
c1=$(last_count)
mon "cont"
wait_for "$tmp/serial" "^count $((c1 + 2))\$" 1 10 && ok || bad "cont: the counter did not go on from $c1"

# system_reset: the guest starts again from the beginning.
mon "system_reset"
if wait_for "$tmp/serial" '^counter start' 2 10 && wait_for "$tmp/serial" '^count ' "$(( $(count_lines "$tmp/serial" '^count ') + 1 ))" 10; then
    after=$(tr -d '\r' < "$tmp/serial" | awk '/^counter start/ {n++} n == 2 && /^count / {print; exit}')
    [ "$after" = "count 1" ] && ok || bad "system_reset: first count after the restart is '$after'"
else
    bad "system_reset: the guest did not start again" "$(tail -5 "$tmp/serial")"
fi

# quit: kiln ends with status 0.
printf 'quit\n' >&3
exec 3>&-
i=0
while kill -0 "$kpid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$kpid" 2>/dev/null; then
    bad "quit: kiln still running"
else
    wait "$kpid"; rc=$?
    [ $rc -eq 0 ] && ok || bad "quit: exit status $rc"
fi
kpid=

# ---- 2. -monitor tcp: the same monitor over a socket (bash's /dev/tcp) ----
port=$((20000 + ($$ * 7 + 13) % 20000))
: > "$tmp/serial"
"$kiln" -kernel "$bin/counter.bin" -nographic -serial "file:$tmp/serial" \
    -monitor "tcp:127.0.0.1:$port,server,nowait" > "$tmp/kiln.out" 2>&1 < /dev/null &
kpid=$!
wait_for "$tmp/serial" '^count ' 2 20
if exec 4<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
    printf 'stop\n' >&4
    sleep 0.3
    s1=$(serial_size)
    sleep 0.7
    s2=$(serial_size)
    printf 'info registers\nxp/1wx 0x100000\ncont\n' >&4
    sleep 0.8
    s3=$(serial_size)
    printf 'quit\n' >&4
    timeout 5 cat <&4 > "$tmp/tcp.out"
    exec 4<&-
    [ "$s1" = "$s2" ] && [ "$s3" -gt "$s2" ] && ok || bad "tcp: stop/cont (serial $s1 $s2 $s3)"
    tr -d '\r' < "$tmp/tcp.out" | grep -q 'RIP=00000000001' &&
        tr -d '\r' < "$tmp/tcp.out" | grep -q '0000000000100000: 0x1badb002' && ok ||
        bad "tcp: info registers / xp" "$(cat "$tmp/tcp.out")"
else
    bad "tcp: cannot connect to the monitor on port $port" "$(cat "$tmp/kiln.out")"
fi
i=0
while kill -0 "$kpid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$kpid" 2>/dev/null; then
    bad "tcp: quit did not end kiln"
else
    wait "$kpid"; rc=$?
    [ $rc -eq 0 ] && ok || bad "tcp: exit status $rc"
fi
kpid=

# ---- 3. -d mmu: the walks, TLB fills and flushes of the counter guest's paging ----
for items in mmu in_asm; do
    : > "$tmp/serial"
    "$kiln" -kernel "$bin/counter.bin" -nographic -serial "file:$tmp/serial" -monitor none \
        -d "$items" -D "$tmp/$items.log" > "$tmp/kiln.out" 2>&1 < /dev/null &
    kpid=$!
    wait_for "$tmp/serial" '^count ' 2 20
    kill "$kpid"; wait "$kpid" 2>/dev/null
    kpid=
done
if grep -qE "^mmu: walk va=0*c0000000 (read|write) sup -> pa=0*$page prot=r" "$tmp/mmu.log" &&
   grep -qE "^mmu: fill va=0*c0000000 (read|write) mode=0 -> pa=0*$page prot=r.. ram$" "$tmp/mmu.log" &&
   grep -qE '^mmu: walk va=[0-9a-f]{16} fetch sup' "$tmp/mmu.log" &&
   grep -qE '^mmu: flush all at rip=[0-9a-f]{16}$' "$tmp/mmu.log"; then
    ok
else
    bad "-d mmu: no walk/fill of 0xc0000000 -> 0x$page or no flush" "$(head -20 "$tmp/mmu.log")"
fi
grep -q '^mmu:' "$tmp/in_asm.log" && bad "-d in_asm logs mmu lines" || ok

echo "[  PASSED  ] $pass test(s)."
if [ $fail -gt 0 ]; then
    echo "[  FAILED  ] $fail test(s)"
    exit 1
fi
