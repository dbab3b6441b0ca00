#!/usr/bin/env bash
# kabar validate checks the pictures items name (docs/cli.md, "validate"):
# present in images/ beside the file, a regular file, within the size and
# pixel limits, of the format its name says, and decodable; each bad one
# gives its exact line and exit 1, as the ticker would say it.
set -u
kabar=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SDL_VIDEODRIVER=dummy KABAR_CONFIG=
fails=0
demo=$src/assets/demo-spool/images
mkdir -p "$tmp/s/images"
cd "$tmp" || exit 1
cp "$demo/riyadh-metro.png" s/images/ok.png
cp "$demo/jakarta-rain.jpg" s/images/ok.jpg
cp "$demo/lyon-lights.webp" s/images/ok.webp
cp "$demo/jakarta-rain.jpg" s/images/liar.png
head -c 3000 "$demo/riyadh-metro.png" >s/images/cut.png
ln -s ok.png s/images/link.png
mkfifo s/images/fifo.png
head -c $((9 * 1024 * 1024)) /dev/zero >s/images/huge.png
python3 - s/images/bomb.png <<'PY'
import struct, sys, zlib
ihdr = struct.pack('>IIBBBBB', 20000, 20000, 8, 6, 0, 0, 0)
png = b'\x89PNG\r\n\x1a\n' + struct.pack('>I', 13) + b'IHDR' + ihdr
png += struct.pack('>I', zlib.crc32(b'IHDR' + ihdr))
idat = zlib.compress(b'\0' * 100000, 9)
png += struct.pack('>I', len(idat)) + b'IDAT' + idat + struct.pack('>I', zlib.crc32(b'IDAT' + idat))
open(sys.argv[1], 'wb').write(png)
PY
item() { # file id image
  printf '{"id": "%s", "lang": "en", "text": "Story %s", "image": "%s"}\n' "$2" "$2" "$3" >"s/$1"
}
item ok.json ok ok.png
item jpg.json jpg ok.jpg
item webp.json webp ok.webp
item liar.json liar liar.png
item cut.json cut cut.png
item link.json link link.png
item fifo.json fifo fifo.png
item huge.json huge huge.png
item bomb.json bomb bomb.png
item missing.json missing nowhere.png
printf '{"items": [{"id": "b1", "lang": "en", "text": "One", "image": "ok.png"},
  {"id": "b2", "lang": "en", "text": "Two", "image": "ok.png"},
  {"id": "b3", "lang": "en", "text": "Three", "image": "ok.jpg"},
  {"id": "b4", "lang": "en", "text": "Four"}]}\n' >s/bundle.json
printf '{"id": "plain", "lang": "en", "text": "No picture"}\n' >s/plain.json

expect() { # file, exit status, the exact line
  local out rc
  out=$(timeout 60 "$kabar" validate "$1" 2>/dev/null)
  rc=$?
  if [ "$rc" != "$2" ] || [ "$out" != "$3" ]; then
    echo "FAIL: validate $1: exit $rc, said: $out"
    echo "      wanted exit $2: $3"
    fails=$((fails + 1))
    return 1
  else
    echo "ok   $out"
  fi
}
expect s/ok.json 0 "s/ok.json: ok, 1 item, 1 picture"
expect s/jpg.json 0 "s/jpg.json: ok, 1 item, 1 picture"
expect s/webp.json 0 "s/webp.json: ok, 1 item, 1 picture"
expect s/bundle.json 0 "s/bundle.json: ok, 4 items, 2 pictures"
expect s/plain.json 0 "s/plain.json: ok, 1 item"
expect s/liar.json 1 "s/images/liar.png: holds JPEG, but its name says PNG"
expect s/cut.json 1 "s/images/cut.png: cannot decode the PNG picture: Error reading the PNG file."
expect s/link.json 1 "s/images/link.png: a symbolic link, not a regular file"
expect s/fifo.json 1 "s/images/fifo.png: a FIFO, not a regular file"
expect s/bomb.json 1 \
  "s/images/bomb.png: 20000x20000 pixels, more than the limit of 16000000 pixels (16384 a side)"
expect s/missing.json 1 "s/images/nowhere.png: no such picture"
huge_line=$("$kabar" validate s/huge.json 2>/dev/null)
case $huge_line in
  "s/images/huge.png: "*"8388608"*) echo "ok   $huge_line" ;;
  *) echo "FAIL: validate s/huge.json said: $huge_line"; fails=$((fails + 1)) ;;
esac
# From inside the folder, the lines name the picture as the ticker would.
(cd s && expect liar.json 1 "./images/liar.png: holds JPEG, but its name says PNG") ||
  fails=$((fails + 1))
# Several files: one line each, exit 1 if any is bad.
out=$("$kabar" validate s/ok.json s/cut.json s/plain.json 2>/dev/null)
rc=$?
[ "$rc" = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 3 ] ||
  { echo "FAIL: three files: exit $rc, $out"; fails=$((fails + 1)); }
# The demo spool's pictures are all good.
"$kabar" validate "$src"/assets/demo-spool/*.json >"$tmp/demo" 2>/dev/null ||
  { echo "FAIL: the demo spool:"; cat "$tmp/demo"; fails=$((fails + 1)); }
[ "$fails" = 0 ] || { echo "$fails failed"; exit 1; }
