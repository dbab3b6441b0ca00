#!/usr/bin/env bash
# A fleet of one screen, end to end, with the real binary: a mosquitto
# broker on 127.0.0.1, `kabar mqtt` feeding a spool, a headless ticker
# showing it, the newsroom posting with `kabar post --mqtt` and
# mosquitto_pub. Retraction, rejection, a broker restart mid-run, the
# status topic, the last will and the persistent session. Skipped (77)
# without the broker or the mosquitto clients; fails if `kabar mqtt` is broken.
set -u
kabar=$1 src=$2 build=$3
broker_bin=/usr/sbin/mosquitto
for tool in "$broker_bin" mosquitto_pub mosquitto_sub python3; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool not installed"; exit 77; }
done
# A broken `kabar mqtt` is a failure, never a skip.
"$kabar" mqtt --help 2>&1 | grep -q -- '--host HOST' || { echo "FAIL: kabar mqtt --help does not print its usage"; exit 1; }

tmp=$(mktemp -d)
broker_pid='' bridge_pid='' ticker_pid=''
stop_pid() { # pid: SIGTERM, then SIGKILL after 5 s
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}
cleanup() {
  stop_pid "$ticker_pid"; stop_pid "$bridge_pid"; stop_pid "$broker_pid"
  rm -rf "$tmp"
}
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
spool=$tmp/spool stats=$tmp/stats.json
mkdir "$tmp/broker"
cat >"$tmp/broker/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $tmp/broker/
log_dest file $tmp/broker/mosquitto.log
user $(id -un)
EOF
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
start_broker() {
  "$broker_bin" -c "$tmp/broker/mosquitto.conf" >>"$tmp/broker/stderr.log" 2>&1 &
  broker_pid=$!
  wait_until 10 port_open
}
# SIGTERM: the broker saves its retained messages and sessions first.
stop_broker() { stop_pid "$broker_pid"; broker_pid=''; }
start_bridge() {
  "$kabar" mqtt --host 127.0.0.1 --port "$port" --group fr --spool "$spool" --screen lobby \
    --stats "$stats" --status-interval 0.5 --keepalive 5 --log-level info 2>>"$tmp/bridge.log" &
  bridge_pid=$!
}
pub() { mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -r "$@"; }
post() { "$kabar" post --mqtt 127.0.0.1 --port "$port" --group fr "$@"; }
# Waits (15 s at most) until the retained status satisfies a Python
# condition on s; mosquitto_sub -C 1 takes the retained message and exits.
status_is() {
  timeout 5 mosquitto_sub -h 127.0.0.1 -p "$port" -t kabar/fr/status/lobby -C 1 -W 4 2>/dev/null |
    python3 -c 'import json, sys; s = json.loads(sys.stdin.readline() or "{}"); sys.exit(not eval(sys.argv[1]))' "$1"
}
status_where() { wait_until 15 status_is "$1"; }
count_items() { find "$spool" -maxdepth 1 -name '*.json' | wc -l; }
has_items() { [ "$(count_items)" -ge "$1" ]; }
gone() { [ ! -e "$1" ]; }

check "broker starts" start_broker
start_bridge
check "the screen says it is online" status_where 's["state"] == "online"'

# 100 items in four languages: 99 from a newsroom script with mosquitto_pub,
# one with kabar post.
t0=$SECONDS
for i in $(seq 1 99); do
  n=$(printf '%03d' "$i")
  case $((i % 4)) in
  0) item="{\"id\":\"fleet-$n\",\"lang\":\"fr\",\"text\":\"Vercourt : le tramway $i circulera toute la nuit\"}" ;;
  1) item="{\"id\":\"fleet-$n\",\"lang\":\"ar\",\"text\":\"مترو الرياض يضيف الرحلة رقم $i\"}" ;;
  2) item="{\"id\":\"fleet-$n\",\"lang\":\"ja\",\"text\":\"青葉市立図書館、冬休みは夜九時まで開館 $i\"}" ;;
  3) item="{\"id\":\"fleet-$n\",\"lang\":\"id\",\"text\":\"Kereta Whoosh tambah perjalanan ke-$i\"}" ;;
  esac
  pub -t "kabar/fr/items/fleet-$n" -m "$item" || echo "mosquitto_pub failed for $n"
done
check "kabar post --mqtt prints the topic" bash -c "
  '$kabar' post --mqtt 127.0.0.1 --port $port --group fr --id fleet-000 --lang fr \
    --source 'Le Quotidien' 'Lyon : la Fête des lumières attend 1,8 million de visiteurs' |
  grep -qx kabar/fr/items/fleet-000"
