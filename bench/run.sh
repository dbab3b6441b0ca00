#!/usr/bin/env bash
# shellcheck disable=SC2317 # functions run through spawn look unreachable
# bench/run.sh BUILD_DIR: issue 4's benchmark (docs/bench.md says what and why).
#
# Runs the SDL2_ttf ticker (bench/ttf_ticker.c: pre-rendering, re-rendering,
# and with no text, the floor under both) and kabar on the same headlines at
# the same speed on a 1920x1080 screen, and prints side by side:
#   1. instructions per steady-state frame, software renderer, dummy video
#      driver, counted by callgrind: (I(2N) - I(N)) / N, so start-up cancels;
#   2. process CPU per second of crawl at 60 fps on the opengles2 renderer
#      under Xvfb (Mesa llvmpipe), over a fixed window after warm-up;
#   3. draw calls and texture bytes uploaded per steady-state frame, from a
#      run long enough for the crawl to come round to its first headline;
# then kabar's ratios against the targets (<= 0.8 of pre-rendering, <= 0.3
# of re-rendering). A miss is printed as MISS; the script exits 0 either
# way, since a benchmark reports figures and is not a test. It exits 2 only
# when it cannot run at all. About 9 minutes on 2 cores.
#
# Needs: valgrind, Xvfb, jq, Mesa's GL/GLES2 drivers (libgl1-mesa-dri,
# libgles2). A missing tool skips its part of the table, said in the output.
#
# Environment (defaults in brackets):
#   BENCH_FRAMES        N for callgrind [1500: the window N..2N opens after
#                       the first headline has filled the bar (960 frames)]
#   BENCH_STATS_FRAMES  frames of the draw-call and upload run [52000: the
#                       30 headlines come round at about 44000]
#   BENCH_WARMUP_S      seconds before the CPU window opens [18: the first
#                       headline needs 16 s to cross the screen]
#   BENCH_WINDOW_S      length of the CPU window [10]
#   BENCH_GL_RUNS       CPU windows per program; the lowest counts [1]. On a
#                       machine others use, take 3: see the "others" row
#   BENCH_GL_CALLGRIND  1: also count instructions per frame on the GL
#                       renderer, llvmpipe included, which other load does
#                       not skew [0: it takes 5 to 10 more minutes]
#   BENCH_GL_FRAMES     N for that [1000]
#   BENCH_DRIVER        GL renderer to try first under Xvfb [opengles2]
#   BENCH_FONT          the SDL2_ttf tickers' font [Noto Sans Regular]
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
N=${BENCH_FRAMES:-1500}
STATS_FRAMES=${BENCH_STATS_FRAMES:-52000}
WARMUP=${BENCH_WARMUP_S:-18}
WINDOW=${BENCH_WINDOW_S:-10}
GL_RUNS=${BENCH_GL_RUNS:-1}
GL_CALLGRIND=${BENCH_GL_CALLGRIND:-0}
GL_N=${BENCH_GL_FRAMES:-1000}
GL_DRIVER=${BENCH_DRIVER:-opengles2}
FONT=${BENCH_FONT:-/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf}
SIZE=1920x1080
SPEED=120
HZ=$(getconf CLK_TCK)

if [ ! -x "$TICKER" ]; then
    echo "bench: $TICKER is missing: configure with -DKABAR_BENCH=ON and build" >&2
    exit 2
fi
if ! command -v jq >/dev/null; then
    echo "bench: jq is missing (apt-get install jq)" >&2
    exit 2
fi
PROGRAMS=(none prerender rerender kabar)
RUNNABLE=(none prerender rerender)
have_kabar=1
if [ -x "$KABAR" ]; then
    RUNNABLE+=(kabar)
else
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
# cycle English, French, Indonesian; `published` keeps the file's order,
# which is kabar's rotation order.
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

