#!/usr/bin/env bash
# bench/run.sh BUILD_DIR: issue 4's benchmark (docs/bench.md says what and why).
#
# Runs the SDL2_ttf ticker (bench/ttf_ticker.c, pre-rendering and
# re-rendering) and kabar on the same headlines at the same speed on a
# 1920x1080 screen, and prints side by side:
#   1. instructions per steady-state frame, software renderer, dummy video
#      driver, counted by callgrind: (I(2N) - I(N)) / N, so start-up cancels;
#   2. process CPU per second of crawl at 60 fps on the opengles2 renderer
#      under Xvfb (Mesa llvmpipe), over a fixed window after warm-up;
#   3. draw calls and texture bytes uploaded per steady-state frame;
# beside the floor under all three (the SDL2_ttf ticker with no text: the
# clear and the bar),
# then kabar's ratios against the targets (<= 0.8 of pre-rendering, <= 0.3
# of re-rendering). A miss is printed as MISS; the script exits 0 either
# way, since a benchmark reports figures and is not a test. It exits 2 only
# when it cannot run at all.
#
# Needs: valgrind, Xvfb, jq, Mesa's GL/GLES2 drivers (libgl1-mesa-dri,
# libgles2). A missing tool skips its part of the table, said in the output.
#
# Environment (defaults in brackets):
#   BENCH_FRAMES    N for callgrind [2400: 40 s of crawl, so the window
#                   N..2N starts with the bar full of text]
#   BENCH_WARMUP_S  seconds before the CPU window opens [18: the first
#                   headline needs 16 s to cross the screen]
#   BENCH_WINDOW_S  length of the CPU window [10]
#   BENCH_GL_RUNS   CPU windows per program, averaged [1; one 10 s window
#                   is good to about +-5 %]
#   BENCH_DRIVER    GL renderer to try first under Xvfb [opengles2]
#   BENCH_FONT      the SDL2_ttf tickers' font [Noto Sans Regular]
set -u -o pipefail

