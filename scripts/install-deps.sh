#!/usr/bin/env bash
# Installs the Debian 12 / Raspberry Pi OS bookworm packages kabar needs to
# build, run and test -- only those missing. Idempotent and quick when
# nothing is missing. Runs apt-get as root, or through sudo.
#
#   scripts/install-deps.sh           build, run and test on this machine
#   scripts/install-deps.sh --cross   also the arm64 cross toolchain and libraries
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsdl2-dev libsdl2-ttf-dev
  libharfbuzz-dev libfreetype-dev libfribidi-dev libraqm-dev
  libutf8proc-dev libfontconfig-dev libjansson-dev libinih-dev libunibreak-dev
  libsystemd-dev libpng-dev
  libcmocka-dev
  fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
  unicode-data libharfbuzz-bin
  xvfb xauth
)

cross=0
for arg in "$@"; do
  case "$arg" in
    --cross) cross=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ "$cross" = 1 ]; then
  packages+=(gcc-aarch64-linux-gnu qemu-user-static)
  arm_libs=(libsdl2-dev libsdl2-ttf-dev libharfbuzz-dev libfreetype-dev libfribidi-dev
            libraqm-dev libutf8proc-dev libfontconfig-dev libjansson-dev libinih-dev
            libunibreak-dev libsystemd-dev libpng-dev libcmocka-dev)
  for p in "${arm_libs[@]}"; do packages+=("$p:arm64"); done
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: missing ${missing[*]}; run this script as root" >&2
  exit 1
fi

if [ "$cross" = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "install-deps: adding the arm64 architecture"
  "${sudo[@]}" dpkg --add-architecture arm64
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
