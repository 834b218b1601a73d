# tests/gdb/build.mk: the real gdb (batch mode) against the gdbstub on a bare CPU and on ./kiln.
obj/tests/gdb/gdb_target: $(SRC)/tests/gdb/gdb_target.c libkiln.a config.h
	@mkdir -p obj/tests/gdb
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< libkiln.a $(LDFLAGS) $(LIBS)

# $(call gdb_wrapper,SCRIPT,SHELL[,ARGS]): the recipe of $@, a script that runs
# tests/gdb/SCRIPT with SHELL as "SCRIPT SRCDIR ./kiln obj/tests/guest ARGS" and its own
# arguments (every run-gdb*.sh takes those three first and sources tests/gdb/gdblib.sh).
define gdb_wrapper
	@mkdir -p obj/tests/gdb
	printf '#!/bin/sh\nexec %s "%s/tests/gdb/%s" "%s" ./kiln obj/tests/guest %s "$$@"\n' \
	    $(2) "$(SRC)" $(1) "$(SRC)" '$(3)' > $@
	chmod +x $@
endef
GDB_LIB := $(SRC)/tests/gdb/gdblib.sh

# The bare-CPU stub (tests/gdb/gdb_target), then kiln -S on tests/guest/hello.
obj/tests/gdb/run-gdb: $(SRC)/tests/gdb/run-gdb.sh $(GDB_LIB) obj/tests/gdb/gdb_target kiln \
    obj/tests/guest/hello.bin
	$(call gdb_wrapper,run-gdb.sh,sh,obj/tests/gdb/gdb_target)

CHECK_PROGS += obj/tests/gdb/run-gdb

# gdb across every mode switch: tests/guest/modes.asm (ELF with symbols) on both engines.
obj/tests/gdb/run-gdb-modes: $(SRC)/tests/gdb/run-gdb-modes.sh $(GDB_LIB) $(SRC)/tests/gdb/modes.gdb \
    obj/tests/guest/modes.elf obj/tests/guest/modes.bin kiln
	$(call gdb_wrapper,run-gdb-modes.sh,sh)

CHECK_PROGS += obj/tests/gdb/run-gdb-modes

# gdb on a running guest (no -S): attach, singlestep-irq, Ctrl-C, detach, re-attach, kill.
obj/tests/gdb/run-gdb-live: $(SRC)/tests/gdb/run-gdb-live.sh $(GDB_LIB) $(SRC)/tests/gdb/live.gdb \
    obj/tests/guest/counter.bin kiln
	$(call gdb_wrapper,run-gdb-live.sh,sh)

CHECK_PROGS += obj/tests/gdb/run-gdb-live

# Watchpoints (Z2/Z3/Z4) and Z1 with real gdb against ./kiln (tests/gdb/run-gdb-watch.sh).
obj/tests/gdb/run-gdb-watch: $(SRC)/tests/gdb/run-gdb-watch.sh $(GDB_LIB) kiln obj/tests/guest/gdbwatch.bin
	$(call gdb_wrapper,run-gdb-watch.sh,sh)

CHECK_PROGS += obj/tests/gdb/run-gdb-watch

# gdb on Linux: hardware breakpoint at start_kernel, then to the shell and power-off.
obj/tests/gdb/run-gdb-linux: $(SRC)/tests/gdb/run-gdb-linux.sh $(GDB_LIB) $(SRC)/tests/gdb/linux.gdb kiln
	$(call gdb_wrapper,run-gdb-linux.sh,sh)

CHECK_PROGS += obj/tests/gdb/run-gdb-linux

# gdb and -monitor tcp on one running guest: the monitor answers while gdb holds the guest,
# and its "stop" ends gdb's continue (SIGINT).
obj/tests/gdb/run-gdb-mon: $(SRC)/tests/gdb/run-gdb-mon.sh $(GDB_LIB) $(SRC)/tests/gdb/gdbmon.gdb \
    obj/tests/guest/counter.bin kiln
	$(call gdb_wrapper,run-gdb-mon.sh,bash)

CHECK_PROGS += obj/tests/gdb/run-gdb-mon
