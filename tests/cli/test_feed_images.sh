#!/bin/bash
# `kabar feed` keeps each entry's picture (docs/feeds.md, "Pictures and
# summaries"), against the fixture server on 127.0.0.1: an RSS feed with an
# image enclosure, media:content (the widest), a media:thumbnail alone and
# a media:group with a credit, an Atom feed with rel="enclosure" and a JSON
# Feed with image and banner_image become items whose pictures are in
# images/ under their SHA-256, the same bytes; summaries come from the
# descriptions, HTML reduced to text, at most four sentences. A picture too
# big, of the wrong type, lying about its type, a bomb, missing (404) or
# slow gives its item without a picture and one log line; --no-images and
# images = false write no picture at all.
# Usage: test_feed_images.sh KABAR SRC BUILD. Skipped (77) without python3.
set -u
KABAR=$1 SRC=$2 BUILD=$3
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
TMP=$(mktemp -d "$BUILD/feed-images-XXXXXX")
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
fails=0 passes=0
check() { # name, then a command that must succeed
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}

python3 "$SRC/tests/feed/server.py" --fixtures "$SRC/tests/feed/fixtures" --root "$TMP/root" \
    --port-file "$TMP/port" --log "$TMP/requests.log" --lifetime 300 &
SERVER=$!
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
[ -s "$TMP/port" ] || { echo "FAIL: the fixture server did not start"; exit 1; }
BASE="http://127.0.0.1:$(cat "$TMP/port")"
ROOT=$TMP/root PICS=$SRC/assets/demo-spool/images

serve() { # file name content-type
  cp "$1" "$ROOT/$2"; echo "$3" >"$ROOT/$2.ctype"
}
serve "$PICS/jakarta-rain.jpg" rain.jpg image/jpeg
serve "$PICS/kyoto-maple.jpg" maple-small.jpg image/jpeg
serve "$PICS/moscow-snow.png" snow.png "image/png; charset=binary"
serve "$PICS/lyon-lights.webp" lyon.webp image/webp
serve "$PICS/riyadh-metro.png" metro.png image/png
serve "$PICS/delhi-space.webp" delhi.webp image/webp
serve "$PICS/riyadh-metro.png" liar.jpg image/jpeg           # PNG bytes sent as JPEG
serve "$PICS/jakarta-rain.jpg" html.jpg text/html            # the wrong type
head -c 9000000 /dev/zero >"$ROOT/huge.jpg"; echo image/jpeg >"$ROOT/huge.jpg.ctype"
python3 -c '
import struct, sys, zlib
ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 6, 0, 0, 0)
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)))
' >"$ROOT/bomb.png"; echo image/png >"$ROOT/bomb.png.ctype"

cat >"$ROOT/rss.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Kabar Foto</title><language>fr</language>
<item><guid>enc</guid><title>Une enclosure</title>
  <description>&lt;p&gt;La pluie a inondé &lt;b&gt;quatorze&lt;/b&gt; axes.&lt;/p&gt;&lt;p&gt;Les autorités appellent à la prudence. Une troisième phrase. Une quatrième phrase. Une cinquième, de trop.&lt;/p&gt;</description>
  <enclosure url="rain.jpg" length="110001" type="image/jpeg"/>
  <pubDate>Mon, 06 Dec 2021 10:00:00 GMT</pubDate></item>
<item><guid>content</guid><title>media:content, the widest wins</title>
  <media:content url="maple-small.jpg" medium="image" width="140"/>
  <media:content url="snow.png" type="image/png" width="960"><media:credit>Photo : N. Ivanova</media:credit></media:content>
  <media:content url="clip.mp4" type="video/mp4" width="1920"/></item>
<item><guid>thumb</guid><title>A thumbnail alone</title><media:thumbnail url="lyon.webp" width="120"/></item>
<item><guid>group</guid><title>A media group</title>
  <media:group><media:content url="metro.png" medium="image"/><media:credit role="photographer">R. Al-Harbi</media:credit></media:group></item>
