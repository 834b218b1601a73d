#!/bin/sh
# SPDX-License-Identifier: MIT
# bench-boot.sh: boot-to-shell and boot-to-poweroff times of the default guest
# (tools/mkguest) under kiln's JIT, kiln's interpreter and, when installed,
# qemu-system-x86_64 with TCG: same kernel, initramfs and command line, median of
# REPS runs each, all in one run on one machine. Wall-clock seconds (a boot is
# an interactive wait, and the guest's own timers run on the host's clock).
# Usage: bench-boot.sh SRCDIR [REPS]
src=$1
reps=${2:-3}
cache=guest-cache
append="console=ttyS0"
sh "$src/tools/mkguest" "$cache" > mkguest.log 2>&1 || { cat mkguest.log; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.2f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# run_one NAME CMD...: prints "shell_seconds off_seconds" ("-" when not reached).
run_one() {
    name=$1
    shift
    dir=bench-boot-$name
    rm -rf "$dir" && mkdir "$dir" && mkfifo "$dir/in"
    t0=$(now)
    "$@" < "$dir/in" > "$dir/out" 2>&1 &
    pid=$!
    exec 3> "$dir/in"
    shell=- off=-
    i=0
    while [ $i -lt 6000 ] && kill -0 $pid 2>/dev/null; do
        if grep -q 'built-in shell' "$dir/out"; then
            shell=$(elapsed "$t0")
            break
        fi
        sleep 0.05
        i=$((i + 1))
    done
    if [ "$shell" != - ]; then
        echo 'poweroff -f' >&3
        i=0
        while [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do
            sleep 0.05
            i=$((i + 1))
        done
        kill -0 $pid 2>/dev/null || off=$(elapsed "$t0")
    fi
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    exec 3>&-
    echo "$shell $off"
}

median() { tr ' ' '\n' | grep -v '^-$' | sort -n | awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

kernel="$cache/vmlinuz"
initrd="$cache/initramfs.cpio.gz"
printf 'Boot of %s (median of %s runs, wall-clock seconds)\n\n' "$(cat "$cache/kernel-version" 2>/dev/null || echo the default guest)" "$reps"
printf '%-12s %10s %12s\n' engine to-shell to-poweroff
results=""
for eng in kiln-jit kiln-interp qemu-tcg; do
    case $eng in
    kiln-jit) set -- ./kiln -accel jit ;;
    kiln-interp) set -- ./kiln -accel interp ;;
    qemu-tcg)
        command -v qemu-system-x86_64 >/dev/null 2>&1 || { printf '%-12s %10s %12s   (apt-get install qemu-system-x86)\n' $eng - -; continue; }
        set -- qemu-system-x86_64 -accel tcg ;;
    esac
    shells="" offs=""
    r=0
    while [ $r -lt "$reps" ]; do
        res=$(run_one "$eng" "$@" -m 512M -kernel "$kernel" -initrd "$initrd" -append "$append" \
            -nographic -serial stdio -monitor none -no-reboot)
        shells="$shells ${res% *}"
        offs="$offs ${res#* }"
        r=$((r + 1))
    done
    s=$(echo $shells | median)
    o=$(echo $offs | median)
    printf '%-12s %10s %12s\n' $eng "$s" "$o"
    results="$results $eng=$s"
done
jit=$(echo "$results" | tr ' ' '\n' | sed -n 's/^kiln-jit=//p')
int=$(echo "$results" | tr ' ' '\n' | sed -n 's/^kiln-interp=//p')
qemu=$(echo "$results" | tr ' ' '\n' | sed -n 's/^qemu-tcg=//p')
echo
if [ -n "$jit" ] && [ "$jit" != - ] && [ -n "$int" ] && [ "$int" != - ]; then
    echo "to-shell: interpreter / JIT = $(ratio "$int" "$jit")x"
fi
if [ -n "$jit" ] && [ "$jit" != - ] && [ -n "$qemu" ] && [ "$qemu" != - ]; then
    echo "to-shell: QEMU TCG / kiln JIT = $(ratio "$qemu" "$jit")x (above 1: kiln is faster)"
fi
