#!/usr/bin/env bash
# Checks a kabar appliance image without mounting or booting it: the
# partition table (sfdisk -d), the boot partition's files (mdir, mtype), the
# root's fstab, units and board (debugfs, read-only), the data partition's
# spool. Run by make image and make kiosk-vm on what they built.
#
#   tests/kiosk/check-image.sh IMAGE BOARD        BOARD: rpi3 rpi4 rpi-zero2w, or vm
set -euo pipefail
img=$1 board=$2
fails=0
ok() { echo "check-image: ok   $*"; }
bad() { echo "check-image: FAIL $*" >&2; fails=$((fails + 1)); }
expect() { # expect WHAT PATTERN TEXT
  if grep -Eq -- "$2" <<<"$3"; then ok "$1"; else bad "$1 (no /$2/)"; fi
}

table=$(sfdisk -d "$img")
expect "MBR partition table" '^label: dos' "$table"
parts=$(grep -c '^[^ ]*[0-9] : start=' <<<"$table" || true)
[ "$parts" = 3 ] && ok "three partitions" || bad "three partitions (found $parts)"
expect "1: FAT32 (LBA), bootable" '1 : start=.*type=c, bootable' "$table"
expect "2: Linux (root)" '2 : start=.*type=83' "$table"
expect "3: Linux (data), last" '3 : start=.*type=83' "$table"
start() { sed -n "s/.*$1 : start= *\([0-9]*\),.*/\1/p" <<<"$table"; }
boot_off=$(($(start 1) * 512)) root_off=$(($(start 2) * 512)) data_off=$(($(start 3) * 512))

# The boot partition: what the firmware, the kernel and a technician need.
listing=$(mdir -b -i "$img@@$boot_off" ::/)
want=(vmlinuz initrd.img cmdline.txt kabar.conf network spool)
case "$board" in
  rpi3 | rpi-zero2w) want+=(config.txt bootcode.bin start.elf fixup.dat) ;;
  rpi4) want+=(config.txt start4.elf fixup4.dat bcm2711-rpi-4-b.dtb) ;;
esac
case "$board" in
  rpi3) want+=(bcm2837-rpi-3-b.dtb bcm2837-rpi-3-b-plus.dtb) ;;
  rpi-zero2w) want+=(bcm2837-rpi-zero-2-w.dtb) ;;
esac
for f in "${want[@]}"; do
  grep -Eqx "::/$f/?" <<<"$listing" && ok "boot: $f" || bad "boot: $f missing"
done
label=$(mlabel -s -i "$img@@$boot_off" :: 2>/dev/null || true)
expect "boot: label KABARBOOT" 'KABARBOOT' "$label"
cmdline=$(mtype -i "$img@@$boot_off" ::/cmdline.txt)
[ "$(wc -l <<<"$cmdline")" = 1 ] && ok "cmdline.txt: one line" || bad "cmdline.txt: more than one line"
expect "cmdline.txt: root by label, read-only" 'root=LABEL=kabar-root .* ro( |$)' "$cmdline"
conf=$(mtype -i "$img@@$boot_off" ::/kabar.conf)
expect "kabar.conf: spool on the data partition" '^spool = /var/spool/kabar' "$conf"

# The root, read through debugfs (no mount, no write).
rootfs() { debugfs -R "$1" "$img?offset=$root_off" 2>/dev/null; }
dumpe2fs -h "$img?offset=$root_off" 2>/dev/null | grep -q 'volume name: *kabar-root' &&
  ok "root: label kabar-root" || bad "root: label"
fstab=$(rootfs 'cat /etc/fstab')
expect "fstab: root read-only" '^LABEL=kabar-root +/ +ext4 +ro[, ]' "$fstab"
expect "fstab: boot partition read-only" '^LABEL=KABARBOOT +/boot/firmware +vfat +ro[, ]' "$fstab"
expect "fstab: data partition, grown" '^LABEL=kabar-data +/data +ext4 +rw,.*x-systemd.growfs' "$fstab"
for bind in /var/spool/kabar /var/cache/kabar /var/lib/systemd; do
  expect "fstab: $bind on the data partition" "^/data/[a-z]+ +$bind +none +bind" "$fstab"
