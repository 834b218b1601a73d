# live.gdb: real gdb attaching to ./kiln -gdb while tests/guest/counter runs (no -S).
# The runner sets $irq (the IRQ 0 handler) and $loop, and $MARK names a file this
# script creates right before a "continue" the runner interrupts with SIGINT (Ctrl-C).
set pagination off
set confirm off
echo CHECK attach\n
printf "pc %#lx\n", $pc
monitor info jit
shell sleep 0.5
monitor info jit
echo CHECK sstep_default\n
monitor singlestep-irq
echo CHECK sstep_off\n
set $hits = 0
set $i = 0
while $i < 1500
  stepi
  if $pc == $irq
    set $hits = $hits + 1
  end
  set $i = $i + 1
end
printf "off_hits %d\n", $hits
monitor info irq
echo CHECK sstep_on\n
monitor singlestep-irq on
set $hits = 0
set $i = 0
while $i < 3000 && $hits == 0
  stepi
  if $pc == $irq
    set $hits = $hits + 1
  end
  set $i = $i + 1
end
printf "on_hits %d\n", $hits
printf "cs %#x\n", $cs
monitor singlestep-irq off
echo CHECK ctrlc\n
shell touch "$MARK"
continue
printf "stopped_pc %#lx\n", $pc
echo CHECK end\n
detach
