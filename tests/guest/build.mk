# tests/guest/build.mk: guest programs (nasm, flat binaries) that test the system CPU
# from the inside, two runners:
#  - obj/tests/guest/run_guests: real-mode programs on the bare CPU under both engines
#    (they report through port 0xE9 and exit through port 0xF4), listed in run_guests.c;
#  - obj/tests/guest/run_sysbus: guests on the system CPU behind a fake bus (run_sysbus.c);
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

# run_sysbus: guests on cpu_sys_ops() behind a fake bus with test ports (NMI injection).
obj/tests/guest/run_sysbus: $(SRC)/tests/guest/run_sysbus.c libkiln.a config.h $(GUEST_BINS)
	@mkdir -p obj/tests/guest
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_CFLAGS) -DGUEST_DIR='"obj/tests/guest"' -o $@ $< libkiln.a $(LDFLAGS) $(LIBS) $(TEST_LIBS)

CHECK_PROGS += obj/tests/guest/run_guests obj/tests/guest/run-kiln obj/tests/guest/run_sysbus

# modes.asm is linked, not assembled flat: an ELF64 with symbols for gdb (no DWARF: nasm's line tables for the 16-bit section at 0x8000 confuse gdb)
# (modes.elf, tests/gdb/modes.gdb) and the ELF32 multiboot kernel kiln boots (modes.bin).
obj/tests/guest/modes.o: $(SRC)/tests/guest/modes.asm
	@mkdir -p obj/tests/guest
	nasm -f elf64 -o $@ $<

obj/tests/guest/modes.elf: obj/tests/guest/modes.o $(SRC)/tests/guest/modes.ld
	ld -m elf_x86_64 -n --no-warn-rwx-segments -T $(SRC)/tests/guest/modes.ld -o $@ obj/tests/guest/modes.o

obj/tests/guest/modes.bin: obj/tests/guest/modes.elf
	objcopy -O elf32-i386 --strip-debug $< $@
