# The Debian package, built by CPack's DEB generator from the install rules:
#
#   make deb          kabar_<version>_<arch>.deb for this machine (build-deb/)
#   make deb-arm64    the same for Raspberry Pi OS arm64 (build-deb-arm64/)
#
# The package installs under CMAKE_INSTALL_PREFIX, the prefix the binary was
# built to look in for its data (KABAR_DATA_DIR), so `make deb` configures
# with /usr. What goes where, the maintainer scripts, and what lintian still
# says: boards/README.md, "The Debian package".

# What the kiosk needs beyond the binary, the demo spool and the font chain
# (installed by the top-level rules): the board profiles, the unit, a default
# config (a conffile), and the documentation a technician reads on the board.
file(GLOB KABAR_BOARD_PROFILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/boards/*.conf)
install(FILES ${KABAR_BOARD_PROFILES} DESTINATION share/kabar/boards)
install(FILES ${CMAKE_SOURCE_DIR}/boards/systemd/kabar.service DESTINATION /lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/boards/debian/kabar.conf DESTINATION /etc/kabar)
install(FILES ${CMAKE_SOURCE_DIR}/boards/debian/copyright DESTINATION share/doc/kabar)
# The broker's tuning for a fleet (docs/fleet.md, "At scale"): examples, not
# conffiles, since the broker usually runs on another machine.
install(FILES ${CMAKE_SOURCE_DIR}/boards/mosquitto/kabar.conf
  ${CMAKE_SOURCE_DIR}/boards/mosquitto/mosquitto-limits.conf
  ${CMAKE_SOURCE_DIR}/boards/mosquitto/dashboard.conf
  ${CMAKE_SOURCE_DIR}/boards/mosquitto/dashboard-nginx.conf
  ${CMAKE_SOURCE_DIR}/boards/mosquitto/acl.example
  DESTINATION share/doc/kabar/examples/mosquitto)
if(EXISTS ${CMAKE_SOURCE_DIR}/boards/README.md)
  install(FILES ${CMAKE_SOURCE_DIR}/boards/README.md DESTINATION share/doc/kabar RENAME boards.md)
endif()
# The newsroom's page (docs/fleet.md), served by mosquitto's http_dir; its
# vendor/ folder is filled by dashboard/vendor.sh (scripts/install-deps.sh).
install(DIRECTORY ${CMAKE_SOURCE_DIR}/dashboard/ DESTINATION share/kabar/dashboard
  FILES_MATCHING PATTERN "*.html" PATTERN "*.css" PATTERN "*.js" PATTERN "*.svg" PATTERN "*.md")
foreach(doc kiosk.md config.md spool.md cli.md licences.md)
  if(EXISTS ${CMAKE_SOURCE_DIR}/docs/${doc})
    install(FILES ${CMAKE_SOURCE_DIR}/docs/${doc} DESTINATION share/doc/kabar)
  endif()
endforeach()

# Debian wants the changelog (of a native package: changelog.gz) and the
# manual page compressed, reproducibly (no name, no time).
set(KABAR_DEB_DIR ${CMAKE_BINARY_DIR}/debian)
file(MAKE_DIRECTORY ${KABAR_DEB_DIR})
foreach(pair changelog:changelog.gz kabar.1:kabar.1.gz)
  string(REPLACE ":" ";" pair ${pair})
  list(GET pair 0 from)
  list(GET pair 1 to)
  execute_process(COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/boards/debian/${from}
    OUTPUT_FILE ${KABAR_DEB_DIR}/${to})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/boards/debian/${from})
endforeach()
install(FILES ${KABAR_DEB_DIR}/changelog.gz DESTINATION share/doc/kabar)
install(FILES ${KABAR_DEB_DIR}/kabar.1.gz DESTINATION share/man/man1)

# Control files: the maintainer scripts (kabar user, spool, board guess) and
# the conffile list (CPack marks none by itself).
file(WRITE ${KABAR_DEB_DIR}/conffiles "/etc/kabar/kabar.conf\n")
foreach(script postinst prerm postrm)
  configure_file(${CMAKE_SOURCE_DIR}/boards/debian/${script} ${KABAR_DEB_DIR}/${script} COPYONLY)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kabar)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(KABAR_DEB_MAINTAINER "The kabar developers <kabar@example.org>"
  CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT ${KABAR_DEB_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "fullscreen multilingual news ticker for unattended screens")
# Wrapped by hand: CPack copies the lines as they are.
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "kabar scrolls headlines and shows quotes in every major script (Arabic,\n"
  "Hebrew, Chinese, Japanese, Korean, Devanagari, Thai, emoji and more) on\n"
  "lobby displays, newsroom wall monitors and Raspberry Pi boards, fed from\n"
  "a local spool of JSON files.\n"
  ".\n"
  "It draws through SDL2 straight to the display with KMS, with no desktop,\n"
  "and runs as a hardened systemd service with a watchdog. Board profiles\n"
  "for the Raspberry Pi Zero 2 W, 3, 4 and 5 are included.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library packages from dpkg-shlibdeps; the rest is what kabar opens at run
# time: the fonts of its chain, the GLES2/EGL stack SDL loads for KMS, and
# procps for /bin/kill, the unit's ExecReload (a minimal Debian, such as the
# appliance image, has no kill otherwise: `systemctl reload` then fails).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "adduser, procps, fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji, libegl1, libgles2, libgl1-mesa-dri")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${KABAR_DEB_DIR}/conffiles ${KABAR_DEB_DIR}/postinst ${KABAR_DEB_DIR}/prerm ${KABAR_DEB_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# A cross build (boards/toolchain-*.cmake) packages for its target.
if(CMAKE_CROSSCOMPILING AND KABAR_CROSS_DEB_ARCH)
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${KABAR_CROSS_DEB_ARCH})
  # Libraries unpacked beside the multiarch tree (install-deps.sh): their
  # control files are there too, so dpkg-shlibdeps finds their shlibs.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${KABAR_CROSS_EXTRA}/usr/lib)
endif()

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "kabar: a package from this build installs under ${CMAKE_INSTALL_PREFIX} (make deb uses /usr)")
endif()
if(KABAR_CROSS_SYSROOT)
  # A sysroot of unpacked packages has no dpkg database, so dpkg-shlibdeps
  # could not say which packages the binary needs: no package rather than
  # one with half its Depends. tests/cli/test_deb.sh reads the reason here.
  set(reason "a cross build against a sysroot (${KABAR_CROSS_SYSROOT}) has no dpkg database for dpkg-shlibdeps")
  file(WRITE ${CMAKE_BINARY_DIR}/CPackConfig.unsupported "${reason}\n")
  message(STATUS "kabar: no Debian package from this build: ${reason}")
else()
  file(REMOVE ${CMAKE_BINARY_DIR}/CPackConfig.unsupported)
  include(CPack)
endif()
