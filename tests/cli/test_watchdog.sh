#!/usr/bin/env bash
# The systemd contract the kiosk unit (boards/systemd/kabar.service) relies
# on: READY=1 once the first frame is presented, WATCHDOG=1 about once a
# second from the render loop while it runs, no WATCHDOG=1 while the loop
# cannot run (SIGSTOP stands in for a hung driver), and exit status 0 on
# SIGTERM. A small listener on a unix datagram socket plays systemd.
# Exit status 77 (ctest: skipped, with the reason printed) when the run
# cannot be watched at all because it does not follow the real clock.
set -u
kabar=$1 src=$2 build=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$kabar" "$tmp" <<'PY'
import os, signal, socket, subprocess, sys, time

kabar, tmp = sys.argv[1], sys.argv[2]
path = os.path.join(tmp, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
fails = passes = 0

def check(name, ok, detail=""):
    global fails, passes
    if ok:
        passes += 1
    else:
        fails += 1
        print(f"FAIL: {name} {detail}".rstrip())

def messages(seconds):
    """Every notification (one line each) received in the next `seconds`."""
    got, end = [], time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            data = sock.recv(4096)
        except socket.timeout:
            break
        got += [(time.monotonic(), l) for l in data.decode().splitlines() if l]
    return got

env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="4000000",
           SDL_VIDEODRIVER="dummy")
# --seconds is only a bound: the test ends the run with SIGTERM. Slow
# machines (and qemu-user in a cross build) get a minute to the first frame.
proc = subprocess.Popen([kabar, "run", "--headless", "--size", "640x360", "--seconds", "120",
                         "--log-level", "warning"],
                        env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "err"), "w"))
t_start = time.monotonic()
try:
    deadline = time.monotonic() + 60
    ready = None
    while ready is None and time.monotonic() < deadline and proc.poll() is None:
        for t, line in messages(0.5):
            if line == "READY=1":
                ready = t
    check("READY=1 arrives", ready is not None)

    # Running: a WATCHDOG=1 at least every 2 s (kabar pings once a second).
    run = [t for t, l in messages(5) if l == "WATCHDOG=1"]
    if proc.poll() == 0:
        # A 120 s run that is already over: the loop did not follow the real
        # clock, so there is no running loop to watch. Say so, loudly.
        print(f"SKIP: kabar run --headless --seconds 120 ended by itself after "
              f"{time.monotonic() - t_start:.1f} s: the headless real clock is not paced "
              f"(the renderer reports vsync it cannot wait for), so the watchdog cannot be tested")
        sys.exit(77)
    check("WATCHDOG=1 keeps arriving", len(run) >= 3, f"({len(run)} in 5 s)")
    gaps = [b - a for a, b in zip(run, run[1:])]
    check("no gap over 2 s while running", all(g < 2.0 for g in gaps), f"(gaps {gaps})")

    # Stopped: nothing, as a hung render loop would send nothing.
    proc.send_signal(signal.SIGSTOP)
    messages(0.3)  # what was in flight when it stopped
    stopped = [l for _, l in messages(3)]
    check("no notification while stopped", stopped == [], f"(got {stopped})")

    # Going again: pings resume, then SIGTERM ends it cleanly.
    proc.send_signal(signal.SIGCONT)
    resumed = [l for _, l in messages(3) if l == "WATCHDOG=1"]
    check("WATCHDOG=1 resumes after SIGCONT", len(resumed) >= 1)
    proc.send_signal(signal.SIGTERM)
    try:
        status = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        status = "still running 30 s after SIGTERM"
    check("exit status 0 on SIGTERM", status == 0, f"(status {status})")
finally:
    if proc.poll() is None:
        proc.send_signal(signal.SIGCONT)
        proc.kill()
        proc.wait()
if fails:
    sys.stderr.write(open(os.path.join(tmp, "err")).read())
print(f"{passes} passed, {fails} failed")
sys.exit(1 if fails else 0)
PY
