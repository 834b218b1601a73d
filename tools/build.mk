# tools/build.mk: companion programs.
