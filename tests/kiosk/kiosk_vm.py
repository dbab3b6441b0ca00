#!/usr/bin/env python3
"""make kiosk-vm: boots kabar's appliance image under QEMU and judges it by
its pixels (docs/kiosk.md, "What the VM proves").

  kiosk_vm.py --arch amd64 --image build-appliance/vm-amd64.img --out DIR \
      [--power-cuts N] [--only NAME,...]

Checks, in order: boot (kabar active as user kabar on KMSDRM, READY), crawl
(two frames a second apart differ, label/crawl/clock show ink), spool (an
item on screen within 2 s, a retraction, a bad file in rejected/), watchdog
(SIGSTOP: a restart within 30 s), reload (kabar.conf from the boot partition,
no blank frame), schedule (a window excluding now is black, SIGHUP with one
including now crawls), power cuts. Prints timings, keeps frames as PNG in
DIR, exits 1 if any check failed.
"""

import argparse
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vm as V  # noqa: E402

SPOOL = "/var/spool/kabar"
results = []


def log(msg):
    print(f"kiosk-vm: {msg}", flush=True)


def check(name, ok, detail):
    results.append((name, ok, detail))
    log(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")
    return ok


def main_pid(m):
    _, out, _ = m.sh("systemctl show kabar -p MainPID -p ActiveState -p NRestarts")
    props = dict(line.split("=", 1) for line in out.split())
    return int(props["MainPID"]), props["ActiveState"], int(props["NRestarts"])


def wait_active(m, timeout, not_pid=0):
    """Waits for kabar to be active (Type=notify: READY sent) with a main
    process other than not_pid; returns (pid, seconds waited)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            pid, state, _ = main_pid(m)
        except V.Error:
            pid, state = 0, ""
        if state == "active" and pid not in (0, not_pid):
            return pid, time.monotonic() - t0
        time.sleep(0.25)
    raise V.Error(f"kabar not active after {timeout} s")


def frames(m, out, name, n=2, gap=1.0):
    got = []
    for i in range(n):
        if i:
            time.sleep(gap)
        got.append(m.screendump(os.path.join(out, f"{name}-{i}.png")))
    return got


def crawling(m, out, name, within=15.0):
    """Two frames a second apart: the bar drawn with ink in the label, the
    crawl and the clock, and the crawl moved. Tried again for `within`
    seconds: after a start the crawl enters from the edge."""
    end = time.monotonic() + within
    while True:
        a, b = frames(m, out, name)
        ra, rb = V.bar_report(a), V.bar_report(b)
        moved = V.frames_differ(a, b)
        ok = V.bar_shows(ra) and V.bar_shows(rb) and moved > 50
        if ok or time.monotonic() > end:
            break
    return ok, f"ink label/crawl/clock {ra['label']}/{ra['crawl']}/{ra['clock']}, " \
               f"bar vs screen {ra['bar_vs_screen']}, {moved} crawl pixels moved"


def item_json(item_id, text, priority="normal"):
    return json.dumps({"id": item_id, "lang": "en", "text": text, "priority": priority})


def post(m, name, body):
    """Writes a spool file as producers must: a hidden temp name, then rename."""
    m.sh(f"cat > {SPOOL}/.{name}.tmp && mv {SPOOL}/.{name}.tmp {SPOOL}/{name}",
         stdin=body.encode())


def breaking_bar(frame):
    """The breaking style: the bar turns red, and for its first 1.2 s flashes
    between red and a lighter red every 0.2 s (breaking_flash). Both count:
    the VM draws a few frames a second (llvmpipe under emulation), which can
    fall on the lighter phase for the whole flash."""
    px = V.region(frame, 0.2, 0.8, 0.92, 0.99)
    red = sum(1 for r, g, b in px if r > 140 and r > g + 60 and r > b + 40)
    return red > len(px) // 2


def check_boot(m, out):
    pid, _ = wait_active(m, 120)
    ready = time.monotonic() - m.started
    _, owner, _ = m.sh(f"stat -c %U /proc/{pid}")
    _, fds, _ = m.sh(f"ls -l /proc/{pid}/fd | grep -o '/dev/dri/card[0-9]*' | sort -u")
    _, jl, _ = m.sh("journalctl -b -u kabar -o cat | grep -m1 'renderer'", check=False)
    _, ro, _ = m.sh("findmnt -no OPTIONS /")
    ok = owner.strip() == "kabar" and "/dev/dri/card" in fds and ro.startswith("ro")
    check("boot", ok, f"READY {ready:.1f} s after QEMU started; user {owner.strip()}; "
          f"{fds.strip() or 'no DRM card open'}; root {ro.split(',')[0]}; log: {jl.strip()}")
    return pid


DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets", "demo-spool")
SEED = ["11-hujan-jakarta-en", "15-hujan-jakarta-ar", "41-momiji-kyoto-ja",
        "43-hanpa-jueuibo-ko", "52-akat-nao-th", "60-geshem-he", "62-sneg-moskva-ru"]


def seed(m):
    """Headlines in seven scripts from the demo spool, posted as a producer
    would, so the crawl has text to show."""
    for name in SEED:
        with open(os.path.join(DEMO, name + ".json")) as f:
            post(m, name + ".json", f.read())
    time.sleep(3)


def seed_pictures(m):
    """The pictures those headlines name, into images/ as SPOOL-FORMAT asks
    of producers (a hidden temp name, then rename): the story slides show
    them from the next slide on. Posted after the timed spool check: a
    picture on the panel costs the emulated GPU (llvmpipe under TCG) frames,
    and a breaking item then took 1.9 s to reach the screen instead of 0.6."""
    m.sh(f"mkdir -p {SPOOL}/images")
    for name in SEED:
        with open(os.path.join(DEMO, name + ".json")) as f:
            pic = json.load(f).get("image")
        if pic:
            with open(os.path.join(DEMO, "images", pic), "rb") as f:
                m.sh(f"cat > {SPOOL}/images/.{pic}.tmp && mv {SPOOL}/images/.{pic}.tmp "
                     f"{SPOOL}/images/{pic}", stdin=f.read())


def spool_round(m, out):
    """A breaking item posted, then deleted: (seconds to the screen, the
    agent's part of it, seconds off the screen), None for not seen in 5 s."""
    t0 = time.monotonic()
    post(m, "vm-breaking.json", item_json("vm-breaking", "BREAKING: written by the VM check",
                                          "breaking"))
    # Counted from before the write: the guest agent's round trip (a shell
    # started in the guest, the write, the rename) is in the figure.
    trip = time.monotonic() - t0
    shown = None
    while time.monotonic() - t0 < 5:
        f = m.screendump(None)
        if breaking_bar(f):
            shown = time.monotonic() - t0
            V.write_png(os.path.join(out, "spool-breaking.png"), *f)
            break
    t0 = time.monotonic()
    m.sh(f"rm -f {SPOOL}/vm-breaking.json")
    gone = None
    while time.monotonic() - t0 < 5:
        if not breaking_bar(m.screendump(None)):
            gone = time.monotonic() - t0
            break
    return shown, trip, gone


def check_spool(m, out):
    # Real time on a shared machine: a round over the 2 s goal is printed
    # and run once more, as the live wall test does; two fail the check.
    shown, trip, gone = spool_round(m, out)
    if not (shown is not None and shown <= 2.0 and gone is not None and gone <= 2.0):
        log(f"spool: first round {shown} s on, {gone} s off (goal 2 s); once more")
        time.sleep(2)
        shown, trip, gone = spool_round(m, out)
    check("spool: item on screen", shown is not None and shown <= 2.0,
          f"breaking item on screen {shown:.2f} s after the write began (the agent's write and "
          f"rename took {trip:.2f} s of it)" if shown else "not seen in 5 s")
    check("spool: retraction", gone is not None and gone <= 2.0,
          f"off the screen {gone:.2f} s after rm" if gone else "still shown after 5 s")
    post(m, "vm-bad.json", '{"id": "vm-bad", "lang": "en", "text": ')
    t0 = time.monotonic()
    where = ""
    while time.monotonic() - t0 < 15:
        _, where, _ = m.sh(f"ls {SPOOL}/rejected/ 2>/dev/null | grep vm-bad || true")
        if "vm-bad.json" in where:
            break
        time.sleep(0.5)
    check("spool: bad file rejected", "vm-bad.json" in where,
          f"in rejected/ after {time.monotonic() - t0:.1f} s: {' '.join(where.split())}")
    seed_pictures(m)


def check_watchdog(m, out):
    pid, _, restarts = main_pid(m)
    m.sh(f"kill -STOP {pid}")
    t0 = time.monotonic()
    new, waited = wait_active(m, 45, not_pid=pid)
    ok, detail = crawling(m, out, "watchdog")
    check("watchdog", ok and waited < 30,
          f"SIGSTOP pid {pid}: active again as pid {new} after {waited:.1f} s; {detail}")


def boot_conf_edit(m, sed):
    m.sh(f"mount -o remount,rw /boot/firmware && sed -i '{sed}' /boot/firmware/kabar.conf && "
         "sync && mount -o remount,ro /boot/firmware")


def check_reload(m, out):
    pid, _, _ = main_pid(m)
    before = m.screendump(os.path.join(out, "reload-before.png"))
    boot_conf_edit(m, "s/^;label = NEWS/label = LOBBY/")
    m.sh("systemctl reload kabar")
    t0, worst, n, blank = time.monotonic(), None, 0, 0
    while time.monotonic() - t0 < 3:
        f = m.screendump(None)
        n += 1
        rep = V.bar_report(f)
        if not (rep["bar_vs_screen"] > 10 and rep["label"] > 20):
            blank += 1
            worst = f
    after = m.screendump(os.path.join(out, "reload-after.png"))
    if worst:
        V.write_png(os.path.join(out, "reload-blank.png"), *worst)
    label_changed = V.ink(V.region(before, 0, 0.16, 0.9, 1.0)) != V.ink(
        V.region(after, 0, 0.16, 0.9, 1.0))
    _, jl, _ = m.sh("journalctl -b -u kabar -o cat | tail -n 20 | grep -i -m1 'config' || true")
    pid2, _, _ = main_pid(m)
    check("reload", blank == 0 and label_changed and pid2 == pid,
          f"{n} frames in 3 s after systemctl reload, {blank} without the bar; label changed: "
          f"{label_changed}; same process: {pid2 == pid}; log: {jl.strip()}")


def check_schedule(m, out):
    """display_schedule: a window that excludes now gives a black screen, one
    that includes it brings the crawl back, both by SIGHUP."""
    _, now, _ = m.sh("date +%a")
    day = now.strip()
    other = "Sun" if day != "Sun" else "Mon"
    boot_conf_edit(m, f"/^\\[screen\\]/a display_schedule = {other} 03:00-03:01")
    m.sh("systemctl reload kabar")
    time.sleep(3)
    dark = m.screendump(os.path.join(out, "schedule-off.png"))
    pid, state, _ = main_pid(m)
    ok1 = V.black(dark) and state == "active"
    boot_conf_edit(m, f"s/^display_schedule = .*/display_schedule = {day} 00:00-23:59/")
    m.sh("systemctl reload kabar")
    time.sleep(3)
    ok2, detail = crawling(m, out, "schedule-on")
    boot_conf_edit(m, "/^display_schedule = /d")
    m.sh("systemctl reload kabar")
    check("schedule", ok1 and ok2, f"outside the window: black {V.black(dark)} (display off "
          f"through DPMS: {V.display_off(dark)}), kabar {state}; "
          f"inside again: {detail}")


def check_renderers(m, out):
    """The two renderers found drawing nothing or the wrong thing on KMSDRM
    with Mesa's llvmpipe: opengl (kabar must find it blank and fall back)
    and software (must really be software, not SDL's silent opengl)."""
    for driver, want in (("opengl", "falling back to opengles2"),
                         ("software", ", renderer software")):
        boot_conf_edit(m, f"/^\\[screen\\]/a render_driver = {driver}")
        m.sh("systemctl restart kabar")
        t0 = time.monotonic()
        wait_active(m, 120)
        ok, detail = crawling(m, out, f"renderer-{driver}")
        _, jl, _ = m.sh(f"journalctl -b -u kabar -o cat --since=-{int(time.monotonic() - t0) + 5}s "
                        "| grep -E 'renderer|draws nothing' || true")
        boot_conf_edit(m, f"/^render_driver = {driver}/d")
        check(f"renderer {driver}", ok and want in jl,
              f"render_driver = {driver}: {' / '.join(jl.strip().splitlines())}; {detail}")
    m.sh("systemctl restart kabar")
    wait_active(m, 120)


# Power cuts. Each boot gets its own list of operations on ten items (write
# a new version, or retract); the writer in the guest logs each finished
# operation's number, fsynced, on the data partition. After the next boot
# every item must be in the state after the last logged operation or after
# the one in flight, and every file must be one whole version.
WRITER = r"""
set -u
cd /var/spool/kabar
log=/data/cuts/done-$1
pad=$(head -c 3000 /dev/zero | tr '\0' x)
n=0
while read -r op id v; do
  if [ "$op" = w ]; then
    printf '{"id":"%s","lang":"en","priority":"normal","text":"power cut item %s version %s %s"}\n' \
      "$id" "$id" "$v" "$pad" > ".$id.tmp"
    sync ".$id.tmp"; mv ".$id.tmp" "$id.json"
  else
    rm -f "$id.json"
  fi
  n=$((n + 1)); echo "$n" >> "$log"
  sync -f "$log"  # syncfs: the rename or removal and the log line, together
done < /data/cuts/ops-$1
"""


def cut_ops(seed, n=400):
    rng = random.Random(seed)
    return [("r" if rng.random() < 0.3 else "w", f"cut-{rng.randrange(10)}", k)
            for k in range(n)]


def cut_text(item, v):
    return ('{"id":"%s","lang":"en","priority":"normal","text":"power cut item %s version %s '
            % (item, item, v)) + "x" * 3000 + '"}\n'


def states(ops, k, start):
    state = dict(start)
    for op, item, v in ops[:k]:
        state[item] = v if op == "w" else None
    return state


def check_power_cuts(m, out, cuts, make_vm, root_span, root_digest):
    boots, lost, corrupt, crawled, ops_done = 0, 0, 0, 0, 0
    prev_ops, prev_state = None, {}
    times = []
    for cut in range(cuts + 1):
        if cut:
            m = make_vm()
            t0 = time.monotonic()
            m.wait_agent(300)
            try:
                wait_active(m, 240)
                boots += 1
            except V.Error as e:
                log(f"boot {cut}: {e}")
            times.append(time.monotonic() - t0)
            ok, _ = crawling(m, out, f"cut-{cut:02d}")
            crawled += ok
            if not ok:
                log(f"boot {cut}: not crawling (frames kept as cut-{cut:02d}-*.png)")
            _, ro, _ = m.sh("findmnt -no OPTIONS /")
            if not ro.startswith("ro"):
                log(f"boot {cut}: root mounted {ro.strip()}")
        if prev_ops is not None:
            _, done, _ = m.sh(f"cat /data/cuts/done-{cut - 1} 2>/dev/null || true")
            nums = [int(x) for x in done.split() if x.isdigit()]
            k = nums[-1] if nums else 0
            ops_done += k
            log(f"boot {cut}: {k} operations had finished before the cut; checking the spool")
            allowed = [states(prev_ops, k, prev_state), states(prev_ops, k + 1, prev_state)]
            _, listing, _ = m.sh(
                f"cd {SPOOL} && for f in cut-*.json; do [ -e \"$f\" ] && echo \"== $f\" && "
                "cat \"$f\"; done; true")
            _, rejected, _ = m.sh(f"ls {SPOOL}/rejected 2>/dev/null | grep '^cut-' || true")
            actual, bad = {}, len(rejected.split())
            for chunk in listing.split("== ")[1:]:
                name, _, body = chunk.partition("\n")
                item = name[:-len(".json")]
                v = next((v for v in range(len(prev_ops)) if body == cut_text(item, v)), None)
                if v is None:
                    bad += 1
                    actual[item] = "corrupt"
                    log(f"boot {cut}: {name} is no whole version ({len(body)} bytes)")
                else:
                    actual[item] = v
            for item in sorted({f"cut-{i}" for i in range(10)}):
                got = actual.get(item)
                if got != "corrupt" and all(a.get(item) != got for a in allowed):
                    lost += 1
                    log(f"boot {cut}: {item} is {got}, expected {allowed[0].get(item)} "
                        f"or {allowed[1].get(item)} (after operation {k})")
            corrupt += bad
            log(f"boot {cut}: so far boots {boots}/{cut}, crawling {crawled}/{cut}, lost {lost}, "
                f"corrupt {corrupt}")
            prev_state = {i: v for i, v in actual.items() if isinstance(v, int)}
        if cut == cuts:
            break
        # This boot's operations, then a cut at a random moment.
        ops = cut_ops(1000 + cut)
        m.sh(f"mkdir -p /data/cuts && cat > /data/cuts/ops-{cut} && sync /data/cuts/ops-{cut}",
             stdin="".join(f"{o} {i} {v}\n" for o, i, v in ops).encode())
        m.ga("guest-exec", path="/bin/sh", arg=["-c", WRITER, "writer", str(cut)])
        time.sleep(random.uniform(3.0, 10.0))
        m.kill()
        prev_ops = ops
    m.kill()
    now = V.digest(m.image, *root_span)
    untouched = now == root_digest
    check("power cuts", boots == cuts and crawled == cuts and lost == 0 and corrupt == 0
          and untouched,
          f"{cuts} cuts: boots {boots}/{cuts}, crawling {crawled}/{cuts}, lost {lost}, "
          f"corrupt {corrupt} ({ops_done} writes and retractions finished before the cuts); "
          f"root partition {'untouched' if untouched else 'CHANGED'}; "
          f"boot to READY {min(times or [0]):.0f}-{max(times or [0]):.0f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="amd64")
    ap.add_argument("--image", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--power-cuts", type=int, default=20)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    V.which("qemu-system-x86_64" if a.arch == "amd64" else "qemu-system-aarch64", "sfdisk")
    os.makedirs(a.out, exist_ok=True)
    base = os.path.splitext(a.image)[0]
    disk = os.path.join(a.out, "disk.img")
    V.copy_image(a.image, disk)
    with open(base + ".cmdline") as f:
        cmdline = f.read().strip()
    root_span = V.partitions(disk)[1]
    root_digest = V.digest(disk, *root_span)

    def make_vm():
        m = V.VM(a.arch, disk, base + ".vmlinuz", base + ".initrd", cmdline, a.out, log)
        m.start()
        return m

    only = set(a.only.split(",")) if a.only else None
    t_all = time.monotonic()
    m = make_vm()
    try:
        agent = m.wait_agent(180)
        log(f"guest agent answers {agent:.1f} s after QEMU started")
        check_boot(m, out=a.out)
        seed(m)
        ok, detail = crawling(m, a.out, "crawl")
        check("crawl", ok, detail)
        steps = [("spool", check_spool), ("watchdog", check_watchdog),
                 ("reload", check_reload), ("schedule", check_schedule),
                 ("renderers", check_renderers)]
        for name, fn in steps:
            if only is None or name in only:
                t = time.monotonic()
                try:
                    fn(m, a.out)
                except V.Error as e:
                    check(name, False, str(e))
                log(f"{name} took {time.monotonic() - t:.0f} s")
        if a.power_cuts > 0 and (only is None or "cuts" in only):
            t = time.monotonic()
            check_power_cuts(m, a.out, a.power_cuts, make_vm, root_span, root_digest)
            log(f"power cuts took {time.monotonic() - t:.0f} s")
    except V.Error as e:
        check("vm", False, str(e))
    finally:
        V.kill_all()
    failed = [n for n, ok, _ in results if not ok]
    log(f"{len(results) - len(failed)}/{len(results)} checks passed in "
        f"{time.monotonic() - t_all:.0f} s; frames in {a.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
