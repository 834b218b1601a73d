# roms/build.mk: firmware kiln builds itself.
