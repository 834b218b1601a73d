# linux.gdb: real gdb against `kiln -S -gdb` booting the default Linux guest (tools/mkguest)
# with nokaslr. The runner sets $start_kernel (from the guest's /proc/kallsyms, cached) and
# $SERIAL (the serial log). A hardware breakpoint stops the boot at start_kernel; then
# gdb lets the guest run to the shell and stays attached until it powers off.
set pagination off
set confirm off
echo CHECK attach\n
printf "pc %#lx\n", $pc
hbreak *$start_kernel
continue
echo CHECK start_kernel\n
shell cp "$SERIAL" "$SERIAL.stop"
printf "pc_ok %d\n", $pc == $start_kernel
info registers rip cs ss rsp eflags
x/3i $pc
monitor info registers
stepi
printf "stepped %d\n", $pc != $start_kernel
delete
echo CHECK run\n
continue
