#!/usr/bin/env bash
# shellcheck disable=SC2317 # the cleanup runs from a trap
# bench/x11_cpu.sh BUILD_DIR: the desktop path side by side (docs/bench.md,
# "Software rendering under X11, the display server counted").
#
# One Xvfb at 1920x1080; on it, one after another, each in a window with
# software rendering, the same 40 headlines (bench/headlines40.txt) at
# 120 px/s and 60 fps:
#   kabar          its default configuration, presenting only what changed
#   kabar, whole   the same with present_changes = false (every frame whole)
#   SDL2_ttf       bench/ttf_ticker.c --mode prerender, software renderer
#   browser        Chromium (when installed) showing a CSS ticker of the same
#                  headlines: one row of spans moved by a CSS transform
#                  animation, GPU off (software raster and compositing)
# After a warm-up, the CPU time of each program (its whole process tree) and
# of the X server is read from /proc/PID/stat over the same window. The
# figure that counts is the program's plus the X server's: a program that
# sends whole frames makes the X server pay for them. Prints a table and
# kabar's ratios against the targets (<= 0.35 of the browser, <= 0.6 of the
# SDL2_ttf ticker); exits 0 either way, 2 when it cannot run at all.
#
# Environment (defaults in brackets):
#   BENCH_X11_RUNS     passes over the four programs, interleaved; each is
#                      printed and the lowest total counts [1]
#   BENCH_WARMUP_S     seconds before the window opens [18]
#   BENCH_WINDOW_S     length of the window [10]
#   BENCH_FONT         the SDL2_ttf ticker's font [Noto Sans Regular]
#   BENCH_CHROMIUM     the browser [/usr/bin/chromium]
set -u -o pipefail

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: bench/x11_cpu.sh BUILD_DIR   (built with -DKABAR_BENCH=ON)" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
TICKER=$BUILD/bench/ttf_ticker
KABAR=$BUILD/kabar
HEADLINES=$HERE/headlines40.txt
RUNS=${BENCH_X11_RUNS:-1}
WARMUP=${BENCH_WARMUP_S:-18}
WINDOW=${BENCH_WINDOW_S:-10}
FONT=${BENCH_FONT:-/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf}
CHROMIUM=${BENCH_CHROMIUM:-/usr/bin/chromium}
SIZE=1920x1080
SPEED=120
HZ=$(getconf CLK_TCK)

log() { printf 'bench x11: %s\n' "$*" >&2; }
for tool in Xvfb jq; do
    command -v $tool >/dev/null || {
        log "$tool is missing (scripts/install-deps.sh --bench)"
        exit 2
    }
done
if [ ! -x "$KABAR" ] || [ ! -x "$TICKER" ]; then
    log "build $KABAR and $TICKER first (-DKABAR_BENCH=ON)"
    exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kabar-x11.XXXXXX")
