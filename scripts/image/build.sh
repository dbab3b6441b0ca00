#!/usr/bin/env bash
# Builds a flashable kabar disk image from Debian's archive only.
#
#   scripts/image/build.sh --board rpi4 --arch arm64 --deb kabar_V_arm64.deb --out kabar.img
#   scripts/image/build.sh --vm --board desktop --arch amd64 --deb kabar_V_amd64.deb --out vm.img
#
# One recipe for the Raspberry Pi images and the QEMU guest of make kiosk-vm
# (--vm: no Pi firmware, a serial console and QEMU's guest agent, which the
# check talks to). The disk has three MBR partitions, written into the image
# file without loop devices (mkfs.vfat + mcopy, mkfs.ext4 -d, sfdisk, dd):
#
#   1  KABARBOOT   FAT32  the Pi firmware, kernel, initrd, config.txt, cmdline.txt,
#                         kabar.conf and the optional network settings: the files
#                         a technician edits on any laptop. Mounted read-only.
#   2  kabar-root  ext4   the system, mounted read-only: nothing writes it while
#                         running, so a power cut cannot damage it.
#   3  kabar-data  ext4   the spool, timesyncd's clock, kabar's caches; grown to
#                         the end of the card at first boot (kabar-grow-data).
#
# docs/kiosk.md says how to flash it; scripts/image/README.md why each piece.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
board='' arch='' deb='' out='' vm=no work='' cache='' mirror=${KABAR_MIRROR:-http://deb.debian.org/debian}
while [ $# -gt 0 ]; do
  case "$1" in
    --board) board=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --deb) deb=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --vm) vm=yes; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "image: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$board" ] && [ -n "$arch" ] && [ -n "$deb" ] && [ -n "$out" ] ||
  { echo "image: --board, --arch, --deb and --out are required" >&2; exit 2; }
[ -f "$deb" ] || { echo "image: no package $deb (make deb ARCH=$arch)" >&2; exit 1; }
# mmdebstrap and mkfs -d keep the files' owners only as root.
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "image: run as root (mmdebstrap, mkfs -d keep owners)" >&2; exit 1; }
  exec sudo "$0" --board "$board" --arch "$arch" --deb "$deb" --out "$out" \
    ${work:+--work "$work"} ${cache:+--cache "$cache"} $([ "$vm" = yes ] && echo --vm)
fi
case "$vm:$board" in
  no:rpi3 | no:rpi4 | no:rpi-zero2w) pi=yes ;;
  no:rpi5) echo "image: rpi5 has no image: Debian 12's kernel cannot drive it (docs/kiosk.md)" >&2; exit 2 ;;
  yes:*) pi=no ;;
  *) echo "image: no image for board $board" >&2; exit 2 ;;
esac
deb=$(realpath "$deb")
out=$(realpath -m "$out")
work=${work:-$out.work}
rm -rf "$work"
mkdir -p "$work"
# --one-file-system: never into a mount mmdebstrap could not undo (below).
trap 'umount "$work/root/dev" "$work/root/proc" 2>/dev/null || true; rm -rf --one-file-system "$work"' EXIT
root=$work/root
t0=$(date +%s)
say() { echo "image: [$(($(date +%s) - t0)) s] $*"; }

# The system. minbase plus systemd: no network daemons beyond networkd, a
# resolver for timesyncd, and Wi-Fi on the Pi. initramfs-tools is told (before
# the kernel is installed, so the initrd is made once) to take only the
# modules that reach the root: building an initrd with every module takes
# 15 minutes under qemu-user, this one a few (scripts/image/initramfs-hook).
pkgs=(systemd systemd-sysv udev kmod initramfs-tools zstd fdisk e2fsprogs
      systemd-timesyncd systemd-resolved ca-certificates fontconfig "linux-image-$arch")
components=main
if [ "$pi" = yes ]; then
  pkgs+=(raspi-firmware firmware-brcm80211 wpasupplicant)
  components=main,non-free-firmware