# PROGRAM WHERE OUT: the command line of one run, where WHERE is
#   headless:F  dummy driver, software renderer, virtual clock, F frames
#   gl:F        a window on the GL renderer, virtual clock, F frames
#   glreal:S    a window on the GL renderer, real clock paced to 60 Hz, S s
command_for() {
    local prog=$1 where=${2%%:*} arg=${2#*:} out=$3 c
    if [ "$prog" = kabar ]; then
        c="$KABAR run --spool $SPOOL --config $WORK/empty.conf --size $SIZE --speed $SPEED"
        c+=" --log-level warning --stats $out.json"
        case $where in
        headless) c+=" --headless --virtual-clock --frames $arg" ;;
        gl) c+=" --window --virtual-clock --frames $arg" ;;
        glreal) c+=" --window --seconds $arg" ;;
        esac
        # Rasterise an entering item's glyphs in one frame, as the SDL2_ttf
        # ticker renders its headline in one frame, under the virtual clock.
        [ "$where" = glreal ] || c+=" --set warm_glyphs_per_frame=10000"
        # Xvfb has no vsync (SDL may believe it has): pace to 60 Hz.
        [ "$where" = headless ] || c+=" --set render_driver=$GL_USED --set vsync=false"
    else
        c="$TICKER --mode $prog --headlines $HEADLINES --font $FONT --size $SIZE --speed $SPEED"
        case $where in
        headless) c+=" --headless --virtual --frames $arg" ;;
        gl) c+=" --driver $GL_USED --virtual --frames $arg" ;;
        glreal) c+=" --driver $GL_USED --seconds $arg" ;;
        esac
    fi
    echo "$c"
}

# PROGRAM WHERE OUT [valgrind args...]: runs it; its stats end in OUT.json.
run_one() {
    local prog=$1 where=$2 out=$3 cmd status
    shift 3
    cmd=$(command_for "$prog" "$where" "$out")
    # shellcheck disable=SC2086 # the command is a word list
    "$@" $cmd >"$out.stdout" 2>"$out.stderr"
    status=$?
    [ "$prog" = kabar ] || tail -n 1 "$out.stdout" >"$out.json"
    if [ "$status" -ne 0 ]; then
        log "$prog ($where): exit $status:"
        tail -n 5 "$out.stderr" >&2
    fi
    return "$status"
}

