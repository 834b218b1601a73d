# tests/cpu286/build.mk: the 80286 single-instruction test suite (SingleStepTests MOO files).
#   make check      runs test_moo (reader unit tests) and check286: every data file is
#                   parsed, the opcode files in tests/cpu286/enabled.txt run sampled on both
#                   engines and must pass. KILN_SKIP_286=1 leaves check286 out.
#   make check-286  runs every vector on both engines and prints the per-opcode table
#                   (RUN286_ARGS adds options, e.g. RUN286_ARGS="-f D3 --engine=jit -v").
# Test data: $(SRC)/../shared/testdata/80286, or $KILN_TESTDATA at run time.

CPU286_DIR := $(SRC)/tests/cpu286
# beside the repository (CI, /work/main) or beside a worktree's parent (/work/wt/<name>)
CPU286_DATA := $(firstword $(wildcard $(abspath $(SRC)/../shared/testdata/80286) \
	$(abspath $(SRC)/../../shared/testdata/80286)) $(abspath $(SRC)/../shared/testdata/80286))
CPU286_READER := obj/tests/cpu286/moo.o obj/tests/cpu286/meta286.o
# make check: every Nth vector of each enabled opcode file
CPU286_CHECK_SAMPLE ?= 4

obj/tests/cpu286/test_moo: $(CPU286_DIR)/test_moo.c $(CPU286_READER) config.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_CFLAGS) -MMD -MP -o $@ $< $(CPU286_READER) $(LDFLAGS) $(LIBS) $(TEST_LIBS)

CHECK_PROGS += obj/tests/cpu286/test_moo

# The harness needs the bare CPU (cpu/bare.c); until it exists only the reader is tested.
ifneq ($(wildcard $(SRC)/cpu/bare.c),)

CPU286_OBJS := $(patsubst %,obj/tests/cpu286/%.o,run286 suite286 table286 exec286 report286 \
	selfcheck286) \
	$(CPU286_READER)

obj/tests/cpu286/run286.o: CPPFLAGS += -DKILN_TESTDATA_DEFAULT='"$(CPU286_DATA)"' \
	-DKILN_CPU286_KNOWN_BAD='"$(CPU286_DIR)/known_bad.txt"'

obj/tests/cpu286/run286: $(CPU286_OBJS) libkiln.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CPU286_OBJS) libkiln.a $(LIBS)

# make check runs programs without arguments: a small wrapper supplies them.
obj/tests/cpu286/check286: obj/tests/cpu286/run286 $(CPU286_DIR)/build.mk
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec "%s" --check --enabled="%s" --sample=%s "$$@"\n' \
		"$(abspath obj/tests/cpu286/run286)" "$(CPU286_DIR)/enabled.txt" \
		"$(CPU286_CHECK_SAMPLE)" > $@
	chmod +x $@

ifneq ($(KILN_SKIP_286),1)
CHECK_PROGS += obj/tests/cpu286/check286
endif
TOOLS += obj/tests/cpu286/run286

check-286: obj/tests/cpu286/run286
	obj/tests/cpu286/run286 $(RUN286_ARGS)

else

check-286:
	@echo "check-286: cpu/bare.c is not there yet; nothing to run the vectors on" >&2; exit 1

endif

.PHONY: check-286
