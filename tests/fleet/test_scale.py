#!/usr/bin/env python3
"""The fleet's promises at scale, against a real mosquitto on 127.0.0.1
(boards/mosquitto/kabar.conf over mosquitto's defaults, or the defaults
alone where said) and the built `kabar mqtt` bridges:

- 1,500 and 5,000 retained items reach 3 bridges whole; under mosquitto's
  defaults, 1,500 items listed in the publishers' index reach 3 bridges
  whole;
- a bridge away while one item gets 1,100 updates, 10 items are retracted
  and 1,200 are new comes back with the latest version, without the 10 and
  with the 1,200 (with kabar.conf and under mosquitto's defaults);
- an item published with an expiry is gone from the broker after it;
- reconciliation removes from a mixed spool only the items the bridge
  wrote, never a file another producer put there;
- 10,000 bad 1 MB payloads on distinct ids leave rejected/ within its bound.

usage: test_scale.py KABAR SOURCE_DIR [SCENARIO...]
Exits 77 (skipped) without /usr/sbin/mosquitto or `kabar mqtt`. Every wait
is bounded, and a wait stops early once nothing has moved for a while, so a
failing run ends in about the time a passing one takes."""

import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleetlib  # noqa: E402
from fleetlib import Bridge, Broker, Mqtt, dir_usage, item, last_status, retained, wait_until  # noqa: E402

# What rejected/ may hold (docs/fleet.md, "Rejected payloads"): files (a
# payload and its .error.txt are two) and bytes.
REJECTED_MAX_FILES = 2000
REJECTED_MAX_BYTES = 64 << 20
REJECTED_KEEP_BYTES = 64 << 10

failures = []


def check(name, ok, detail=""):
    print(("PASS: " if ok else "FAIL: ") + name + (f" ({detail})" if detail else ""), flush=True)
    if not ok:
        failures.append(name)
    return ok


def wait_progress(target_met, progress, stall_s=15, limit_s=240):
    """Waits until target_met(); gives up after limit_s, or once progress()
    has not changed for stall_s seconds."""
    deadline = time.monotonic() + limit_s
    last, moved = progress(), time.monotonic()
    while not target_met():
        now = time.monotonic()
        if now >= deadline or now - moved >= stall_s:
            return False
        time.sleep(0.2)
        p = progress()
        if p != last:
            last, moved = p, time.monotonic()
    return True


def publish_items(port, group, ids, text=lambda i: f"Item {i}", index=()):
    """Publishes ids retained; with index, the group's index listing those
    ids first (as `kabar post --mqtt` keeps it)."""
    c = Mqtt(port)
    if index:
        fleetlib.publish_index(c, group, index)
    want = {}
    for i in ids:
        payload = item(i, text(i))
        c.publish(f"kabar/{group}/items/{i}", payload)
        want[i] = payload
    c.flush()
    c.close()
    return want


def whole(ctx, broker, n):
    group = f"whole{n}"
    want = publish_items(broker.port, group, [f"w{n}-{i:05d}" for i in range(n)])
    bridges = [Bridge(ctx.kabar, broker.port, group, os.path.join(ctx.tmp, f"{group}-s{k}"),
                      f"s{k}", os.path.join(ctx.tmp, f"{group}-s{k}.log")) for k in range(3)]
    t0 = time.monotonic()
    for b in bridges:
        b.start()
    wait_progress(lambda: all(b.count() >= n for b in bridges),
                  lambda: tuple(b.count() for b in bridges))
    took = time.monotonic() - t0
    counts = [b.count() for b in bridges]
    for b in bridges:
        b.stop()
    same = all(b.items() == want for b in bridges)
    check(f"{n} retained items reach 3 bridges whole", counts == [n] * 3 and same,
          f"files: {counts}, {took:.1f} s")


