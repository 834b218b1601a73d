#!/bin/sh
# SPDX-License-Identifier: MIT
# boot-linux.sh: boots the default guest (tools/mkguest: Debian's kernel + busybox)
# under each engine, runs shell commands over the serial console, checks their
# output and that the kernel logged no oops, panic, BUG or WARNING and found the
# ACPI tables, then powers off: kiln must exit with status 0. Prints cmocka-style
# summaries. Usage: boot-linux.sh SRCDIR [ENGINE...]
# KILN_SKIP_BOOT=1 skips it on purpose (reported as a skip line, not a pass).
src=$1
shift
engines=${*:-jit interp}
cache=guest-cache
passed=0
failed=0
fail() { echo "[  FAILED  ] $1"; failed=$((failed + 1)); }
pass() { echo "[       OK ] $1"; passed=$((passed + 1)); }

if [ "${KILN_SKIP_BOOT:-0}" = 1 ]; then
    echo "boot-linux: skipped (KILN_SKIP_BOOT=1)"
    echo "[  PASSED  ] 0 test(s)."
    exit 0
fi
if ! sh "$src/tools/mkguest" "$cache" > mkguest.log 2>&1; then
    cat mkguest.log
    echo "boot-linux: tools/mkguest could not build the guest"
    echo "[  FAILED  ] 1 test(s), listed below:"
    exit 1
fi

