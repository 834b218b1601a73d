# watch.gdb: real gdb against ./kiln -gdb ... -S running tests/guest/gdbwatch.bin:
# watch, rwatch and awatch on the guest's variable at 0x100800 stop after the
# accessing instruction with the value; hbreak stops before its instruction; the
# guest's own debug registers keep working (it checks them and exits with 0).
set pagination off
set confirm off
watch *(int *)0x100800
continue
echo CHECK wpc\n
p/x $pc
echo CHECK wval\n
p/x *(int *)0x100800
echo CHECK guestdr\n
monitor info registers
delete
rwatch *(int *)0x100800
continue
echo CHECK rpc\n
p/x $pc
echo CHECK reax\n
p/x $eax
delete
awatch *(int *)0x100800
continue
echo CHECK apc\n
p/x $pc
echo CHECK aval\n
p/x *(int *)0x100800
delete
hbreak *0x100500
continue
echo CHECK hb\n
p/x $pc
delete
continue
