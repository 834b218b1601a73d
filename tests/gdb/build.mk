# tests/gdb/build.mk: the real gdb (batch mode) against the gdbstub on a bare CPU.
obj/tests/gdb/gdb_target: $(SRC)/tests/gdb/gdb_target.c libkiln.a config.h
	@mkdir -p obj/tests/gdb
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< libkiln.a $(LDFLAGS) $(LIBS)

obj/tests/gdb/run-gdb: $(SRC)/tests/gdb/run-gdb.sh obj/tests/gdb/gdb_target kiln obj/tests/guest/hello.bin
	@mkdir -p obj/tests/gdb
	printf '#!/bin/sh\nexec sh "%s/tests/gdb/run-gdb.sh" obj/tests/gdb/gdb_target "%s" ./kiln obj/tests/guest "$$@"\n' \
	    "$(SRC)" "$(SRC)" > $@
	chmod +x $@

CHECK_PROGS += obj/tests/gdb/run-gdb

# gdb across every mode switch: tests/guest/modes.asm (ELF with symbols) on both engines.
obj/tests/gdb/run-gdb-modes: $(SRC)/tests/gdb/run-gdb-modes.sh $(SRC)/tests/gdb/modes.gdb \
    obj/tests/guest/modes.elf obj/tests/guest/modes.bin kiln
	@mkdir -p obj/tests/gdb
	printf '#!/bin/sh\nexec sh "%s/tests/gdb/run-gdb-modes.sh" ./kiln obj/tests/guest "%s" "$$@"\n' \
	    "$(SRC)" "$(SRC)" > $@
	chmod +x $@

CHECK_PROGS += obj/tests/gdb/run-gdb-modes

# gdb on a running guest (no -S): attach, singlestep-irq, Ctrl-C, detach, re-attach, kill.
obj/tests/gdb/run-gdb-live: $(SRC)/tests/gdb/run-gdb-live.sh $(SRC)/tests/gdb/live.gdb \
    obj/tests/guest/counter.bin kiln
	@mkdir -p obj/tests/gdb
	printf '#!/bin/sh\nexec sh "%s/tests/gdb/run-gdb-live.sh" ./kiln obj/tests/guest "%s" "$$@"\n' \
	    "$(SRC)" "$(SRC)" > $@
	chmod +x $@

CHECK_PROGS += obj/tests/gdb/run-gdb-live

# Watchpoints (Z2/Z3/Z4) and Z1 with real gdb against ./kiln (tests/gdb/run-gdb-watch.sh).
obj/tests/gdb/run-gdb-watch: $(SRC)/tests/gdb/run-gdb-watch.sh kiln obj/tests/guest/gdbwatch.bin
	@mkdir -p obj/tests/gdb
	printf '#!/bin/sh\nexec sh "%s/tests/gdb/run-gdb-watch.sh" "%s" ./kiln obj/tests/guest "$$@"\n' \
	    "$(SRC)" "$(SRC)" > $@
	chmod +x $@

CHECK_PROGS += obj/tests/gdb/run-gdb-watch

# gdb on Linux: hardware breakpoint at start_kernel, then to the shell and power-off.
obj/tests/gdb/run-gdb-linux: $(SRC)/tests/gdb/run-gdb-linux.sh $(SRC)/tests/gdb/linux.gdb kiln
	@mkdir -p obj/tests/gdb
	printf '#!/bin/sh\nexec sh "%s/tests/gdb/run-gdb-linux.sh" "%s" "$$@"\n' "$(SRC)" "$(SRC)" > $@
	chmod +x $@

CHECK_PROGS += obj/tests/gdb/run-gdb-linux

# gdb and -monitor tcp on one running guest: the monitor answers while gdb holds the guest,
# and its "stop" ends gdb's continue (SIGINT).
obj/tests/gdb/run-gdb-mon: $(SRC)/tests/gdb/run-gdb-mon.sh $(SRC)/tests/gdb/gdbmon.gdb \
    obj/tests/guest/counter.bin kiln
	@mkdir -p obj/tests/gdb
	printf '#!/bin/sh\nexec bash "%s/tests/gdb/run-gdb-mon.sh" ./kiln obj/tests/guest "%s" "$$@"\n' \
	    "$(SRC)" "$(SRC)" > $@
	chmod +x $@

CHECK_PROGS += obj/tests/gdb/run-gdb-mon