check "100 items reach the spool" wait_until 20 has_items 100
echo "  100 items published and in the spool in $((SECONDS - t0)) s"
check "every file is valid" bash -c "'$kabar' validate '$spool'/*.json >/dev/null"
check "no temp file is left" bash -c "[ -z \"\$(find '$spool' -maxdepth 1 -name '.*' ! -name . ! -name .kabar-mqtt)\" ]"
check "post --mqtt dated the item" grep -q '"published"' "$spool/fleet-000.json"
check "post --mqtt refuses what a screen would reject" bash -c "
  ! '$kabar' post --mqtt 127.0.0.1 --port $port --group fr --id x --lang en_US hi 2>'$tmp/e' &&
  grep -q 'field \"lang\"' '$tmp/e'"
check "post --mqtt needs a group" bash -c "
  '$kabar' post --mqtt 127.0.0.1 --id x --lang fr hi >/dev/null 2>&1; [ \$? = 2 ]"

# The screen shows them.
"$kabar" run --headless --size 960x540 --spool "$spool" --stats "$stats" --set stats_interval_s=1 \
  --seconds 25 --log-level warning 2>"$tmp/ticker.log" &
ticker_pid=$!
loaded() { python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["items_loaded"] != int(sys.argv[2]))' "$stats" "$1"; }
check "the ticker loads all 100" wait_until 20 loaded 100
check "the status says the screen has 100" status_where 's.get("items_loaded") == 100'

