#!/usr/bin/env bash
# The Debian package holds what a kiosk needs: CPack builds it in BUILD_DIR
# from this build (the CPack config is written at configure time), and
# dpkg-deb shows the binary, the unit, the font chain, the default config (a
# conffile), the board profiles, the demo spool and the maintainer scripts.
# Without dpkg-deb (not a Debian machine) it says so and counts as skipped.
set -u
kabar=$1 src=$(cd "$2" && pwd) build=$(cd "$3" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
check() { # name, then a command that must succeed
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}

if ! command -v dpkg-deb >/dev/null; then
  echo "SKIP: dpkg-deb not found: not a Debian machine, no package to check"
  exit 77
fi
if [ -f "$build/CPackConfig.unsupported" ]; then
  echo "SKIP: no package from this build: $(cat "$build/CPackConfig.unsupported")"
  exit 77
fi
if [ ! -f "$build/CPackConfig.cmake" ]; then
  echo "FAIL: $build/CPackConfig.cmake is missing (cmake/packaging.cmake not included?)"
  exit 1
fi

# Always a fresh package from this build, never a stale one lying around.
cpack=$(dirname "$(command -v cmake)")/cpack
arch=$(sed -n 's/^set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
prefix=$(sed -n 's/^set(CPACK_PACKAGING_INSTALL_PREFIX "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
[ -n "$arch" ] || arch=$(dpkg --print-architecture)
deb="$build/kabar_${version}_${arch}.deb"
rm -f "$deb"
# dpkg-shlibdeps reads DEB_HOST_ARCH to look at a cross build's libraries.
if ! (cd "$build" && DEB_HOST_ARCH=$arch "$cpack" -G DEB -B "$build") >"$tmp/cpack.log" 2>&1; then
  echo "FAIL: cpack -G DEB in $build:"
  tail -20 "$tmp/cpack.log"
  exit 1
fi
check "cpack wrote kabar_${version}_${arch}.deb" test -f "$deb"
[ -f "$deb" ] || { echo "$passes passed, $fails failed"; exit 1; }

dpkg-deb -c "$deb" | awk '{print $NF}' >"$tmp/files"
# A symlink line ends "-> target"; the listing here has none, so $NF is the path.
has() { grep -Fxq "$1" "$tmp/files" || { echo "  not in the package: $1"; return 1; }; }
check "the binary" has ".$prefix/bin/kabar"
check "the systemd unit" has "./lib/systemd/system/kabar.service"
check "the font chain" has ".$prefix/share/kabar/fonts/chain.conf"
check "the default config" has "./etc/kabar/kabar.conf"
check "the demo spool" bash -c "grep -Eq '^\\.$prefix/share/kabar/assets/demo-spool/.+\\.json$' '$tmp/files'"
for f in "$src"/boards/*.conf; do
  check "board profile $(basename "$f")" has ".$prefix/share/kabar/boards/$(basename "$f")"
done
check "the copyright file" has ".$prefix/share/doc/kabar/copyright"
check "the manual page" has ".$prefix/share/man/man1/kabar.1.gz"

dpkg-deb -e "$deb" "$tmp/DEBIAN"
check "kabar.conf is a conffile" grep -Fxq /etc/kabar/kabar.conf "$tmp/DEBIAN/conffiles"
for s in postinst prerm postrm; do
  check "$s is executable" test -x "$tmp/DEBIAN/$s"
  check "$s parses" sh -n "$tmp/DEBIAN/$s"
done
check "postinst makes the kabar user" grep -q "adduser --system --group" "$tmp/DEBIAN/postinst"
dpkg-deb -f "$deb" Depends >"$tmp/depends"
check "Depends has the fonts" bash -c "grep -q fonts-noto-core '$tmp/depends' && grep -q fonts-noto-cjk '$tmp/depends' && grep -q fonts-noto-color-emoji '$tmp/depends'"
check "Depends has adduser" grep -q adduser "$tmp/depends"
check "Depends has SDL from dpkg-shlibdeps" grep -q "libsdl2-2.0-0 (>=" "$tmp/depends"
check "Architecture is $arch" test "$(dpkg-deb -f "$deb" Architecture)" = "$arch"

# The unit the package carries is the one in the tree.
dpkg-deb -x "$deb" "$tmp/root"
check "the packaged unit is boards/systemd/kabar.service" \
  cmp -s "$tmp/root/lib/systemd/system/kabar.service" "$src/boards/systemd/kabar.service"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
