#!/usr/bin/env bash
# Turns the root mmdebstrap made into kabar's appliance root (run by build.sh
# as root, on the host, with the root as a directory):
#
#   configure-root.sh ROOT BOARD VM(yes|no)
#
# read-only root, boot and data partitions in fstab, the board profile, the
# kabar unit's drop-in, the first-boot growth of the data partition, the
# network from the boot partition, a volatile journal.
set -euo pipefail
root=$1 board=$2 vm=$3
here=$(cd "$(dirname "$0")" && pwd)
files=$here/root

cat >"$root/etc/fstab" <<'EOT'
# kabar appliance (scripts/image): a read-only root, the boot partition
# (read-only; remount it rw to edit kabar.conf on the screen itself), and the
# data partition for everything that changes.
LABEL=kabar-root  /               ext4   ro,noatime                                    0 0
LABEL=KABARBOOT   /boot/firmware  vfat   ro,noatime,umask=0022,nofail,x-systemd.device-timeout=20s  0 0
LABEL=kabar-data  /data           ext4   rw,noatime,nodev,nosuid,x-systemd.growfs      0 2
/data/spool       /var/spool/kabar               none  bind  0 0
/data/cache       /var/cache/kabar               none  bind  0 0
/data/systemd     /var/lib/systemd               none  bind  0 0
tmpfs             /tmp            tmpfs  nosuid,nodev,mode=1777,size=64M   0 0
tmpfs             /var/tmp        tmpfs  nosuid,nodev,mode=1777,size=16M   0 0
EOT
mkdir -p "$root/data" "$root/boot/firmware" "$root/var/cache/kabar"

# The board, fixed for this image (the package guesses it from the device
# tree, which the build machine does not have).
cat >"$root/etc/default/kabar" <<EOT
# Extra arguments for kabar.service. This image was built for: $board
# (profiles: /usr/share/kabar/boards). The settings are /boot/firmware/kabar.conf.
KABAR_ARGS="--board $board"
EOT
# The package's postinst saw no Pi in the build machine's device tree and
# let llvmpipe's JIT run (MemoryDenyWriteExecute=no). On a Pi, vc4 and v3d
# need no JIT: the unit's W^X protection stays.
case "$board" in rpi*) rm -f "$root/etc/systemd/system/kabar.service.d/software-gl.conf" ;; esac
rm -f "$root/etc/kabar/kabar.conf"
cat >"$root/etc/kabar/README" <<'EOT'
On this image kabar's settings are in /boot/firmware/kabar.conf, on the FAT
boot partition that any laptop can edit (kabar.service.d/image.conf).
EOT

cp -r "$files"/. "$root/"
chmod 755 "$root"/usr/lib/kabar-image/*
ln -sf /lib/systemd/system/kabar.service "$root/etc/systemd/system/multi-user.target.wants/kabar.service"
mkdir -p "$root/etc/systemd/system/local-fs.target.wants" "$root/etc/systemd/system/network-pre.target.wants"
ln -sf /etc/systemd/system/kabar-grow-data.service "$root/etc/systemd/system/local-fs.target.wants/"
ln -sf /etc/systemd/system/kabar-boot-network.service "$root/etc/systemd/system/network-pre.target.wants/"
ln -sf /etc/systemd/system/kabar-boot-spool.service "$root/etc/systemd/system/multi-user.target.wants/"
ln -sf /lib/systemd/system/systemd-networkd.service "$root/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
ln -sf /lib/systemd/system/systemd-resolved.service "$root/etc/systemd/system/multi-user.target.wants/systemd-resolved.service"
ln -sf /run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
if [ -e "$root/lib/systemd/system/wpa_supplicant@.service" ]; then
  ln -sf /boot/firmware/network/wifi.conf "$root/etc/wpa_supplicant/wpa_supplicant-wlan0.conf"
  mkdir -p "$root/etc/systemd/system/wpa_supplicant@wlan0.service.d" "$root/etc/systemd/system/multi-user.target.wants"
  printf '[Unit]\nConditionPathExists=/boot/firmware/network/wifi.conf\n' \
    >"$root/etc/systemd/system/wpa_supplicant@wlan0.service.d/boot.conf"
  ln -sf /lib/systemd/system/wpa_supplicant@.service \
    "$root/etc/systemd/system/multi-user.target.wants/wpa_supplicant@wlan0.service"
fi

echo kabar >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tkabar\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
# Empty: systemd makes a new machine id at each boot and keeps it in memory
# (the root is read-only). The journal is in memory too.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
rm -rf "$root/var/log/journal"
# No apt caches or lists in the image: it is updated by flashing a new one.
rm -rf "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/*
mkdir -p "$root/var/lib/apt/lists/partial"
