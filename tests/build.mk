# tests/build.mk: unit tests (cmocka), one binary per tests/unit/test_*.c.
UNIT_TEST_SRCS := $(wildcard $(SRC)/tests/unit/test_*.c)
UNIT_TESTS := $(patsubst $(SRC)/tests/unit/%.c,obj/tests/unit/%,$(UNIT_TEST_SRCS))
CHECK_PROGS += $(UNIT_TESTS)

obj/tests/unit/%: $(SRC)/tests/unit/%.c libkiln.a config.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_CFLAGS) -MMD -MP -o $@ $< libkiln.a $(LDFLAGS) $(LIBS) $(TEST_LIBS)

-include $(SRC)/tests/*/build.mk
