#!/usr/bin/env bash
# The command line as a user meets it: exit codes, help, version, shape's
# JSON contract, validate, post, and a headless run with a screenshot.
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

check "version" bash -c "'$kabar' --version | grep -Eq '^kabar [0-9]+\.[0-9]+\.[0-9]+$'"
check "help exits 0" status_is 0 "$kabar" --help
check "subcommand help" status_is 0 "$kabar" shape --help
check "unknown subcommand is a usage error" status_is 2 "$kabar" frobnicate
check "unknown flag is a usage error" status_is 2 "$kabar" run --no-such-flag
check "bad flag value is a user error, one line" bash -c "
  '$kabar' run --speed fast >/dev/null 2>'$tmp/e'; [ \$? = 1 ] && [ \$(wc -l <'$tmp/e') = 1 ] &&
  grep -q 'speed' '$tmp/e'"

# shape: the JSON contract, with the digits in logical order inside RTL text.
check "shape --json runs" status_is 0 "$kabar" shape --json --lang ar 'مرحبا 2025'
check "shape JSON schema" python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d)[:6] == ["text", "lang", "base_dir", "font_px", "width", "runs"], list(d)
assert d["text"] == "مرحبا 2025" and d["lang"] == "ar" and d["base_dir"] == "rtl"
assert d["font_px"] == 64 and d["width"] > 0
runs = d["runs"]
for r in runs:
    assert set(r) >= {"start", "end", "dir", "script", "lang", "font", "face_index", "glyphs"}
    for g in r["glyphs"]:
        assert set(g) == {"id", "cluster", "x_advance", "x_offset", "y_offset"}
        assert g["id"] != 0
text = d["text"].encode()
# Visual order, left to right: the digits run comes first (leftmost) and
# reads 2025 left to right; the Arabic word is right of it, right to left.
digits = [r for r in runs if text[r["start"]:r["end"]].strip() == b"2025"]
arabic = [r for r in runs if r["script"] == "Arab" and "مرحبا".encode() in text[r["start"]:r["end"]]]
assert digits and arabic, runs
assert runs.index(digits[0]) < runs.index(arabic[0])
cl = [g["cluster"] for g in digits[0]["glyphs"]]
assert cl == sorted(cl), cl
ca = [g["cluster"] for g in arabic[0]["glyphs"]]
assert ca == sorted(ca, reverse=True), ca
assert arabic[0]["dir"] == "rtl"
PY
check "shape rejects a bad --lang" status_is 1 "$kabar" shape --lang 'xx_YY' hello
check "shape rejects a bad --dir" status_is 2 "$kabar" shape --dir sideways hello

# fonts: which font each character falls to; a character no font has is named.
check "fonts" status_is 0 "$kabar" fonts --lang ja '直骨 🌏'
check "fonts names the CJK and emoji fonts" bash -c "grep -q 'U+76F4 直 Hani .*NotoSansCJK' '$tmp/out' &&
  grep -q 'U+1F30F .*NotoColorEmoji' '$tmp/out'"
check "fonts: an uncovered character is a user error" status_is 1 "$kabar" fonts $'a\U0010FFFD'
check "fonts names it" grep -q 'no font covers U+10FFFD' "$tmp/out"

# validate: one line per file, exit 1 if any is invalid.
printf '{"id":"ok-1","lang":"fr","text":"Bonjour"}' >"$tmp/good.json"
printf '{"id":"bad 1","lang":"fr","text":"x"}' >"$tmp/bad.json"
check "validate good" status_is 0 "$kabar" validate "$tmp/good.json"
check "validate bad" status_is 1 "$kabar" validate "$tmp/good.json" "$tmp/bad.json"
check "validate says which field" grep -q 'bad.json: field "id"' "$tmp/out"
check "validate the demo spool" status_is 0 "$kabar" validate "$src"/assets/demo-spool/*.json

# post: writes atomically, prints the path, the file validates.
mkdir "$tmp/spool"
check "post" status_is 0 "$kabar" post --spool "$tmp/spool" --id post-1 --lang ja \
  --kind quote --by "山田" "図書館は町の居間です"
check "post prints the path" grep -qx "$tmp/spool/post-1.json" "$tmp/out"
check "posted file validates" status_is 0 "$kabar" validate "$tmp/spool/post-1.json"
check "post leaves no temp file" bash -c "[ -z \"\$(ls -A '$tmp/spool' | grep -v '^post-1.json$')\" ]"
# A planted symlink cannot make post write through it: temp names are new files.
echo keep >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/spool/.x.json.tmp"
ln -s "$tmp/victim" "$tmp/spool/.post.x.json.tmp"
check "post through planted links" status_is 0 "$kabar" post --spool "$tmp/spool" --id x --lang en hi
check "the link's target is untouched" grep -qx keep "$tmp/victim"
check "a dot id gets a name the spool reads" bash -c "
  '$kabar' post --spool '$tmp/spool' --id .dot --lang en hi | grep -qx '$tmp/spool/item-.dot.json'"
check "post refuses a bad lang" status_is 1 "$kabar" post --spool "$tmp/spool" --id p2 --lang 'en_US' hi

# print-config shows the effective config with flags applied.
# mqtt's flags (the bridge itself is tested in tests/fleet and test_mqtt.sh).
check "mqtt --help" status_is 0 "$kabar" mqtt --help
check "mqtt --help names the flags" grep -q -- '--host HOST' "$tmp/out"
check "mqtt without --host is a usage error" status_is 2 "$kabar" mqtt --spool "$tmp/x"
check "mqtt says what is missing" grep -q -- '--host' "$tmp/err"
check "mqtt unknown flag" status_is 2 "$kabar" mqtt --no-such-flag
check "mqtt refuses a password flag" status_is 2 "$kabar" mqtt --password hunter2
check "mqtt --password says why" grep -q 'password-file' "$tmp/err"
check "mqtt bad port" status_is 1 "$kabar" mqtt --port http
check "mqtt bad port, one line" bash -c "[ \$(wc -l <'$tmp/err') = 1 ] && grep -q 'expected a port' '$tmp/err'"
check "mqtt extra argument" status_is 2 "$kabar" mqtt --host h --group g --spool "$tmp/x" extra
check "mqtt missing config" status_is 1 "$kabar" mqtt --config /nonexistent/kabar.conf
check "mqtt missing CA file" status_is 1 "$kabar" mqtt --host 127.0.0.1 --group g \
  --spool "$tmp/mqtt-spool" --screen s --cafile /nonexistent/ca.pem

check "print-config" bash -c "'$kabar' --print-config --speed 77 | grep -qx 'speed = 77'"

# A headless run on the demo spool writes a screenshot and stats.
check "headless run" status_is 0 "$kabar" run --headless --size 960x540 --seconds 4 \
  --virtual-clock --screenshot "$tmp/shot.png" --stats "$tmp/stats.json" --log-level warning
check "screenshot is a PNG" bash -c "head -c 8 '$tmp/shot.png' | od -An -tx1 | grep -q '89 50 4e 47'"
check "stats has the contract's names" python3 - "$tmp/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for k in ["frames", "dropped_frames", "frame_cpu_ms", "draw_calls_per_frame",
          "upload_bytes_per_frame_steady", "atlas", "items_loaded", "items_rejected", "shown"]:
    assert k in s, k
assert s["frames"] == 240, s["frames"]
assert s["items_loaded"] >= 16, s["items_loaded"]
assert s["shown"] and s["shown"][0]["first"] < 0.1, s["shown"][:1]
PY

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
