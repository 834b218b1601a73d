#!/bin/sh
# SPDX-License-Identifier: MIT
# run-monitor.sh KILN GUESTDIR: the monitor end to end on the real kiln binary: -monitor stdio
# with -S (paused at the kernel entry), commands typed on stdin, cont lets the guest run;
# also the mux monitor (Ctrl-A c on -serial mon:stdio). cmocka-style summary.
kiln=$1
bin=$2
pass=0
fail=0
tmp=$(mktemp -d)
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "[  FAILED  ] $1"; sed 's/^/    /' "$tmp/out"; }
has() { tr -d '\r' < "$tmp/out" | grep -qE "$1"; }

if [ ! -f "$bin/hello.bin" ]; then
    echo "$bin/hello.bin not built"; echo "[  FAILED  ] 1 test(s)"; exit 1
fi
# 1. paused at the entry: nothing ran, state and memory are readable, quit ends with status 0.
printf 'info registers\ninfo jit\nxp/4xb 0x100000\nx/1i 0x100035\ninfo mtree\ninfo irq\ninfo pci\ninfo tlb\ninfo mem\nbogus\nhelp\nquit\n' |
    timeout 20 "$kiln" -kernel "$bin/hello.bin" -nographic -serial none -monitor stdio -S > "$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || bad "paused: exit status $rc"
has 'RIP=0000000000100035' && has 'CR0=00000011' && ok || bad "paused: info registers"
has 'instructions retired: 0' && ok || bad "paused: the guest ran while paused"
has '0000000000100000: 0x02 0xb0 0xad 0x1b' && ok || bad "paused: xp (multiboot magic)"
has '0000000000100035:  [a-z]' && ok || bad "paused: x/i"
has 'ram' && has 'pic0 \(master\)' && has '00:00.0 8086:1237' && has '00:01.3 8086:7113' && ok || bad "paused: info mtree/irq/pci"
has 'paging: none' && has 'paging is disabled' && ok || bad "paused: info tlb/mem"
has "unknown command: 'bogus'" && has 'system_reset' && ok || bad "paused: unknown command / help"

# 2. cont: the guest runs to its isa-debug-exit (status 1) and writes to the serial file.
(printf 'cont\n'; sleep 2; printf 'quit\n') |
    timeout 20 "$kiln" -kernel "$bin/hello.bin" -nographic -serial "file:$tmp/serial" -monitor stdio -S \
        -device isa-debug-exit,iobase=0xf4,iosize=4 > "$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'hello from kiln' "$tmp/serial" && ok || bad "cont: status $rc, serial: $(cat "$tmp/serial" 2>/dev/null)"

# 3. stop / system_reset / quit while running an endless guest is not scripted here (timing);
#    the mux monitor: Ctrl-A c switches stdin to the monitor.
printf '\001cinfo registers\nquit\n' |
    timeout 20 "$kiln" -kernel "$bin/hello.bin" -nographic -S > "$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] && has 'RIP=0000000000100035' && ok || bad "mux: status $rc"

# 4. the -d log of the real machine (same binary, no monitor): in_asm, exec, int, stats into -D FILE.
timeout 20 "$kiln" -kernel "$bin/hello.bin" -nographic -serial none -monitor none \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -d in_asm,exec,stats -D "$tmp/log" > "$tmp/out" 2>&1 < /dev/null
rc=$?
if [ $rc -eq 1 ] && grep -q 'IN: \[pc=0000000000100035 cs=0010 32-bit\]' "$tmp/log" &&
   grep -q '0x0000000000100035:  bc 00 00 09 00 .*mov esp, 0x90000' "$tmp/log" &&
   grep -q '^Trace: tb=.* pc=0000000000100035' "$tmp/log" && grep -q '^stats: blocks translated' "$tmp/log"; then
    ok
else
    cp "$tmp/log" "$tmp/out" 2>/dev/null; bad "-d log: status $rc"
fi

rm -rf "$tmp"
echo "[  PASSED  ] $pass test(s)."
if [ $fail -gt 0 ]; then
    echo "[  FAILED  ] $fail test(s)"
    exit 1
fi
