# tests/monitor/build.mk: the monitor end to end on the kiln binary (-monitor stdio, -S, cont, mux).
obj/tests/monitor/run-monitor: $(SRC)/tests/monitor/run-monitor.sh $(GUEST_BINS) kiln
	@mkdir -p obj/tests/monitor
	printf '#!/bin/sh\nexec sh "%s/tests/monitor/run-monitor.sh" ./kiln obj/tests/guest "$$@"\n' \
	    "$(SRC)" > $@
	chmod +x $@

CHECK_PROGS += obj/tests/monitor/run-monitor

# Every monitor command on a running guest (tests/guest/counter.asm), -monitor stdio and tcp.
obj/tests/monitor/run-monitor-live: $(SRC)/tests/monitor/run-monitor-live.sh obj/tests/guest/counter.bin kiln
	@mkdir -p obj/tests/monitor
	printf '#!/bin/sh\nexec bash "%s/tests/monitor/run-monitor-live.sh" ./kiln obj/tests/guest "$$@"\n' \
	    "$(SRC)" > $@
	chmod +x $@

CHECK_PROGS += obj/tests/monitor/run-monitor-live
