#!/bin/bash
# `kabar feed` through the real binary against the fixture server on
# 127.0.0.1: an RSS feed in GB2312 and a JSON Feed into a spool, checked
# with `kabar validate`; a second run is a 304; the server always stops.
# Usage: test_feed.sh KABAR SRC BUILD. Exit 77 (skipped) without python3;
# a `kabar feed` whose usage is broken is a failure, never a skip.
set -u
KABAR=$1 SRC=$2 BUILD=$3
if ! "$KABAR" feed --help 2>/dev/null | grep -q -- '--url URL'; then
    echo "FAIL: kabar feed --help does not print its usage"
    exit 1
fi
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }

TMP=$(mktemp -d "$BUILD/feed-cli-XXXXXX")
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

python3 "$SRC/tests/feed/server.py" --fixtures "$SRC/tests/feed/fixtures" --root "$TMP/root" \
    --port-file "$TMP/port" --log "$TMP/requests.log" --lifetime 120 &
SERVER=$!
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
[ -s "$TMP/port" ] || fail "the fixture server did not start"
BASE="http://127.0.0.1:$(cat "$TMP/port")"
SPOOL="$TMP/spool"

run() { timeout 60 "$KABAR" feed --spool "$SPOOL" --once --ttl 0 "$@"; }

run --url "$BASE/f/zh-gb2312.xml" || fail "gb2312 feed"
run --url "$BASE/f/feed.json" --source "Kabar Nusantara" 2>"$TMP/err" || fail "json feed"
grep -q 'entry 3 ("kn-empty"): field "text"' "$TMP/err" || fail "no line for the bad entry"
n=$(ls "$SPOOL"/feed-*.json | wc -l)
[ "$n" -eq 4 ] || fail "expected 4 items, got $n"
"$KABAR" validate "$SPOOL"/feed-*.json >/dev/null || fail "kabar validate rejects what feed wrote"
grep -l '北京：新的地铁线路今天开通' "$SPOOL"/feed-*.json >/dev/null || fail "Chinese text"
grep -q '"id": "kabar-nusantara-' "$SPOOL"/feed-*.json || fail "id prefix from --source"

run --url "$BASE/f/zh-gb2312.xml" || fail "second run"
grep -q '"status": 304' "$TMP/requests.log" || fail "no conditional GET"
run --url "$BASE/f/broken.xml" 2>/dev/null && fail "a broken feed must exit 1"
[ "$(ls "$SPOOL"/feed-*.json | wc -l)" -eq 4 ] || fail "items lost"
echo "ok"
