# machine/build.mk: sources of machine/ in libkiln.a.
LIB_SRCS += $(wildcard $(SRC)/machine/*.c)
