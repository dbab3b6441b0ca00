# The shared half of boards/toolchain-*.cmake: a cross build with the cross
# gcc from Debian's gcc-<triplet> package, against the target's Debian 12
# libraries, and qemu-user to run what was built. The libraries are either
# Debian's multiarch :ARCH packages installed next to the machine's own
# (/usr/lib/<triplet>; arm64), or, when KABAR_CROSS_SYSROOT is set, a
# sysroot of unpacked packages (armhf). boards/README.md says why.
#
# The caller sets KABAR_CROSS_TRIPLET (aarch64-linux-gnu), KABAR_CROSS_DEB_ARCH
# (arm64) and KABAR_CROSS_QEMU (qemu-aarch64-static), and optionally
# KABAR_CROSS_SYSROOT, before including this.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${KABAR_CROSS_TRIPLET}-gcc)

if(KABAR_CROSS_SYSROOT)
  # A sysroot of unpacked packages (mmdebstrap --variant=extract, made by
  # install-deps.sh): nothing is installed into the machine's dpkg, so the
  # target's package versions need not match the machine's.
  set(CMAKE_SYSROOT ${KABAR_CROSS_SYSROOT})
  set(CMAKE_FIND_ROOT_PATH ${KABAR_CROSS_SYSROOT})
  set(KABAR_CROSS_EXTRA ${KABAR_CROSS_SYSROOT})
  set(ENV{PKG_CONFIG_LIBDIR}
      "${KABAR_CROSS_SYSROOT}/usr/lib/${KABAR_CROSS_TRIPLET}/pkgconfig:${KABAR_CROSS_SYSROOT}/usr/share/pkgconfig:${KABAR_CROSS_SYSROOT}/usr/lib/pkgconfig")
  set(ENV{PKG_CONFIG_SYSROOT_DIR} ${KABAR_CROSS_SYSROOT})
  set(KABAR_CROSS_QEMU_ROOT ${KABAR_CROSS_SYSROOT})
else()
  # Multiarch: headers and libraries come from the target's multiarch
  # directories (and the cross libc in /usr/<triplet>).
  set(CMAKE_FIND_ROOT_PATH / /usr/${KABAR_CROSS_TRIPLET})
  # Debian packages that are not Multi-Arch: same (libunibreak in Debian 12)
  # cannot be installed next to the build machine's own; install-deps.sh
  # unpacks them here instead, with their .pc file pointing into this folder.
  set(KABAR_CROSS_EXTRA "/opt/kabar-cross/${KABAR_CROSS_DEB_ARCH}")
  # pkg-config must see only the target's .pc files: LIBDIR replaces the
  # built-in search path.
  set(ENV{PKG_CONFIG_LIBDIR}
      "${KABAR_CROSS_EXTRA}/usr/lib/pkgconfig:/usr/lib/${KABAR_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
  unset(ENV{PKG_CONFIG_SYSROOT_DIR})
  set(KABAR_CROSS_QEMU_ROOT /)
endif()
# Programs (pkg-config, code generators) are the build machine's. The
# toolchain file is read again for every try_compile, so the environment
# set here covers all of them; PKG_CONFIG_PATH would add the machine's own.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_PATH} "")

# ctest runs every test program through qemu-user with the target's loader
# and libraries taken from KABAR_CROSS_QEMU_ROOT, so binfmt_misc need not be
# registered. Programs linked against KABAR_CROSS_EXTRA find it through their
# build-tree RUNPATH, which CMake adds because the library is given by path.
find_program(KABAR_QEMU_PROGRAM ${KABAR_CROSS_QEMU})
if(KABAR_QEMU_PROGRAM)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${KABAR_QEMU_PROGRAM} -L ${KABAR_CROSS_QEMU_ROOT})
endif()
