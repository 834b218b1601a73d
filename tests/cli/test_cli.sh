#!/bin/sh
# SPDX-License-Identifier: MIT
# test_cli.sh: runs the real kiln binary with good and bad command lines and
# checks exit status and output; prints cmocka-style summary lines.
# Usage: test_cli.sh [path/to/kiln [path/to/docs/CLI.md]]
#   (defaults: $KILN, then ./kiln; $CLI_DOC, then the copy build.mk points at)

KILN=${1:-${KILN:-./kiln}}
CLI_DOC=${2:-${CLI_DOC:-@CLI_DOC@}}
passed=0
failed=0
failures=""
tmp=$(mktemp -d /tmp/kiln-cli.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# run ARGS...: runs kiln, leaving status in $rc and output in $tmp/out, $tmp/err.
run() {
    "$KILN" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
    rc=$?
}

pass() {
    passed=$((passed + 1))
    echo "[       OK ] $1"
}

fail() {
    failed=$((failed + 1))
    failures="$failures
[  FAILED  ] $1"
    echo "[  FAILED  ] $1: $2"
}

# good NAME NEEDLE ARGS...: exit 0, nothing on stderr, stdout contains NEEDLE.
good() {
    name=$1 needle=$2
    shift 2
    run "$@"
    if [ "$rc" -ne 0 ]; then
        fail "$name" "exit status $rc, expected 0"
    elif [ -s "$tmp/err" ]; then
        fail "$name" "unexpected stderr: $(head -c 200 "$tmp/err")"
    elif ! grep -q -e "$needle" "$tmp/out"; then
        fail "$name" "stdout lacks '$needle'"
    else
        pass "$name"
    fi
}

# bad PREFIX ARGS...: exit 1, stdout empty, stderr exactly one line that
# starts with PREFIX (e.g. "kiln: -m: ").
bad() {
    prefix=$1
    shift
    name=$(printf "bad: %s" "$*" | tr "\n" "?")
    run "$@"
    lines=$(wc -l < "$tmp/err")
    first=$(head -n 1 "$tmp/err")
    case "$first" in
    "$prefix"*) prefix_ok=yes ;;
    *) prefix_ok=no ;;
    esac
    if [ "$rc" -ne 1 ]; then
        fail "$name" "exit status $rc, expected 1 (stderr: $first)"
    elif [ "$lines" -ne 1 ]; then
        fail "$name" "stderr has $lines lines, expected 1"
    elif [ "$prefix_ok" != yes ]; then
        fail "$name" "stderr '$first' does not start with '$prefix'"
    elif [ -s "$tmp/out" ]; then
        fail "$name" "unexpected stdout"
    else
        pass "$name"
    fi
}

if [ ! -x "$KILN" ]; then
    echo "test_cli.sh: no kiln binary at $KILN"
    echo "[  FAILED  ] 1 test(s)"
    exit 1
fi

echo "[==========] Running command-line tests on $KILN"

good "-version" "kiln version" -version
good "--version" "kiln version" --version
good "-help" "-nographic" -help
good "-h" "usage: kiln" -h
good "--help" "-drive" --help
good "-d help" "guest_errors" -d help
good "--d help" "in_asm" --d help
good "-device help" "isa-debug-exit" -device help
good "-device isa-debug-exit,help" "iobase" -device isa-debug-exit,help
good "-cpu help" "qemu64" -cpu help
good "-M help" "pc" -M help
good "-version after options" "kiln version" -m 64 -smp 1 -version

# Nothing to run: the usage reminder, status 1.
run
if [ "$rc" -eq 1 ] && grep -q "usage: kiln" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    pass "no arguments: usage"
else
    fail "no arguments: usage" "status $rc"
fi
run -m 64 -d int -no-reboot
if [ "$rc" -eq 1 ] && grep -q "usage: kiln" "$tmp/err"; then
    pass "options but nothing to run: usage"
else
    fail "options but nothing to run: usage" "status $rc"
fi

