# gdbmon.gdb: gdb and the monitor (-monitor tcp) on one running guest (tests/guest/counter).
# The runner watches for the files $MARK1/$MARK2 this script creates and answers by
# creating $ACK1 once the monitor replied while gdb held the guest stopped.
set pagination off
set confirm off
echo CHECK attached\n
printf "pc %#lx\n", $pc
shell touch "$MARK1"; i=0; while [ ! -f "$ACK1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
echo CHECK monstop\n
shell touch "$MARK2"
continue
printf "pc %#lx\n", $pc
echo CHECK end\n
detach
