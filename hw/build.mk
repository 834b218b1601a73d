# hw/build.mk: sources of hw/ in libkiln.a.
LIB_SRCS += $(wildcard $(SRC)/hw/*.c)
