# watch-drop.gdb: sets a hardware breakpoint and a watchpoint in tests/guest/gdbwatch.bin,
# keeps them inserted while stopped (always-inserted), then gdb dies (SIGKILL): the
# connection drops without a detach. kiln must forget both and let the guest run to
# its exit (run-gdb-watch.sh checks the status).
set pagination off
set confirm off
set breakpoint always-inserted on
hbreak *0x100500
watch *(int *)0x100800
continue
echo CHECK droppc\n
p/x $pc
shell kill -9 $PPID
