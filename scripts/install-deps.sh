#!/usr/bin/env bash
# Installs the Debian 12 / Raspberry Pi OS bookworm packages kabar needs to
# build, run and test -- only those missing. Idempotent and quick when
# nothing is missing. Runs apt-get as root, or through sudo.
#
#   scripts/install-deps.sh           build, run and test on this machine
#   scripts/install-deps.sh --cross   also the arm64 cross toolchain, libraries and qemu
#   scripts/install-deps.sh --cross-armhf   the same for 32-bit armhf
#   scripts/install-deps.sh --deb     also what `make deb` uses (dpkg-dev, lintian)
#   scripts/install-deps.sh --fuzz    also what `make fuzz` uses (clang, libFuzzer) and valgrind
#   scripts/install-deps.sh --bench   also what `make bench` uses (valgrind, jq, Mesa)
#   scripts/install-deps.sh --image   also what `make image` and `make kiosk-vm` use
#                                     (mmdebstrap, qemu, mtools, dosfstools, fdisk)
#
# arm64 libraries are Debian's multiarch :arm64 packages, installed next to
# the machine's own. Those that are not Multi-Arch: same (libunibreak in
# Debian 12) would replace the machine's own, so they are unpacked under
# /opt/kabar-cross/arm64 instead. armhf libraries are a sysroot of unpacked
# packages in /opt/kabar-cross/armhf-root (mmdebstrap), which needs no
# foreign architecture in dpkg. boards/README.md, "Cross builds", says why.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsdl2-dev libsdl2-ttf-dev
  libharfbuzz-dev libfreetype-dev libfribidi-dev libraqm-dev
  libutf8proc-dev libfontconfig-dev libjansson-dev libinih-dev libunibreak-dev
  libsystemd-dev libpng-dev libsdl2-image-dev
  libcurl4-openssl-dev libxml2-dev libuchardet-dev libmosquitto-dev nettle-dev mosquitto mosquitto-clients openssl
  libcmocka-dev
  fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
  unicode-data libharfbuzz-bin
  python3 rsync
  xvfb xauth x11-utils
  chromium
)
# The newsroom's page (dashboard/) takes its MQTT client from npm, and its
# tests drive Chromium from Node.js: Debian's, unless the machine has its own.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

arches=() sysroots=() image=no
for arg in "$@"; do
  case "$arg" in
    --cross) arches+=(arm64) ;;
    --cross-armhf) sysroots+=(armhf) ;;
    --deb) packages+=(dpkg-dev lintian) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev valgrind) ;;
    --bench) packages+=(valgrind jq libgl1-mesa-dri libgles2) ;;
    --image) image=yes; packages+=(mmdebstrap arch-test qemu-user-static binfmt-support qemu-system-x86
                        qemu-system-arm mtools dosfstools fdisk
                        e2fsprogs dpkg-dev) ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

# The target's -dev packages; Multi-Arch: same, so installable next to the
# build machine's own.
cross_libs=(libsdl2-dev libsdl2-ttf-dev libharfbuzz-dev libfreetype-dev libfribidi-dev
            libraqm-dev libutf8proc-dev libfontconfig-dev libjansson-dev libinih-dev
            libsystemd-dev libpng-dev libsdl2-image-dev libcurl4-openssl-dev libxml2-dev libuchardet-dev libmosquitto-dev
            nettle-dev
            libcmocka-dev)
# Not Multi-Arch: same: unpacked under /opt/kabar-cross/ARCH (the first one's
# control files too, so dpkg-shlibdeps can read its shlibs when packaging).
cross_private=(libunibreak1 libunibreak-dev)
for arch in ${arches[@]+"${arches[@]}"}; do
  packages+=(gcc-aarch64-linux-gnu qemu-user-static dpkg-dev)
  for p in "${cross_libs[@]}"; do packages+=("$p:$arch"); done
done
for arch in ${sysroots[@]+"${sysroots[@]}"}; do
  packages+=(gcc-arm-linux-gnueabihf qemu-user-static mmdebstrap)
done

