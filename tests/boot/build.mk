# tests/boot/build.mk: `make check` boots the default Linux guest under both
# engines (tests/boot/boot-linux.sh); `make check-boot` runs only that.
obj/tests/boot/boot-linux: $(SRC)/tests/boot/boot-linux.sh
	@mkdir -p obj/tests/boot
	printf '#!/bin/sh\nexec sh %s/tests/boot/boot-linux.sh %s "$$@"\n' '$(SRC)' '$(SRC)' > $@
	chmod +x $@
CHECK_PROGS += obj/tests/boot/boot-linux

check-boot: kiln obj/tests/boot/boot-linux
	@sh $(SRC)/tests/run-suites.sh obj/tests/boot/boot-linux
.PHONY: check-boot
