#!/usr/bin/env bash
# panel = both with no quote in the spool: the next slide follows the last
# at once, not after quote_seconds of an empty panel. Two picture stories
# of 6 s each, quote_seconds = 30: at 9 s a slide (a picture) must be on.
set -euo pipefail
kabar=$1 src=$2
tmp=$(mktemp -d /tmp/kabar-noquote-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/spool/images"
cp "$src/assets/demo-spool/images/riyadh-metro.png" "$tmp/spool/images/"
for n in 1 2; do
    printf '{"id":"s%d","lang":"en","source":"Test","published":"2026-11-29T06:5%d:00Z","text":"Metro story number %d gets free Wi-Fi","image":"riyadh-metro.png"}\n' \
        "$n" "$n" "$n" >"$tmp/spool/0$n.json"
done
shot() {
    SDL_VIDEODRIVER=dummy KABAR_CONFIG='' "$kabar" run --headless --virtual-clock --seconds "$1" \
        --size 1280x720 --spool "$tmp/spool" --screenshot "$2" --log-level warning \
        --set panel=both --set quote_seconds=30 --set slide_min_seconds=6 \
        --set slide_max_seconds=6 --set clock_format=
}
shot 9 "$tmp/at9.png"
# The picture box's sky at the slide's left, as tests/cli/slides_tests.py probes it.
python3 - "$tmp/at9.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
bpp = 4 if ctype == 6 else 3
raw, prev, stride = zlib.decompress(idat), bytearray(w * bpp), w * bpp
ty, tx = h // 10, w // 6
for y in range(ty + 1):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
p = tuple(prev[tx * bpp:tx * bpp + 3])
ok = p[0] > 200 and 130 < p[1] < 215 and 80 < p[2] < 160
print(('ok   ' if ok else 'FAIL ') + f'a slide is on at 9 s with no quote to show ({p})')
sys.exit(0 if ok else 1)
PY
