# modes.gdb: real gdb against ./kiln -S -gdb running tests/guest/modes (symbols from
# obj/tests/guest/modes.elf): breaks and single steps across real -> protected -> long ->
# compatibility -> 16-bit protected -> real mode, reading registers at each stage.
# gdb's own x/i decodes as 64-bit code (the target description is always x86-64): in
# 16/32-bit code the monitor's x/i, which decodes in the CPU's current mode, is used.
set pagination off
set confirm off
echo CHECK entry\n
printf "pc_ok %d\n", $pc == &start
echo CHECK real\n
break real_entry
continue
printf "pc_ok %d\n", $pc == &real_entry
printf "cs %#x\n", $cs
info registers rip eflags cs ss ds es
echo CHECK real_dis\n
eval "monitor x/2i %lu", $pc
echo CHECK real_step\n
stepi
printf "pc_ok %d\n", $pc == (char *)&real_entry + 2
stepi
printf "ds %#x\n", $ds
echo CHECK int10\n
break int10_handler
continue
printf "pc_ok %d\n", $pc == &int10_handler
printf "cs %#x\n", $cs
printf "ret_ok %d\n", *(unsigned short *)$sp >= (unsigned long)&puts16 && *(unsigned short *)$sp < (unsigned long)&puts16 + 16
printf "stacked_cs %#x\n", *(unsigned short *)($sp + 2)
echo CHECK int10_step\n
stepi
printf "pc_ok %d\n", $pc == (char *)&int10_handler + 3
delete
echo CHECK pm_jmp\n
break pm_jmp
continue
printf "pc_ok %d\n", $pc == &pm_jmp
eval "monitor x/1i %lu", $pc
echo CHECK prot\n
stepi
printf "pc_ok %d\n", $pc == &pm32_entry
printf "cs %#x\n", $cs
info registers rip cs eflags
eval "monitor x/1i %lu", $pc
monitor info registers
echo CHECK int40\n
break pm_int40
continue
printf "pc_ok %d\n", $pc == &pm_int40
printf "rax %#lx\n", $rax
printf "stacked_cs %#x\n", *(unsigned int *)($sp + 4)
delete
echo CHECK long\n
break long_jmp
continue
stepi
printf "pc_ok %d\n", $pc == &long_entry
printf "cs %#x\n", $cs
x/i $pc
info registers rip cs fs_base
monitor info registers
echo CHECK int41\n
break long_int41
continue
printf "pc_ok %d\n", $pc == &long_int41
printf "rax %#lx\n", $rax
printf "stacked_cs %#x\n", *(unsigned long *)($sp + 8)
delete
echo CHECK compat\n
break to_compat
continue
stepi
printf "pc_ok %d\n", $pc == &compat_entry
printf "cs %#x\n", $cs
monitor info registers
echo CHECK paging_off\n
break paging_off
continue
stepi
stepi
monitor info registers
echo CHECK pm16\n
break to_pm16
continue
stepi
printf "pc_ok %d\n", $pc == &pm16_back
printf "cs %#x\n", $cs
eval "monitor x/1i %lu", $pc
echo CHECK real2\n
break real_jmp
continue
stepi
printf "pc_ok %d\n", $pc == &real2_entry
printf "cs %#x\n", $cs
monitor info registers
echo CHECK int10b\n
break int10_handler
continue
printf "pc_ok %d\n", $pc == &int10_handler
printf "cs %#x\n", $cs
delete
echo CHECK end\n
continue
