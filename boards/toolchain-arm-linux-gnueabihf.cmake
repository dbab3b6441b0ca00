# Cross build for 32-bit Raspberry Pi OS (bookworm, armhf) on a Debian 12
# machine, against a sysroot of Debian's armhf packages (unpacked by
# install-deps.sh, not installed: see boards/README.md, "armhf"):
#
#   scripts/install-deps.sh --cross-armhf
#   cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=boards/toolchain-arm-linux-gnueabihf.cmake
#
# Debian's armhf is ARMv7 with VFPv3-D16 (Pi 2 and later, Zero 2 W); the
# ARMv6 Pi 1 and Zero need Raspberry Pi OS's own armhf, which Debian does
# not build. boards/README.md says what runs under qemu.
set(KABAR_CROSS_TRIPLET arm-linux-gnueabihf)
set(KABAR_CROSS_DEB_ARCH armhf)
set(KABAR_CROSS_QEMU qemu-arm-static)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(KABAR_CROSS_SYSROOT /opt/kabar-cross/armhf-root)
include(${CMAKE_CURRENT_LIST_DIR}/../cmake/cross-debian.cmake)