# wait_for FILE PATTERN SECONDS: true once PATTERN appears in FILE; false after
# SECONDS or as soon as kiln ($pid) has exited without printing it.
wait_for() {
    i=0
    while [ "$i" -lt "$3" ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { grep -q "$2" "$1" 2>/dev/null; return; }
        sleep 1
        i=$((i + 1))
    done
    return 1
}

# On x86-64 hosts the build made obj/tests/boot/fptest (a static program using
# x87, MMX, SSE2..SSE4.2, AES, PCLMUL) and its host output fptest.host; the
# guest gets it in a second cpio archive appended to the initramfs (the kernel
# unpacks concatenated archives) and must print exactly the same.
fptest=obj/tests/boot/fptest
. "$src/tools/cpio.sh"

for engine in $engines; do
    dir=boot-$engine
    rm -rf "$dir" && mkdir "$dir"
    mkfifo "$dir/in"
    initrd="$cache/initramfs.cpio.gz"
    if [ -x "$fptest" ]; then
        cpio_begin "$dir/extra.cpio"
        cpio_file bin/fptest 0100755 "$fptest"
        cpio_end
        gzip -n -c "$dir/extra.cpio" | cat "$cache/initramfs.cpio.gz" - > "$dir/initrd"
        initrd="$dir/initrd"
    fi
    ./kiln -accel "$engine" -m 512M -kernel "$cache/vmlinuz" -initrd "$initrd" \
        -append "console=ttyS0" -nographic -no-reboot < "$dir/in" > "$dir/serial.log" 2>&1 &
    pid=$!
    exec 3> "$dir/in"
    if ! wait_for "$dir/serial.log" 'built-in shell' 900; then
        fail "$engine: boot to the shell"
        kill "$pid" 2>/dev/null
        exec 3>&-
        tail -n 40 "$dir/serial.log"
        continue
    fi
    pass "$engine: boot to the shell"
    # Each command prints a marker the checks look for.
    printf '%s\n' \
        'echo MATH-$((6*7))' \
        'mkdir -p /tmp/t && echo hello > /tmp/t/f && echo FILE-$(cat /tmp/t/f)' \
        'echo PIPE-$(echo a b c d | wc -w)' \
        'echo CPUS-$(grep -c ^processor /proc/cpuinfo)' \
        'echo DONE' >&3
    if wait_for "$dir/serial.log" '^DONE' 120; then
        for want in MATH-42 FILE-hello PIPE-4 CPUS-1; do
            if grep -q "^$want" "$dir/serial.log"; then pass "$engine: $want"; else fail "$engine: $want"; fi
        done
    else
        fail "$engine: shell commands"
    fi
    if [ -x "$fptest" ]; then
        echo 'fptest; echo FPTEST-END' >&3
        if wait_for "$dir/serial.log" '^FPTEST-END' 600; then
            tr -d '\r' < "$dir/serial.log" | sed -n '/^fptest: x87/,/^fptest: done/p' > "$dir/fptest.out"
            if [ -s "$dir/fptest.out" ] && cmp -s "$dir/fptest.out" obj/tests/boot/fptest.host; then
                pass "$engine: fptest prints the same in the guest as on the host"
            else
                fail "$engine: fptest prints the same in the guest as on the host"
                diff obj/tests/boot/fptest.host "$dir/fptest.out"
            fi
        else
            fail "$engine: fptest (no FPTEST-END)"
        fi
    fi
    # APIC: the kernel routes through the I/O APIC, ticks with the local APIC timer,
    # and `sleep 2` lasts about 2 s of host time (the virtual clock follows the host).
    printf '%s\n' 'echo IOAPIC-LINES-$(grep -c IO-APIC /proc/interrupts)' \
        'echo LOC-$(grep LOC: /proc/interrupts | tr -s " " | cut -d" " -f2)' \
        'echo CLOCKEVENT-$(cat /sys/devices/system/clockevents/clockevent0/current_device)' \
        'echo SLEEP-START; sleep 2; echo SLEEP-END' >&3
    t0= t1=
    i=0
    while [ "$i" -lt 1200 ] && [ -z "$t1" ]; do
        [ -z "$t0" ] && grep -q '^SLEEP-START' "$dir/serial.log" && t0=$(date +%s.%N)
        [ -n "$t0" ] && grep -q '^SLEEP-END' "$dir/serial.log" && t1=$(date +%s.%N)
        sleep 0.1
        i=$((i + 1))
    done
    if [ -n "$t1" ] && awk -v a="$t0" -v b="$t1" 'BEGIN { d = b - a; exit !(d >= 1.5 && d <= 5) }'; then
        pass "$engine: sleep 2 in the guest lasts about 2 s"
    else
        fail "$engine: sleep 2 in the guest lasts about 2 s (start $t0, end $t1)"
    fi
    if grep -q 'IOAPIC\[0\]: apic_id 0' "$dir/serial.log" &&
        grep -qE '^IOAPIC-LINES-([3-9]|[1-9][0-9])' "$dir/serial.log"; then
        pass "$engine: interrupts go through the I/O APIC"
    else
        fail "$engine: interrupts go through the I/O APIC"
        grep -E 'IOAPIC|IO-APIC' "$dir/serial.log" | head -5
    fi
    if grep -qE '^LOC-[1-9]' "$dir/serial.log" && grep -qE '^CLOCKEVENT-lapic' "$dir/serial.log" &&
        ! grep -qE "APIC timer disabled|APIC calibration|timer not connected|timer doesn't work" "$dir/serial.log"; then
        pass "$engine: the local APIC timer ticks"
    else
        fail "$engine: the local APIC timer ticks"
        grep -E '^LOC-|^CLOCKEVENT-|APIC' "$dir/serial.log" | head -10
    fi
    if grep -qE 'Oops|Kernel panic|BUG:|WARNING:|Call Trace' "$dir/serial.log"; then
        fail "$engine: kernel log free of oops/panic/BUG/WARNING"
        grep -nE 'Oops|Kernel panic|BUG:|WARNING:|Call Trace' "$dir/serial.log" | head -20
    else
        pass "$engine: kernel log free of oops/panic/BUG/WARNING"
    fi
    if grep -q 'A valid RSDP was not found' "$dir/serial.log"; then
        fail "$engine: kernel finds kiln's ACPI tables"
    else
        pass "$engine: kernel finds kiln's ACPI tables"
    fi
    # ACPI S5: 'poweroff -f' must end kiln itself, with exit status 0.
    echo 'poweroff -f' >&3
    i=0
    while [ "$i" -lt 60 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 1
        i=$((i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "$engine: poweroff ends kiln with status 0 (still running after 60 s)"
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    else
        wait "$pid"
        rc=$?
        if [ "$rc" -eq 0 ]; then
            pass "$engine: poweroff ends kiln with status 0"
        else
            fail "$engine: poweroff ends kiln with status 0 (status $rc)"
        fi
    fi
    exec 3>&-
done

echo "[  PASSED  ] $passed test(s)."
[ "$failed" -gt 0 ] && echo "[  FAILED  ] $failed test(s), listed above."
[ "$failed" -eq 0 ]