<item><guid>none</guid><title>No picture</title><description>Rien à voir.</description></item>
<item><guid>huge</guid><title>Too big</title><enclosure url="huge.jpg" type="image/jpeg"/></item>
<item><guid>bomb</guid><title>A bomb</title><enclosure url="bomb.png" type="image/png"/></item>
<item><guid>liar</guid><title>A liar</title><enclosure url="liar.jpg" type="image/jpeg"/></item>
<item><guid>html</guid><title>The wrong type</title><enclosure url="html.jpg" type="image/jpeg"/></item>
<item><guid>gone</guid><title>A 404</title><enclosure url="missing.jpg" type="image/jpeg"/></item>
<item><guid>audio</guid><title>An audio enclosure</title><enclosure url="show.mp3" type="audio/mpeg"/></item>
</channel></rss>
XML
echo application/rss+xml >"$ROOT/rss.xml.ctype"
cat >"$ROOT/atom.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>Atom Foto</title><id>urn:a</id><updated>2021-12-06T10:00:00Z</updated>
<entry><id>urn:a:1</id><title>Atom enclosure</title><updated>2021-12-06T10:00:00Z</updated>
  <link rel="alternate" href="https://example.org/a1"/><link rel="enclosure" type="image/webp" href="/f/delhi.webp"/>
  <summary type="html">&lt;p&gt;Two sentences. Short ones.&lt;/p&gt;</summary></entry>
</feed>
XML
echo application/atom+xml >"$ROOT/atom.xml.ctype"
cat >"$ROOT/feed.json" <<JSON
{"version": "https://jsonfeed.org/version/1.1", "title": "JSON Foto", "language": "id",
 "items": [{"id": "j1", "title": "Gambar", "content_text": "Satu kalimat.", "image": "$BASE/f/rain.jpg"},
           {"id": "j2", "title": "Spanduk", "banner_image": "$BASE/f/lyon.webp"}]}
JSON
echo application/feed+json >"$ROOT/feed.json.ctype"

hash_of() { sha256sum "$1" | cut -c1-32; }
item_of() { grep -l "\"text\": \"$2" "$1"/feed-*.json | head -1; }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2"; }
has_picture() { # spool, title, picture file, extension
  local f; f=$(item_of "$1" "$2") || return 1
  local want; want="$(hash_of "$3").$4"
  [ "$(field "$f" image)" = "$want" ] || { echo "  $2: image $(field "$f" image), wanted $want"; return 1; }
  cmp -s "$3" "$1/images/$want"
}
no_picture() { # spool, title
  local f; f=$(item_of "$1" "$2") || { echo "  no item for $2"; return 1; }
  [ -z "$(field "$f" image)" ] && [ -z "$(field "$f" credit)" ]
}

S=$TMP/spool
run() { timeout 120 "$KABAR" feed --spool "$1" --once --ttl 0 --timeout 5s "${@:2}"; }
run "$S" --url "$BASE/f/rss.xml" 2>"$TMP/rss.err"
check "rss: all 11 entries are items" test "$(ls "$S"/feed-*.json | wc -l)" = 11
check "enclosure" has_picture "$S" "Une enclosure" "$PICS/jakarta-rain.jpg" jpg
check "media:content, the widest" has_picture "$S" "media:content" "$PICS/moscow-snow.png" png
check "its credit" test "$(field "$(item_of "$S" "media:content")" credit)" = "Photo : N. Ivanova"
check "thumbnail alone" has_picture "$S" "A thumbnail alone" "$PICS/lyon-lights.webp" webp
check "media:group with a credit" has_picture "$S" "A media group" "$PICS/riyadh-metro.png" png
check "group credit" test "$(field "$(item_of "$S" "A media group")" credit)" = "R. Al-Harbi"
check "summary: HTML reduced, four sentences" test "$(field "$(item_of "$S" "Une enclosure")" summary)" = \
  "La pluie a inondé quatorze axes. Les autorités appellent à la prudence. Une troisième phrase. Une quatrième phrase."
check "summary of a plain description" test "$(field "$(item_of "$S" "No picture")" summary)" = "Rien à voir."
check "no picture: none" no_picture "$S" "No picture"
for t in "Too big" "A bomb" "A liar" "The wrong type" "A 404" "An audio enclosure"; do
  check "$t: the item without a picture" no_picture "$S" "$t"
done
check "too big: one line" test "$(grep -c 'huge.jpg: body over 8192 KiB' "$TMP/rss.err")" = 1
check "bomb: one line" test "$(grep -c 'bomb.png: 20000x20000 pixels' "$TMP/rss.err")" = 1
check "liar: one line" test "$(grep -c 'liar.jpg: the server says image/jpeg, the bytes are PNG' "$TMP/rss.err")" = 1
check "wrong type: one line" test "$(grep -c 'html.jpg: Content-Type "text/html" is not image' "$TMP/rss.err")" = 1
check "404: one line" test "$(grep -c 'missing.jpg: HTTP 404' "$TMP/rss.err")" = 1
check "audio is never fetched" bash -c "! grep -q show.mp3 '$TMP/requests.log'"
check "four pictures in images/, nothing else" test "$(ls "$S/images" | wc -l)" = 4
check "what feed wrote passes validate" "$KABAR" validate "$S"/feed-*.json >/dev/null

