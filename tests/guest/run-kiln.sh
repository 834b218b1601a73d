#!/bin/sh
# SPDX-License-Identifier: MIT
# run-kiln.sh: boots every tests/guest/*.asm that carries an "; expect:" line as a
# kernel (multiboot, or an ELF written by hand) under ./kiln on each engine and
# checks the outcome.
#
#   usage: run-kiln.sh KILN SRCDIR BINDIR [engine...]   (engines default: interp jit)
#
# Expectation lines (each one is a separate run per engine):
#   ; expect: exit=N [serial="text"] [timeout=S] [args="extra kiln options"]
#   exit=N       kiln's exit status (isa-debug-exit: value v written -> 2*v+1)
#   serial="..." text the serial output must contain (no double quotes inside)
#   timeout=S    seconds before the run counts as hung (default 10)
#   args="..."   more kiln options for this run (e.g. -icount shift=3)
# Every run gets: -kernel BIN -nographic -serial stdio -monitor none -no-reboot
#   -device isa-debug-exit,iobase=0xf4,iosize=4 -accel ENGINE
# Prints cmocka-style lines; the summary is what tests/run-suites.sh adds up.
kiln=$1 src=$2 bin=$3
shift 3
engines=${*:-interp jit}
passed=0 failed=0 failures=""
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT

for asm in "$src"/*.asm; do
    [ -f "$asm" ] || continue
    name=$(basename "$asm" .asm)
    nlines=$(grep -c '^;[[:space:]]*expect:' "$asm")
    k=0
    while [ "$k" -lt "$nlines" ]; do
        k=$((k + 1))
        line=$(sed -n 's/^;[[:space:]]*expect:[[:space:]]*//p' "$asm" | sed -n "${k}p")
        want_exit=$(printf '%s\n' "$line" | sed -n 's/.*exit=\([0-9]*\).*/\1/p')
        want_serial=$(printf '%s\n' "$line" | sed -n 's/.*serial="\([^"]*\)".*/\1/p')
        extra=$(printf '%s\n' "$line" | sed -n 's/.*args="\([^"]*\)".*/\1/p')
        tmo=$(printf '%s\n' "$line" | sed -n 's/.*timeout=\([0-9]*\).*/\1/p')
        [ -n "$tmo" ] || tmo=10
        run=$name
        [ "$k" -gt 1 ] && run="$name#$k"
        for eng in $engines; do
            t="$run/$eng"
            echo "[ RUN      ] $t"
            why=""
            : > "$out"
            if [ -z "$want_exit" ]; then
                why="no exit=N in the expect line"
            elif [ ! -f "$bin/$name.bin" ]; then
                why="$bin/$name.bin was not built"
            else
                timeout -k 2 "$tmo" "$kiln" -kernel "$bin/$name.bin" -nographic -serial stdio -monitor none \
                    -device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot -accel "$eng" $extra \
                    > "$out" 2>&1 < /dev/null
                rc=$?
                if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
                    why="timed out after ${tmo}s"
                elif [ "$rc" -ne "$want_exit" ]; then
                    why="exit status $rc, expected $want_exit"
                elif [ -n "$want_serial" ] && ! grep -qF -- "$want_serial" "$out"; then
                    why="serial output lacks \"$want_serial\""
                fi
            fi
            if [ -z "$why" ]; then
                echo "[       OK ] $t"
                passed=$((passed + 1))
            else
                echo "$t: $why; output:"
                sed -n '1,40s/^/    /p' "$out"
                echo "[  FAILED  ] $t"
                failed=$((failed + 1))
                failures="$failures $t"
            fi
        done
    done
done

echo "[  PASSED  ] $passed test(s)."
if [ "$failed" -gt 0 ]; then
    echo "[  FAILED  ] $failed test(s), listed below:"
    for t in $failures; do echo "[  FAILED  ] $t"; done
    exit 1
fi
exit 0