bad "kiln: unknown option '-frobnicate'" -frobnicate
bad "kiln: unknown option '--frobnicate'" --frobnicate
bad "kiln: unknown option '--'" --
bad "kiln: unknown option '-netdev'" -m 64 -netdev user,id=n0
bad "kiln: -cpu: " -cpu host
bad "kiln: -vnc: only 'none' is supported" -vnc :0
bad "kiln: -m: invalid size 'foo'" -m foo
bad "kiln: -m: requires an argument" -m
bad "kiln: -m: requires an argument" --m
bad "kiln: -m: invalid size" -m 99999999999999999999
bad "kiln: -m: " -m ""
bad "kiln: -m: trailing comma" -m 512,
bad "kiln: -m: " -m 2T
bad "kiln: -m: " -m 0
bad "kiln: -smp: " -smp 0
bad "kiln: -smp: " -smp 4,maxcpus=2
bad "kiln: -smp: requires an argument" -smp
bad "kiln: -accel: kvm is not supported" -accel kvm
bad "kiln: -enable-kvm: " -enable-kvm
bad "kiln: -drive: " -drive ""
bad "kiln: -drive: trailing comma" -drive file=a,
bad "kiln: -drive: unknown parameter 'foo.img'" -drive foo.img
bad "kiln: -drive: unsupported format 'vmdk'" -drive file=a,format=vmdk
bad "kiln: -drive: requires an argument" -drive
bad "kiln: -hda: empty file name" -hda ""
bad "kiln: -cdrom: empty file name" -cdrom ""
bad "kiln: -kernel: empty file name" -kernel ""
bad "kiln: -initrd: only allowed with -kernel" -initrd x.img
bad "kiln: -append: only allowed with -kernel" -append "console=ttyS0"
bad "kiln: -boot: " -boot x
bad "kiln: -serial: unknown backend 'foo'" -serial foo
bad "kiln: -serial: invalid tcp port" -serial tcp::99999
bad "kiln: -monitor: " -monitor mon:stdio
bad "kiln: -gdb: " -gdb 1234
bad "kiln: -display: gtk is not built" -display gtk
bad "kiln: -d: unknown log item 'foo'" -d foo
bad "kiln: -d: " -d in_asm,
bad "kiln: -D: empty file name" -D ""
bad "kiln: -device: unknown device 'foo'" -device foo
bad "kiln: -device: isa-debug-exit has no property 'foo'" -device isa-debug-exit,foo=1
bad "kiln: -icount: shift= is required" -icount sleep=off
bad "kiln: -rtc: invalid base 'foo'" -rtc base=foo
bad "kiln: -nographic: cannot be used with -display" -display none -nographic
bad "kiln: -m: invalid size 'a?b'" -m "a
b"

# Every option in -help is documented in docs/CLI.md.
if [ -f "$CLI_DOC" ]; then
    run -help
    undocumented=""
    for opt in $(sed -n 's/^  \(-[a-zA-Z-]*\).*/\1/p' "$tmp/out"); do
        grep -q -e "\`$opt[] \`|,]" -e "\`$opt\`" "$CLI_DOC" || undocumented="$undocumented $opt"
    done
    if [ -z "$undocumented" ]; then
        pass "every option is in CLI.md"
    else
        fail "every option is in CLI.md" "missing:$undocumented"
    fi
else
    fail "every option is in CLI.md" "no document at '$CLI_DOC'"
fi

# Many random-ish bad values never crash (status exactly 1, one line).
robust_ok=yes
for v in "" "," ",," "=" "==" "a=" "=a" "0x" "-" "--" "18446744073709551616" \
         "99999999999999999999999999" "1,,,,,,,,,,,,,,,,,," "x=1,x=2,x=3" ":::" "tcp:[" \
         "mon:" "file:" "\377\376"; do
    for opt in -m -smp -drive -serial -monitor -gdb -device -d -icount -rtc -boot -accel; do
        run $opt "$v"
        n=$(wc -l < "$tmp/err")
        if [ "$rc" -gt 1 ] || [ "$n" -gt 1 ]; then
            fail "robust: $opt '$v'" "status $rc, $n stderr lines"
            robust_ok=no
        fi
    done
done
[ "$robust_ok" = yes ] && pass "robust: odd values for every option"

echo "[==========] $((passed + failed)) test(s) run."
if [ "$passed" -gt 0 ]; then
    echo "[  PASSED  ] $passed test(s)."
fi
if [ "$failed" -gt 0 ]; then
    echo "[  FAILED  ] $failed test(s), listed below:$failures"
    exit 1
fi
exit 0
