# SPDX-License-Identifier: MIT
# gdblib.sh: what the run-gdb*.sh scripts share, sourced by them (POSIX sh): the skip
# without gdb, the scratch directory, the pass/fail counts, the CHECK sections of gdb's
# output, kiln started paused for gdb, and the cmocka-style summary.
# Variables: tmp (the scratch directory), kpid (a kiln still to be ended at exit, or
# empty), krc (kiln_wait's status), pass and fail, eng (when set, failures name it);
# the functions' own variables start with gl_.

# gdb_required: without gdb, a skipped run (0 tests) and exit.
gdb_required() {
    if ! command -v gdb >/dev/null 2>&1; then
        echo "gdb not installed: skipped"
        echo "[  PASSED  ] 0 test(s)."
        exit 0
    fi
}

# gdb_tmp: a new scratch directory in $tmp, removed at exit, when a kiln started in
# kpid that is not waited for yet is killed too.
gdb_tmp() {
    tmp=$(mktemp -d)
    kpid=
    trap '[ -n "$kpid" ] && kill "$kpid" 2>/dev/null; rm -rf "$tmp"' EXIT
}

pass=0
fail=0

# bad MESSAGE [DETAIL]: a failed check (named after $eng when set), DETAIL below it
# (indented, at most 30 lines).
bad() {
    fail=$((fail + 1))
    echo "[  FAILED  ] ${eng:+$eng: }$1"
    if [ -n "$2" ]; then
        printf '%s\n' "$2" | sed 's/^/    /' | head -30
    fi
}

# section NAME [FILE]: what gdb printed (FILE, default $tmp/gdb.out) after the line
# "CHECK NAME", up to the next CHECK line.
section() {
    awk -v n="CHECK $1" '$0 == n {on = 1; next} /^CHECK / {on = 0} on' "${2:-$tmp/gdb.out}"
}

# check NAME PATTERN...: every PATTERN (ERE) matches some line of section NAME: one
# passed check, or one failed that shows the section (less gdb's "in ?? ()" lines).
check() {
    gl_name=$1
    shift
    gl_got=$(section "$gl_name")
    for gl_pat in "$@"; do
        if ! printf '%s\n' "$gl_got" | grep -qE -- "$gl_pat"; then
            bad "$gl_name: no /$gl_pat/ in:" "$(printf '%s\n' "$gl_got" | grep -v ' in ?? ()$')"
            return
        fi
    done
    pass=$((pass + 1))
}

# wait_lines FILE PATTERN N [TENTHS]: true once FILE has N lines matching PATTERN (ERE);
# false after TENTHS tenths of a second (default 100).
wait_lines() {
    gl_i=0
    while :; do
        gl_n=$(grep -cE -- "$2" "$1" 2>/dev/null)
        [ "${gl_n:-0}" -ge "$3" ] && return 0
        gl_i=$((gl_i + 1))
        [ $gl_i -gt "${4:-100}" ] && return 1
        sleep 0.1
    done
}

# kiln_paused SECONDS KILN GUEST PORT [option...]: runs KILN (killed after SECONDS) on the
# multiboot GUEST in the background, stopped for gdb at 127.0.0.1:PORT (-S), with
# isa-debug-exit at 0xf4 and the options; its output goes to $tmp/kiln.out, its pid to
# kpid. Returns once it waits for gdb (at most 5 s).
kiln_paused() {
    gl_secs=$1 gl_kiln=$2 gl_guest=$3 gl_port=$4
    shift 4
    : > "$tmp/kiln.out"
    timeout "$gl_secs" "$gl_kiln" -kernel "$gl_guest" -nographic "$@" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -gdb "tcp:127.0.0.1:$gl_port" -S \
        > "$tmp/kiln.out" 2>&1 < /dev/null &
    kpid=$!
    wait_lines "$tmp/kiln.out" 'waiting for gdb' 1 50
}

# kiln_wait: waits for the kiln in kpid; its exit status goes to krc.
kiln_wait() {
    wait "$kpid"
    krc=$?
    kpid=
}

# gdb_batch SECONDS PORT [gdb argument...]: gdb -batch (killed after SECONDS) connected to
# 127.0.0.1:PORT, then the arguments; its output goes to $tmp/gdb.out.
gdb_batch() {
    gl_secs=$1 gl_port=$2
    shift 2
    timeout "$gl_secs" gdb -nx -batch -ex "target remote 127.0.0.1:$gl_port" "$@" > "$tmp/gdb.out" 2>&1
}

# summary: the cmocka-style summary; exits 1 when a check failed.
summary() {
    echo "[  PASSED  ] $pass test(s)."
    if [ $fail -gt 0 ]; then
        echo "[  FAILED  ] $fail test(s)"
        exit 1
    fi
}
