#!/usr/bin/env bash
# Pictures over a fleet (docs/fleet.md, "Pictures"), with a real mosquitto
# on 127.0.0.1 and the real binary: `kabar post --mqtt --image` publishes
# the picture retained on kabar/<group>/images/<name> before the item; the
# bridge writes it into the spool's images/ (the same bytes); a bad picture
# goes to rejected/ beside its reason and never into images/; a picture
# that arrives before its item is not swept; when its item is retracted, a
# picture past its grace goes at the bridge's next sweep. Skipped (77)
# without the broker or the mosquitto clients.
set -u
kabar=$1 src=$2 build=$3
broker_bin=/usr/sbin/mosquitto
for tool in "$broker_bin" mosquitto_pub python3; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool not installed"; exit 77; }
done
tmp=$(mktemp -d)
broker_pid='' bridge_pid=''
stop_pid() { # pid: SIGTERM, then SIGKILL after 5 s
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}
cleanup() { stop_pid "$bridge_pid"; stop_pid "$broker_pid"; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0 passes=0
check() { # name, then a command that must succeed
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
wait_until() { # seconds, then a command to retry until it succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
spool=$tmp/spool
mkdir "$tmp/broker"
cat >"$tmp/broker/mosquitto.conf" <<EOF2
listener $port 127.0.0.1
allow_anonymous true
persistence false
log_dest file $tmp/broker/mosquitto.log
user $(id -un)
EOF2
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
"$broker_bin" -c "$tmp/broker/mosquitto.conf" >>"$tmp/broker/stderr.log" 2>&1 &
broker_pid=$!
wait_until 10 port_open || { echo "FAIL: the broker did not start"; cat "$tmp/broker/stderr.log"; exit 1; }
"$kabar" mqtt --host 127.0.0.1 --port "$port" --group fr --spool "$spool" --screen lobby \
  --status-interval 0.5 --keepalive 5 --log-level debug 2>>"$tmp/bridge.log" &
bridge_pid=$!
post() { "$kabar" post --mqtt 127.0.0.1 --port "$port" --group fr "$@" >/dev/null; }
pub() { mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -r "$@"; }
pics=$src/assets/demo-spool/images
hash_of() { sha256sum "$1" | cut -c1-32; }

# 1. A picture and its item.
jpg=$(hash_of "$pics/jakarta-rain.jpg").jpg
check "post --mqtt --image" post --id pic-1 --lang fr --summary "Deux phrases. Pas plus." \
  --credit "Photo : A. W." --image "$pics/jakarta-rain.jpg" "Jakarta sous la pluie"
check "the item reaches the spool" wait_until 15 test -f "$spool/pic-1.json"
check "the picture reaches images/, the same bytes" wait_until 15 cmp -s "$pics/jakarta-rain.jpg" "$spool/images/$jpg"
check "the item names it" grep -q "\"image\": \"$jpg\"" "$spool/pic-1.json"
check "the broker retains the picture" bash -c "timeout 5 mosquitto_sub -h 127.0.0.1 -p $port -t kabar/fr/images/$jpg -C 1 -W 4 -N | cmp -s - '$pics/jakarta-rain.jpg'"

# 2. Bad pictures: rejected/ with the reason, never images/.
printf 'not a picture' >"$tmp/text.png"
check "publish a bad picture" pub -t kabar/fr/images/bad.png -f "$tmp/text.png"
cp "$pics/riyadh-metro.png" "$tmp/liar.jpg"
check "publish a picture that lies about its type" pub -t kabar/fr/images/liar.jpg -f "$tmp/liar.jpg"
check "the bad one is in rejected/ with its reason" wait_until 15 grep -q "not a PNG, JPEG or WebP" "$spool/rejected/bad.png.error.txt"
check "the liar is in rejected/ with its reason" wait_until 15 grep -q "holds PNG, but its name says JPEG" "$spool/rejected/liar.jpg.error.txt"
check "neither is in images/" test ! -e "$spool/images/bad.png" -a ! -e "$spool/images/liar.jpg"
# A decompression bomb: a PNG header claiming 20000x20000.
python3 -c '
import struct, sys, zlib
ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 6, 0, 0, 0)
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)))
' >"$tmp/bomb.png"
check "publish a bomb" pub -t kabar/fr/images/bomb.png -f "$tmp/bomb.png"
check "the bomb is refused by its header" wait_until 15 grep -q "20000x20000 pixels" "$spool/rejected/bomb.png.error.txt"

# 3. A picture before its item, then the item of the first picture retracted.
webp=$(hash_of "$pics/lyon-lights.webp").webp
check "a picture alone" pub -t "kabar/fr/images/$webp" -f "$pics/lyon-lights.webp"
check "it reaches images/" wait_until 15 test -f "$spool/images/$webp"
# The first picture past its grace (as if posted two days ago).
touch -d '2 days ago' "$spool/images/$jpg"
check "retract pic-1" post --retract pic-1
check "the item leaves the spool" wait_until 15 test ! -e "$spool/pic-1.json"
check "its picture goes with the sweep" wait_until 15 test ! -e "$spool/images/$jpg"
check "the young picture without an item stays" test -f "$spool/images/$webp"
check "its item arrives and names it" bash -c "
  cat >'$tmp/item.json' <<EOF3
{\"id\": \"pic-2\", \"lang\": \"fr\", \"text\": \"Lyon illuminée\", \"image\": \"$webp\"}
EOF3
  mosquitto_pub -h 127.0.0.1 -p $port -q 1 -r -t kabar/fr/items/pic-2 -f '$tmp/item.json'"
check "the item is in the spool" wait_until 15 test -f "$spool/pic-2.json"
check "the picture is still there" test -f "$spool/images/$webp"
check "the spool's files are accepted by the ticker's rules" "$kabar" validate "$spool/pic-2.json" >/dev/null

if [ "$fails" != 0 ]; then
  echo "--- bridge log"; tail -40 "$tmp/bridge.log"
  ls -la "$spool" "$spool/images" "$spool/rejected" 2>&1
fi
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
