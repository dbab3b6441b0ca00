#!/usr/bin/env bash
# Regenerates the pictures in docs/img from the demo spool, drawn by kabar
# itself (headless, virtual clock, so the same picture every time but for the
# clock). Usage: scripts/screenshots.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
kabar=$build/kabar
out=docs/img
mkdir -p "$out"
tmp=$(mktemp -d)
mkdir "$tmp/frames"
trap 'rm -rf "$tmp"' EXIT

shot() { # name, seconds, then kabar run flags
  local name=$1 seconds=$2; shift 2
  "$kabar" run --headless --virtual-clock --seconds "$seconds" --log-level warning \
    --screenshot "$out/$name.png" "$@"
  echo "$out/$name.png"
}

# The README's picture: the demo as it is, quotes on the panel.
shot demo 14 --size 1920x1080
# The crawl in three languages, the chrome in the screen's language.
shot crawl-fr 13 --size 1280x720 --set languages=fr --set screen_lang=fr --set quotes=crawl
shot crawl-ar 13 --size 1280x720 --set languages=ar --set screen_lang=ar --set quotes=crawl
shot crawl-ja 13 --size 1280x720 --set languages=ja --set screen_lang=ja --set quotes=crawl
# The quote panel on its own.
shot panel 3 --size 1280x720 --set languages=fr
# Story slides: landscape, portrait, right-to-left.
shot slide-landscape 3 --size 1280x720 --set languages=fr --set panel=stories
shot slide-portrait 3 --size 720x1280 --set languages=ja --set panel=stories
shot slide-arabic 3 --size 1280x720 --set languages=ar --set panel=stories
# Breaking news: the demo spool and one breaking item.
mkdir "$tmp/spool"
cp assets/demo-spool/*.json "$tmp/spool/"
"$kabar" post --spool "$tmp/spool" --id breaking-demo --lang id --priority breaking \
  --source "Kabar Nusantara" \
  "BMKG: Gempa Magnitudo 5,6 Guncang Perairan Selatan Jawa Barat, Tidak Berpotensi Tsunami" \
  >/dev/null
shot breaking 14 --size 1280x720 --spool "$tmp/spool" --set screen_lang=id
# A portrait screen (what the viewer sees of a TV mounted on its side).
shot portrait 12 --size 608x1080 --set languages=fr
# Direction: a French item leaves leftwards, then an Arabic one enters from
# the left and moves right, so its first word is read first.
mkdir "$tmp/dir"
cp assets/demo-spool/20-fete-des-lumieres-fr.json assets/demo-spool/30-wifi-metro-riyadh-ar.json \
  "$tmp/dir/"
"$kabar" run --headless --virtual-clock --size 1280x96 --seconds 12 --log-level warning \
  --spool "$tmp/dir" --set clock_format= --set quotes=crawl --set bar_height=1 --speed 3000 \
  --record "$tmp/frames" --every 60 >/dev/null
n=0
for frame in 000120 000360 000480 000540 000660; do
  n=$((n + 1))
  cp "$tmp/frames/frame-$frame.png" "$out/direction-$n.png"
  echo "$out/direction-$n.png"
done
# The preview strip an editor checks before a headline airs.
"$kabar" preview --size 1280x720 --png "$out/preview.png" \
  assets/demo-spool/15-hujan-jakarta-ar.json assets/demo-spool/14-hujan-jakarta-ja.json \
  assets/demo-spool/21-marche-de-noel-quote-fr.json >/dev/null
echo "$out/preview.png"