usage() {
    echo "usage: bench/run.sh BUILD_DIR   (built with -DKABAR_BENCH=ON)" >&2
    exit 2
}
[ $# -eq 1 ] || usage
[ -d "$1" ] || usage

BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
TICKER=$BUILD/bench/ttf_ticker
KABAR=$BUILD/kabar
HEADLINES=$HERE/headlines.txt
N=${BENCH_FRAMES:-2400}
WARMUP=${BENCH_WARMUP_S:-18}
WINDOW=${BENCH_WINDOW_S:-10}
GL_RUNS=${BENCH_GL_RUNS:-1}
GL_DRIVER=${BENCH_DRIVER:-opengles2}
FONT=${BENCH_FONT:-/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf}
SIZE=1920x1080
SPEED=120
PROGRAMS=(none prerender rerender kabar)

if [ ! -x "$TICKER" ]; then
    echo "bench: $TICKER is missing: configure with -DKABAR_BENCH=ON and build" >&2
    exit 2
fi
if ! command -v jq >/dev/null; then
    echo "bench: jq is missing (apt-get install jq)" >&2
    exit 2
fi
have_kabar=1
if [ ! -x "$KABAR" ]; then
    have_kabar=0
    echo "bench: $KABAR is not built: its column stays empty" >&2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kabar-bench.XXXXXX")
XVFB_PID=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    if [ -n "$XVFB_PID" ]; then
        kill "$XVFB_PID" 2>/dev/null
        wait "$XVFB_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf 'bench: %s\n' "$*" >&2; }

# --- the same headlines for all three ----------------------------------------

# kabar reads a spool: one item per headline. The lines of headlines.txt
# cycle English, French, Indonesian; `published` keeps the file's order.
SPOOL=$WORK/spool
mkdir -p "$SPOOL"
langs=(en fr id)
i=0
while IFS= read -r line || [ -n "$line" ]; do
    [ -n "$line" ] || continue
    lang=${langs[$((i % 3))]}
    i=$((i + 1))
    pub=$(printf '2026-01-01T%02d:%02d:00Z' $((i / 60)) $((i % 60)))
    jq -cn --arg id "b-$i" --arg lang "$lang" --arg text "$line" --arg pub "$pub" \
        '{id: $id, lang: $lang, text: $text, published: $pub}' >"$SPOOL/b-$i.json"
done <"$HEADLINES"
N_HEADLINES=$i
# No /etc/kabar/kabar.conf: every run on kabar's built-in defaults.
: >"$WORK/empty.conf"

ticker_cmd() { # MODE: the SDL2_ttf ticker's command, without its clock or driver
    echo "$TICKER --mode $1 --headlines $HEADLINES --font $FONT --size $SIZE --speed $SPEED"
}
kabar_cmd() {
    echo "$KABAR run --spool $SPOOL --config $WORK/empty.conf --size $SIZE --speed $SPEED" \
        "--log-level warning"
}

# --- 1. instructions per frame, software renderer ----------------------------

declare -A PER_FRAME JSON_SW
cg_run() { # PROGRAM FRAMES: one callgrind run; its total goes to $WORK/PROGRAM-FRAMES.ir
    local prog=$1 frames=$2 out=$WORK/$1-$2 cmd
    if [ "$prog" = kabar ]; then
        cmd="$(kabar_cmd) --headless --virtual-clock --frames $frames"
        cmd+=" --set warm_glyphs_per_frame=10000 --stats $out.json"
    else
        cmd="$(ticker_cmd "$prog") --headless --virtual --frames $frames"
    fi
    # shellcheck disable=SC2086 # the commands are word lists
    env -u DISPLAY -u WAYLAND_DISPLAY valgrind --tool=callgrind --callgrind-out-file="$out.cg" \
        $cmd >"$out.stdout" 2>"$out.stderr"
    local status=$?
    if [ "$prog" != kabar ]; then
        tail -n 1 "$out.stdout" >"$out.json"
    fi
    if [ $status -ne 0 ]; then
        log "$prog, $frames frames under callgrind: exit $status (see below)"
        tail -n 5 "$out.stderr" >&2
        return 1
    fi
    awk '/^(summary|totals):/ { print $2; exit }' "$out.cg" >"$out.ir"
    rm -f "$out.cg"
}

software_part() {
    if ! command -v valgrind >/dev/null; then
        log "valgrind is missing: no instruction counts (apt-get install valgrind)"
        return
    fi
    local progs=(none prerender rerender) jobs=0 p f
    [ $have_kabar = 1 ] && progs+=(kabar)
    log "callgrind: ${progs[*]} at $N and $((2 * N)) frames (a few minutes)"
    # Two at a time: callgrind runs one thread at a time, and the counts do
    # not depend on what else runs.
    for p in "${progs[@]}"; do
        for f in "$N" "$((2 * N))"; do
            cg_run "$p" "$f" &
            jobs=$((jobs + 1))
            if [ $jobs -ge 2 ]; then
                wait -n
                jobs=$((jobs - 1))
            fi
        done
    done
    wait
    for p in "${progs[@]}"; do
        local a b
        a=$(cat "$WORK/$p-$N.ir" 2>/dev/null)
        b=$(cat "$WORK/$p-$((2 * N)).ir" 2>/dev/null)
        if [ -n "$a" ] && [ -n "$b" ]; then
            PER_FRAME[$p]=$(((b - a) / N))
        fi
        [ -s "$WORK/$p-$((2 * N)).json" ] && JSON_SW[$p]=$WORK/$p-$((2 * N)).json
    done
}

# --- 2. CPU at 60 fps, GLES2 under Xvfb --------------------------------------

declare -A CPU XCPU JSON_GL
GL_USED=

start_xvfb() {
    local d
    for d in $(seq 99 160); do
        [ -e "/tmp/.X$d-lock" ] || [ -e "/tmp/.X11-unix/X$d" ] && continue
        Xvfb ":$d" -screen 0 "${SIZE}x24" -nolisten tcp -noreset >"$WORK/xvfb.log" 2>&1 &
        XVFB_PID=$!
        local _
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

cpu_ticks() { # PID: user + system clock ticks of the whole process, all threads
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    echo $((${12} + ${13}))
}

now_ns() { date +%s%N; }

declare -A TICKS XTICKS NS
# PROGRAM: runs it for warm-up + window and adds the CPU ticks of the
# process (all its threads, Mesa's among them) and of the X server over
# the window to TICKS[PROGRAM] and XTICKS[PROGRAM], the window's length to
# NS[PROGRAM].
gl_run() {
    local prog=$1 out=$WORK/$1-gl secs=$((WARMUP + WINDOW + 2)) cmd
    if [ "$prog" = kabar ]; then
        # Paced to its configured 60 Hz, as where vsync is not to be had:
        # Xvfb has no vsync, and SDL may believe it does.
        cmd="$(kabar_cmd) --window --seconds $secs --set render_driver=$GL_USED --set vsync=false"
        cmd+=" --stats $out.json"
    else
        cmd="$(ticker_cmd "$prog") --driver $GL_USED --seconds $secs"
    fi
    # shellcheck disable=SC2086
    $cmd >"$out.stdout" 2>"$out.stderr" &
    local pid=$!
    sleep "$WARMUP"
    local c0 x0 t0 c1 x1 t1
    c0=$(cpu_ticks $pid) x0=$(cpu_ticks "$XVFB_PID") t0=$(now_ns)
    sleep "$WINDOW"
    c1=$(cpu_ticks $pid) x1=$(cpu_ticks "$XVFB_PID") t1=$(now_ns)
    wait $pid
    local status=$?
    [ "$prog" != kabar ] && tail -n 1 "$out.stdout" >"$out.json"
    if [ $status -ne 0 ] || [ -z "$c0" ] || [ -z "$c1" ]; then
        log "$prog on $GL_USED: exit $status before the window closed"
        tail -n 5 "$out.stderr" >&2
        return 1
    fi
    TICKS[$prog]=$((${TICKS[$prog]:-0} + c1 - c0))
    XTICKS[$prog]=$((${XTICKS[$prog]:-0} + x1 - x0))
    NS[$prog]=$((${NS[$prog]:-0} + t1 - t0))
    JSON_GL[$prog]=$out.json
}

percent() { # TICKS NS: percent of one core
    [ -n "$1" ] && [ -n "$2" ] && awk -v c="$1" -v hz="$(getconf CLK_TCK)" -v ns="$2" \
        'BEGIN { if (ns > 0) printf "%.1f", 100 * c / hz / (ns / 1e9) }'
}

# Which GL renderer SDL really gives: the hint is only a preference, and SDL
# quietly falls back to another driver when the hinted one fails.
probe_driver() {
    local d got
    for d in "$GL_DRIVER" opengles2 opengl; do
        got=$($TICKER --mode prerender --headlines "$HEADLINES" --font "$FONT" --size "$SIZE" \
            --driver "$d" --frames 2 2>/dev/null | tail -n 1 | jq -r .renderer 2>/dev/null)
        if [ "$got" = "$d" ]; then
            GL_USED=$d
            return 0
        fi
        log "renderer $d is not available under Xvfb (SDL gave '${got:-nothing}')"
    done
    return 1
}

gl_part() {
    if ! command -v Xvfb >/dev/null; then
        log "Xvfb is missing: no GL figures (apt-get install xvfb xauth)"
        return
    fi
    if ! start_xvfb; then
        log "cannot start Xvfb"
        return
    fi
    if ! probe_driver; then
        log "no GL renderer under Xvfb (apt-get install libgl1-mesa-dri libgles2)"
        return
    fi
    local progs=(none prerender rerender) p _
    [ $have_kabar = 1 ] && progs+=(kabar)
    log "$GL_USED under Xvfb $DISPLAY: ${progs[*]}, ${WARMUP} s warm-up + ${WINDOW} s," \
        "$GL_RUNS time(s) each"
    # Interleaved, so a drift in the machine's speed touches all alike.
    for _ in $(seq "$GL_RUNS"); do
        for p in "${progs[@]}"; do
            gl_run "$p"
        done
    done
    for p in "${progs[@]}"; do
        CPU[$p]=$(percent "${TICKS[$p]:-}" "${NS[$p]:-}")
        XCPU[$p]=$(percent "${XTICKS[$p]:-}" "${NS[$p]:-}")
    done
}

software_part
gl_part

# --- the table ---------------------------------------------------------------

jget() { # FILE FILTER
    [ -n "$1" ] && [ -s "$1" ] && jq -r "$2 // empty" "$1" 2>/dev/null
}
mega() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.2f M", v / 1e6 }'; }
minus() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
cpu_ms() { [ -n "$1" ] && awk -v c="$1" 'BEGIN { printf "%.2f", c * 10 / 60 }'; }
ratio() { # A B [TARGET]: "0.71", or "0.71 (target <= 0.8: PASS)"
    if [ -z "$1" ] || [ -z "$2" ]; then
        echo "n/a"
        return
    fi
    awk -v a="$1" -v b="$2" -v t="${3:-}" 'BEGIN {
        if (b <= 0) { print "n/a"; exit }
        r = a / b; printf "%.2f", r
        if (t != "") printf " (target <= %s: %s)", t, r <= t + 1e-9 ? "PASS" : "MISS" }'
}
cell() { if [ -n "$1" ]; then echo "$1"; else echo "n/a"; fi; }
row() { # LABEL NONE PRERENDER RERENDER KABAR
    printf '| %s | %s | %s | %s | %s |\n' "$1" "$(cell "$2")" "$(cell "$3")" "$(cell "$4")" \
        "$(cell "$5")"
}

declare -A DC_TEXT DC_ALL UP_MAX UP_MEAN GL_FRAMES ABOVE
for p in "${PROGRAMS[@]}"; do
    f=${JSON_SW[$p]:-}
    if [ "$p" = kabar ]; then
        DC_TEXT[$p]=$(jget "$f" '"\(.draw_calls_per_frame.p50) / \(.draw_calls_per_frame.max)"')
    else
        DC_TEXT[$p]=$(jget "$f" \
            '"\(.text_draw_calls_per_frame.p50) / \(.text_draw_calls_per_frame.max)"')
        DC_ALL[$p]=$(jget "$f" '"\(.draw_calls_per_frame.p50) / \(.draw_calls_per_frame.max)"')
        UP_MEAN[$p]=$(jget "$f" '.upload_bytes_per_frame_mean | round')
    fi
    UP_MAX[$p]=$(jget "$f" .upload_bytes_per_frame_steady)
    g=${JSON_GL[$p]:-}
    [ -n "$g" ] && GL_FRAMES[$p]="$(jget "$g" .frames) / $(jget "$g" .dropped_frames)"
    [ "$p" != none ] && ABOVE[$p]=$(minus "${CPU[$p]:-}" "${CPU[none]:-}")
done
GL=${GL_USED:-GL}

RESULTS=$BUILD/bench-results.md
{
    echo "# kabar bench, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), no GPU;" \
        "SDL $(pkg-config --modversion sdl2 2>/dev/null), SDL2_ttf" \
        "$(pkg-config --modversion SDL2_ttf 2>/dev/null); $N_HEADLINES headlines, $SIZE," \
        "$SPEED px/s. Software: callgrind, (I(2N) - I(N)) / N with N = $N frames." \
        "$GL: Xvfb, Mesa llvmpipe, 60 fps, ${WARMUP} s warm-up then a ${WINDOW} s window" \
        "(x $GL_RUNS)."
    echo
    echo "| per steady-state frame | floor: clear + bar, no text | SDL2_ttf pre-rendering" \
        "| SDL2_ttf re-rendering | kabar |"
    echo "|---|---|---|---|---|"
    row "software renderer: instructions" "$(mega "${PER_FRAME[none]:-}")" \
        "$(mega "${PER_FRAME[prerender]:-}")" "$(mega "${PER_FRAME[rerender]:-}")" \
        "$(mega "${PER_FRAME[kabar]:-}")"
    row "$GL: process CPU, % of one core" "${CPU[none]:-}" "${CPU[prerender]:-}" \
        "${CPU[rerender]:-}" "${CPU[kabar]:-}"
    row "$GL: CPU ms per frame" "$(cpu_ms "${CPU[none]:-}")" \
        "$(cpu_ms "${CPU[prerender]:-}")" "$(cpu_ms "${CPU[rerender]:-}")" \
        "$(cpu_ms "${CPU[kabar]:-}")"
    row "$GL: CPU above the floor, % of one core" "-" "${ABOVE[prerender]:-}" \
        "${ABOVE[rerender]:-}" "${ABOVE[kabar]:-}"
    row "text draw calls (p50 / max)" "${DC_TEXT[none]:-}" "${DC_TEXT[prerender]:-}" \
        "${DC_TEXT[rerender]:-}" "${DC_TEXT[kabar]:-}"
    row "all draw calls (p50 / max)" "${DC_ALL[none]:-}" "${DC_ALL[prerender]:-}" \
        "${DC_ALL[rerender]:-}" "see below"
    row "texture bytes uploaded (max)" "${UP_MAX[none]:-}" "${UP_MAX[prerender]:-}" \
        "${UP_MAX[rerender]:-}" "${UP_MAX[kabar]:-}"
    row "texture bytes uploaded (mean)" "${UP_MEAN[none]:-}" "${UP_MEAN[prerender]:-}" \
        "${UP_MEAN[rerender]:-}" "not reported"
    row "$GL run: frames presented / dropped" "${GL_FRAMES[none]:-}" \
        "${GL_FRAMES[prerender]:-}" "${GL_FRAMES[rerender]:-}" "${GL_FRAMES[kabar]:-}"
    row "$GL: Xvfb's own CPU, % (not counted above)" "${XCPU[none]:-}" "${XCPU[prerender]:-}" \
        "${XCPU[rerender]:-}" "${XCPU[kabar]:-}"
    echo
    echo "| kabar against | software instructions | $GL CPU | $GL CPU above the floor |"
    echo "|---|---|---|---|"
    echo "| pre-rendering | $(ratio "${PER_FRAME[kabar]:-}" "${PER_FRAME[prerender]:-}" 0.8) |" \
        "$(ratio "${CPU[kabar]:-}" "${CPU[prerender]:-}" 0.8) |" \
        "$(ratio "${ABOVE[kabar]:-}" "${ABOVE[prerender]:-}") |"
    echo "| re-rendering | $(ratio "${PER_FRAME[kabar]:-}" "${PER_FRAME[rerender]:-}" 0.3) |" \
        "$(ratio "${CPU[kabar]:-}" "${CPU[rerender]:-}" 0.3) |" \
        "$(ratio "${ABOVE[kabar]:-}" "${ABOVE[rerender]:-}") |"
    echo
    echo "Steady state: after the first 3 s of crawl. The SDL2_ttf tickers clear the screen and"
    echo "fill the bar every frame (2 calls) besides their text. kabar's draw calls are its"
    echo "crawl's (one SDL_RenderGeometry per atlas page in view); it also fills the bar, and"
    echo "clears the screen only where the renderer does not keep its buffer ($GL: every"
    echo "frame; software: not at all), so the floor is its floor on $GL only. The targets"
    echo "are on the totals; the column above the floor is for reading them."
    [ $have_kabar = 1 ] || echo "kabar was not built, so its column is empty."
} >"$RESULTS"

numbers() { # NAME ASSOC: a JSON object of the four programs' numbers
    local -n a=$2
    local p out="" v
    for p in "${PROGRAMS[@]}"; do
        v=${a[$p]:-}
        out+="${out:+,}\"$p\":${v:-null}"
    done
    echo "\"$1\":{$out}"
}
stats() { # FILE: a JSON document without kabar's long `shown` list, or null
    if [ -n "$1" ] && [ -s "$1" ]; then jq -c 'del(.shown)' "$1"; else echo null; fi
}
{
    echo "{\"date\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"frames_n\":$N,\"gl_renderer\":\"$GL\","
    echo "\"warmup_s\":$WARMUP,\"window_s\":$WINDOW,\"gl_runs\":$GL_RUNS,"
    echo "$(numbers instructions_per_frame PER_FRAME),"
    echo "$(numbers gl_cpu_percent CPU),"
    echo "$(numbers xvfb_cpu_percent XCPU),"
    echo "\"software_stats\":{"
    for p in "${PROGRAMS[@]}"; do
        echo "\"$p\":$(stats "${JSON_SW[$p]:-}")$([ "$p" = kabar ] || echo ,)"
    done
    echo "},\"gl_stats\":{"
    for p in "${PROGRAMS[@]}"; do
        echo "\"$p\":$(stats "${JSON_GL[$p]:-}")$([ "$p" = kabar ] || echo ,)"
    done
    echo "}}"
} | jq . >"$BUILD/bench-results.json"

cat "$RESULTS"
echo
echo "(also in $RESULTS and $BUILD/bench-results.json)"
exit 0
