# The shared half of boards/toolchain-*.cmake: a cross build against Debian's
# multiarch libraries (/usr/lib/<triplet>), the cross gcc from the
# gcc-<triplet> package, and qemu-user to run what was built.
#
# The caller sets KABAR_CROSS_TRIPLET (aarch64-linux-gnu), KABAR_CROSS_DEB_ARCH
# (arm64) and KABAR_CROSS_QEMU (qemu-aarch64-static) before including this.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${KABAR_CROSS_TRIPLET}-gcc)

# Headers and libraries come from the target's multiarch directories (and the
# cross libc in /usr/<triplet>); programs (pkg-config, the code generators)
# are the build machine's.
set(CMAKE_FIND_ROOT_PATH / /usr/${KABAR_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Debian packages that are not Multi-Arch: same (libunibreak in Debian 12)
# cannot be installed next to the build machine's own; install-deps.sh
# unpacks them here instead, with their .pc file pointing into this folder.
set(KABAR_CROSS_EXTRA "/opt/kabar-cross/${KABAR_CROSS_DEB_ARCH}")

# pkg-config must see only the target's .pc files: LIBDIR replaces the
# built-in search path, and PKG_CONFIG_PATH (which would add the build
# machine's) is cleared. The toolchain file is read again for every
# try_compile, so setting the environment here covers all of them.
set(ENV{PKG_CONFIG_LIBDIR}
    "${KABAR_CROSS_EXTRA}/usr/lib/pkgconfig:/usr/lib/${KABAR_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
unset(ENV{PKG_CONFIG_SYSROOT_DIR})

# ctest runs every test program through qemu-user with the target's loader
# and libraries taken from / (the multiarch tree), so binfmt_misc need not be
# registered. Programs linked against KABAR_CROSS_EXTRA find it through their
# build-tree RUNPATH, which CMake adds because the library is given by path.
find_program(KABAR_QEMU_PROGRAM ${KABAR_CROSS_QEMU})
if(KABAR_QEMU_PROGRAM)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${KABAR_QEMU_PROGRAM} -L /)
endif()
