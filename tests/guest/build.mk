# tests/guest/build.mk: bare-metal guest programs (nasm, flat binaries) that test the
# system CPU from the inside, run by obj/tests/guest/run_guests on the bare CPU
# under both engines (they report through port 0xE9 and exit through port 0xF4).
GUEST_ASMS := $(wildcard $(SRC)/tests/guest/*.asm)
GUEST_BINS := $(patsubst $(SRC)/tests/guest/%.asm,obj/tests/guest/%.bin,$(GUEST_ASMS))

obj/tests/guest/%.bin: $(SRC)/tests/guest/%.asm $(wildcard $(SRC)/tests/guest/*.inc)
	@mkdir -p obj/tests/guest
	nasm -f bin -I$(SRC)/tests/guest/ -o $@ $<

obj/tests/guest/run_guests: $(SRC)/tests/guest/run_guests.c libkiln.a config.h $(GUEST_BINS)
	@mkdir -p obj/tests/guest
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_CFLAGS) -DGUEST_DIR='"obj/tests/guest"' -o $@ $< libkiln.a $(LDFLAGS) $(LIBS) $(TEST_LIBS)

CHECK_PROGS += obj/tests/guest/run_guests
