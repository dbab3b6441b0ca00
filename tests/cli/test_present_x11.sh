#!/usr/bin/env bash
# tests/app/test_present.c again, in a real X11 window under Xvfb: the
# software renderer on the X server's own window surface (XShm), resizes
# and exposes coming from the server, and the X server's framebuffer
# compared with what was drawn. Skipped (77) without Xvfb.
# usage: test_present_x11.sh KABAR SOURCE_DIR BUILD_DIR
set -u
BUILD=$3
TEST=$BUILD/tests/app_test_present
if ! command -v Xvfb >/dev/null; then
    echo "SKIP: Xvfb is not installed (scripts/install-deps.sh installs it)"
    exit 77
fi
if [ ! -x "$TEST" ]; then
    echo "SKIP: $TEST is not built"
    exit 77
fi
LOG=$(mktemp)
SUPP=$(mktemp)
FBDIR=$(mktemp -d)
XVFB_PID=
cleanup() {
    [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
    rm -rf "$LOG" "$SUPP" "$FBDIR"
}
trap cleanup EXIT
for d in $(seq 170 230); do
    { [ -e "/tmp/.X$d-lock" ] || [ -e "/tmp/.X11-unix/X$d" ]; } && continue
    # -fbdir: the screen is also a file, what the X server really shows,
    # which the test compares with what kabar drew.
    Xvfb ":$d" -screen 0 1280x720x24 -nolisten tcp -fbdir "$FBDIR" >"$LOG" 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 50); do
        [ -e "/tmp/.X11-unix/X$d" ] && break
        sleep 0.1
    done
    if [ -e "/tmp/.X11-unix/X$d" ] && kill -0 "$XVFB_PID" 2>/dev/null; then
        export DISPLAY=":$d"
        break
    fi
    kill "$XVFB_PID" 2>/dev/null
    wait "$XVFB_PID" 2>/dev/null
    XVFB_PID=
done
if [ -z "$XVFB_PID" ]; then
    echo "SKIP: cannot start Xvfb: $(tail -n 3 "$LOG")"
    exit 77
fi
# SDL's X11 start-up leaves libdbus's connection allocated at exit; the
# dummy-driver run of the same test checks kabar's own leaks.
printf 'leak:libdbus-1.so\n' >"$SUPP"
export LSAN_OPTIONS=suppressions=$SUPP
cd "$BUILD" || exit 1
SDL_VIDEODRIVER=x11 KB_TEST_PRESENT_WINDOW=1 KB_TEST_XVFB_SCREEN=$FBDIR/Xvfb_screen0 timeout 300 "$TEST"
