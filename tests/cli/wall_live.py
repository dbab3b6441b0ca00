"""The live wall test (wall_tests.py live): real clocks, no virtual time.

Three tiles of a 3x1 wall and one screen the size of the whole wall run at
once on one spool, each recording every frame as wall-FRAME.png (FRAME: the
shared frame number, Unix time x 60). The bar is at the top, so only its
rows are read back. Meanwhile an item, a breaking item and the breaking
item's retraction are posted.

- Continuity: for every frame number a tile and the wide screen both
  recorded, the tile equals its slice of the wide screen in the bar (so the
  tiles are continuous across their edges).
- Breaking: the first frame with the breaking bar is the same on every
  tile, give or take one (a tile may drop a frame).
- Retraction: the last breaking frame of each tile lies within 250 ms
  (15 frames) of the others'.
The design has no leader (docs/wall.md), so there is none to kill."""
import json
import os
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
    common = ["run", "--headless", "--spool", spool, "--log-level", "warning", "--set", "clock_format=",
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
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err

    tiles = [frames(d) for d in dirs]
    whole = frames(wide)
    # Breaking: every frame each process recorded, not only the common ones.
    breaking, before = [], []
    for rec in tiles + [whole]:
        seen = [(f, read_png(rec[f], 2)[2][1][-6:-3] == BREAKING_BG) for f in sorted(rec)]
        on = [f for f, b in seen if b]
        if not on:
            raise AssertionError("the breaking bar never showed on some screen")
        breaking.append(on)
        before.append(max(f for f, b in seen if f < on[0]))
    starts = [b[0] for b in breaking]
    ends = [b[-1] for b in breaking]
    # One frame switched every screen: each showed no breaking bar on every
    # frame it drew before it, and the bar on every frame from it on (a
    # screen that dropped frames is known only between the two it drew).
    assert max(before) < min(starts), f"breaking started on frames {starts}, after {before}"
    assert max(ends) - min(ends) <= HZ // 4, f"the retraction left on frames {ends}"
    # Each tile against the wide screen's slice, at every frame number both
    # drew (a loaded machine drops frames, each process its own).
    checked = 0
    for c in range(3):
        both = sorted(set(whole).intersection(tiles[c]))
        assert len(both) > 5, f"tile {c}: only {len(both)} frames recorded with the wide screen"
        # A retraction reaches each process at its own moment (within
        # 250 ms, checked above): those frames may differ.
        for f in [f for f in both if not min(ends) < f <= max(ends) + 1]:
            t = read_png(tiles[c][f], BAR_ROWS)
            w = read_png(whole[f], BAR_ROWS)
            for y in range(BAR_ROWS):
                assert t[2][y] == w[2][y][3 * c * TW:3 * (c + 1) * TW], \
                    f"frame {f}, row {y}: tile {c} differs from the wide screen"
            checked += 1
    print(f"ok live: {checked} frames stitched equal the wide screen; breaking started on {starts} (after {before}), "
          f"left on {ends} ({(max(ends) - min(ends)) * 1000 // HZ} ms apart)")
    if os.environ.get("KABAR_KEEP") is None:
        shutil.rmtree(out)
        shutil.rmtree(spool)
