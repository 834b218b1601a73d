# SPDX-License-Identifier: MIT
# tests/difftest/build.mk: the differential tester (kiln's bare CPU against the host CPU).
# `make check` runs a short fixed-seed suite; `make difftest` a random-seed soak.
# DIFFTEST_ARGS passes options to the soak, e.g. make difftest DIFFTEST_ARGS="--classes shift".

DIFFTEST := obj/tests/difftest/difftest
DIFFTEST_SRCS := $(wildcard $(SRC)/tests/difftest/*.c)
DIFFTEST_OBJS := $(patsubst $(SRC)/%.c,obj/%.o,$(DIFFTEST_SRCS))
# The kiln side needs cpu/bare.c; without it only the host side is built and tested.
DIFFTEST_CPPFLAGS := $(if $(wildcard $(SRC)/cpu/bare.c),-DDT_HAVE_BARE)

$(DIFFTEST_OBJS): obj/tests/difftest/%.o: $(SRC)/tests/difftest/%.c config.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(DIFFTEST_CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# dt_kiln.c tells whether the JIT is built (__has_include): rebuild when it appears.
obj/tests/difftest/dt_kiln.o: $(wildcard $(SRC)/translate/x86_64.h $(SRC)/cpu/bare.c)

$(DIFFTEST): $(DIFFTEST_OBJS) libkiln.a
	$(CC) $(LDFLAGS) -o $@ $(DIFFTEST_OBJS) libkiln.a $(LIBS)

obj/tests/difftest/difftest-check: $(DIFFTEST)
	@printf '#!/bin/sh\nexec %s --check "$$@"\n' "$(abspath $(DIFFTEST))" > $@
	@chmod +x $@

CHECK_PROGS += obj/tests/difftest/difftest-check
TOOLS += $(DIFFTEST)

difftest: $(DIFFTEST)
	./$(DIFFTEST) --insns 10000000 $(DIFFTEST_ARGS)

.PHONY: difftest