fi
[ "$vm" = yes ] && pkgs+=(qemu-guest-agent)
# --cache DIR keeps, between builds, the downloaded packages and the base:
# Debian with everything above and kabar's dependencies (as the package
# states them), kept as a tarball named by a hash of what went into it.
# An image is then the base plus kabar's package, installed with dpkg: a
# minute instead of five (amd64) or ten to fifty (arm64, under qemu-user).
# A base older than KABAR_BASE_MAX_DAYS (7) is made again, so an image
# never carries security updates older than a week.
deps=$(dpkg-deb -f "$deb" Depends)
cache_hooks=() keep_hooks=() base=''
if [ -n "$cache" ]; then
  mkdir -p "$cache"
  cache=$(realpath "$cache")
  key=$( { printf '%s\n' "$arch" "$pi" "$vm" "${pkgs[*]}" "$components" "$mirror" "$deps"
           cat "$here/initramfs.conf" "$here/initramfs-hook"; } | sha256sum | cut -c1-16)
  base=$cache/base-$arch-$([ "$vm" = yes ] && echo vm || echo pi)-$key.tar.zst
  cache_hooks=(--skip=download/empty
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/'
    --setup-hook="sync-in '$cache/debs' /var/cache/apt/archives/")
  keep_hooks=(--customize-hook="sync-out /var/cache/apt/archives '$cache/debs'")
  mkdir -p "$cache/debs"
  find "$cache" -maxdepth 1 -name 'base-*.tar.zst' -mtime +"${KABAR_BASE_MAX_DAYS:-7}" -delete
fi
mkdir -p "$root"
if [ -n "$base" ] && [ -f "$base" ]; then
  say "base from the cache: $(basename "$base")"
  tar -C "$root" -I zstd --xattrs --xattrs-include='*' --acls --numeric-owner -xpf "$base"
