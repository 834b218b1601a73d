# kiln.gdb: real gdb against ./kiln -s -S running tests/guest/hello.bin (multiboot, 32-bit protected mode).
set pagination off
set confirm off
echo CHECK entry\n
p/x $rip
echo CHECK cs\n
p/x $cs
stepi
echo CHECK esp\n
p/x $rsp
echo CHECK rip1\n
p/x $rip
break *0x10005b
continue
echo CHECK bp\n
p/x $rip
echo CHECK mem\n
x/2xb 0x100035
echo CHECK monitor\n
monitor info registers
delete
continue
