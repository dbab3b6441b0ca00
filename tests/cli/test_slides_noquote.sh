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
python3 - "$tmp/at9.png" "$src" <<'PY'
import sys
sys.path.insert(0, sys.argv[2] + '/tests/cli')
from pngrows import read_png
rows = read_png(sys.argv[1])
h, w = len(rows), len(rows[0])
p = rows[h // 10][w // 6]
ok = p[0] > 200 and 130 < p[1] < 215 and 80 < p[2] < 160
print(('ok   ' if ok else 'FAIL ') + f'a slide is on at 9 s with no quote to show ({p})')
sys.exit(0 if ok else 1)
PY
