"""Video walls (docs/wall.md), seen from outside.

Virtual clock: tiles of a wall run as separate processes on one spool; their
screenshots of one moment, side by side, equal one wide screen's, pixel for
pixel in the bar (with a bezel, the wide screen's bezel columns cut out); an
Arabic item on an Arabic screen moves right across the tiles; a portrait
column of three draws its bar on the bottom tile only.

Live (`live` argument): real clocks, three tiles and one wide screen
recording every frame under its shared frame number; an item, a breaking
item and a retraction posted meanwhile. Frames of one number stitch to the
wide screen's; the breaking bar starts within one frame on every tile; the
retraction leaves every tile within 250 ms.

Usage: wall_tests.py KABAR SRC BUILD [live]"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

KABAR, SRC, BUILD = sys.argv[1:4]
ONLY = sys.argv[4:]
COMMON = ["--headless", "--log-level", "warning", "--set", "clock_format=",
          "--set", "quotes=crawl", "--set", "stale_after_min=0"]


def read_png(path, rows=None):
    """RGB rows of an 8-bit RGB PNG (what kabar writes); the first `rows` only."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and ctype == 2
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw, out, prev, bpp = zlib.decompress(idat), [], bytearray(w * 3), 3
    stride = w * 3 + 1
    for y in range(h if rows is None else min(rows, h)):
        ftype, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        if ftype == 2:
            line = bytearray((x + p) & 255 for x, p in zip(line, prev))
        elif ftype != 0:
            for i in range(len(line)):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                if ftype == 1:
                    line[i] = (line[i] + a) & 255
                elif ftype == 3:
                    line[i] = (line[i] + (a + b) // 2) & 255
                elif ftype == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(bytes(line))
        prev = line
    return w, h, out


def write_png(path, w, rows):
    raw = b"".join(b"\x00" + r for r in rows)

    def chunk(k, d):
        return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, len(rows), 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def write(spool, name, obj):
    tmp = os.path.join(spool, "." + name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False)
    os.rename(tmp, os.path.join(spool, name))


def make_spool(items):
    d = tempfile.mkdtemp(prefix="kabar-wall-")
    for it in items:
        write(d, it["id"] + ".json", it)
    return d


HEADLINES = [
    {"id": "w1", "lang": "en", "text": "Parliament passes the coastal protection bill after a night of debate",
     "source": "Wire", "published": "2023-12-01T08:00:00Z"},
    {"id": "w2", "lang": "fr", "text": "Les trains régionaux rouleront de nouveau dès lundi matin",
     "source": "AFP", "published": "2023-12-01T08:01:00Z"},
    {"id": "w3", "lang": "id", "text": "Harga beras turun di pasar induk Jakarta pekan ini",
     "source": "Antara", "published": "2023-12-01T08:02:00Z"},
]


def run_all(runs):
    """Starts every (args) at once; waits for all; fails on a non-zero exit."""
    procs = [subprocess.Popen([KABAR, "run", *COMMON, *a], stderr=subprocess.PIPE, text=True)
             for a in runs]
    for p, a in zip(procs, runs):
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, (a, err)


def tiles_and_wide(spool, out, cols, rows, tw, th, bezel, seconds, extra=()):
    """Screenshots of each tile and of one screen the size of the wall."""
    runs = []
    for r in range(rows):
        for c in range(cols):
            runs.append(["--spool", spool, "--wall", f"{cols}x{rows}", "--tile", f"{c},{r}",
                         "--bezel", str(bezel), "--size", f"{tw}x{th}", "--virtual-clock",
                         "--seconds", str(seconds), "--screenshot", f"{out}/t{c}-{r}.png", *extra])
    ww, wh = cols * tw + (cols - 1) * bezel, rows * th + (rows - 1) * bezel
    if rows == 1:
        runs.append(["--spool", spool, "--wall", "1x1", "--tile", "0,0", "--size", f"{ww}x{wh}",
                     "--virtual-clock", "--seconds", str(seconds), "--screenshot", f"{out}/wide.png",
                     *extra])
    run_all(runs)


def bar_rows(th):
    """The bar at the bottom of a tile of th lines: a tenth of them, and a margin."""
    return range(th - th // 10 - 2, th)


def check_row_wall(bezel, name, extra=(), items=HEADLINES, seconds=24):
    out = tempfile.mkdtemp(prefix=f"kabar-{name}-")
    spool = make_spool(items)
    tw, th = 1280, 720
    tiles_and_wide(spool, out, 3, 1, tw, th, bezel, seconds, extra)
    t = [read_png(f"{out}/t{c}-0.png") for c in range(3)]
    wide = read_png(f"{out}/wide.png")
    assert wide[0] == 3 * tw + 2 * bezel
    bar = bar_rows(th)
    bar_color = t[0][2][th - 3][3 * 600:3 * 601]
    inked = [0, 0, 0]
    for y in bar:
        stitched = b"".join(t[c][2][y] for c in range(3))
        cut = b"".join(wide[2][y][3 * c * (tw + bezel):3 * (c * (tw + bezel) + tw)] for c in range(3))
        assert stitched == cut, f"{name}: row {y} of the stitched tiles differs from the wide screen"
        for c in range(3):
            row = t[c][2][y]
            inked[c] += sum(1 for x in range(0, tw * 3, 3) if row[x:x + 3] != bar_color)
    # The crawl reached every tile: the comparison was not of three empty bars.
    assert all(n > 200 for n in inked), (name, inked)
    shutil.rmtree(spool)
    return out, t


def test_stitched():
    out, _ = check_row_wall(0, "wall3x1")
    # The picture docs/wall.md shows, if asked for.
    pic = os.environ.get("KABAR_WALL_PICTURE")
    if pic:
        t = [read_png(f"{out}/t{c}-0.png") for c in range(3)]
        gap = b"\x30\x30\x30" * 24
        write_png(pic, 3 * 1280 + 48, [gap.join(t[c][2][y] for c in range(3)) for y in range(720)])
    shutil.rmtree(out)
    print("ok stitched 3x1")


def test_bezel():
    out, _ = check_row_wall(60, "wall3x1-bezel")
    shutil.rmtree(out)
    print("ok stitched 3x1 with a 60 px bezel")


def shift(a, b, lo, hi):
    """The shift s (px) for which row b at x equals row a at x - s over
    x in [lo, hi), searched in -400..400: how far the crawl moved."""
    best, best_s = None, None
    for s in range(-400, 401):
        bad = sum(1 for x in range(lo, hi, 3) if b[3 * x:3 * x + 3] != a[3 * (x - s):3 * (x - s) + 3])
        if best is None or bad < best:
            best, best_s = bad, s
    return best_s, best


def test_rtl():
    item = {"id": "ar1", "lang": "ar", "text": "البرلمان يقر قانون حماية السواحل بعد ليلة من النقاش",
            "source": "وكالة", "published": "2023-12-01T08:00:00Z"}
    extra = ("--set", "screen_lang=ar")
    out1, t1 = check_row_wall(0, "wall-rtl-a", extra, [item], seconds=12)
    out2, t2 = check_row_wall(0, "wall-rtl-b", extra, [item], seconds=14)
    th, tw = 720, 1280
    y = th - 36
    row1 = b"".join(t1[c][2][y] for c in range(3))
    row2 = b"".join(t2[c][2][y] for c in range(3))
    moved, bad = shift(row1, row2, 500, 3 * tw - 500)
    # Two seconds at 80 px/s (120 px/s at 1080 lines): 160 px to the right.
    assert bad == 0 and 150 <= moved <= 170, ("the Arabic crawl moves right", moved, bad)
    # The label box is on the rightmost tile of a right-to-left screen.
    label = bytes([0xc8, 0x10, 0x2e])
    assert label in t1[2][2][th - 30] and label not in t1[0][2][th - 30]
    shutil.rmtree(out1)
    shutil.rmtree(out2)
    print(f"ok Arabic moves right across the tiles: {moved} px in 2 s")


def test_column():
    out = tempfile.mkdtemp(prefix="kabar-wall-col-")
    spool = make_spool(HEADLINES)
    tw, th = 360, 640
    tiles_and_wide(spool, out, 1, 3, tw, th, 0, 16)
    run_all([["--spool", spool, "--wall", "1x1", "--tile", "0,0", "--size", f"{tw}x{th}",
              "--virtual-clock", "--seconds", "16", "--screenshot", f"{out}/one.png"]])
    one = read_png(f"{out}/one.png")
    t = [read_png(f"{out}/t0-{r}.png") for r in range(3)]
    bar = one[2][th - 3][3 * (tw - 3):3 * (tw - 2)]
    # The bar is on the bottom tile only, as on one screen of a tile's size
    # (above it, the slide is laid out on the whole column: test_rows).
    for y in bar_rows(th):
        assert t[2][2][y] == one[2][y], f"column: row {y} of the bottom tile"
    # (The upper tiles hold the upper part of the panel, laid out on the whole
    # wall: only the bar's colour is looked for on them.)
    for r in (0, 1):
        for y in range(th - 80, th):
            row = t[r][2][y]
            assert all(row[x:x + 3] != bar for x in range(0, 3 * tw, 3)), f"column: tile {r} has a bar"
    assert any(one[2][th - 30][3 * x:3 * x + 3] != one[2][th - 3][0:3] for x in range(tw))
    shutil.rmtree(out)
    shutil.rmtree(spool)
    print("ok portrait 1x3 column")


QUOTES = [
    {"id": "q1", "lang": "en", "kind": "quote", "by": "A harbour pilot",
     "text": "The tide does not wait for the committee, and neither do the ships that ride it in.",
     "published": "2023-12-01T07:00:00Z"},
    {"id": "q2", "lang": "fr", "kind": "quote", "by": "Une conductrice",
     "text": "Le premier train du lundi, c'est la ville qui se réveille d'un coup.",
     "published": "2023-12-01T07:01:00Z"},
]


def test_panel():
    """quotes = panel: the panel is laid out on the whole wall and shows the
    quote of the shared clock's slot, so the three tiles stitched equal the
    wide screen everywhere, the panel as well as the bar; taken in the
    middle of a cross-fade from one quote to the next, and of a slot."""
    for seconds, name in ((12.25, "fade"), (17, "still")):
        out = tempfile.mkdtemp(prefix="kabar-wall-panel-")
        spool = make_spool(HEADLINES + QUOTES)
        tw, th = 1280, 720
        extra = ("--set", "quotes=panel", "--set", "panel=quotes", "--set", "quote_seconds=12")
        tiles_and_wide(spool, out, 3, 1, tw, th, 0, seconds, extra)
        t = [read_png(f"{out}/t{c}-0.png") for c in range(3)]
        wide = read_png(f"{out}/wide.png")
        bg = wide[2][5][0:3]
        inked = 0
        for y in range(th):
            stitched = b"".join(t[c][2][y] for c in range(3))
            assert stitched == wide[2][y], f"panel ({name}): row {y} of the stitched tiles differs"
            if y < th - th // 5:
                inked += sum(1 for x in range(0, len(stitched), 3) if stitched[x:x + 3] != bg)
        # The panel had a quote on: not three empty skies compared.
        assert inked > 2000, (name, inked)
        shutil.rmtree(out)
        shutil.rmtree(spool)
    print("ok panel stitched 3x1 (in a cross-fade and between)")


def slide_spool():
    """Headlines with summaries, two of them with the demo spool's pictures."""
    pics = ["jakarta-rain.jpg", "riyadh-metro.png"]
    items = []
    for i, h in enumerate(HEADLINES):
        it = dict(h, summary="A summary long enough to wrap onto a second line of the slide, "
                  "as a wire story's first paragraph does.")
        if i < len(pics):
            it["image"] = pics[i]
        items.append(it)
    spool = make_spool(items)
    os.makedirs(os.path.join(spool, "images"))
    for p in pics:
        shutil.copy(os.path.join(SRC, "assets/demo-spool/images", p), os.path.join(spool, "images"))
    return spool


def test_slides():
    """panel = stories: the slide is laid out on the whole wall and shows
    the story of the shared clock's slot, so the three tiles stitched equal
    the wide screen in every row (the picture too), in a cross-fade from
    one story to the next (text-only to a picture) and between, in two
    slots with different pictures."""
    for seconds, name in ((8.3, "fade"), (11, "still"), (20, "third")):
        out = tempfile.mkdtemp(prefix="kabar-wall-slides-")
        spool = slide_spool()
        tw, th = 1280, 720
        extra = ("--set", "panel=stories", "--set", "slide_max_seconds=8")
        tiles_and_wide(spool, out, 3, 1, tw, th, 0, seconds, extra)
        t = [read_png(f"{out}/t{c}-0.png") for c in range(3)]
        wide = read_png(f"{out}/wide.png")
        bg = wide[2][5][0:3]
        pic = 0
        for y in range(th):
            stitched = b"".join(t[c][2][y] for c in range(3))
            assert stitched == wide[2][y], f"slides ({name}): row {y} of the stitched tiles differs"
            if 100 <= y < 500:
                pic += sum(1 for x in range(300, 4800, 3) if stitched[x:x + 3] != bg)
        # A slide with its picture was on, across the first two tiles (the
        # picture box of a landscape slide): not three empty skies compared.
        assert pic > 0.9 * 400 * 1500, (name, "the picture", pic)
        shutil.rmtree(out)
        shutil.rmtree(spool)
    print("ok slides stitched 3x1 with pictures (in a cross-fade and between, two slots)")


def start_xvfb():
    """Xvfb with two screens side by side (Xinerama) on a free display, or None."""
    if shutil.which("Xvfb") is None:
        return None, None
    r, w = os.pipe()
    x = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x720x24", "-screen",
                          "1", "1280x720x24", "+xinerama", "-nolisten", "tcp"], pass_fds=(w,),
                         stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        num = f.readline().strip()
    return x, ":" + num if num else None


def test_tile_all():
    """wall_tile = all: one process draws every tile of a 2x1 wall; each
    screen's screenshot (x-tile0.png, x-tile1.png) equals a process of its
    own running that tile. Headless always; under Xvfb with two screens
    when SDL sees two displays there."""
    out = tempfile.mkdtemp(prefix="kabar-wall-all-")
    spool = slide_spool()
    args = ["--spool", spool, "--wall", "2x1", "--virtual-clock", "--seconds", "9.3",
            "--set", "panel=stories", "--set", "slide_max_seconds=8"]
    singles = [[*args, "--size", "1280x720", "--tile", f"{c},0", "--screenshot", f"{out}/one{c}.png"]
               for c in range(2)]
    run_all([[*args, "--size", "1280x720", "--tile", "all", "--screenshot", f"{out}/all.png"],
             *singles])
    for c in range(2):
        a, b = read_png(f"{out}/all-tile{c}.png"), read_png(f"{out}/one{c}.png")
        assert a == b, f"tile all, headless: screen {c} differs from the process of tile {c},0"
    print("ok --tile all headless: two screens equal two single-tile processes")
    x, disp = start_xvfb()
    try:
        if disp is None:
            print("skip --tile all under Xvfb: no Xvfb")
            return
        env = dict(os.environ, DISPLAY=disp)
        cmd = [KABAR, "run", *[a for a in COMMON if a != "--headless"], "--fullscreen",
               "--set", "render_driver=software", *args, "--tile", "all",
               "--screenshot", f"{out}/x.png"]
        r = subprocess.run(cmd, env=env, stderr=subprocess.PIPE, text=True, timeout=300)
        if r.returncode != 0 and "but 1 display" in r.stderr:
            print("skip --tile all under Xvfb: SDL sees one display there (Xinerama's two screens "
                  "as one); the headless check above stands in for it")
            return
        assert r.returncode == 0, r.stderr
        for c in range(2):
            a, b = read_png(f"{out}/x-tile{c}.png"), read_png(f"{out}/one{c}.png")
            assert a == b, f"tile all, Xvfb: display {c}'s window differs from tile {c},0 alone"
        print("ok --tile all under Xvfb: each display's window equals its tile's process")
    finally:
        if x is not None:
            x.terminate()
            x.wait(timeout=10)
        shutil.rmtree(out)
        shutil.rmtree(spool)


def test_rows():
    """A wall of two rows: the slide is laid out on the whole wall, so a 2x2
    wall of 640x360 tiles stitched equals a 1x2 wall of 1280x360 tiles
    stitched (the same wall split the other way: same lines per tile, so
    the same type) in every row, and the slide's picture runs on across
    the edge between the rows instead of each row holding a slide of its
    own."""
    out = tempfile.mkdtemp(prefix="kabar-wall-rows-")
    spool = slide_spool()
    tw, th, seconds = 640, 360, 11
    extra = ["--set", "panel=stories", "--set", "slide_max_seconds=8", "--virtual-clock",
             "--seconds", str(seconds)]
    runs = [["--spool", spool, "--wall", "2x2", "--tile", f"{c},{r}", "--size", f"{tw}x{th}",
             "--screenshot", f"{out}/q{c}-{r}.png", *extra] for r in range(2) for c in range(2)]
    runs += [["--spool", spool, "--wall", "1x2", "--tile", f"0,{r}", "--size", f"{2 * tw}x{th}",
              "--screenshot", f"{out}/h{r}.png", *extra] for r in range(2)]
    run_all(runs)
    q = [[read_png(f"{out}/q{c}-{r}.png")[2] for c in range(2)] for r in range(2)]
    h = [read_png(f"{out}/h{r}.png")[2] for r in range(2)]
    for r in range(2):
        for y in range(th):
            assert q[r][0][y] + q[r][1][y] == h[r][y], f"rows: row {y} of tile row {r} differs"
    # The picture: the same columns hold it on the last line of the upper
    # row and the first line of the lower one (not the background).
    bg = h[0][5][0:3]
    up, down = h[0][th - 1], h[1][0]
    cols = [x for x in range(0, 3 * 2 * tw, 3) if up[x:x + 3] != bg and down[x:x + 3] != bg]
    assert len(cols) > tw // 4, f"rows: the slide stops at the edge between the rows ({len(cols)} columns go on)"
    shutil.rmtree(out)
    shutil.rmtree(spool)
    print(f"ok 2x2 equals 1x2 with a slide across the rows ({len(cols)} columns of it cross the edge)")


TESTS = {"stitched": test_stitched, "slides": test_slides, "tile_all": test_tile_all, "panel": test_panel, "bezel": test_bezel, "rtl": test_rtl, "column": test_column, "rows": test_rows}

if __name__ == "__main__":
    if ONLY == ["live"]:
        sys.path.insert(0, os.path.dirname(__file__))
        import wall_live
        # Real clocks on a shared 2-core machine: a run in which a process was
        # starved for seconds can fail without kabar being wrong, so a failed
        # run is printed and run once more, as the cross builds' tests are
        # (boards/README.md). Two failures in a row fail the test.
        try:
            wall_live.main(KABAR, read_png)
        except AssertionError as first:
            print(f"live run failed ({first}); once more", flush=True)
            wall_live.main(KABAR, read_png)
        sys.exit(0)
    for name, fn in TESTS.items():
        if not ONLY or name in ONLY:
            fn()
