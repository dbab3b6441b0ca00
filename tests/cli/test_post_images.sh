#!/usr/bin/env bash
# `kabar post --image FILE --summary TEXT --credit C` (spool v1.1): the
# picture is checked before anything is written, copied into images/ under
# the SHA-256 of its bytes with the ending of what it holds, and named in
# the item; the same picture twice is stored once; a file that is no
# picture, lies about its type, is too big or claims too many pixels writes
# nothing, with one line saying why.
set -u
kabar=$1 src=$2 build=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
check() { # name, then a command that must succeed
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
status_is() { # expected status, command...
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  [ "$got" = "$want" ] || { echo "  exit $got, wanted $want: $*"; cat "$tmp/err"; return 1; }
}
spool=$tmp/spool
mkdir "$spool"
pics=$src/assets/demo-spool/images
jpg_hash=$(sha256sum "$pics/jakarta-rain.jpg" | cut -c1-32)

check "post with a picture" status_is 0 "$kabar" post --spool "$spool" --id pic-1 --lang fr \
  --summary "La pluie a inondé quatorze axes. Les autorités appellent à la prudence." \
  --credit "Photo : A. Wibowo" --image "$pics/jakarta-rain.jpg" "Jakarta sous la pluie"
check "the picture is in images/ under its hash" cmp "$pics/jakarta-rain.jpg" "$spool/images/$jpg_hash.jpg"
check "the item names it, with summary and credit" python3 - "$spool/pic-1.json" "$jpg_hash.jpg" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["image"] == sys.argv[2], d
assert d["summary"].startswith("La pluie"), d
assert d["credit"] == "Photo : A. Wibowo", d
PY
check "the ticker's rules accept the item" status_is 0 "$kabar" validate "$spool/pic-1.json"

# A second item with the same picture: one file in images/.
check "same picture again" status_is 0 "$kabar" post --spool "$spool" --id pic-2 --lang id \
  --image "$pics/jakarta-rain.jpg" "Jakarta diguyur hujan"
check "stored once" test "$(ls "$spool/images" | wc -l)" = 1
# A WebP keeps its ending whatever the file is called.
cp "$pics/lyon-lights.webp" "$tmp/photo.jpg"
check "a WebP named .jpg" status_is 0 "$kabar" post --spool "$spool" --id pic-3 --lang fr \
  --image "$tmp/photo.jpg" "Lyon"
webp_hash=$(sha256sum "$pics/lyon-lights.webp" | cut -c1-32)
check "named by what it holds" test -f "$spool/images/$webp_hash.webp"

before=$(ls "$spool" "$spool/images" | md5sum)
refused() { # name, file, words of the one line
  local name=$1 file=$2 words=$3
  check "$name: refused" status_is 1 "$kabar" post --spool "$spool" --id bad --lang fr --image "$file" "x"
  check "$name: one line" test "$(wc -l <"$tmp/err")" = 1
  check "$name: says why" grep -q -- "$words" "$tmp/err"
  check "$name: nothing written" test "$(ls "$spool" "$spool/images" | md5sum)" = "$before"
}
printf 'not a picture at all\n' >"$tmp/text.png"
refused "not a picture" "$tmp/text.png" "not a PNG, JPEG or WebP picture"
# A PNG header claiming 20000x20000.
python3 -c '
import struct, sys, zlib
ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 6, 0, 0, 0)
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)))
' >"$tmp/bomb.png"
refused "a decompression bomb" "$tmp/bomb.png" "20000x20000 pixels"
head -c 9000000 /dev/zero >"$tmp/huge.jpg"
refused "over 8 MiB" "$tmp/huge.jpg" "more than the limit"
refused "missing file" "$tmp/none.png" "No such file"
mkfifo "$tmp/fifo.png"
refused "a FIFO" "$tmp/fifo.png" "FIFO"
check "--retract takes no --image" status_is 2 "$kabar" post --mqtt 127.0.0.1 --group g --retract x --image "$pics/riyadh-metro.png"

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
