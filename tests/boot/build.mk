# tests/boot/build.mk: `make check` boots the default Linux guest under both
# engines (tests/boot/boot-linux.sh); `make check-boot` runs only that.
# On x86-64 hosts it also builds tests/boot/fptest.c as a static Linux program
# and records its output on the host; the boot test runs it in the guest and
# compares (issue 6: the same output inside the guest as on the host).
ifeq ($(HOST_ARCH),x86_64)
FPTEST_FLAGS := -O2 -static -msse4.2 -maes -mpclmul -mno-avx -frounding-math
obj/tests/boot/fptest: $(SRC)/tests/boot/fptest.c
	@mkdir -p obj/tests/boot
	$(CC) $(FPTEST_FLAGS) -o $@ $<
obj/tests/boot/fptest.host: obj/tests/boot/fptest
	./obj/tests/boot/fptest > $@.tmp && mv $@.tmp $@
CHECK_DEPS += obj/tests/boot/fptest obj/tests/boot/fptest.host
endif
obj/tests/boot/boot-linux: $(SRC)/tests/boot/boot-linux.sh
	@mkdir -p obj/tests/boot
	printf '#!/bin/sh\nexec sh %s/tests/boot/boot-linux.sh %s "$$@"\n' '$(SRC)' '$(SRC)' > $@
	chmod +x $@
CHECK_PROGS += obj/tests/boot/boot-linux

check-boot: kiln obj/tests/boot/boot-linux $(filter obj/tests/boot/%,$(CHECK_DEPS))
	@sh $(SRC)/tests/run-suites.sh obj/tests/boot/boot-linux
.PHONY: check-boot
