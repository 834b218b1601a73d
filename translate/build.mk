# translate/build.mk: sources of translate/ in libkiln.a.
LIB_SRCS += $(wildcard $(SRC)/translate/*.c)