def away(ctx, broker, label):
    """A bridge killed; meanwhile one item gets 1,100 updates, 10 items are
    retracted (by `kabar post --mqtt --retract`, which keeps the index) and
    1,200 new ones are posted: on return it has the latest versions, none
    of the 10 and all the new ones, whatever the broker's queue limits."""
    group = f"away{label}"
    spool = os.path.join(ctx.tmp, f"{group}-spool")
    ids = [f"a-{i:02d}" for i in range(30)]
    fresh = [f"n-{i:04d}" for i in range(1200)]
    publish_items(broker.port, group, ids + ["hot"], lambda i: f"{i} version 0",
                  index=ids + ["hot"])
    b = Bridge(ctx.kabar, broker.port, group, spool, "lobby", os.path.join(ctx.tmp, f"{group}.log"))
    b.start()
    if not check(f"{label}: the bridge gets the 31 items first",
                 wait_until(30, lambda: b.count() == 31)):
        b.stop()
        return
    b.stop(signal.SIGKILL)
    c = Mqtt(broker.port)
    for v in range(1, 1101):
        c.publish(f"kabar/{group}/items/hot", item("hot", f"hot version {v}"))
    c.flush()
    c.close()
    env = dict(os.environ, KABAR_CONFIG="")
    for i in ids[:10]:
        subprocess.run([ctx.kabar, "post", "--mqtt", "127.0.0.1", "--port", str(broker.port),
                        "--group", group, "--retract", i], check=True, capture_output=True, env=env)
    want_new = publish_items(broker.port, group, fresh, index=ids[10:] + ["hot"] + fresh)
    b.start()
    latest = item("hot", "hot version 1100")

    def done():
        have = b.items()
        return (have.get("hot") == latest and not any(i in have for i in ids[:10])
                and all(have.get(k) == v for k, v in want_new.items()))

    ok = wait_until(60, done, 0.3)
    have = b.items()
    b.stop()
    check(f"{label}: a bridge away while 1,100 updates, 10 retractions and 1,200 new items were "
          "published returns with the latest version, without the 10 and with the 1,200",
          ok and all(i in have for i in ids[10:]),
          f"hot: {have.get('hot', b'missing')[:60]!r}, retracted still there: "
          f"{sorted(i for i in ids[:10] if i in have)}, kept: {sum(i in have for i in ids[10:])}/20, "
          f"new: {sum(have.get(k) == v for k, v in want_new.items())}/1200")


