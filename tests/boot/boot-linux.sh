#!/bin/sh
# SPDX-License-Identifier: MIT
# boot-linux.sh: boots the default guest (tools/mkguest: Debian's kernel + busybox)
# under each engine, runs shell commands over the serial console, checks their
# output and that the kernel logged no oops, panic, BUG or WARNING, found the
# ACPI tables, the PCI root bridge and the PS/2 keyboard, checks the guest's
# clock against the host's (date +%s, sleep 1), then runs 'reboot -f' under
# -no-reboot: kiln must exit with status 0. Under the engines in REBOOT_ENGINES
# (default: jit) a second run without -no-reboot reboots the guest, waits for the
# kernel to boot a second time and powers it off (status 0). Prints cmocka-style
# summaries. Usage: boot-linux.sh SRCDIR [ENGINE...]
# KILN_SKIP_BOOT=1 skips it on purpose (reported as a skip line, not a pass).
src=$1
shift
engines=${*:-jit interp}
reboot_engines=${REBOOT_ENGINES:-jit}
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

# wait_time FILE PATTERN SECONDS: polls every 50 ms; prints the host time
# (seconds, fractional) at which PATTERN appeared in FILE; false on timeout.
wait_time() {
    end=$(( $(date +%s) + $3 ))
    while [ "$(date +%s)" -lt "$end" ]; do
        if grep -q "$2" "$1" 2>/dev/null; then
            date +%s.%N
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# wait_exit SECONDS NAME: kiln ($pid) must exit by itself with status 0.
wait_exit() {
    i=0
    while [ "$i" -lt "$1" ] && kill -0 "$pid" 2>/dev/null; do
        sleep 1
        i=$((i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "$2 (still running after $1 s)"
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    else
        wait "$pid"
        rc=$?
        if [ "$rc" -eq 0 ]; then pass "$2"; else fail "$2 (status $rc)"; fi
    fi
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
    # Chipset and devices as Linux sees them.
    for want in 'ACPI: PCI Root Bridge \[PCI0\]' 'pci 0000:00:01.0: \[8086:7000\]' \
        'serio: i8042 KBD port at 0x60,0x64 irq 1' 'input: AT Translated Set 2 keyboard'; do
        if grep -q "$want" "$dir/serial.log"; then pass "$engine: log has '$want'"; else fail "$engine: log has '$want'"; fi
    done
    if grep -qiE 'i8042.*(timeout|fail|can.t)|atkbd.*(fail|spurious|unknown)' "$dir/serial.log"; then
        fail "$engine: i8042/atkbd probe without warnings"
        grep -iE 'i8042|atkbd' "$dir/serial.log" | head
    else
        pass "$engine: i8042/atkbd probe without warnings"
    fi
    # The guest's wall clock is the host's: date +%s lies between the host's
    # time before sending the command and after seeing the answer (2 s slack).
    t0=$(date +%s.%N)
    echo 'echo DATE-$(date +%s)' >&3
    if t1=$(wait_time "$dir/serial.log" '^DATE-[0-9]' 60); then
        g=$(tr -d '\r' < "$dir/serial.log" | sed -n 's/^DATE-\([0-9]*\)$/\1/p' | tail -n 1)
        if awk -v a="$t0" -v b="$t1" -v g="$g" 'BEGIN { exit !(g >= int(a) - 2 && g <= b + 2) }'; then
            pass "$engine: guest date +%s matches the host clock ($g in $t0..$t1)"
        else
            fail "$engine: guest date +%s = $g, host between $t0 and $t1"
        fi
    else
        fail "$engine: guest date +%s (no answer)"
    fi
    # 'sleep 1' lasts about a second of host time (0.8-2.0 s between the markers).
    echo 'echo SLEEP-A; sleep 1; echo SLEEP-B' >&3
    if ta=$(wait_time "$dir/serial.log" '^SLEEP-A' 60) && tb=$(wait_time "$dir/serial.log" '^SLEEP-B' 60); then
        if awk -v a="$ta" -v b="$tb" 'BEGIN { d = b - a; exit !(d >= 0.8 && d <= 2.0) }'; then
            pass "$engine: sleep 1 lasts about a second ($(awk -v a="$ta" -v b="$tb" 'BEGIN { print b - a }') s)"
        else
            fail "$engine: sleep 1 took $(awk -v a="$ta" -v b="$tb" 'BEGIN { print b - a }') s of host time"
        fi
    else
        fail "$engine: sleep 1 (no markers)"
    fi
    # 'reboot -f' under -no-reboot: the reset (FADT reset register, 0xcf9) ends kiln with status 0.
    echo 'reboot -f' >&3
    wait_exit 60 "$engine: reboot under -no-reboot ends kiln with status 0"
    exec 3>&-
done

# A reboot without -no-reboot boots the kernel a second time; then power-off
# (ACPI S5) must end kiln with status 0.
for engine in $reboot_engines; do
    dir=boot-$engine-reboot
    rm -rf "$dir" && mkdir "$dir"
    mkfifo "$dir/in"
    ./kiln -accel "$engine" -m 512M -kernel "$cache/vmlinuz" -initrd "$cache/initramfs.cpio.gz" \
        -append "console=ttyS0" -nographic < "$dir/in" > "$dir/serial.log" 2>&1 &
    pid=$!
    exec 3> "$dir/in"
    if ! wait_for "$dir/serial.log" 'built-in shell' 900; then
        fail "$engine: boot before the reboot"
        kill "$pid" 2>/dev/null
        exec 3>&-
        continue
    fi
    echo 'reboot -f' >&3
    i=0
    while [ "$i" -lt 900 ] && [ "$(grep -c 'built-in shell' "$dir/serial.log")" -lt 2 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 1
        i=$((i + 1))
    done
    if [ "$(grep -c 'Linux version' "$dir/serial.log")" -ge 2 ] && [ "$(grep -c 'built-in shell' "$dir/serial.log")" -ge 2 ]; then
        pass "$engine: reboot boots the kernel a second time"
    else
        fail "$engine: reboot boots the kernel a second time"
        tail -n 20 "$dir/serial.log"
    fi
    # ACPI S5: 'poweroff -f' must end kiln itself, with exit status 0.
    echo 'poweroff -f' >&3
    wait_exit 60 "$engine: poweroff ends kiln with status 0"
    exec 3>&-
done

echo "[  PASSED  ] $passed test(s)."
[ "$failed" -gt 0 ] && echo "[  FAILED  ] $failed test(s), listed above."
[ "$failed" -eq 0 ]