XVFB_PID=
PROG_PID=
cleanup() {
    [ -n "$PROG_PID" ] && kill "$PROG_PID" 2>/dev/null && wait "$PROG_PID" 2>/dev/null
    [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the same headlines for all ----------------------------------------------

SPOOL=$WORK/spool
mkdir -p "$SPOOL"
langs=(en fr id)
i=0
while IFS= read -r line || [ -n "$line" ]; do
    [ -n "$line" ] || continue
    i=$((i + 1))
    pub=$(printf '2026-01-01T%02d:%02d:00Z' $((i / 60)) $((i % 60)))
    jq -cn --arg id "b-$i" --arg lang "${langs[$(((i - 1) % 3))]}" --arg text "$line" \
        --arg pub "$pub" '{id: $id, lang: $lang, text: $text, published: $pub}' \
        >"$SPOOL/b-$i.json"
done <"$HEADLINES"
N_HEADLINES=$i
: >"$WORK/empty.conf"

# The CSS ticker: what a web developer writes for a ticker page. kabar's
# geometry and colours (a bar of 108 px at the bottom, text 0.58 of it in
# Noto Sans, 2 em between headlines); the row crosses the screen at 120 px/s
# by a linear transform animation, set once the fonts have loaded and the
# row's width is known.
jq -Rs 'split("\n") | map(select(length > 0))' "$HEADLINES" >"$WORK/headlines.json"
cat >"$WORK/ticker.html" <<EOF
<!doctype html>
<html><head><meta charset="utf-8"><style>
html, body { margin: 0; width: 1920px; height: 1080px; overflow: hidden; background: #101418; }
#bar { position: absolute; left: 0; bottom: 0; width: 1920px; height: 108px; overflow: hidden;
       background: #1b2a3a; }
#row { position: absolute; left: 0; top: 0; height: 108px; line-height: 108px; white-space: nowrap;
       font: 62.64px "Noto Sans", sans-serif; color: #fff; will-change: transform; }
#row span { margin-right: 2em; }
</style></head><body><div id="bar"><div id="row"></div></div><script>
const headlines = $(cat "$WORK/headlines.json");
const row = document.getElementById('row');
for (const h of headlines) {
  const s = document.createElement('span');
  s.textContent = h;
  row.appendChild(s);
}
document.fonts.ready.then(() => {
  const w = row.scrollWidth, d = (1920 + w) / $SPEED;
  const style = document.createElement('style');
  style.textContent = '@keyframes crawl { from { transform: translateX(1920px) } ' +
    'to { transform: translateX(-' + w + 'px) } }';
  document.head.appendChild(style);
  row.style.animation = 'crawl ' + d + 's linear infinite';
});
</script></body></html>
EOF

# --- running and measuring ---------------------------------------------------

start_xvfb() {
    local d _
    for d in $(seq 99 160); do
        { [ -e "/tmp/.X$d-lock" ] || [ -e "/tmp/.X11-unix/X$d" ]; } && continue
        Xvfb ":$d" -screen 0 "${SIZE}x24" -nolisten tcp -noreset >"$WORK/xvfb.log" 2>&1 &
        XVFB_PID=$!
        for _ in $(seq 50); do
            [ -e "/tmp/.X11-unix/X$d" ] && break
            sleep 0.1
        done
        if [ -e "/tmp/.X11-unix/X$d" ] && kill -0 "$XVFB_PID" 2>/dev/null; then
            export DISPLAY=":$d"
            return 0
        fi
        kill "$XVFB_PID" 2>/dev/null
        wait "$XVFB_PID" 2>/dev/null
        XVFB_PID=
    done
    return 1
}

# PID: user + system ticks of PID and of every process below it (a
# browser is a tree of processes), and of those children it has reaped.
tree_ticks() {
    local root=$1 f s pid
    local -A parent ticks
    for f in /proc/[0-9]*/stat; do
        s=$(cat "$f" 2>/dev/null) || continue
        pid=${s%% *}
        s=${s##*) }
        # shellcheck disable=SC2086 # the fields of one stat line
        set -- $s
        parent[$pid]=$2
        ticks[$pid]=$((${12} + ${13} + ${14} + ${15}))
    done
    [ -n "${ticks[$root]:-}" ] || return 1
    local total=0 p q
    for p in "${!ticks[@]}"; do
        q=$p
        while [ -n "$q" ] && [ "$q" != 0 ] && [ "$q" != "$root" ]; do
            q=${parent[$q]:-}
        done
        [ "$q" = "$root" ] && total=$((total + ticks[$p]))
    done
    echo "$total"
}
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
now_ns() { date +%s%N; }
percent() { awk -v c="$1" -v hz="$HZ" -v ns="$2" \
    'BEGIN { if (ns > 0) printf "%.1f", 100 * c / hz / (ns / 1e9) }'; }

# PROGRAM OUT: the command line of one program, for SECS seconds.
command_for() {
    # Longer than the measurement: each is stopped by SIGTERM after it.
    local secs=$((WARMUP + WINDOW + 30))
    case $1 in
    kabar | kabar-whole)
        echo "$KABAR run --window --spool $SPOOL --config $WORK/empty.conf --size $SIZE" \
            "--speed $SPEED --set render_driver=software --set vsync=false --set refresh_hz=60" \
            "--set present_changes=$([ "$1" = kabar ] && echo true || echo false)" \
            "--seconds $secs --stats $2.json --log-level warning"
        ;;
    ttf)
        echo "$TICKER --mode prerender --headlines $HEADLINES --font $FONT --size $SIZE" \
            "--speed $SPEED --driver software --seconds $secs"
        ;;
    browser)
        local sandbox=
        [ "$(id -u)" = 0 ] && sandbox=--no-sandbox # Chromium refuses root otherwise
        echo "$CHROMIUM $sandbox --disable-gpu --disable-gpu-compositing" \
            "--user-data-dir=$WORK/chromium-profile --no-first-run --no-default-browser-check" \
            "--disable-extensions --disable-sync --disable-background-networking" \
            "--disable-component-update --disable-features=Translate,MediaRouter" \
            "--noerrdialogs --password-store=basic --kiosk --window-position=0,0" \
            "--window-size=1920,1080 file://$WORK/ticker.html"
        ;;
    esac
}

declare -A CPU XCPU OTHERS TOTAL PRESENT
PASS_ROWS=()
# PROGRAM PASS: one run; sets the figures when its total is the lowest yet.
measure() {
    local prog=$1 pass=$2 out=$WORK/$1-$2 cmd
    cmd=$(command_for "$prog" "$out")
    # shellcheck disable=SC2086 # a word list
    $cmd >"$out.stdout" 2>"$out.stderr" &
    PROG_PID=$!
    sleep "$WARMUP"
    local c0 x0 b0 t0 c1 x1 b1 t1
    c0=$(tree_ticks $PROG_PID) x0=$(tree_ticks "$XVFB_PID") b0=$(busy_ticks) t0=$(now_ns)
    sleep "$WINDOW"
    c1=$(tree_ticks $PROG_PID) x1=$(tree_ticks "$XVFB_PID") b1=$(busy_ticks) t1=$(now_ns)
    local status=0
    kill -0 "$PROG_PID" 2>/dev/null || { wait "$PROG_PID"; status=$?; }
    kill "$PROG_PID" 2>/dev/null
    wait "$PROG_PID" 2>/dev/null
    PROG_PID=
    if [ -z "$c0" ] || [ -z "$c1" ]; then
        log "$prog stopped (exit $status) before the window closed:"
        tail -n 5 "$out.stderr" >&2
        return 1
    fi
    local ns=$((t1 - t0)) cpu x others total
    cpu=$(percent $((c1 - c0)) $ns)
    x=$(percent $((x1 - x0)) $ns)
    others=$(percent $((b1 - b0 - (c1 - c0) - (x1 - x0))) $ns)
    total=$(awk -v a="$cpu" -v b="$x" 'BEGIN { printf "%.1f", a + b }')
    PASS_ROWS+=("| $pass | $prog | $cpu | $x | $total | $others |")
    if [ -z "${TOTAL[$prog]:-}" ] || awk -v a="$total" -v b="${TOTAL[$prog]}" 'BEGIN { exit !(a < b) }'
    then
        TOTAL[$prog]=$total CPU[$prog]=$cpu XCPU[$prog]=$x OTHERS[$prog]=$others
        if [ -s "$out.json" ]; then
            PRESENT[$prog]=$(jq -r '"\(.present_bytes_per_frame.p50) / \(.present_bytes_per_frame.max)"' \
                "$out.json")
        fi
    fi
}

if ! start_xvfb; then
    log "cannot start Xvfb"
    exit 2
fi
PROGRAMS=(kabar kabar-whole ttf)
if [ -x "$CHROMIUM" ]; then
    PROGRAMS+=(browser)
else
    log "$CHROMIUM is not installed: no browser column"
fi
log "Xvfb $DISPLAY $SIZE: ${PROGRAMS[*]}, ${WARMUP} s warm-up + ${WINDOW} s window, $RUNS pass(es)" \
    "(about $((RUNS * ${#PROGRAMS[@]} * (WARMUP + WINDOW + 3))) s)"
for pass in $(seq "$RUNS"); do
    for p in "${PROGRAMS[@]}"; do
        measure "$p" "$pass"
    done
done

# --- the table ---------------------------------------------------------------

ratio() { # A B TARGET
    if [ -z "$1" ] || [ -z "$2" ]; then
        echo "n/a"
        return
    fi
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { if (b <= 0) { print "n/a"; exit }
        r = a / b; printf "%.2f (target <= %s: %s)", r, t, r <= t + 1e-9 ? "PASS" : "MISS" }'
}
name() {
    case $1 in
    kabar) echo "kabar (presents what changed)" ;;
    kabar-whole) echo "kabar, present_changes = false" ;;
    ttf) echo "SDL2_ttf pre-rendering" ;;
    browser) echo "browser CSS ticker" ;;
    esac
}
RESULTS=$BUILD/bench-x11.md
{
    echo "# kabar under X11, software rendering, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "$(nproc) cores, Xvfb $SIZE, $N_HEADLINES headlines at $SPEED px/s, 60 fps;" \
        "CPU % of one core over a ${WINDOW} s window after ${WARMUP} s (lowest total of $RUNS)."
    echo
    echo "| program | its CPU | X server's CPU | total | others | bytes presented a frame (p50 / max) |"
    echo "|---|---|---|---|---|---|"
    for p in "${PROGRAMS[@]}"; do
        echo "| $(name "$p") | ${CPU[$p]:-n/a} | ${XCPU[$p]:-n/a} | ${TOTAL[$p]:-n/a} |" \
            "${OTHERS[$p]:-n/a} | ${PRESENT[$p]:-} |"
    done
    echo
    echo "| kabar + X server against | ratio |"
    echo "|---|---|"
    echo "| browser + X server | $(ratio "${TOTAL[kabar]:-}" "${TOTAL[browser]:-}" 0.35) |"
    echo "| SDL2_ttf + X server | $(ratio "${TOTAL[kabar]:-}" "${TOTAL[ttf]:-}" 0.6) |"
    if [ "$RUNS" -gt 1 ]; then
        echo
        echo "| pass | program | its CPU | X server's CPU | total | others |"
        echo "|---|---|---|---|---|---|"
        printf '%s\n' "${PASS_ROWS[@]}"
    fi
    echo
    echo "\"others\" is the rest of the machine's CPU in the window; when it is not near"
    echo "zero the figures are inflated: run again on a quiet machine."
} >"$RESULTS"
cat "$RESULTS"
echo
echo "(also in $RESULTS)"
exit 0
