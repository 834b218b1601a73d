# tools/build.mk: companion programs.

# fuzz-decoder: long decoder-vs-capstone comparison (make fuzz-decoder [FUZZ_COUNT=n] [FUZZ_SEED=s]).
TOOLS += obj/tools/fuzz-decoder
obj/tools/fuzz-decoder: $(SRC)/tools/fuzz-decoder.c libkiln.a config.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -o $@ $< libkiln.a $(LDFLAGS) $(LIBS)
FUZZ_COUNT ?= 10000000
FUZZ_SEED ?=
fuzz-decoder: obj/tools/fuzz-decoder
	./obj/tools/fuzz-decoder $(FUZZ_COUNT) $(FUZZ_SEED)
.PHONY: fuzz-decoder