done
expect "fstab: /tmp in memory" '^tmpfs +/tmp ' "$fstab"
expect "fstab: /var/tmp in memory" '^tmpfs +/var/tmp ' "$fstab"
expect "journal in memory" 'Storage=volatile' "$(rootfs 'cat /etc/systemd/journald.conf.d/kabar.conf')"
expect "machine-id empty (made at boot)" '^$' "$(rootfs 'cat /etc/machine-id')"
wants=$(rootfs 'ls -l /etc/systemd/system/multi-user.target.wants')
for u in kabar.service kabar-boot-spool.service systemd-networkd.service; do
  expect "enabled: $u" "$u" "$wants"
done
expect "enabled: systemd-timesyncd.service" 'systemd-timesyncd' \
  "$(rootfs 'ls -l /etc/systemd/system/sysinit.target.wants')"
expect "enabled: kabar-grow-data.service" 'kabar-grow-data' \
  "$(rootfs 'ls -l /etc/systemd/system/local-fs.target.wants')"
expect "kabar.service reads /boot/firmware/kabar.conf" '--config /boot/firmware/kabar.conf' \
  "$(rootfs 'cat /etc/systemd/system/kabar.service.d/image.conf')"
want_board=$board
[ "$board" = vm ] && want_board='desktop'
expect "board: $want_board" "KABAR_ARGS=\"--board $want_board\"" "$(rootfs 'cat /etc/default/kabar')"
mdwe=$(rootfs 'cat /etc/systemd/system/kabar.service.d/software-gl.conf')
if [ "$board" = vm ]; then
  expect "llvmpipe may JIT (MemoryDenyWriteExecute=no)" 'MemoryDenyWriteExecute=no' "$mdwe"
else
  [ -z "$mdwe" ] && ok "MemoryDenyWriteExecute=yes kept (no drop-in)" || bad "software-gl drop-in on a Pi image"
fi
expect "kabar installed" 'Type: regular' "$(rootfs 'stat /usr/bin/kabar')"

# The root mounted read-only, as the board mounts it (a read-only loop
# device, the journal not replayed): the system's files are there, and
# mounting changed not a byte of the image. Skipped where there are no
# loop devices (a container).
root_size=$(($(sfdisk -d "$img" | sed -n "s|^$img""2 .*size= *\([0-9]*\).*|\1|p") * 512))
mnt=$(mktemp -d)
sum_before=$(sha256sum "$img" | cut -d' ' -f1)
if [ "$(id -u)" -eq 0 ] &&
   mount -o ro,noload,loop,offset="$root_off",sizelimit="$root_size" -t ext4 "$img" "$mnt" 2>/dev/null; then
  expect "root mounts read-only" '^ro' "$(findmnt -no OPTIONS "$mnt")"
  [ -x "$mnt/usr/bin/kabar" ] && ok "root: /usr/bin/kabar" || bad "root: no /usr/bin/kabar"
  expect "root: user kabar" '^kabar:' "$(cat "$mnt/etc/passwd")"
  for f in noto/NotoSans-Regular.ttf noto/NotoNaskhArabic-Regular.ttf; do
    [ -f "$mnt/usr/share/fonts/truetype/$f" ] && ok "root: $f" || bad "root: $f missing"
  done
  ls "$mnt"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 &&
    ok "root: Noto CJK" || bad "root: Noto CJK missing"
  [ -f "$mnt/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf" ] && ok "root: Noto Color Emoji" ||
    bad "root: Noto Color Emoji missing"
  umount "$mnt"
  [ "$(sha256sum "$img" | cut -d' ' -f1)" = "$sum_before" ] && ok "image unchanged by the mount" ||
    bad "the read-only mount changed the image"
else
  echo "check-image: skip the read-only mount (needs root and a loop device)"
fi
rmdir "$mnt"

# The data partition: the spool, owned by kabar, group-writable, setgid.
datafs() { debugfs -R "$1" "$img?offset=$data_off" 2>/dev/null; }
dumpe2fs -h "$img?offset=$data_off" 2>/dev/null | grep -q 'volume name: *kabar-data' &&
  ok "data: label kabar-data" || bad "data: label"
spool=$(datafs 'stat /spool')
expect "data: spool setgid, group-writable (2775)" 'Mode: +02775' "$spool"
expect "data: timesyncd's clock" 'clock' "$(datafs 'ls /systemd/timesync')"

if [ "$fails" -ne 0 ]; then
  echo "check-image: $fails checks failed on $img" >&2
  exit 1
fi
echo "check-image: $img ($board) is as built"
