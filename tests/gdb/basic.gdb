# basic.gdb: real gdb against tests/gdb/gdb_target (connected by run-gdb.sh before this runs).
# Each "echo CHECK ..." line is followed by the value run-gdb.sh compares.
set pagination off
set confirm off
echo CHECK arch\n
show architecture
echo CHECK rip0\n
p/x $rip
echo CHECK insn0\n
x/i $pc
stepi
echo CHECK rip1\n
p/x $rip
echo CHECK rax1\n
p/x $rax
break *0x100b
continue
echo CHECK ripbp\n
p/x $rip
echo CHECK raxbp\n
p/x $rax
echo CHECK rbxbp\n
p/x $rbx
echo CHECK membp\n
x/3xb 0x100b
set $rcx = 0x1234
echo CHECK rcxset\n
p/x $rcx
echo CHECK fsbase\n
p/x $fs_base
delete
stepi
echo CHECK rbxstep\n
p/x $rbx
set {int}0x2004 = 0x55aa
echo CHECK memwrite\n
x/xw 0x2004
echo CHECK monitor\n
monitor info registers
echo CHECK unmapped\n
x/xw 0x7000000
detach