# Unpacks the cross_private packages for one architecture, once per version.
unpack_private() {
  local arch=$1 dest=/opt/kabar-cross/$1 stamp tmp p
  stamp="$dest/.unpacked-$(for p in "${cross_private[@]}"; do
    apt-cache policy "$p:$arch" | awk '/Candidate:/ {print $2}'; done | tr '\n' '_')"
  [ -e "$stamp" ] && return 0
  if [ "${sudo[*]}" = false ]; then
    echo "install-deps: $dest needs unpacking; run this script as root" >&2
    exit 1
  fi
  echo "install-deps: unpacking ${cross_private[*]} ($arch) into $dest"
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  chown _apt "$tmp" 2>/dev/null || true # apt downloads as _apt where it can
  (cd "$tmp" && for p in "${cross_private[@]}"; do apt-get download -q "$p:$arch"; done)
  "${sudo[@]}" rm -rf "$dest"
  "${sudo[@]}" mkdir -p "$dest"
  for p in "${cross_private[@]}"; do
    "${sudo[@]}" dpkg-deb -x "$tmp/${p}"_*"_$arch.deb" "$dest"
  done
  "${sudo[@]}" dpkg-deb -e "$tmp/${cross_private[0]}"_*"_$arch.deb" "$dest/DEBIAN"
  for pc in "$dest"/usr/lib/pkgconfig/*.pc; do
    "${sudo[@]}" sed -i "s|^prefix=.*|prefix=$dest/usr|" "$pc"
  done
  "${sudo[@]}" touch "$stamp"
  rm -rf "$tmp"
}

# A name without :ARCH means the build machine's own architecture (or all):
# with a cross architecture added, dpkg-query lists one line per architecture.
native=$(dpkg --print-architecture)
# The machine's own Debian suites (from apt's configuration), as sources
# lines for mmdebstrap; with "nosecurity", without the security suite.
debian_sources() {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
    'Identifier: Packages' "Architecture: $native" |
    awk -v skip="$1" '$2 ~ /^bookworm/ && !(skip == "nosecurity" && $2 ~ /security/) {
      print "deb " $1 " " $2 " " $3 }' | sort -u
}

# Unpacks the target's -dev packages and what they depend on into
# /opt/kabar-cross/ARCH-root, once per package list (remove it to refresh).
make_sysroot() {
  local arch=$1 dest=/opt/kabar-cross/$1-root list stamp
  list="${cross_libs[*]} libunibreak-dev libc6-dev"
  stamp="$dest/.kabar-$(printf 'v2 %s' "$list" | md5sum | cut -c1-12)"
  [ -e "$stamp" ] && return 0
  if [ "${sudo[*]}" = false ]; then
    echo "install-deps: $dest needs making; run this script as root" >&2
    exit 1
  fi
  echo "install-deps: unpacking the $arch sysroot into $dest"
  "${sudo[@]}" rm -rf "$dest"
  # An architecture's index can be broken on a mirror mid-sync (seen for
  # armhf security): then build from the other suites. A sysroot only has
  # to build and run the tests; the board gets its updates from its own apt.
  if ! debian_sources all | "${sudo[@]}" mmdebstrap --quiet --mode=root --variant=extract \
      --architectures="$arch" --include="${list// /,}" bookworm "$dest" -; then
    echo "install-deps: retrying the $arch sysroot without the security suite" >&2
    "${sudo[@]}" rm -rf "$dest"
    debian_sources nosecurity | "${sudo[@]}" mmdebstrap --quiet --mode=root --variant=extract \
      --architectures="$arch" --include="${list// /,}" bookworm "$dest" -
  fi
  # qemu-user -L looks in the sysroot first: without its own fonts and
  # fontconfig setup there, fontconfig sees the machine's, as kabar on a
  # board sees the board's (the sysroot has only DejaVu).
  "${sudo[@]}" rm -rf "$dest/usr/share/fonts" "$dest/etc/fonts"
  "${sudo[@]}" touch "$stamp"
}

missing=()
for p in "${packages[@]}"; do
  want=$native
  case "$p" in *:*) want=${p#*:} ;; esac
  dpkg-query -W -f='${db:Status-Status} ${Architecture}\n' "$p" 2>/dev/null |
    grep -Eqx "installed ($want|all)" || missing+=("$p")
done

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  sudo=(false)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  if [ "${sudo[*]}" = false ]; then
    echo "install-deps: missing ${missing[*]}; run this script as root" >&2
    exit 1
  fi
  for arch in ${arches[@]+"${arches[@]}"}; do
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
      echo "install-deps: adding the $arch architecture"
      "${sudo[@]}" dpkg --add-architecture "$arch"
    fi
  done
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A mirror caught mid-sync fails one index (seen for armhf); apt then keeps
  # the old lists of that whole suite. Go on with them rather than stop here:
  # the install below says clearly if something is really missing.
  "${sudo[@]}" apt-get update -q ||
    echo "install-deps: apt-get update reported errors; going on with the lists it has" >&2
  # Multi-Arch: same packages must have one version on every architecture,
  # so this may also upgrade the build machine's copy of a shared library.
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

for arch in ${arches[@]+"${arches[@]}"}; do
  unpack_private "$arch"
done
for arch in ${sysroots[@]+"${sysroots[@]}"}; do
  make_sysroot "$arch"
done

# make image builds arm64 roots with mmdebstrap, which runs their maintainer
# scripts through qemu-user: that needs binfmt_misc, which a container or a
# machine without systemd-binfmt may not have mounted.
if [ "$image" = yes ] && ! arch-test arm64 >/dev/null 2>&1; then
  [ -e /proc/sys/fs/binfmt_misc/register ] ||
    "${sudo[@]}" mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || true
  "${sudo[@]}" update-binfmts --enable qemu-aarch64 || true
  arch-test arm64 >/dev/null 2>&1 ||
    echo "install-deps: arm64 binaries do not run through qemu-user here (binfmt_misc)" >&2
fi

# The page's MQTT client and its tests' browser driver, pinned (dashboard/vendor.sh).
"$(dirname "$0")/../dashboard/vendor.sh" --test
