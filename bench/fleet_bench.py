#!/usr/bin/env python3
"""The fleet under load (docs/fleet.md, "At scale"): one mosquitto on
127.0.0.1 with boards/mosquitto/kabar.conf, N `kabar mqtt` bridges, each with
its own spool, and a newsroom publishing from one connection.

  1. sync:    ITEMS retained items, then N bridges started at once: time
              until every spool holds all of them;
  2. churn:   RATE operations a second for CHURN seconds (a third new items,
              a third edits, a third retractions): for each, the time until
              the last of the N spools shows it;
  3. away:    a tenth of the bridges killed (SIGKILL), 100 edits and 20
              retractions, the bridges started again: time until they match;
  4. restart: the broker stopped (SIGTERM) and started again: time until
              every screen's status reads online again and an item posted
              then is in every spool;
  then every spool is compared with the broker's retained set, and the
  bridges' memory is read from /proc.

usage: bench/fleet_bench.py KABAR [--bridges N] [--items N] [--rate R] [--churn S]
Figures, not assertions: it prints them and exits 0 unless the run broke."""

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fleet"))
import fleetlib  # noqa: E402
from fleetlib import Bridge, Broker, Mqtt, item, retained, wait_until  # noqa: E402

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def until_all(bridges, name, payload, limit=30.0):
    """Seconds until every bridge's spool has name.json == payload (None: gone)."""
    t0 = time.monotonic()
    pending = list(bridges)
    while pending and time.monotonic() - t0 < limit:
        pending = [b for b in pending if read(os.path.join(b.spool, name + ".json")) != payload]
        if pending:
            time.sleep(0.002)
    return None if pending else time.monotonic() - t0


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def private_kib(pid):
    """Memory the process alone holds (its libraries' pages are shared)."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def statuses(port, group):
    out = {}
    for topic, payload in retained(port, f"kabar/{group}/status/+", quiet=0.5).items():
        try:
            out[topic.rsplit("/", 1)[1]] = json.loads(payload)
        except ValueError:
            pass
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kabar")
    ap.add_argument("--bridges", type=int, default=60)
    ap.add_argument("--items", type=int, default=500)
    ap.add_argument("--rate", type=float, default=10.0)
    ap.add_argument("--churn", type=float, default=20.0)
    ap.add_argument("--memory", action="store_true",
                    help="spools in /dev/shm rather than on disk")
    a = ap.parse_args()
    fleetlib.stop_all_on_signals()
    tmp = fleetlib.scratch_dir("kabar-fleet-bench-") if a.memory else tempfile.mkdtemp(
        prefix="kabar-fleet-bench-")
    broker = Broker(tmp, "broker", SRC)
    broker.start()
    group = "bench"
    bridges = [Bridge(os.path.abspath(a.kabar), broker.port, group, os.path.join(tmp, f"s{k:03d}"),
                      f"s{k:03d}", os.path.join(tmp, f"s{k:03d}.log"),
                      extra=["--log-level", "info", "--status-interval", "2"])
               for k in range(a.bridges)]
    rng = random.Random(20)
    state = {}
    pub = Mqtt(broker.port)

    def post(i, text):
        payload = item(i, text)
        pub.publish(f"kabar/{group}/items/{i}", payload)
        state[i] = payload
        return payload

    def retract(i):
        pub.publish(f"kabar/{group}/items/{i}", b"")
        state.pop(i, None)

    try:
        print(f"fleet bench: {a.bridges} bridges, {a.items} retained items, mosquitto with "
              "boards/mosquitto/kabar.conf on 127.0.0.1", flush=True)
        for n in range(a.items):
            post(f"b-{n:05d}", f"Headline {n} for the lobby screens")
        pub.flush()

        # 1. sync
        t0 = time.monotonic()
        for b in bridges:
            b.start()
        ok = wait_until(300, lambda: all(b.count() >= a.items for b in bridges), 0.05)
        print(f"sync: {a.items} items in all {a.bridges} spools {time.monotonic() - t0:.2f} s "
              f"after the first start" + ("" if ok else " (NOT all: timed out)"), flush=True)

        # 2. churn
        lat = {"new": [], "edit": [], "retract": []}
        missed = 0
        next_id = a.items
        t_end = time.monotonic() + a.churn
        while time.monotonic() < t_end:
            t_op = time.monotonic()
            kind = rng.choice(["new", "edit", "retract"])
            if kind == "new" or len(state) < 10:
                kind, i = "new", f"b-{next_id:05d}"
                next_id += 1
                want = post(i, f"Breaking {i}")
            elif kind == "edit":
                i = rng.choice(sorted(state))
                want = post(i, f"Edited {i} at {t_op:.3f}")
            else:
                i = rng.choice(sorted(state))
                retract(i)
                want = None
            pub.flush()
            d = until_all(bridges, i, want)
            if d is None:
                missed += 1
            else:
                lat[kind].append(d)
            time.sleep(max(0.0, 1.0 / a.rate - (time.monotonic() - t_op)))
        for kind, v in lat.items():
            if v:
                print(f"churn: {kind:7s} {len(v):4d} ops, in all spools after median "
                      f"{statistics.median(v) * 1000:.0f} ms, p95 {pct(v, 95) * 1000:.0f} ms, "
                      f"worst {max(v) * 1000:.0f} ms", flush=True)
        print(f"churn: {missed} operations not in every spool within 30 s", flush=True)

        # 3. away
        away = bridges[: max(1, a.bridges // 10)]
        for b in away:
            b.stop(signal.SIGKILL)
        for _ in range(100):
            i = rng.choice(sorted(state))
            post(i, f"Edited while away {rng.random():.6f}")
        for i in rng.sample(sorted(state), 20):
            retract(i)
        pub.flush()
        t0 = time.monotonic()
        for b in away:
            b.start()
        ok = wait_until(120, lambda: all(b.items() == state for b in away), 0.05)
        print(f"away: {len(away)} bridges killed during 100 edits and 20 retractions match the "
              f"broker {time.monotonic() - t0:.2f} s after they restart"
              + ("" if ok else " (NOT all: timed out)"), flush=True)

        # 4. restart
        pub.close()
        before = [b.log().count("reconnected to") for b in bridges]
        broker.stop()
        t_stop = time.monotonic()
        time.sleep(2.0)
        broker.start()
        t_up = time.monotonic()
        seen_offline = set()

        def all_online():
            st = statuses(broker.port, group)
            seen_offline.update(k for k, v in st.items() if v.get("state") != "online")
            return len(st) == a.bridges and all(v.get("state") == "online" for v in st.values())

        back = wait_until(60, lambda: all(b.log().count("reconnected to") > n
                                          for b, n in zip(bridges, before)), 0.02)
        t_back = time.monotonic() - t_up
        ok = wait_until(120, all_online, 0.1)
        t_online = time.monotonic() - t_up
        pub = Mqtt(broker.port)
        late = post("b-after-restart", "Posted after the broker restart")
        pub.flush()
        d = until_all(bridges, "b-after-restart", late, 60)
        print(f"restart: every bridge reconnected {t_back:.2f} s after the broker is back"
              + ("" if back else " (NOT all)"), flush=True)
        print(f"restart: broker down {t_up - t_stop:.1f} s; every status read online again "
              f"{t_online:.2f} s after it is back ({len(seen_offline)} read offline meanwhile)"
              + ("" if ok else " (NOT all)") + f"; an item posted then in all spools in "
              + (f"{d * 1000:.0f} ms" if d is not None else "NOT within 60 s"), flush=True)
        pub.flush()

        # the end: every spool is the broker's retained set
        wait_until(30, lambda: all(b.items() == state for b in bridges), 0.2)
        wrong = sum(1 for b in bridges if b.items() != state)
        files = sum(b.count() for b in bridges)
        rss = [private_kib(b.proc.pid) for b in bridges if b.proc is not None]
        print(f"end: {wrong} of {a.bridges} spools differ from the broker's {len(state)} retained "
              f"items ({files} files checked); bridge private memory median {statistics.median(rss) / 1024:.1f} "
              f"MiB, max {max(rss) / 1024:.1f} MiB", flush=True)
        dropped = broker.log().count("Outgoing messages are being dropped")
        print(f"broker: {dropped} 'Outgoing messages are being dropped' lines", flush=True)
        pub.close()
        return 0 if wrong == 0 else 1
    finally:
        for b in bridges:
            b.stop()
        broker.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