else
  say "mmdebstrap $arch ($board): ${pkgs[*]} and kabar's dependencies"
  mmdebstrap --mode=root --variant=minbase --architectures="$arch" \
    --components="$components" --include="$(IFS=,; echo "${pkgs[*]}")" \
    --setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"' \
    --setup-hook="cp '$here/initramfs.conf' \"\$1/etc/initramfs-tools/conf.d/kabar\"" \
    --setup-hook="install -m 755 '$here/initramfs-hook' \"\$1/etc/initramfs-tools/hooks/kabar\"" \
    --setup-hook="echo KABAR_INITRD=$([ "$pi" = yes ] && echo pi || echo vm) >>\"\$1/etc/initramfs-tools/conf.d/kabar\"" \
    "${cache_hooks[@]}" \
    --customize-hook="chroot \"\$1\" apt-get satisfy -y --no-install-recommends '$deps'" \
    "${keep_hooks[@]}" \
    --customize-hook='chroot "$1" fc-cache -s' \
    bookworm "$root" "deb $mirror bookworm ${components//,/ }" \
    "deb $mirror bookworm-updates ${components//,/ }" \
    "deb ${mirror%/debian}/debian-security bookworm-security ${components//,/ }"
  # mmdebstrap unmounts /proc, /sys and /dev from the root when it ends; if
  # one is still busy (seen with two image builds at once) it only warns, and
  # mkfs would copy the live /proc into the image. Detach it, or stop.
  while read -r _ mnt _; do
    case "$mnt" in "$root"/*) umount -l "$mnt" && echo "image: detached $mnt, left mounted by mmdebstrap" ;; esac
  done < <(tac /proc/mounts)
  if grep -q " $root/" /proc/mounts; then
    echo "image: $root still has mounts; not making file systems from it" >&2
    exit 1
  fi
  if [ -n "$base" ]; then
    tar -C "$root" -I 'zstd -3 -T0' --xattrs --xattrs-include='*' --acls --numeric-owner \
      -cf "$base.tmp" .
    mv "$base.tmp" "$base"
    say "base kept: $(basename "$base") ($(du -h "$base" | cut -f1))"
  fi
fi
# kabar itself, as a user installs it (its maintainer scripts make the
# user, the spool, the unit's links), with /proc and /dev for them.
cp "$deb" "$root/tmp/kabar.deb"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
status=0
chroot "$root" dpkg -i /tmp/kabar.deb || status=$?
umount "$root/dev" "$root/proc"
rm -f "$root/tmp/kabar.deb"
[ "$status" -eq 0 ] || { echo "image: dpkg -i kabar failed ($status)" >&2; exit 1; }
say "root made: $(du -sh "$root" | cut -f1)"

# What makes the image a kiosk: the layout files, the board, the units.
"$here/configure-root.sh" "$root" "$board" "$vm"

# The boot partition's files.
boot=$work/boot data=$work/data
mkdir -p "$boot" "$data"
kver=$(basename "$(ls -d "$root"/lib/modules/* | head -1)")
cp "$root/boot/vmlinuz-$kver" "$boot/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$boot/initrd.img"
rm -f "$root"/boot/vmlinuz* "$root"/boot/initrd.img* # on the FAT only: one copy
install -m 644 "$here/kabar.conf" "$boot/kabar.conf"
mkdir -p "$boot/network" "$boot/spool"
install -m 644 "$here/network-README.txt" "$boot/network/README.txt"
install -m 644 "$here/spool-README.txt" "$boot/spool/README.txt"
cmdline="root=LABEL=kabar-root rootfstype=ext4 ro rootwait fsck.mode=skip consoleblank=0 quiet loglevel=3 vt.global_cursor_default=0 net.ifnames=0"
if [ "$pi" = yes ]; then
  cp -r "$root"/usr/lib/raspi-firmware/. "$boot/"
  # Every Pi device tree of the kernel (bcm2711: Pi 4, 400; bcm2837: Pi 3,
  # Zero 2 W), as Debian's raspi-firmware does: one image boots any of them.
  cp "$root"/usr/lib/linux-image-"$kver"/broadcom/bcm*-rpi-*.dtb "$boot/"
  sed "s/@BOARD@/$board/" "$here/config.txt" >"$boot/config.txt"
  echo "console=tty1 console=ttyS1,115200 $cmdline" >"$boot/cmdline.txt"
else
  echo "$cmdline" >"$boot/cmdline.txt"
fi
# A laptop (Windows' Notepad) reads LF line ends fine today; the README
# says to keep cmdline.txt on one line.
say "boot files: $(du -sh "$boot" | cut -f1), kernel $kver"

# The data partition starts with what the root had under the mount points
# (kabar's spool with its owner and mode), then grows at first boot.
mv "$root/var/spool/kabar" "$data/spool"
mkdir -m 2775 "$root/var/spool/kabar"
chown --reference="$data/spool" "$root/var/spool/kabar"
mkdir -p "$data/cache"
chown --reference="$data/spool" "$data/cache"
chmod 750 "$data/cache"
# systemd's state (/var/lib/systemd): logind's and timesyncd's state
# directories, the random seed. timesyncd moves the clock forward to its
# clock file's time at boot: a Pi has no battery clock, and without network
# it would start at the kernel's build date; the image's build time is the
# floor.
mv "$root/var/lib/systemd" "$data/systemd"
mkdir -p "$root/var/lib/systemd" "$data/systemd/timesync"
timesync_id=$(chroot "$root" id -u systemd-timesync 2>/dev/null || echo 0)
touch "$data/systemd/timesync/clock"
chown -R "$timesync_id:$timesync_id" "$data/systemd/timesync"

# Sizes in MiB: the boot partition has room for a kernel update, the root a
# fifth more than its files, the data partition a start.
mib() { du -s --block-size=1M "$1" | cut -f1; }
boot_mib=256
root_mib=$(($(mib "$root") * 6 / 5 + 64))
data_mib=${KABAR_DATA_MIB:-64}
total_mib=$((1 + boot_mib + root_mib + data_mib))

say "file systems: boot $boot_mib MiB, root $root_mib MiB, data $data_mib MiB"
rm -f "$work/boot.fat"
mkfs.vfat -C -F 32 -n KABARBOOT "$work/boot.fat" $((boot_mib * 1024)) >/dev/null
mcopy -s -p -i "$work/boot.fat" "$boot"/* ::/
# By label: what fstab and the kernel command line look for.
mkfs.ext4 -q -F -L kabar-root -d "$root" -E root_owner=0:0 "$work/root.ext4" "${root_mib}M"
mkfs.ext4 -q -F -L kabar-data -d "$data" "$work/data.ext4" "${data_mib}M"

say "partitioning $out ($total_mib MiB)"
rm -f "$out"
truncate -s "${total_mib}M" "$out"
sfdisk --quiet "$out" <<EOF
label: dos
unit: sectors
start=2048, size=$((boot_mib * 2048)), type=c, bootable
start=$(((1 + boot_mib) * 2048)), size=$((root_mib * 2048)), type=83
start=$(((1 + boot_mib + root_mib) * 2048)), size=$((data_mib * 2048)), type=83
EOF
dd if="$work/boot.fat" of="$out" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$work/root.ext4" of="$out" bs=1M seek=$((1 + boot_mib)) conv=notrunc,sparse status=none
dd if="$work/data.ext4" of="$out" bs=1M seek=$((1 + boot_mib + root_mib)) conv=notrunc,sparse status=none
# The VM boots its kernel from the host (QEMU -kernel): keep a copy beside.
if [ "$vm" = yes ]; then
  cp "$boot/vmlinuz" "${out%.img}.vmlinuz"
  cp "$boot/initrd.img" "${out%.img}.initrd"
  cp "$boot/cmdline.txt" "${out%.img}.cmdline"
fi
say "done: $out ($(du -h --apparent-size "$out" | cut -f1))"
