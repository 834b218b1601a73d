# tests/cli/build.mk: a shell-driven test of the real kiln binary (exit status, messages).
CHECK_PROGS += obj/tests/cli/test_cli
CHECK_DEPS += kiln

obj/tests/cli/test_cli: $(SRC)/tests/cli/test_cli.sh
	@mkdir -p $(dir $@)
	sed 's|@CLI_DOC@|$(SRC)/docs/CLI.md|' $< > $@
	chmod +x $@
