# Cross build for 64-bit Raspberry Pi OS (bookworm, arm64) on a Debian 12
# machine, against Debian's multiarch :arm64 libraries:
#
#   scripts/install-deps.sh --cross
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=boards/toolchain-aarch64-linux-gnu.cmake
#
# ctest runs the test programs through qemu-user (CMAKE_CROSSCOMPILING_EMULATOR),
# so binfmt_misc need not be registered. boards/README.md says what runs.
set(KABAR_CROSS_TRIPLET aarch64-linux-gnu)
set(KABAR_CROSS_DEB_ARCH arm64)
set(KABAR_CROSS_QEMU qemu-aarch64-static)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/../cmake/cross-debian.cmake)
