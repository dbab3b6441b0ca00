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
shot panel 3 --size 1280x720 --set languages=fr --set panel=quotes
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
# Fitting (display.md): one headline each in Latin, Javanese, Urdu
# (Nastaliq) and Tibetan, as the preview shows the wall's bar: each placed
# by its ink, shrunk to the floor if need be, and the bar grown past it.
mkdir "$tmp/fit"
fit() { # name, lang, text
  rm -f "$tmp/fit"/*.json
  "$kabar" post --spool "$tmp/fit" --id "fit-$1" --lang "$2" "$3" >/dev/null
  "$kabar" preview --size 1280x720 --png "$out/fit-$1.png" "$tmp/fit"/*.json >/dev/null
  echo "$out/fit-$1.png"
}
fit latin fr "Fortes pluies à Lyon : l’Hôpital Édouard-Herriot évacue une aile"
fit javanese jv "ꦱꦒꦸꦁꦒꦸꦤꦺꦴꦤ꧀ꦠꦸꦏ꧀ꦏꦸꦠꦸꦏ꧀ꦏ꧀ꦭꦶꦁꦱꦼꦥꦸꦂꦏ꧀ꦱ꧀ꦠꦿꦶꦥ꧀ꦠ ꦲꦸꦗꦤ꧀ꦢꦼꦫꦱ꧀"
fit urdu ur "کراچی میں شدید بارش، شہر کی کئی سڑکیں زیر آب آگئیں"
fit tibetan bo "ཆར་པ་དྲག་པོས་གྲོང་ཁྱེར་གྱི་དཀྱིལ་ཆུས་ཁེངས། བསྒྲུབས་པ།"
# A long quote shown whole on a portrait screen, and one that pages.
mkdir "$tmp/quote"
"$kabar" post --spool "$tmp/quote" --id quote-long --lang fr --kind quote \
  --by "Jeanne Barseghian" \
  "Nous avons décidé de maintenir le marché de Noël sur la place Kléber malgré les intempéries, parce que les artisans et les commerçants comptent sur ces semaines pour vivre, et parce que les Strasbourgeois, comme les visiteurs venus de toute l’Europe, y retrouvent chaque hiver un peu de chaleur et de lumière." \
  >/dev/null
cp assets/demo-spool/20-fete-des-lumieres-fr.json "$tmp/quote/"
shot quote-portrait 3 --size 608x1080 --spool "$tmp/quote" --set panel=quotes
shot quote-landscape 3 --size 1280x720 --spool "$tmp/quote" --set panel=quotes
