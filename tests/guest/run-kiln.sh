#!/bin/sh
# SPDX-License-Identifier: MIT
# run-kiln.sh: boots every tests/guest/*.asm that carries an "; expect:" line as a
# multiboot kernel under ./kiln on each engine and checks the outcome.
#
#   usage: run-kiln.sh KILN SRCDIR BINDIR [engine...]   (engines default: interp jit)
#
# Expectation line (one per test file):   ; expect: exit=N [serial="text"] [timeout=S]
#   exit=N       kiln's exit status (isa-debug-exit: value v written -> 2*v+1)
#   serial="..." text the serial output must contain (no double quotes inside)
#   timeout=S    seconds before the run counts as hung (default 10)
# Prints cmocka-style lines; the summary is what tests/run-suites.sh adds up.
kiln=$1 src=$2 bin=$3
shift 3
engines=${*:-interp jit}
passed=0 failed=0 failures=""
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT

for asm in "$src"/*.asm; do
    [ -f "$asm" ] || continue
    line=$(sed -n 's/^;[[:space:]]*expect:[[:space:]]*//p' "$asm" | head -n 1)
    [ -n "$line" ] || continue          # not a kiln test (e.g. a bare-CPU program)
    name=$(basename "$asm" .asm)
    want_exit=$(printf '%s\n' "$line" | sed -n 's/.*exit=\([0-9]*\).*/\1/p')
    want_serial=$(printf '%s\n' "$line" | sed -n 's/.*serial="\([^"]*\)".*/\1/p')
    tmo=$(printf '%s\n' "$line" | sed -n 's/.*timeout=\([0-9]*\).*/\1/p')
    [ -n "$tmo" ] || tmo=10
    for eng in $engines; do
        t="$name/$eng"
        echo "[ RUN      ] $t"
        why=""
        : > "$out"
        if [ -z "$want_exit" ]; then
            why="no exit=N in the expect line"
        elif [ ! -f "$bin/$name.bin" ]; then
            why="$bin/$name.bin was not built"
        else
            timeout -k 2 "$tmo" "$kiln" -kernel "$bin/$name.bin" -nographic -serial stdio \
                -device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot -accel "$eng" \
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

echo "[  PASSED  ] $passed test(s)."
if [ "$failed" -gt 0 ]; then
    echo "[  FAILED  ] $failed test(s), listed below:"
    for t in $failures; do echo "[  FAILED  ] $t"; done
    exit 1
fi
exit 0
