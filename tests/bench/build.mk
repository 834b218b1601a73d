# tests/bench/build.mk: `make bench-cpu`: guest micro-workloads run natively, under
# kiln's JIT and interpreter, and under qemu-x86_64 when installed; prints MIPS and ratios.

# name:iterations (large run for native, JIT and QEMU; the interpreter runs 1/INTERP_DIV of it)
BENCH_WORKLOADS := intloop:100000000 memcpy:20000 branchy:30000000 callret:6000 strops:5000 sort:300
BENCH_INTERP_DIV := 20
BENCH_BASE := 0x10000000

bench_name = $(word 1,$(subst :, ,$(1)))
bench_iters = $(word 2,$(subst :, ,$(1)))
BENCH_NAMES := $(foreach w,$(BENCH_WORKLOADS),$(call bench_name,$(w)))
BENCH_FILES := $(foreach n,$(BENCH_NAMES),obj/tests/bench/$(n) obj/tests/bench/$(n).bin obj/tests/bench/$(n)-small.bin)

define bench_rules
obj/tests/bench/$(call bench_name,$(1)): $(SRC)/tests/bench/$(call bench_name,$(1)).asm $(SRC)/tests/bench/wrap.inc
	@mkdir -p obj/tests/bench
	nasm -f elf64 -I$(SRC)/tests/bench/ -DITERS=$(call bench_iters,$(1)) -o $$@.o $$<
	ld -o $$@ $$@.o
obj/tests/bench/$(call bench_name,$(1)).bin: $(SRC)/tests/bench/$(call bench_name,$(1)).asm $(SRC)/tests/bench/wrap.inc
	@mkdir -p obj/tests/bench
	nasm -f bin -I$(SRC)/tests/bench/ -DFLAT -DBASE=$(BENCH_BASE) -DITERS=$(call bench_iters,$(1)) -o $$@ $$<
obj/tests/bench/$(call bench_name,$(1))-small.bin: $(SRC)/tests/bench/$(call bench_name,$(1)).asm $(SRC)/tests/bench/wrap.inc
	@mkdir -p obj/tests/bench
	nasm -f bin -I$(SRC)/tests/bench/ -DFLAT -DBASE=$(BENCH_BASE) -DITERS=$$$$(($(call bench_iters,$(1)) / $(BENCH_INTERP_DIV))) -o $$@ $$<
endef
$(foreach w,$(BENCH_WORKLOADS),$(eval $(call bench_rules,$(w))))

obj/tests/bench/bench-cpu: $(SRC)/tests/bench/bench_cpu.c libkiln.a config.h
	@mkdir -p obj/tests/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< libkiln.a $(LDFLAGS) $(LIBS)

bench-cpu: obj/tests/bench/bench-cpu $(BENCH_FILES)
	obj/tests/bench/bench-cpu -d obj/tests/bench -b $(BENCH_BASE) -k $(BENCH_INTERP_DIV) $(BENCH_NAMES)

.PHONY: bench-cpu

# make bench-boot: boot-to-shell/-poweroff times under kiln (JIT, interpreter) and
# qemu-system-x86_64 TCG when installed (BOOT_REPS runs each, median).
BOOT_REPS ?= 3
bench-boot: kiln
	sh $(SRC)/tests/bench/bench-boot.sh $(SRC) $(BOOT_REPS)
.PHONY: bench-boot
