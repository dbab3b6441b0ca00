#!/usr/bin/env python3
"""The soak: kabar crawls a simulated week (or --hours) while its spool churns.

kabar runs headless on the virtual clock at one frame per simulated second
(--set refresh_hz=1: the motion logic is the same at any rate), so a week is
604,800 frames and takes a couple of minutes. Meanwhile this driver churns
the spool in wall time, as producers would: adds, edits, deletions, high and
breaking items, items that expire (expiry runs on the wall clock), quotes,
bad files of every kind (rejected once settled), a bad file fixed in place
before it settles, in-progress names, a symlink and a FIFO. The glyph pool
is large (random CJK, Arabic, Devanagari, Thai, emoji) and the atlas small,
so glyphs are evicted and rasterised again all along.

kabar rewrites its stats every half wall second (stats_interval_s=0.5); the driver
samples them and checks, after the run:
  - kabar exited 0 and the sanitizers said nothing (run the ASan build:
    LeakSanitizer reports leaks at exit and makes the exit status non-zero);
  - resident memory and atlas bytes stay flat after warm-up (within 5 %);
  - every valid item is shown while it is in the spool, and comes round
    again within its rotation bound; nothing is shown after its file goes
    or it expires;
  - no valid file is rejected, and every settled bad file is.

usage: soak.py KABAR [--hours H] [--size WxH] [--hz HZ] [--seed N] [--keep]
Exit 0 when every check passes; the figures go to stdout (and --report F.json).
"""
import argparse
import bisect
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

POOLS = [
    (0x4E00, 0x9FA5, "zh-Hans"),  # CJK ideographs: far more glyphs than the atlas holds
    (0x0621, 0x064A, "ar"),
    (0x0905, 0x0939, "hi"),
    (0x0E01, 0x0E2E, "th"),
    (0x0410, 0x044F, "ru"),
    (0x05D0, 0x05EA, "he"),
    (0x1F600, 0x1F64F, "en"),  # emoji
    (0x0041, 0x005A, "en"),
]


def words(rng, n):
    lo, hi, lang = rng.choice(POOLS)
    out = []
    for _ in range(n):
        out.append("".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(2, 6))))
    return lang, " ".join(out)


