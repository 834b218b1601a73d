# SPDX-License-Identifier: MIT
# cpio.sh: writes newc cpio archives from plain POSIX sh (no cpio or mknod needed); sourced by tools/mkguest and tests/boot.
#
#   cpio_begin FILE                           start an empty archive in FILE
#   cpio_entry NAME MODE SIZE RDEVMAJ RDEVMIN [DATAFILE]
#                                             append one entry (MODE in octal with
#                                             its type bits, e.g. 0100755, 040755,
#                                             020600 for a character device)
#   cpio_file NAME MODE DATAFILE              append a regular file
#   cpio_end                                  append the trailer and pad to 512

cpio_begin() {
    cpio_out=$1
    cpio_ino=1000
    : >"$cpio_out"
}

cpio_pad() {
    _n=$(( (4 - $1 % 4) % 4 ))
    while [ "$_n" -gt 0 ]; do
        printf '\000' >>"$cpio_out"
        _n=$((_n - 1))
    done
}

cpio_entry() {
    cpio_ino=$((cpio_ino + 1))
    _nlen=$((${#1} + 1))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        "$cpio_ino" "$(($2))" 0 0 1 0 "$3" 0 0 "$4" "$5" "$_nlen" 0 >>"$cpio_out"
    printf '%s\000' "$1" >>"$cpio_out"
    cpio_pad $((110 + _nlen))
    if [ -n "${6:-}" ]; then
        cat "$6" >>"$cpio_out"
        cpio_pad "$3"
    fi
}

cpio_file() {
    cpio_entry "$1" "$2" "$(wc -c <"$3" | tr -d ' ')" 0 0 "$3"
}

cpio_end() {
    cpio_entry 'TRAILER!!!' 0 0 0 0
    cpio_pad "$(wc -c <"$cpio_out" | tr -d ' ')"
}
