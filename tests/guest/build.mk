# tests/guest/build.mk: guest programs (nasm, flat binaries) that test the system CPU
# from the inside, two runners:
#  - obj/tests/guest/run_guests: real-mode programs on the bare CPU under both engines
#    (they report through port 0xE9 and exit through port 0xF4), listed in run_guests.c;
#  - obj/tests/guest/run-kiln: every *.asm with an "; expect:" line is a multiboot
#    kernel booted under ./kiln on both engines (see run-kiln.sh for the expect syntax).
GUEST_ASMS := $(wildcard $(SRC)/tests/guest/*.asm)
GUEST_BINS := $(patsubst $(SRC)/tests/guest/%.asm,obj/tests/guest/%.bin,$(GUEST_ASMS))

obj/tests/guest/%.bin: $(SRC)/tests/guest/%.asm $(wildcard $(SRC)/tests/guest/*.inc)
	@mkdir -p obj/tests/guest
	nasm -f bin -I$(SRC)/tests/guest/ -o $@ $<

obj/tests/guest/run_guests: $(SRC)/tests/guest/run_guests.c libkiln.a config.h $(GUEST_BINS)
	@mkdir -p obj/tests/guest
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_CFLAGS) -DGUEST_DIR='"obj/tests/guest"' -o $@ $< libkiln.a $(LDFLAGS) $(LIBS) $(TEST_LIBS)

obj/tests/guest/run-kiln: $(SRC)/tests/guest/run-kiln.sh $(GUEST_BINS) kiln
	@mkdir -p obj/tests/guest
	printf '#!/bin/sh\nexec sh "%s/tests/guest/run-kiln.sh" ./kiln "%s/tests/guest" obj/tests/guest "$$@"\n' \
	    "$(SRC)" "$(SRC)" > $@
	chmod +x $@

CHECK_PROGS += obj/tests/guest/run_guests obj/tests/guest/run-kiln