class Driver:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.base = tempfile.mkdtemp(prefix="kabar-soak-")
        self.spool = os.path.join(self.base, "spool")
        os.mkdir(self.spool)
        self.stats_path = os.path.join(self.base, "stats.json")
        self.lock = threading.Lock()
        self.live = {}       # id -> {"file", "kind", "priority", "added", "expires"}
        self.history = []    # closed lives: dict(id, kind, priority, added, gone, why)
        self.bad_expected = {}  # settled bad files kabar must reject -> when written
        self.fixed = set()   # young bad files fixed in place: must not be rejected
        self.samples = []    # (wall, frames, rss_kib, atlas_bytes, atlas_pages, loaded, rejected)
        self.shown = {}      # (id, first) -> last
        self.ops = {}
        self.seq = 0
        self.done = threading.Event()
        self.details = []    # what each failed check saw, for the report

    # ---- the spool ----

    def write(self, name, data, mtime=None):
        tmp = os.path.join(self.spool, "." + name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False))
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.rename(tmp, os.path.join(self.spool, name))

    def count(self, op):
        self.ops[op] = self.ops.get(op, 0) + 1

    def new_item(self, kind="headline", priority="normal", expires=None):
        self.seq += 1
        iid = f"soak-{self.seq}"
        lang, text = words(self.rng, self.rng.randint(2, 7))
        d = {"id": iid, "lang": lang, "text": text, "priority": priority,
             "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time()))}
        if kind == "quote":
            d["kind"] = "quote"
            d["by"] = "Soak " + str(self.seq)
        if expires is not None:
            d["expires"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))
        if self.rng.random() < 0.3:
            d["source"] = "S" + str(self.seq % 7)
        name = iid + ".json"
        now = time.time()
        self.write(name, d)
        with self.lock:
            self.live[iid] = {"file": name, "kind": kind, "priority": priority, "added": now,
                              "expires": expires, "doc": d}
        self.count(f"add {kind} {priority}" + (" expiring" if expires else ""))
        return iid

    def remove(self, iid, why="deleted"):
        with self.lock:
            life = self.live.pop(iid, None)
        if life is None:
            return
        os.unlink(os.path.join(self.spool, life["file"]))
        with self.lock:
            self.history.append(dict(id=iid, gone=time.time(), why=why, **life))
        self.count("delete")

    def edit(self, iid):
        with self.lock:
            life = self.live.get(iid)
        if life is None:
            return
        d = dict(life["doc"])
        d["text"] = words(self.rng, 3)[1]
        d["lang"] = "zh-Hans" if any(ord(c) > 0x4E00 for c in d["text"]) else "en"
        life["doc"] = d
        self.write(life["file"], d)
        self.count("edit")

    def bad(self):
        self.seq += 1
        kinds = {
            "syntax": '{"id": "x", "lang": "fr",, }',
            "lang": '{"id": "y%d", "lang": "xx_YY", "text": "t"}' % self.seq,
            "nul": '{"id": "z", "lang": "fr", "text": "a\\u0000b"}',
            "deep": "[" * 5000 + "]" * 5000,
            "empty": "",
            "no-text": '{"id": "w", "lang": "fr"}',
            "bidi-id": '{"id": "../../etc/passwd", "lang": "en", "text": "t"}',
            "big-text": json.dumps({"id": "b", "lang": "en", "text": "x" * 5000}),
        }
        kind = self.rng.choice(sorted(kinds))
        name = f"bad-{self.seq}-{kind}.json"
        # Settled already: rejected at first sight, not retried.
        self.write(name, kinds[kind], mtime=time.time() - 120)
        with self.lock:
            self.bad_expected[name] = time.time()
        self.count(f"bad {kind}")

    def bad_then_fixed(self):
        """A producer writing in place: bad while young, fixed before it settles."""
        self.seq += 1
        iid = f"soak-{self.seq}"
        name = iid + ".json"
        path = os.path.join(self.spool, name)
        with open(path, "w") as f:
            f.write('{"id": "%s", "lang": "en", "te' % iid)
        time.sleep(0.3)
        d = {"id": iid, "lang": "en", "text": "Fixed in place " + str(self.seq)}
        with open(path, "w") as f:
            json.dump(d, f)
        with self.lock:
            self.fixed.add(name)
            self.live[iid] = {"file": name, "kind": "headline", "priority": "normal",
                              "added": time.time(), "expires": None, "doc": d}
        self.count("bad then fixed in place")

    def odd_files(self):
        """Names and kinds kabar must leave alone."""
        with open(os.path.join(self.spool, "note.txt"), "w") as f:
            f.write("not an item")
        with open(os.path.join(self.spool, ".hidden.json"), "w") as f:
            f.write("{")
        with open(os.path.join(self.spool, "draft.json.part"), "w") as f:
            f.write("{")
        os.symlink("/etc/passwd", os.path.join(self.spool, "link.json"))
        os.mkfifo(os.path.join(self.spool, "fifo.json"))
        self.count("odd files (txt, dot, .part, symlink, FIFO)")

    # ---- the churn, in wall time ----

    def churn(self):
        self.odd_files()
        for _ in range(self.a.items):
            self.new_item(priority="high" if self.rng.random() < 0.15 else "normal")
        for _ in range(3):
            self.new_item(kind="quote")
        breaking = None
        while not self.done.wait(self.a.period):
            r = self.rng.random()
            with self.lock:
                ids = [i for i, l in self.live.items()
                       if l["priority"] != "breaking" and l["expires"] is None]
                now = time.time()
                for i, l in list(self.live.items()):
                    if l["expires"] is not None and l["expires"] <= now:
                        # Expired: kabar drops it by itself; the file stays a while.
                        self.live.pop(i)
                        self.history.append(dict(id=i, gone=l["expires"], why="expired", **l))
            if breaking is not None and now >= breaking[1]:
                self.remove(breaking[0])
                breaking = None
            headlines = [i for i in ids if self.live.get(i, {}).get("kind") == "headline"]
            if r < 0.25 and len(headlines) < self.a.items + 4:
                self.new_item(priority="high" if self.rng.random() < 0.15 else "normal")
            elif r < 0.45 and len(headlines) > self.a.items - 4:
                self.remove(self.rng.choice(headlines))
            elif r < 0.60 and ids:
                self.edit(self.rng.choice(ids))
            elif r < 0.70:
                self.bad()
            elif r < 0.78:
                # Expires in a few wall seconds (RFC 3339 has whole seconds).
                self.new_item(expires=int(time.time()) + self.rng.randint(2, 5))
            elif r < 0.82 and breaking is None:
                iid = self.new_item(priority="breaking")
                breaking = (iid, time.time() + self.rng.uniform(0.2, 0.5))
            elif r < 0.86:
                quotes = [i for i in ids if self.live[i]["kind"] == "quote"] if ids else []
                if len(quotes) > 2:
                    self.remove(self.rng.choice(quotes))
                self.new_item(kind="quote")
            elif r < 0.88:
                self.bad_then_fixed()
            elif r < 0.92:
                # Remove files of items that expired, as a producer's cleanup would.
                for name in os.listdir(self.spool):
                    p = os.path.join(self.spool, name)
                    if name.startswith("soak-") and name[:-5] not in self.live:
                        try:
                            os.unlink(p)
                        except OSError:
                            pass
        if breaking is not None:
            self.remove(breaking[0])

    # ---- sampling kabar's stats ----

    def sample(self):
        last_mtime = 0
        while True:
            finished = self.done.is_set()
            try:
                m = os.stat(self.stats_path).st_mtime
            except OSError:
                m = 0
            if m and m != last_mtime:
                try:
                    with open(self.stats_path) as f:
                        s = json.load(f)
                except (OSError, ValueError):
                    s = None
                if s is not None:
                    last_mtime = m
                    self.samples.append((m, s["frames"], s.get("rss_anon_kib", s["rss_kib"]), s["atlas"]["bytes"],
                                         s["atlas"]["pages"], s["items_loaded"],
                                         s["items_rejected"]))
                    for v in s["shown"]:
                        k = (v["id"], v["first"])
                        if v["last"] > self.shown.get(k, -1):
                            self.shown[k] = v["last"]
                    self.final = s
            if finished:
                return
            time.sleep(0.2)

    # ---- the run ----

    def run(self):
        frames = int(self.a.hours * 3600 * self.a.hz)
        env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
        # A small quarantine, so freed memory is reused within the run and
        # resident memory can settle; leaks are still reported at exit.
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:quarantine_size_mb=16")
        cmd = [self.a.kabar, "run", "--headless", "--virtual-clock", "--size", self.a.size,
               "--spool", self.spool, "--stats", self.stats_path, "--frames", str(frames),
               "--log-level", "warning",
               "--set", f"refresh_hz={self.a.hz}", "--set", "stats_interval_s=0.5",
               "--set", "atlas_page=256", "--set", "atlas_budget_kib=512",
               "--set", "settle_ms=1000", "--set", "spool_poll_ms=500"]
        errpath = os.path.join(self.base, "stderr.txt")
        self.t0 = time.time()
        with open(errpath, "w") as err:
            self.proc = subprocess.Popen(cmd, stderr=err)
            churn = threading.Thread(target=self.churn)
            sampler = threading.Thread(target=self.sample)
            time.sleep(0.3)
            churn.start()
            sampler.start()
            try:
                rc = self.proc.wait(timeout=self.a.timeout)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                rc = self.proc.wait(timeout=30)
                self.timed_out = True
            self.wall = time.time() - self.t0
            self.done.set()
            churn.join()
            sampler.join()
        self.rc = rc
        with open(errpath) as f:
            self.stderr = f.read()

    # ---- the checks ----

    def wall_to_virtual(self, w):
        """Crawl seconds at wall time w, from the stats samples' (mtime, frames)."""
        # The process start is frame 0: before the first sample, interpolate from it.
        pts = [(self.t0, 0)] + [s[:2] for s in self.samples]
        ws = [p[0] for p in pts]
        i = bisect.bisect_left(ws, w)
        if i == 0:
            return 0.0
        if i >= len(ws):
            return pts[-1][1] / self.a.hz
        (w0, f0), (w1, f1) = pts[i - 1], pts[i]
        return (f0 + (f1 - f0) * (w - w0) / (w1 - w0 or 1)) / self.a.hz

    def check(self):
        problems = []
        if getattr(self, "timed_out", False):
            problems.append(f"kabar did not finish in {self.a.timeout} s")
        if self.rc != 0:
            problems.append(f"kabar exited {self.rc}")
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in self.stderr:
                problems.append(f"sanitizer report: {marker}")
        if len(self.samples) < 10:
            problems.append(f"only {len(self.samples)} stats samples")
            return problems, {}

        # Flat memory and atlas after warm-up: the first quarter of the run.
        t_end = self.samples[-1][0]
        warm = self.samples[0][0] + (t_end - self.samples[0][0]) * self.a.warmup
        after = [s for s in self.samples if s[0] >= warm and s is not self.samples[-1]]
        rss0 = after[0][2]
        rss_max = max(s[2] for s in after)
        atlas0 = after[0][3]
        atlas_max = max(s[3] for s in after)
        if self.a.check_rss and rss_max > rss0 * 1.05:
            problems.append(f"anonymous resident memory grew after warm-up: {rss0} -> {rss_max} KiB")
        if self.a.check_rss and atlas_max > atlas0 * 1.05:
            problems.append(f"atlas grew after warm-up: {atlas0} -> {atlas_max} bytes")

        # What was shown, per id, in crawl time.
        visits = {}
        for (iid, first), last in self.shown.items():
            visits.setdefault(iid, []).append((first, last))
        for v in visits.values():
            v.sort()
        durations = [l - f for v in visits.values() for f, l in v]
        longest = max(durations) if durations else 0
        # Breaking items hold the crawl: their time is added to any gap they fall in.
        breaking_ids = {h["id"] for h in self.history if h["priority"] == "breaking"}
        breaking_spans = sorted(x for i in breaking_ids for x in visits.get(i, []))

        def breaking_time(a, b):
            return sum(max(0.0, min(b, l) - max(a, f)) for f, l in breaking_spans)

        lives = list(self.history)
        end_wall = self.samples[-1][0]
        for iid, l in self.live.items():
            lives.append(dict(id=iid, gone=end_wall, why="end", **l))
        checked = unseen = gap_fail = late = 0
        worst_gap = 0.0
        for life in lives:
            if life["priority"] == "breaking" or life["kind"] == "quote":
                continue
            # The rotation bound: every other headline live at once (at most
            # items + 4, high ones twice) passes by, then this one again.
            # Breaking time is taken out of the gap below.
            bound = (self.a.items + 4) * 2 * longest
            vs = self.wall_to_virtual(life["added"] + self.a.latency)
            ve = self.wall_to_virtual(life["gone"] - self.a.latency)
            mine = [(f, l) for f, l in visits.get(life["id"], []) if l >= vs and f <= ve]
            if ve - vs > bound:
                checked += 1
                if not mine:
                    unseen += 1
                    continue
                edges = [vs] + [f for f, _ in mine] + [ve]
                ends = [vs] + [l for _, l in mine]
                for a, b in zip(ends, edges[1:]):
                    gap = (b - a) - breaking_time(a, b)
                    worst_gap = max(worst_gap, gap)
                    if gap > bound:
                        gap_fail += 1
                        self.details.append(f"{life['id']} ({life['priority']}): not shown for "
                                            f"{gap:.0f} s from {a:.0f}, bound {bound:.0f} s")
                        break
            # Nothing after its file went or it expired.
            # The wall-to-crawl mapping interpolates between stats samples
            # (0.5 s apart), so this check resolves to about a sample: the
            # exact retraction time is tests/cli/screen_tests.py's
            # test_retraction_mid_crawl and tests/spool/test_live.c's.
            if life["why"] != "end":
                vg = self.wall_to_virtual(life["gone"] + 2 * self.a.latency + 0.5)
                after = [f for f, _ in visits.get(life["id"], []) if f > vg]
                if after:
                    late += 1
                    self.details.append(f"{life['id']} ({life['why']} at crawl "
                                        f"{self.wall_to_virtual(life['gone']):.0f} s) shown "
                                        f"again at {after[0]:.0f} s")
        if unseen:
            problems.append(f"{unseen} of {checked} headlines never shown while in the spool")
        if gap_fail:
            problems.append(f"{gap_fail} headlines not shown again within the rotation bound")
        if late:
            problems.append(f"{late} items shown after their file went or they expired")

        # Rejections: every settled bad file, and no valid one.
        rejected_dir = os.path.join(self.spool, "rejected")
        rejected = set(n for n in os.listdir(rejected_dir) if not n.endswith(".error.txt")) \
            if os.path.isdir(rejected_dir) else set()
        valid_rejected = sorted(n for n in rejected if n.startswith("soak-"))
        if valid_rejected:
            problems.append(f"valid files rejected: {valid_rejected[:5]}")
        # Those written in the last second may not have been read before the end.
        due = {n for n, t in self.bad_expected.items() if t < end_wall - 1.0}
        missing = sorted(due - rejected)
        if missing:
            problems.append(f"bad files not rejected: {missing[:5]}")
        final = self.final
        if not len(due) <= final["items_rejected"] <= len(self.bad_expected):
            problems.append(f"items_rejected {final['items_rejected']}, "
                            f"expected {len(due)} to {len(self.bad_expected)}")
        if final["frames"] != int(self.a.hours * 3600 * self.a.hz):
            problems.append(f"frames {final['frames']}")

        figures = {
            "simulated_hours": self.a.hours, "frames": final["frames"],
            "wall_s": round(self.wall, 1), "frames_per_wall_s": round(final["frames"] / self.wall),
            "size": self.a.size, "samples": len(self.samples),
            "rss_kib": {"start": self.samples[0][2], "after_warmup": rss0, "max_after": rss_max,
                        "end": self.samples[-1][2]},
            "atlas_bytes": {"start": self.samples[0][3], "after_warmup": atlas0,
                            "max_after": atlas_max, "end": self.samples[-1][3],
                            "pages_max": max(s[4] for s in self.samples)},
            "items_live_end": final["items_loaded"], "items_rejected": final["items_rejected"],
            "showings": len(self.shown), "headline_lives_checked": checked,
            "worst_gap_s": round(worst_gap, 1), "longest_showing_s": round(longest, 1),
            "ops": self.ops,
            "rss_curve_kib": [s[2] for s in self.samples[:: max(1, len(self.samples) // 12)]],
            "atlas_curve_bytes": [s[3] for s in self.samples[:: max(1, len(self.samples) // 12)]],
        }
        return problems, figures


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kabar")
    p.add_argument("--hours", type=float, default=168, help="simulated hours (a week: 168)")
    p.add_argument("--hz", type=float, default=1, help="frames per simulated second")
    p.add_argument("--size", default="320x96")
    p.add_argument("--items", type=int, default=16, help="headlines kept in the spool")
    p.add_argument("--period", type=float, default=0.1, help="wall seconds between churn steps")
    p.add_argument("--latency", type=float, default=0.25,
                   help="wall seconds allowed from a file's change to the screen")
    p.add_argument("--warmup", type=float, default=0.5, help="share of the run that warms up")
    p.add_argument("--timeout", type=float, default=3600)
    p.add_argument("--no-flat", dest="check_rss", action="store_false",
                   help="report resident memory and atlas bytes without checking they stay "
                        "flat (sanitized builds, whose allocator keeps freed memory in its own "
                        "pools, and runs too short to warm up)")
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--report", help="write the figures here as JSON")
    p.add_argument("--keep", action="store_true", help="keep the spool and stderr")
    a = p.parse_args()
    d = Driver(a)
    print(f"soak: {a.hours:g} simulated hours at {a.hz:g} Hz ({int(a.hours * 3600 * a.hz)} "
          f"frames), {a.size}, spool {d.spool}", flush=True)
    d.run()
    problems, figures = d.check()
    print(json.dumps(figures, indent=1))
    if a.report:
        with open(a.report, "w") as f:
            json.dump(figures, f, indent=1)
    if problems:
        print("soak FAILED:\n  " + "\n  ".join(problems))
        print("details:\n  " + "\n  ".join(d.details[:20]))
        print("stderr (last lines):\n" + "\n".join(d.stderr.splitlines()[-15:]))
        print(f"kept {d.base}")
        sys.exit(1)
    print("soak: ok")
    if not a.keep:
        shutil.rmtree(d.base)


main()
