#!/bin/sh
# SPDX-License-Identifier: MIT
# run-suites.sh: runs each test program given, prints its output, and sums the
# cmocka-style summaries ("[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)")
# into one closing line "N passed, N failed". A program that exits non-zero
# without reporting a failure counts as one failure.
passed=0
failed=0
bad=""
for prog in "$@"; do
    echo "==> $prog"
    out=$(mktemp)
    # cmocka prints its summaries on stderr; keep both streams, in order.
    ./"$prog" > "$out" 2>&1 < /dev/null
    rc=$?
    cat "$out"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
    rm -f "$out"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$prog: exited with status $rc"
        f=1
    fi
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        echo "$prog: reported no tests"
        f=1
    fi
    [ "$f" -gt 0 ] && bad="$bad $prog"
    passed=$((passed + p))
    failed=$((failed + f))
done
echo
[ -n "$bad" ] && echo "failing suites:$bad"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
