#!/bin/sh
# SPDX-License-Identifier: MIT
# run-gdb-linux.sh SRCDIR KILN [GUESTDIR, unused]: the real gdb on Linux: boots the default
# guest (tools/mkguest, cache guest-cache/ as tests/boot/boot-linux.sh) paused with -S and nokaslr, gdb sets a
# hardware breakpoint at start_kernel, continues, checks the stop (pc, registers, long
# mode, nothing printed by the kernel yet), steps, continues to the busybox shell; the
# shell powers off, gdb sees the exit, kiln ends with status 0.
# The address of start_kernel: Debian's linux-image package carries no real System.map
# (a one-line stub pointing at the -dbg package), so it comes from the same kernel's
# /proc/kallsyms (fixed with nokaslr): one boot reads it once and caches it in
# guest-cache/start_kernel (kernel version and address). KILN_SKIP_BOOT=1 skips this.
src=$1 kiln=$2
cache=guest-cache
if [ "${KILN_SKIP_BOOT:-0}" = 1 ]; then
    echo "gdb-linux: skipped (KILN_SKIP_BOOT=1)"; echo "[  PASSED  ] 0 test(s)."; exit 0
fi
. "$src/tests/gdb/gdblib.sh"
gdb_required
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; exec 3>&- 2>/dev/null; rm -rf "$tmp"' EXIT
if ! sh "$src/tools/mkguest" "$cache" > "$tmp/mkguest.log" 2>&1; then
    cat "$tmp/mkguest.log"; echo "[  FAILED  ] 1 test(s)"; exit 1
fi
# wait_for FILE PATTERN SECONDS: true once PATTERN (BRE) is in FILE; false after SECONDS
# or when kiln ($pid) exited without printing it.
wait_for() {
    i=0
    while [ "$i" -lt $(($3 * 5)) ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { grep -q "$2" "$1" 2>/dev/null; return; }
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}
# boot NAME [kiln options]: starts the guest with the serial console on $tmp/NAME.serial
# and its input on fd 3.
boot() {
    name=$1
    shift
    rm -f "$tmp/$name.in"
    mkfifo "$tmp/$name.in"
    "$kiln" -m 512M -kernel "$cache/vmlinuz" -initrd "$cache/initramfs.cpio.gz" \
        -append "console=ttyS0 nokaslr" -nographic -no-reboot "$@" \
        < "$tmp/$name.in" > "$tmp/$name.serial" 2>&1 &
    pid=$!
    exec 3> "$tmp/$name.in"
}
# poweroff: the shell ends the machine; kiln's exit status goes to $rc.
poweroff() {
    echo 'poweroff -f' >&3
    i=0
    while [ $i -lt 300 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"; rc=timeout
    else
        wait "$pid"; rc=$?
    fi
    pid=
    exec 3>&-
}

kver=$(cat "$cache/kernel-version" 2>/dev/null)
addr=$(sed -n "s/^$kver \(0x[0-9a-f]*\)\$/\1/p" "$cache/start_kernel" 2>/dev/null)
if [ -z "$addr" ]; then
    echo "gdb-linux: reading start_kernel from the guest's /proc/kallsyms (cached afterwards)"
    boot kallsyms
    if wait_for "$tmp/kallsyms.serial" 'built-in shell' 300; then
        echo 'grep -w start_kernel /proc/kallsyms | sed "s/^/KSYM /"; echo KSYM-DONE' >&3
        wait_for "$tmp/kallsyms.serial" '^KSYM-DONE' 120
        a=$(tr -d '\r' < "$tmp/kallsyms.serial" | sed -n 's/^KSYM \([0-9a-f]\{16\}\) [Tt] start_kernel$/\1/p' | head -1)
        [ -n "$a" ] && [ "$a" != 0000000000000000 ] && addr=0x$a
    fi
    poweroff
    if [ -z "$addr" ]; then
        bad "start_kernel not found in /proc/kallsyms"; tail -20 "$tmp/kallsyms.serial"
        summary
    fi
    echo "$kver $addr" > "$cache/start_kernel"
fi
echo "gdb-linux: Linux $kver, start_kernel at $addr"

port=$((24000 + $$ % 20000))
boot gdb -S -gdb "tcp:127.0.0.1:$port"
wait_for "$tmp/gdb.serial" 'waiting for gdb' 20
SERIAL=$tmp/gdb.serial
export SERIAL
timeout 600 gdb -nx -batch -ex "target remote 127.0.0.1:$port" -ex "set \$start_kernel = $addr" \
    -x "$src/tests/gdb/linux.gdb" > "$tmp/gdb.out" 2>&1 &
gpid=$!
if wait_for "$tmp/gdb.serial" 'built-in shell' 300; then
    pass=$((pass + 1))
    echo 'echo GDB-SHELL-$((6*7))' >&3
    wait_for "$tmp/gdb.serial" '^GDB-SHELL-42' 60 && pass=$((pass + 1)) || bad "shell command under gdb"
else
    bad "boot to the shell under gdb"; tail -20 "$tmp/gdb.serial"
fi
poweroff
i=0
while kill -0 $gpid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill $gpid 2>/dev/null
wait $gpid 2>/dev/null
[ "$rc" = 0 ] && pass=$((pass + 1)) || bad "poweroff under gdb: kiln status $rc"
stop=$(section start_kernel)
if printf '%s\n' "$stop" | grep -q '^pc_ok 1$' && printf '%s\n' "$stop" | grep -q '^stepped 1$' &&
   printf '%s\n' "$stop" | grep -qE '^cs +0x10 +16$' && printf '%s\n' "$stop" | grep -qE '^CR0=8'; then
    pass=$((pass + 1))
else
    bad "stop at start_kernel:"; printf '%s\n' "$stop" | sed 's/^/    /'
fi
efer=$(printf '%s\n' "$stop" | sed -n 's/^EFER=\([0-9a-f]*\).*/\1/p')
[ -n "$efer" ] && [ $((0x$efer & 0x400)) -ne 0 ] && pass=$((pass + 1)) || bad "EFER.LMA at start_kernel ($efer)"
# start_kernel prints the banner: at the stop the kernel had printed nothing of it yet
if [ -f "$tmp/gdb.serial.stop" ] && ! grep -q 'Linux version' "$tmp/gdb.serial.stop" &&
   grep -q 'Linux version' "$tmp/gdb.serial"; then
    pass=$((pass + 1))
else
    bad "the kernel banner was already out at the breakpoint (or never)"
fi
section run | grep -q 'exited normally' && pass=$((pass + 1)) || { bad "gdb did not see the power-off"; section run | tail -5; }
if grep -qE "too long|Remote failure" "$tmp/gdb.out"; then
    bad "gdb complained: $(grep -E 'too long|Remote failure' "$tmp/gdb.out" | head -3)"
fi
[ $fail -gt 0 ] && { echo "--- gdb output:"; sed 's/^/    /' "$tmp/gdb.out" | head -60; }
summary
