"""The live wall test (wall_tests.py live): real clocks, no virtual time.

Three tiles of a 3x1 wall and one screen the size of the whole wall run at
once on one spool, each recording every frame it draws as wall-FRAME.png
(FRAME: the shared frame number, Unix time x 60). The bar is at the top, so
only its rows are read back. Meanwhile an item, a breaking item and the
breaking item's retraction are posted.

The machine may be loaded (ctest -j2 beside other tests): a process may be
descheduled and skip frames, each its own. Nothing here counts that:
what is judged is what the screens show at the same shared frame, and each
process is known only at the frames it drew.

- Continuity: for every frame number a tile and the wide screen both drew
  (once every screen has drawn its crawl), the tile equals its slice of the
  wide screen in the bar, so the tiles are continuous across their edges.
- Breaking: one frame switched every screen: every frame any screen drew
  before it has no breaking bar, and every frame from it on has it.
- Retraction: each process logs the shared-clock time its ingest thread
  learnt that the file went (after posting the removal to its render
  thread). Those times lie within 250 ms of each other; and each screen
  follows its own: no frame begun two frames after that time shows the
  breaking bar. From the recorded frames alone, the least spread the
  pictures allow (the latest last frame with the bar against the earliest
  first frame without it) is also within 250 ms.
The design has no leader (docs/wall.md), so there is none to kill."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from datetime import datetime, timezone

TW, TH, HZ = 320, 180, 60
BAR_ROWS = 16
BREAKING_BG = bytes([0xb0, 0x00, 0x20])


def write(spool, name, obj):
    tmp = os.path.join(spool, "." + name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False)
    os.rename(tmp, os.path.join(spool, name))


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def frames(d):
    return {int(n[5:-4]): os.path.join(d, n) for n in os.listdir(d) if n.startswith("wall-")}


def main(kabar, read_png):
    spool = tempfile.mkdtemp(prefix="kabar-wall-live-")
    out = tempfile.mkdtemp(prefix="kabar-wall-live-rec-")
    write(spool, "a.json", {"id": "a", "lang": "en", "text": "Markets open higher on the harbour deal",
                            "published": "2023-12-01T08:00:00Z"})
    common = ["run", "--headless", "--spool", spool, "--log-level", "info", "--set", "clock_format=",
              "--set", "quotes=crawl", "--set", "position=top", "--set", "stale_after_min=0",
              "--set", "settle_ms=0", "--set", "breaking_flash=false", "--speed", "720", "--seconds", "16", "--every", "1"]
    procs, dirs = [], []
    for c in range(3):
        d = os.path.join(out, f"t{c}")
        os.mkdir(d)
        dirs.append(d)
        procs.append(subprocess.Popen([kabar, *common, "--wall", "3x1", "--tile", f"{c},0",
                                       "--size", f"{TW}x{TH}", "--record", d], stderr=subprocess.PIPE, text=True))
    wide = os.path.join(out, "wide")
    os.mkdir(wide)
    procs.append(subprocess.Popen([kabar, *common, "--wall", "1x1", "--tile", "0,0",
                                   "--size", f"{3 * TW}x{TH}", "--record", wide], stderr=subprocess.PIPE, text=True))
    time.sleep(3)
    write(spool, "b.json", {"id": "b", "lang": "fr", "text": "Nouvelle ligne de tram inaugurée ce matin",
                            "published": now_iso()})
    time.sleep(3)
    write(spool, "brk.json", {"id": "brk", "lang": "en", "text": "BREAKING: Bridge closed after ship strike",
                              "priority": "breaking", "published": now_iso()})
    time.sleep(5)
    os.unlink(os.path.join(spool, "brk.json"))
    for p in procs:
        _, p.stderr_text = p.communicate(timeout=120)
        assert p.returncode == 0, p.stderr_text

    seen = []
    for p in procs:
        m = re.search(r"brk: left the spool at ([0-9.]+) s, shared frame (\d+)", p.stderr_text)
        assert m, "a screen did not log the retraction:\n" + p.stderr_text
        seen.append((float(m.group(1)), int(m.group(2))))

    tiles = [frames(d) for d in dirs]
    whole = frames(wide)
    breaking, before, first_ink = [], [], []
    for k, rec in enumerate(tiles + [whole]):
        seen_on = []
        for f in sorted(rec):
            rows = read_png(rec[f], BAR_ROWS)[2]
            seen_on.append((f, rows[1][-6:-3] == BREAKING_BG))
            # The crawl drawn (its first schedule made): ink in the right
            # half of the bar, away from the label box.
            half = len(rows[1]) // 6 * 3
            if len(first_ink) == k and any(r[half:-6] != rows[1][-6:-3] * ((len(r) - 6 - half) // 3)
                                           for r in rows[2:]):
                first_ink.append(f)
        on = [f for f, b in seen_on if b]
        assert on, "the breaking bar never showed on some screen"
        assert len(first_ink) == k + 1, "some screen never drew its crawl"
        breaking.append((seen_on, on))
        before.append(max(f for f, b in seen_on if f < on[0]))
    starts = [on[0] for _, on in breaking]
    assert max(before) < min(starts), f"breaking started on frames {starts}, after {before}"
    # The retraction: when each process learnt of it, and what it drew after.
    times = [t for t, _ in seen]
    spread_ms = (max(times) - min(times)) * 1000
    assert spread_ms <= 250, f"the retraction reached the screens {spread_ms:.0f} ms apart: {times}"
    last_on, first_off = [], []
    for (seen_on, on), (_, sf) in zip(breaking, seen):
        late = [f for f, b in seen_on if b and f >= sf + 2]
        assert not late, f"frames {late[:5]} show the breaking bar after the screen saw it go ({sf})"
        last_on.append(on[-1])
        first_off.append(min(f for f, b in seen_on if f > on[-1]))
    least = max(0, max(last_on) + 1 - min(first_off))
    assert least <= HZ // 4, f"the pictures: breaking last on {last_on}, first off {first_off}"
    # Each tile against the wide screen's slice, at every frame number both
    # drew; frames while the retraction travels are left out (it reaches
    # each process at its own moment, within the 250 ms checked above).
    lo, hi = min(sf for _, sf in seen) - 1, max(max(sf for _, sf in seen) + 2, max(first_off))
    checked = 0
    for c in range(3):
        both = sorted(f for f in set(whole).intersection(tiles[c]) if f >= max(first_ink))
        assert len(both) > 5, f"tile {c}: only {len(both)} frames recorded with the wide screen"
        for f in [f for f in both if not lo <= f <= hi]:
            t = read_png(tiles[c][f], BAR_ROWS)
            w = read_png(whole[f], BAR_ROWS)
            for y in range(BAR_ROWS):
                ws = w[2][y][3 * c * TW:3 * (c + 1) * TW]
                if t[2][y] != ws:
                    xs = [x for x in range(TW) if t[2][y][3 * x:3 * x + 3] != ws[3 * x:3 * x + 3]]
                    raise AssertionError(f"frame {f}, row {y}: tile {c} differs from the wide screen "
                                         f"in columns {xs[0]}-{xs[-1]} ({len(xs)} pixels); "
                                         f"recordings in {out}")
            checked += 1
    drawn = [len(r) for r in tiles + [whole]]
    print(f"ok live: {checked} frames stitched equal the wide screen (frames drawn {drawn}); "
          f"breaking started on {starts} (after {before}); the retraction reached the screens "
          f"{spread_ms:.1f} ms apart; pictures: last on {last_on}, first off {first_off}, "
          f"at least {least * 1000 // HZ} ms apart")
    if os.environ.get("KABAR_KEEP") is None:
        shutil.rmtree(out)
        shutil.rmtree(spool)
