# tests/monitor/build.mk: the monitor end to end on the kiln binary (-monitor stdio, -S, cont, mux).
obj/tests/monitor/run-monitor: $(SRC)/tests/monitor/run-monitor.sh $(GUEST_BINS) kiln
	@mkdir -p obj/tests/monitor
	printf '#!/bin/sh\nexec sh "%s/tests/monitor/run-monitor.sh" ./kiln obj/tests/guest "$$@"\n' \
	    "$(SRC)" > $@
	chmod +x $@

CHECK_PROGS += obj/tests/monitor/run-monitor