# Jobs two at a time (the machine has two cores; callgrind and the virtual
# clock give the same counts whatever else runs). Waited for by id: Xvfb is
# a child too.
PIDS=()
spawn() {
    "$@" &
    PIDS+=($!)
    if [ ${#PIDS[@]} -ge 2 ]; then
        local done_pid p left=()
        wait -n -p done_pid "${PIDS[@]}"
        for p in "${PIDS[@]}"; do
            [ "$p" = "$done_pid" ] || left+=("$p")
        done
        PIDS=("${left[@]}")
    fi
}
join() {
    [ ${#PIDS[@]} -eq 0 ] || wait "${PIDS[@]}"
    PIDS=()
}

# --- 1. instructions per frame: callgrind ------------------------------------

declare -A PER_FRAME GL_PER_FRAME
cg_one() { # PROGRAM WHERE:FRAMES ENV: the callgrind total to $WORK/PROGRAM-KIND-FRAMES.ir
    local prog=$1 kind=${2%%:*} frames=${2#*:} out
    out=$WORK/$prog-cg$kind-$frames
    local envs=(env)
    [ "$kind" = headless ] && envs+=(-u DISPLAY -u WAYLAND_DISPLAY)
    run_one "$prog" "$2" "$out" "${envs[@]}" valgrind --tool=callgrind \
        --callgrind-out-file="$out.cg" || return 1
    awk '/^(summary|totals):/ { print $2; exit }' "$out.cg" >"$out.ir"
    rm -f "$out.cg"
}

# KIND FRAMES RESULT_ARRAY: per-frame instructions of every program.
cg_part() {
    local kind=$1 n=$2 p f a b
    local -n result=$3
    log "callgrind ($kind): ${RUNNABLE[*]} at $n and $((2 * n)) frames"
    for p in "${RUNNABLE[@]}"; do
        for f in "$n" "$((2 * n))"; do
            spawn cg_one "$p" "$kind:$f"
        done
    done
    join
    for p in "${RUNNABLE[@]}"; do
        a=$(cat "$WORK/$p-cg$kind-$n.ir" 2>/dev/null)
        b=$(cat "$WORK/$p-cg$kind-$((2 * n)).ir" 2>/dev/null)
        # shellcheck disable=SC2034,SC2004 # result names the caller's array
        [ -n "$a" ] && [ -n "$b" ] && result[$p]=$(((b - a) / n))
    done
}

# --- 3. draw calls and uploads: a long run, virtual clock --------------------

declare -A STATS
stats_part() {
    local p
    log "stats: ${RUNNABLE[*]}, $STATS_FRAMES frames each (virtual clock, about 2 minutes)"
    for p in "${RUNNABLE[@]}"; do
        spawn run_one "$p" "headless:$STATS_FRAMES" "$WORK/$p-stats"
    done
    join
    for p in "${RUNNABLE[@]}"; do
        [ -s "$WORK/$p-stats.json" ] && STATS[$p]=$WORK/$p-stats.json
    done
}

# --- 2. CPU at 60 fps, GL under Xvfb -----------------------------------------

start_xvfb() {
    local d _
    for d in $(seq 99 160); do
        [ -e "/tmp/.X$d-lock" ] || [ -e "/tmp/.X11-unix/X$d" ] && continue
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

# Which GL renderer SDL really gives: the hint is only a preference, and SDL
# quietly falls back to another driver when the hinted one fails.
GL_USED=
probe_driver() {
    local d got
    for d in "$GL_DRIVER" opengles2 opengl; do
        got=$($TICKER --mode none --headlines "$HEADLINES" --font "$FONT" --size "$SIZE" \
            --driver "$d" --frames 2 2>/dev/null | tail -n 1 | jq -r .renderer 2>/dev/null)
        if [ "$got" = "$d" ]; then
            GL_USED=$d
            return 0
        fi
        log "renderer $d is not available under Xvfb (SDL gave '${got:-nothing}')"
    done
    return 1
}

proc_ticks() { # PID: user + system clock ticks of the whole process, all its threads
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    echo $((${12} + ${13}))
}
busy_ticks() { # all CPUs' busy ticks: user nice system irq softirq steal
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}
now_ns() { date +%s%N; }
percent() { # TICKS NS: percent of one core
    awk -v c="$1" -v hz="$HZ" -v ns="$2" \
        'BEGIN { if (ns > 0) printf "%.1f", 100 * c / hz / (ns / 1e9) }'
}

declare -A CPU XCPU OTHERS GL_STATS
# PROGRAM: one real-clock run; the process's CPU over the window (all its
# threads, Mesa's among them), the X server's, and everyone else's.
gl_cpu_one() {
    local prog=$1 out=$WORK/$1-gl secs=$((WARMUP + WINDOW + 2)) cmd pid status
    cmd=$(command_for "$prog" "glreal:$secs" "$out")
    # shellcheck disable=SC2086
    $cmd >"$out.stdout" 2>"$out.stderr" &
    pid=$!
    sleep "$WARMUP"
    local c0 x0 b0 t0 c1 x1 b1 t1
    c0=$(proc_ticks $pid) x0=$(proc_ticks "$XVFB_PID") b0=$(busy_ticks) t0=$(now_ns)
    sleep "$WINDOW"
    c1=$(proc_ticks $pid) x1=$(proc_ticks "$XVFB_PID") b1=$(busy_ticks) t1=$(now_ns)
    wait $pid
    status=$?
    [ "$prog" = kabar ] || tail -n 1 "$out.stdout" >"$out.json"
    if [ $status -ne 0 ] || [ -z "$c0" ] || [ -z "$c1" ]; then
        log "$prog on $GL_USED: exit $status before the window closed"
        tail -n 5 "$out.stderr" >&2
        return 1
    fi
    local cpu
    cpu=$(percent $((c1 - c0)) $((t1 - t0)))
    # The lowest of the runs counts: other load only ever adds.
    if [ -z "${CPU[$prog]:-}" ] || awk -v a="$cpu" -v b="${CPU[$prog]}" 'BEGIN { exit !(a < b) }'
    then
        CPU[$prog]=$cpu
        XCPU[$prog]=$(percent $((x1 - x0)) $((t1 - t0)))
        OTHERS[$prog]=$(percent $((b1 - b0 - (c1 - c0) - (x1 - x0))) $((t1 - t0)))
        cp "$out.json" "$out.best.json" 2>/dev/null && GL_STATS[$prog]=$out.best.json
    fi
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
    local p _
    log "$GL_USED under Xvfb $DISPLAY: ${RUNNABLE[*]}, ${WARMUP} s warm-up + ${WINDOW} s," \
        "$GL_RUNS time(s) each"
    # Interleaved, so a change in the machine's load touches all alike.
    for _ in $(seq "$GL_RUNS"); do
        for p in "${RUNNABLE[@]}"; do
            gl_cpu_one "$p"
        done
    done
    if [ "$GL_CALLGRIND" = 1 ]; then
        cg_part gl "$GL_N" GL_PER_FRAME
    fi
}

if command -v valgrind >/dev/null; then
    cg_part headless "$N" PER_FRAME
else
    log "valgrind is missing: no instruction counts (apt-get install valgrind)"
fi
stats_part
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

declare -A DC_TEXT DC_ALL UP_MAX UP_MEAN STEADY GL_FRAMES ABOVE CG_GL
for p in "${PROGRAMS[@]}"; do
    f=${STATS[$p]:-}
    if [ "$p" = kabar ]; then
        DC_TEXT[$p]=$(jget "$f" '"\(.draw_calls_per_frame.p50) / \(.draw_calls_per_frame.max)"')
    else
        DC_TEXT[$p]=$(jget "$f" \
            '"\(.text_draw_calls_per_frame.p50) / \(.text_draw_calls_per_frame.max)"')
        DC_ALL[$p]=$(jget "$f" '"\(.draw_calls_per_frame.p50) / \(.draw_calls_per_frame.max)"')
        UP_MEAN[$p]=$(jget "$f" '.upload_bytes_per_frame_mean | round')
    fi
    UP_MAX[$p]=$(jget "$f" .upload_bytes_per_frame_steady)
    STEADY[$p]=$(jget "$f" .steady_frames)
    g=${GL_STATS[$p]:-}
    [ -n "$g" ] && GL_FRAMES[$p]="$(jget "$g" .frames) / $(jget "$g" .dropped_frames)"
    [ "$p" != none ] && ABOVE[$p]=$(minus "${CPU[$p]:-}" "${CPU[none]:-}")
    CG_GL[$p]=$(mega "${GL_PER_FRAME[$p]:-}")
done
GL=${GL_USED:-GL}

RESULTS=$BUILD/bench-results.md
{
    echo "# kabar bench, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), no GPU;" \
        "SDL $(pkg-config --modversion sdl2 2>/dev/null), SDL2_ttf" \
        "$(pkg-config --modversion SDL2_ttf 2>/dev/null), Mesa llvmpipe under Xvfb;" \
        "$N_HEADLINES headlines, $SIZE, $SPEED px/s. Instructions: callgrind," \
        "(I(2N) - I(N)) / N with N = $N frames. $GL CPU: 60 fps, ${WARMUP} s warm-up, then" \
        "a ${WINDOW} s window (lowest of $GL_RUNS)."
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
    [ "$GL_CALLGRIND" = 1 ] && row "$GL: instructions (callgrind, N = $GL_N)" \
        "${CG_GL[none]}" "${CG_GL[prerender]}" "${CG_GL[rerender]}" "${CG_GL[kabar]}"
    row "text draw calls (p50 / max)" "${DC_TEXT[none]:-}" "${DC_TEXT[prerender]:-}" \
        "${DC_TEXT[rerender]:-}" "${DC_TEXT[kabar]:-}"
    row "all draw calls (p50 / max)" "${DC_ALL[none]:-}" "${DC_ALL[prerender]:-}" \
        "${DC_ALL[rerender]:-}" "text + bar (+ clear on $GL)"
    row "texture bytes uploaded (max)" "${UP_MAX[none]:-}" "${UP_MAX[prerender]:-}" \
        "${UP_MAX[rerender]:-}" "${UP_MAX[kabar]:-}"
    row "texture bytes uploaded (mean)" "${UP_MEAN[none]:-}" "${UP_MEAN[prerender]:-}" \
        "${UP_MEAN[rerender]:-}" "not reported"
    row "steady frames counted for calls and uploads" "${STEADY[none]:-}" \
        "${STEADY[prerender]:-}" "${STEADY[rerender]:-}" "${STEADY[kabar]:-}"
    row "$GL run: frames presented / dropped" "${GL_FRAMES[none]:-}" \
        "${GL_FRAMES[prerender]:-}" "${GL_FRAMES[rerender]:-}" "${GL_FRAMES[kabar]:-}"
    row "$GL: Xvfb's own CPU, % (not counted above)" "${XCPU[none]:-}" "${XCPU[prerender]:-}" \
        "${XCPU[rerender]:-}" "${XCPU[kabar]:-}"
    row "$GL: other processes' CPU in the window, %" "${OTHERS[none]:-}" \
        "${OTHERS[prerender]:-}" "${OTHERS[rerender]:-}" "${OTHERS[kabar]:-}"
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
    echo "Steady state: once the crawl has come round to a headline it showed before. The"
    echo "SDL2_ttf tickers clear the screen and fill the bar every frame besides their text."
    echo "kabar's draw calls are its crawl's (one SDL_RenderGeometry per atlas page in view,"
    echo "and its separators); it also fills the bar, and clears the screen only where the"
    echo "renderer does not keep its buffer ($GL: every frame; software: never), so the floor"
    echo "is its floor on $GL only. The targets are on the totals; the column above the"
    echo "floor helps read them. With other processes busy in the window, CPU figures rise:"
    echo "run again with BENCH_GL_RUNS=3 on a quiet machine."
    [ $have_kabar = 1 ] || echo "kabar was not built, so its column is empty."
} >"$RESULTS"

numbers() { # NAME ASSOC: "NAME": the four programs' numbers
    local -n a=$2
    local p out="" v
    for p in "${PROGRAMS[@]}"; do
        v=${a[$p]:-}
        out+="${out:+,}\"$p\":${v:-null}"
    done
    echo "\"$1\":{$out}"
}
docs() { # NAME ASSOC: "NAME": the four programs' stats, without kabar's `shown` list
    local -n a=$2
    local p out="" f v
    for p in "${PROGRAMS[@]}"; do
        f=${a[$p]:-}
        v=null
        [ -n "$f" ] && [ -s "$f" ] && v=$(jq -c 'del(.shown)' "$f" 2>/dev/null || echo null)
        out+="${out:+,}\"$p\":$v"
    done
    echo "\"$1\":{$out}"
}
{
    echo "{\"date\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"cores\":$(nproc),"
    echo "\"frames_n\":$N,\"gl_frames_n\":$GL_N,\"stats_frames\":$STATS_FRAMES,"
    echo "\"gl_renderer\":\"${GL_USED}\","
    echo "\"warmup_s\":$WARMUP,\"window_s\":$WINDOW,\"gl_runs\":$GL_RUNS,"
    echo "$(numbers instructions_per_frame PER_FRAME),"
    echo "$(numbers gl_instructions_per_frame GL_PER_FRAME),"
    echo "$(numbers gl_cpu_percent CPU),"
    echo "$(numbers xvfb_cpu_percent XCPU),"
    echo "$(numbers others_cpu_percent OTHERS),"
    echo "$(docs stats STATS),"
    echo "$(docs gl_stats GL_STATS)}"
} | jq . >"$BUILD/bench-results.json"

cat "$RESULTS"
echo
echo "(also in $RESULTS and $BUILD/bench-results.json)"
exit 0
