# ui/build.mk: the front ends. main.c alone is linked into the kiln binary;
# the rest goes into libkiln.a so tests can drive the command line.
LIB_SRCS += $(filter-out $(SRC)/ui/main.c,$(wildcard $(SRC)/ui/*.c))