run "$S" --url "$BASE/f/atom.xml" 2>>"$TMP/rss.err"
check "atom rel=enclosure" has_picture "$S" "Atom enclosure" "$PICS/delhi-space.webp" webp
check "atom summary" test "$(field "$(item_of "$S" "Atom enclosure")" summary)" = "Two sentences. Short ones."
run "$S" --url "$BASE/f/feed.json" 2>>"$TMP/rss.err"
check "json image" has_picture "$S" "Gambar" "$PICS/jakarta-rain.jpg" jpg
check "json banner_image" has_picture "$S" "Spanduk" "$PICS/lyon-lights.webp" webp
check "one picture shared by two feeds is stored once" test "$(ls "$S/images" | wc -l)" = 5

# Pictures off: by the flag, and by the config key.
N=$TMP/noimg
run "$N" --no-images --url "$BASE/f/rss.xml" 2>/dev/null
check "--no-images: items" test "$(ls "$N"/feed-*.json | wc -l)" = 11
check "--no-images: no picture, no credit" no_picture "$N" "media:content"
check "--no-images: images/ empty" test -z "$(ls "$N/images" 2>/dev/null)"
C=$TMP/conf
printf "[feed foto]\nurl = %s/f/rss.xml\nttl = 0\nimages = false\n" "$BASE" >"$TMP/kabar.ini"
timeout 120 "$KABAR" feed --spool "$C" --once --config "$TMP/kabar.ini" 2>/dev/null
check "images = false: no picture" no_picture "$C" "Une enclosure"
check "images = false: summaries still" test -n "$(field "$(item_of "$C" "Une enclosure")" summary)"

