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
# 64-bit off_t and ino_t on a 32-bit target (what dpkg-buildflags' abi=+lfs
# gives, and Debian's armhf default from trixie on). Without it readdir()
# fails with EOVERFLOW on directory offsets or inode numbers that do not fit
# in 32 bits: always under qemu-user on ext4 (the host kernel hands a 64-bit
# process 64-bit hash offsets), and on a board on NFS, XFS or btrfs.
set(CMAKE_C_FLAGS_INIT "-D_FILE_OFFSET_BITS=64")
include(${CMAKE_CURRENT_LIST_DIR}/../cmake/cross-debian.cmake)