def expiry(ctx, broker):
    group = "exp"
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=4)
    stamp = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    r = subprocess.run([ctx.kabar, "post", "--mqtt", "127.0.0.1", "--port", str(broker.port),
                        "--group", group, "--id", "exp-1", "--lang", "en", "--expires", stamp,
                        "Gone in four seconds"], capture_output=True, text=True,
                       env=dict(os.environ, KABAR_CONFIG=""))
    if not check("kabar post --mqtt with --expires publishes", r.returncode == 0, r.stderr.strip()):
        return
    topic = f"kabar/{group}/items/exp-1"
    check("a fresh subscriber gets the item before it expires", topic in retained(broker.port, topic))
    time.sleep(max(0.0, (soon - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 1.5)
    check("an item published with an expiry is gone from the broker after it",
          topic not in retained(broker.port, topic))


def mixed(ctx):
    """A broker that loses everything (no persistence) while the bridge is
    away: on return, the items the bridge wrote and the broker no longer has
    leave; the feed's files, and a file another producer rewrote, stay."""
    broker = Broker(ctx.tmp, "mixed-broker", ctx.src, extra=["persistence false"])
    broker.start()
    group = "mix"
    spool = os.path.join(ctx.tmp, "mix-spool")
    os.makedirs(spool)
    mqtt_ids = [f"mix-{i}" for i in range(10)]
    publish_items(broker.port, group, mqtt_ids)
    b = Bridge(ctx.kabar, broker.port, group, spool, "lobby", os.path.join(ctx.tmp, "mix.log"))
    b.start()
    ok = check("mixed: the bridge gets its 10 items", wait_until(30, lambda: b.count() == 10))
    b.stop()
    env = dict(os.environ, KABAR_CONFIG="")
    for i in range(5):
        subprocess.run([ctx.kabar, "post", "--spool", spool, "--id", f"feed-{i}", "--lang", "en",
                        f"From the feed {i}"], check=True, capture_output=True, env=env)
    # Another producer takes over mix-9's file.
    subprocess.run([ctx.kabar, "post", "--spool", spool, "--id", "mix-9", "--lang", "en",
                    "mix-9 rewritten by the feed"], check=True, capture_output=True, env=env)
    before = {k: v for k, v in b.items().items() if not k.startswith("mix-") or k == "mix-9"}
    broker.stop()
    broker.start()  # empty: no persistence
    publish_items(broker.port, group, mqtt_ids[:5])
    b.start()
    want = set(mqtt_ids[:5]) | set(before)
    wait_until(20, lambda: set(b.items()) == want)
    have = b.items()
    b.stop()
    broker.stop()
    check("mixed: reconciliation removes only the MQTT items the broker no longer has",
          ok and set(have) == want,
          f"left over: {sorted(set(have) - want)}, missing: {sorted(want - set(have))}")
    check("mixed: the other producers' files are untouched",
          all(have.get(k) == v for k, v in before.items()))


def defaults(ctx):
    """Under mosquitto's default queue (1,000 + 100 in flight), 1,500
    retained items cannot reach a screen in one subscription. With the
    publishers' index, every bridge fetches the rest by their topics and
    holds all 1,500; without it (items from other tools, plain retained
    publishes), a bridge gets what the queue holds and its status says the
    set is incomplete."""
    broker = Broker(ctx.tmp, "defaults-broker", ctx.src, tuned=False)
    broker.start()
    ids = [f"d-{i:05d}" for i in range(1500)]
    want = publish_items(broker.port, "dflt", ids, index=ids)
    bridges = [Bridge(ctx.kabar, broker.port, "dflt", os.path.join(ctx.tmp, f"dflt-s{k}"), f"s{k}",
                      os.path.join(ctx.tmp, f"dflt-s{k}.log")) for k in range(3)]
    t0 = time.monotonic()
    for b in bridges:
        b.start()
    wait_progress(lambda: all(b.count() >= 1500 for b in bridges),
                  lambda: tuple(b.count() for b in bridges), stall_s=20)
    took = time.monotonic() - t0
    counts = [b.count() for b in bridges]
    same = all(b.items() == want for b in bridges)

    def states():
        return [last_status(broker.port, "dflt", f"s{k}").get("bridge", {}).get("sync")
                for k in range(3)]

    wait_until(10, lambda: states() == ["fetched"] * 3, 0.5)
    said = states()
    for b in bridges:
        b.stop()
    check("under mosquitto's defaults, 1,500 indexed retained items reach 3 bridges whole",
          counts == [1500] * 3 and same, f"files: {counts}, {took:.1f} s")
    check("their status says the set was fetched", said == ["fetched"] * 3, f"{said}")

    publish_items(broker.port, "plain", [f"p-{i:05d}" for i in range(1500)])
    b = Bridge(ctx.kabar, broker.port, "plain", os.path.join(ctx.tmp, "plain-spool"), "lobby",
               os.path.join(ctx.tmp, "plain.log"))
    b.start()
    wait_progress(lambda: b.count() >= 1500, b.count, stall_s=8)

    def told():
        s = last_status(broker.port, "plain", "lobby")
        return s.get("bridge", {}).get("sync") == "incomplete"

    said = b.count() >= 1500 or wait_until(20, told, 0.5)
    n = b.count()
    b.stop()
    broker.stop()
    check("without the index, 1,500 retained items arrive whole or the status says the set is "
          "incomplete", said, f"{n} files")


def bad_payloads(ctx, broker, count=10000):
    group = "bad"
    spool = os.path.join(ctx.tmp, "bad-spool")
    rdir = os.path.join(spool, "rejected")
    b = Bridge(ctx.kabar, broker.port, group, spool, "lobby", os.path.join(ctx.tmp, "bad.log"),
               extra=["--log-level", "error"])
    b.start()
    wait_until(20, lambda: last_status(broker.port, group, "lobby").get("state") == "online", 0.3)
    # Refused at its first bytes (a byte order mark), so the run measures
    # rejected/, not the validator: 10 GB pass through the broker anyway.
    payload = b"\xef\xbb\xbf" + b"x" * 999_997
    c = Mqtt(broker.port, window=50)
    c.subscribe(f"kabar/{group}/status/lobby", 0.2)
    peak = (0, 0)
    received = 0
    t0 = time.monotonic()
    overflow = False
    for i in range(count):
        # Not retained: the broker must not keep 10 GB. Paced by what the
        # bridge says it received, so the broker's queue stays small.
        c.publish(f"kabar/{group}/items/bad-{i:05d}", payload, retain=False)
        while i + 1 - received > 200:
            c.pump(0.05)
            for _, p, _ in c.messages:
                try:
                    received = max(received, fleetlib.json.loads(p)["bridge"]["received"])
                except (ValueError, KeyError, TypeError):
                    pass
            c.messages.clear()
            if b.proc.poll() is not None:
                break
        if i % 250 == 0:
            usage = dir_usage(rdir)
            peak = max(peak, usage, key=lambda u: u[1])
            if usage[1] > 4 * REJECTED_MAX_BYTES:
                overflow = True  # unbounded: stop before filling the disk
                break
        if b.proc.poll() is not None:
            break
    c.flush()
    wait_until(60, lambda: last_status(broker.port, group, "lobby").get("bridge", {})
               .get("received", 0) >= (i + 1), 0.5)
    took = time.monotonic() - t0
    usage = dir_usage(rdir)
    peak = max(peak, usage, key=lambda u: u[1])
    status = last_status(broker.port, group, "lobby").get("bridge", {})
    alive = b.proc.poll() is None
    b.stop()
    check(f"{i + 1} bad 1 MB payloads on distinct ids leave rejected/ within its bound",
          alive and not overflow and i + 1 == count and peak[0] <= REJECTED_MAX_FILES
          and peak[1] <= REJECTED_MAX_BYTES,
          f"peak {peak[0]} files, {peak[1] >> 20} MiB; received {status.get('received')}, "
          f"{took:.0f} s" + ("; stopped early: rejected/ grew past 4x the bound" if overflow else ""))
    kept = [os.path.join(rdir, n) for n in os.listdir(rdir) if not n.endswith(".error.txt")] \
        if os.path.isdir(rdir) else []
    check("a rejected payload keeps at most its first 64 KiB",
          bool(kept) and all(os.path.getsize(p) <= REJECTED_KEEP_BYTES for p in kept[:50]))
    shutil.rmtree(rdir, ignore_errors=True)


class Ctx:
    pass


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ctx = Ctx()
    ctx.kabar, ctx.src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    only = set(sys.argv[3:])
    if not os.access(fleetlib.BROKER, os.X_OK):
        print(f"skipped: {fleetlib.BROKER} not installed")
        sys.exit(77)
    if subprocess.run([ctx.kabar, "mqtt", "--help"], capture_output=True).returncode != 0:
        print("skipped: this kabar has no mqtt command")
        sys.exit(77)
    fleetlib.stop_all_on_signals()
    ctx.tmp = fleetlib.scratch_dir("kabar-scale-")
    broker = Broker(ctx.tmp, "broker", ctx.src)
    scenarios = [
        ("whole", lambda: (whole(ctx, broker, 1500), whole(ctx, broker, 5000))),
        ("away", lambda: away(ctx, broker, "tuned")),
        ("away-defaults", lambda: away_defaults(ctx)),
        ("expiry", lambda: expiry(ctx, broker)),
        ("mixed", lambda: mixed(ctx)),
        ("defaults", lambda: defaults(ctx)),
        ("bad", lambda: bad_payloads(ctx, broker,
                                     int(os.environ.get("KABAR_SCALE_BAD_PAYLOADS", "10000")))),
    ]
    t0 = time.monotonic()
    try:
        broker.start()
        for name, run in scenarios:
            if not only or name in only:
                t = time.monotonic()
                run()
                print(f"  [{name}: {time.monotonic() - t:.1f} s]", flush=True)
    finally:
        broker.stop()
        if "Outgoing messages are being dropped" in broker.log():
            print("  (the tuned broker logged dropped messages)")
        if failures and os.environ.get("KABAR_KEEP_TMP"):
            print(f"  kept {ctx.tmp}")
        else:
            shutil.rmtree(ctx.tmp, ignore_errors=True)
    print(f"{len(failures)} failed, {time.monotonic() - t0:.0f} s")
    sys.exit(1 if failures else 0)


def away_defaults(ctx):
    broker = Broker(ctx.tmp, "away-defaults-broker", ctx.src, tuned=False)
    broker.start()
    try:
        away(ctx, broker, "defaults")
    finally:
        broker.stop()


if __name__ == "__main__":
    main()