# The memory of pictures survives runs in the feed's state file: a second
# `--once` run of a changed feed asks for no picture (nor for the ones that
# failed: they are tried again after an hour), and its items still name
# their pictures; one deleted from images/ is fetched again; a failure whose
# time has come is tried again; an old state without "images" still loads;
# a forged one is never trusted for a name that is not a picture name.
K=$TMP/kept
sed 's/Rien à voir\./Rien à voir. Run 1./' "$ROOT/rss.xml" >"$ROOT/kept.xml"
echo application/rss+xml >"$ROOT/kept.xml.ctype"
change() { sed -i "s/Run [0-9a-z]*\./Run $1./" "$ROOT/kept.xml"; }
mark() { wc -l <"$TMP/requests.log"; }
since() { tail -n +$(($1 + 1)) "$TMP/requests.log"; } # the requests after a mark
pictures_since() { since "$1" | grep -v '"/f/kept.xml"' | grep -o '"path": "[^"]*"' | sort; }
kept_pictures() { # every picture of the rss feed, as in the first spool
  has_picture "$K" "Une enclosure" "$PICS/jakarta-rain.jpg" jpg &&
  has_picture "$K" "media:content" "$PICS/moscow-snow.png" png &&
  has_picture "$K" "A thumbnail alone" "$PICS/lyon-lights.webp" webp &&
  has_picture "$K" "A media group" "$PICS/riyadh-metro.png" png
}
run "$K" --url "$BASE/f/kept.xml" 2>>"$TMP/rss.err"
check "kept, run 1: four pictures" kept_pictures
KSTATE=$(ls "$K"/.kabar-feed/*.json)
check "kept: the state names the pictures" grep -q '"name": "[0-9a-f]\{32\}.jpg"' "$KSTATE"
change 2; m=$(mark)
run "$K" --url "$BASE/f/kept.xml" 2>>"$TMP/rss.err"
check "kept, run 2: the feed is read again" bash -c "tail -n +$((m + 1)) '$TMP/requests.log' | grep -q '\"/f/kept.xml\".*200'"
check "kept, run 2: no picture asked for" test -z "$(pictures_since "$m")"
check "kept, run 2: the items still name their pictures" kept_pictures
check "kept, run 2: the failures still have none" no_picture "$K" "A 404"

rm "$K/images/$(hash_of "$PICS/moscow-snow.png").png"
change 3; m=$(mark)
run "$K" --url "$BASE/f/kept.xml" 2>>"$TMP/rss.err"
check "kept, run 3: only the deleted picture is fetched again" \
  test "$(pictures_since "$m")" = '"path": "/f/snow.png"'
check "kept, run 3: it is back" kept_pictures

python3 - "$KSTATE" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
for e in st.get("images", []):
    if "retry_at" in e:
        e["retry_at"] = 1  # its hour has passed
json.dump(st, open(sys.argv[1], "w"))
PY
change 4; m=$(mark)
run "$K" --url "$BASE/f/kept.xml" 2>>"$TMP/rss.err"
check "kept, run 4: a failure whose time came is tried again" \
  bash -c "tail -n +$((m + 1)) '$TMP/requests.log' | grep -q '\"/f/missing.jpg\"'"
check "kept, run 4: the good pictures are not" \
  bash -c "! tail -n +$((m + 1)) '$TMP/requests.log' | grep -q '\"/f/rain.jpg\"'"

# A state written before pictures were kept: it loads (the validators hold:
# an unchanged feed is a 304).
python3 - "$KSTATE" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
st.pop("images", None)
json.dump(st, open(sys.argv[1], "w"))
PY
m=$(mark)
run "$K" --url "$BASE/f/kept.xml" 2>>"$TMP/rss.err"
check "old state without images: loads, the feed is not modified" \
  bash -c "tail -n +$((m + 1)) '$TMP/requests.log' | grep -q '\"/f/kept.xml\".*304'"

# A forged state: names that are paths, too long, hidden, not strings, and
# one good entry. Files wait where a trusted path would lead. Only the good
# entry is believed; kabar does not crash and writes nowhere else.
mkdir -p "$K/images/a"; cp "$PICS/riyadh-metro.png" "$K/images/a/b.png"
cp "$PICS/jakarta-rain.jpg" "$K/x.jpg"; cp "$PICS/lyon-lights.webp" "$K/images/.lyon.webp"
python3 - "$KSTATE" "$BASE" "$(hash_of "$PICS/moscow-snow.png").png" <<'PY'
import json, sys, time
path, base, snow = sys.argv[1:]
st = json.load(open(path))
later = int(time.time()) + 3000
st["images"] = [{"url": base + "/f/" + n, "retry_at": later}
                for n in ("huge.jpg", "bomb.png", "liar.jpg", "html.jpg", "missing.jpg")] + [
    {"url": base + "/f/rain.jpg", "name": "../x.jpg"},
    {"url": base + "/f/metro.png", "name": "a/b.png"},
    {"url": base + "/f/lyon.webp", "name": ".lyon.webp"},
    {"url": base + "/f/lyon.webp", "name": "l" * 5000 + ".webp"},
    {"url": base + "/f/lyon.webp", "name": "0123456789abcdef0123456789abcdef0123.webp"},
    {"url": base + "/f/metro.png", "name": 7}, {"url": 7, "name": "x.png"}, "x", 5, None,
    {"url": base + "/f/metro.png", "retry_at": "soon"}, {"url": base + "/f/metro.png"},
    {"url": base + "/f/snow.png", "name": snow},
]
json.dump(st, open(path, "w"))
PY
change 5; m=$(mark)
run "$K" --url "$BASE/f/kept.xml" 2>>"$TMP/rss.err"
check "forged state: kabar runs" test $? = 0
check "forged state: bad names ignored, those pictures fetched again" \
  test "$(pictures_since "$m" | tr '\n' ' ')" = '"path": "/f/lyon.webp" "path": "/f/metro.png" "path": "/f/rain.jpg" '
check "forged state: the good entry is believed" \
  bash -c "! tail -n +$((m + 1)) '$TMP/requests.log' | grep -q '\"/f/snow.png\"'"
check "forged state: the items name their own pictures" kept_pictures
check "forged state: the files it pointed at are untouched" \
  bash -c "cmp -s '$PICS/jakarta-rain.jpg' '$K/x.jpg' && cmp -s '$PICS/riyadh-metro.png' '$K/images/a/b.png'"
check "forged state: nothing new beside the items" \
  test -z "$(ls -A "$K" | grep -v -e '^feed-.*\.json$' -e '^images$' -e '^\.kabar-feed$' -e '^x\.jpg$')"
printf '{"url": "%s/f/kept.xml", "images": {"url": 1}}' "$BASE" >"$KSTATE"
change 6
run "$K" --url "$BASE/f/kept.xml" 2>>"$TMP/rss.err"
check "state whose images is not an array: kabar runs" test $? = 0
check "... and its pictures are kept" kept_pictures

echo "$passes passed, $fails failed"
[ "$fails" = 0 ] || { echo "--- log"; cat "$TMP/rss.err"; }
[ "$fails" = 0 ]
