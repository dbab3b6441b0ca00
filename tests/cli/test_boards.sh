#!/usr/bin/env bash
# Every board profile in boards/ loads cleanly: `kabar --board NAME
# --print-config` exits 0 and says nothing on stderr (an unknown key or a
# key in the wrong section is a warning there), and the effective config
# carries the profile's own values.
set -u
kabar=$1 src=$2 build=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

boards=()
for f in "$src"/boards/*.conf; do boards+=("$(basename "$f" .conf)"); done
for want in rpi-zero2w rpi3 rpi4 rpi5 desktop; do
  [ -f "$src/boards/$want.conf" ] || fail "boards/$want.conf is missing"
done

for b in "${boards[@]}"; do
  "$kabar" --board "$b" --print-config >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ "$status" != 0 ] || [ -s "$tmp/err" ]; then
    fail "--board $b: exit $status, stderr:"
    sed 's/^/  /' "$tmp/err"
    continue
  fi
  # Each key = value the profile sets shows up in the effective config.
  bad=0
  while IFS= read -r line; do
    key=$(printf '%s' "${line%%=*}" | sed 's/ *$//')
    value=$(printf '%s' "${line#*=}" | sed 's/^ *//; s/ *$//')
    grep -Fxq "$key = $value" "$tmp/out" || { fail "--board $b: \"$key = $value\" not in --print-config"; bad=1; }
  done < <(grep -E '^[a-z_]+ *=' "$src/boards/$b.conf")
  [ "$bad" = 0 ] && passes=$((passes + 1))
done

# The same through `run`, as the kiosk unit starts it.
"$kabar" run --board rpi4 --print-config >/dev/null 2>"$tmp/err" && [ ! -s "$tmp/err" ] &&
  passes=$((passes + 1)) || fail "run --board rpi4 --print-config"
# An unknown board is an error naming it, not a silent default.
if "$kabar" --board no-such-board --print-config >/dev/null 2>"$tmp/err"; then
  fail "--board no-such-board exited 0"
elif grep -q "no-such-board" "$tmp/err"; then
  passes=$((passes + 1))
else
  fail "--board no-such-board: the error does not name it"
fi

echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
