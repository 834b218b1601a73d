# cpu/build.mk: sources of cpu/ in libkiln.a.
LIB_SRCS += $(wildcard $(SRC)/cpu/*.c)