# Retract the item on screen now: off the spool, and off the screen.
visible=$(python3 -c '
import json, sys
shown = json.load(open(sys.argv[1]))["shown"]
print(max(shown, key=lambda a: a["last"])["id"] if shown else "fleet-042")' "$stats")
out=$(post --retract "$visible")
check "retract prints the topic" test "$out" = "kabar/fr/items/$visible"
check "the retracted file leaves the spool" wait_until 10 gone "$spool/$visible.json"
sleep 1.5 # one stats write after the retraction
t_retract=$(python3 -c 'import json,sys; print(max([a["last"] for a in json.load(open(sys.argv[1]))["shown"]] + [0]))' "$stats")

# A bad payload: rejected/ with the spool's own line, and logged.
pub -t kabar/fr/items/bad-1 -m '{"id":"bad-1","lang":"en_US","text":"x"}'
check "a bad payload is rejected" wait_until 10 test -e "$spool/rejected/bad-1.json.error.txt"
want="$spool/bad-1.json: field \"lang\": \"en_US\" is not a BCP 47 language tag"
check "its error is the spool's line" bash -c "[ \"\$(cat '$spool/rejected/bad-1.json.error.txt')\" = '$want' ]"
check "the bridge logs it" grep -qF "$want" "$tmp/bridge.log"
check "it never reaches the spool" test ! -e "$spool/bad-1.json"

# The broker restarts mid-run. Its retained items survive (a file lost
# meanwhile comes back when the bridge subscribes again) and an item
# published after the restart arrives.
stop_broker
rm -f "$spool/fleet-003.json"
check "broker restarts" start_broker
check "retained items are there after the restart" wait_until 20 test -e "$spool/fleet-003.json"
check "an item published after the restart arrives" bash -c "
  '$kabar' post --mqtt 127.0.0.1 --port $port --group fr --id late-1 --lang en \
    'Overnight downpour floods 14 roads in South and East Jakarta' >/dev/null"
check "...into the spool" wait_until 10 test -e "$spool/late-1.json"
check "the retraction stays" test ! -e "$spool/$visible.json"
check "the bridge said it reconnected" grep -q "reconnected to 127.0.0.1:$port" "$tmp/bridge.log"

# The ticker's run ends; the status then says what it last showed.
wait "$ticker_pid"
check "the ticker exits cleanly" test $? = 0
ticker_pid=''
final=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items_loaded"])' "$stats")
check "the screen ends with what the spool holds" test "$final" = "$(count_items)"
check "the status reports what the screen shows" status_where "s.get('items_loaded') == $final and s['bridge']['rejected'] >= 1"
check "the screen showed fleet items" python3 -c '
import json, sys
shown = json.load(open(sys.argv[1]))["shown"]
ids = {a["id"] for a in shown}
assert len(ids) >= 3 and all(i.startswith(("fleet-", "late-")) for i in ids), ids' "$stats"
check "the retracted item left the screen at once" python3 -c '
import json, sys
shown = json.load(open(sys.argv[1]))["shown"]
late = [a for a in shown if a["id"] == sys.argv[2] and a["last"] > float(sys.argv[3]) + 0.1]
assert not late, late' "$stats" "$visible" "$t_retract"

# The last will: a bridge killed without a word is reported offline.
kill -KILL "$bridge_pid"; wait "$bridge_pid" 2>/dev/null; bridge_pid=''
check "the last will says offline" status_where 's["state"] == "offline" and s["reason"] == "lost"'

# While the screen is away an item is retracted: the broker keeps no
# retained message for it, so only the persistent session can tell.
post --retract fleet-010 >/dev/null
check "the item is still there while the screen is away" test -e "$spool/fleet-010.json"
start_bridge
check "back online" status_where 's["state"] == "online"'
check "the retraction queued for the screen arrives" wait_until 10 gone "$spool/fleet-010.json"

# SIGTERM: a clean stop that says so.
kill -TERM "$bridge_pid"; wait "$bridge_pid"; rc=$?; bridge_pid=''
check "SIGTERM stops the bridge with status 0" test "$rc" = 0
check "and the status says stopped" status_where 's["state"] == "offline" and s["reason"] == "stopped"'

# TLS, passwords and the ACL of docs/fleet.md, on a second broker.
if command -v openssl >/dev/null && command -v mosquitto_passwd >/dev/null; then
  stop_broker
  sec=$tmp/secure
  mkdir "$sec" "$sec/spool"
  ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=kabar test CA" -keyout "$sec/ca.key" \
    -out "$sec/ca.crt" 2>/dev/null
  openssl req "${ec[@]}" -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$sec/broker.key" -out "$sec/broker.csr" 2>/dev/null
  openssl x509 -req -in "$sec/broker.csr" -CA "$sec/ca.crt" -CAkey "$sec/ca.key" \
    -CAcreateserial -days 2 -copy_extensions copy -out "$sec/broker.crt" 2>/dev/null
  touch "$sec/passwd"
  mosquitto_passwd -b "$sec/passwd" newsroom news-secret
  mosquitto_passwd -b "$sec/passwd" lobby lobby-secret
  printf 'news-secret\n' >"$sec/newsroom.pw"
  printf 'lobby-secret\n' >"$sec/lobby.pw"
  chmod 600 "$sec"/*.pw
  # The ACL exactly as docs/fleet.md gives it.
  sed -n '/^# \/etc\/mosquitto\/kabar.acl/,/^```/p' "$src/docs/fleet.md" | grep -v '^```' >"$sec/acl"
  {
    echo "listener $port 127.0.0.1"
    echo "cafile $sec/ca.crt"
    echo "certfile $sec/broker.crt"
    echo "keyfile $sec/broker.key"
    echo "allow_anonymous false"
    echo "password_file $sec/passwd"
    echo "acl_file $sec/acl"
    echo "persistence false"
    echo "log_dest file $tmp/broker/mosquitto.log"
    echo "user $(id -un)"
  } >"$tmp/broker/mosquitto.conf"
  check "the TLS broker starts" start_broker
  "$kabar" mqtt --host 127.0.0.1 --port "$port" --group fr --spool "$sec/spool" --screen lobby \
    --cafile "$sec/ca.crt" --user lobby --password-file "$sec/lobby.pw" 2>>"$tmp/bridge.log" &
  bridge_pid=$!
  spost() { # user, password file, then post's fields
    local user=$1 pw=$2; shift 2
    "$kabar" post --mqtt 127.0.0.1 --port "$port" --group fr --cafile "$sec/ca.crt" \
      --user "$user" --password-file "$pw" "$@" 2>"$tmp/e" >/dev/null
  }
  check "the newsroom posts over TLS" spost newsroom "$sec/newsroom.pw" --id secure-1 --lang fr Bonjour
  check "the screen gets it through the ACL" wait_until 10 test -e "$sec/spool/secure-1.json"
  refused() { # what stderr must say, then spost's arguments
    local want=$1; shift
    ! spost "$@" && grep -q "$want" "$tmp/e"
  }
  check "a screen may not post" refused 'refused it: Not authorized' lobby "$sec/lobby.pw" \
    --id pirate-1 --lang fr x
  check "a wrong password is refused" refused 'refused the connection' newsroom "$sec/lobby.pw" \
    --id x-1 --lang fr x
  secure_status() {
    timeout 10 mosquitto_sub -h 127.0.0.1 -p "$port" --cafile "$sec/ca.crt" -u newsroom \
      -P news-secret -t kabar/fr/status/lobby -C 1 -W 8 | grep -q '"state":"online"'
  }
  check "the newsroom reads the screen's status" secure_status
  kill -TERM "$bridge_pid"; wait "$bridge_pid"; rc=$?; bridge_pid=''
  check "the TLS bridge stops cleanly" test "$rc" = 0
else
  echo "  (TLS and ACL checks skipped: no openssl or mosquitto_passwd)"
fi

check "the bridge logged no error" bash -c "! grep -E ': error: |runtime error|AddressSanitizer|LeakSanitizer' '$tmp/bridge.log'"
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
