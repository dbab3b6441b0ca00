#!/usr/bin/env python3
"""What the screen shows, checked from outside as a user or a monitor would:
(Real-clock bounds here are loose on purpose: they tell "at once" from "after
its crawl", on a shared, noisy machine. `make bench` measures latency.)

kabar runs headless, and its --stats `shown` list and screenshots say what
was on screen when. Rotation, high priority, breaking news, retraction,
expiry, language choice, the idle message, mirrored chrome, the preview.

usage: screen_tests.py KABAR SOURCE_DIR BUILD_DIR [TEST...]
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

KABAR, SRC, BUILD = sys.argv[1:4]
ONLY = sys.argv[4:]
# A small, fast screen: many items pass in a short run.
SMALL = ["--headless", "--size", "640x180", "--log-level", "warning",
         "--set", "clock_format=", "--set", "show_source=false"]


def item(id_, lang="en", text=None, **kw):
    d = {"id": id_, "lang": lang, "text": text or f"Item {id_}"}
    d.update(kw)
    return d


def published(n):
    return "2026-11-%02dT10:00:00+00:00" % n


def write(spool, name, obj):
    tmp = os.path.join(spool, "." + name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False)
    os.rename(tmp, os.path.join(spool, name))


def make_spool(items):
    d = tempfile.mkdtemp(prefix="kabar-screen-")
    for it in items:
        write(d, it["id"] + ".json", it)
    return d


def run(spool, *args, timeout=300, during=None):
    """Runs kabar on spool; during(t0) runs in a thread meanwhile. Returns the stats."""
    stats = os.path.join(spool, "..", os.path.basename(spool) + "-stats.json")
    cmd = [KABAR, "run", "--spool", spool, "--stats", stats, *SMALL, *args]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    th = None
    if during:
        th = threading.Thread(target=during, args=(t0,))
        th.start()
    _, err = proc.communicate(timeout=timeout)
    if th:
        th.join()
    if proc.returncode != 0:
        raise AssertionError(f"kabar exited {proc.returncode}: {err}")
    with open(stats) as f:
        s = json.load(f)
    os.unlink(stats)
    s["stderr"] = err
    # Crawl time t happened at CLOCK_MONOTONIC clock_origin + t: on this
    # script's clock that is t + lag, where the script's times count from t0.
    s["lag"] = s["clock_origin"] - t0
    return s


def at(t0, t):
    d = t0 + t - time.monotonic()
    if d > 0:
        time.sleep(d)


def order(stats):
    return [a["id"] for a in sorted(stats["shown"], key=lambda a: a["first"])]


def read_png(path):
    """The RGB pixels of an 8-bit RGB, non-interlaced PNG (what kabar writes)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and ctype == 2
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw, rows, prev, bpp = zlib.decompress(idat), [], bytearray(w * 3), 3
    stride = w * 3 + 1
    for y in range(h):
        ftype, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows


def pixel(img, x, y):
    return tuple(img[2][y][x * 3:x * 3 + 3])


# ---- the tests ----

def test_rotation_and_high():
    spool = make_spool([item("a", published=published(1)), item("b", published=published(2)),
                        item("c", published=published(3)),
                        item("h", published=published(4), priority="high")])
    s = run(spool, "--virtual-clock", "--seconds", "240", "--speed", "900")
    ids = order(s)
    assert ids[:3] == ["a", "b", "c"], ids[:8]
    n = {k: ids.count(k) for k in "abch"}
    assert n["a"] >= 5, n
    assert abs(n["h"] - 2 * n["a"]) <= 2, n
    assert max(n["a"], n["b"], n["c"]) - min(n["a"], n["b"], n["c"]) <= 1, n
    # No item starves: every window of N + 2H = 5 showings holds every id.
    for i in range(len(ids) - 5):
        assert set(ids[i:i + 5]) == set("abch"), ids[i:i + 5]
    shutil.rmtree(spool)


def story(lang, n, **kw):
    return item(f"s-{lang}", lang, f"Story in {lang}", story="rain", published=published(n), **kw)


def test_languages_first_choice():
    spool = make_spool([story("id", 1), story("en", 2, translated_from="id"),
                        story("fr", 3, translated_from="id"), story("ja", 4, translated_from="id"),
                        item("alone-fr", "fr", published=published(5)),
                        item("alone-de", "de", published=published(6))])
    s = run(spool, "--virtual-clock", "--seconds", "60", "--speed", "900",
            "--set", "languages=fr, id")
    ids = set(order(s))
    assert ids == {"s-fr", "alone-fr"}, ids
    shutil.rmtree(spool)


def test_languages_cycle():
    spool = make_spool([story("id", 1), story("en", 2, translated_from="id"),
                        story("fr", 3, translated_from="id"), story("ja", 4, translated_from="id")])
    s = run(spool, "--virtual-clock", "--seconds", "60", "--speed", "900",
            "--set", "languages=id, fr, en", "--set", "language_mode=cycle")
    ids = order(s)
    assert ids[:6] == ["s-id", "s-fr", "s-en"] * 2, ids[:6]
    assert "s-ja" not in ids
    shutil.rmtree(spool)


def test_breaking_interrupts_and_resumes():
    spool = make_spool([item(f"n{i}", text=f"Normal headline number {i}",
                             published=published(i + 1)) for i in range(4)])

    def during(t0):
        at(t0, 3.0)
        write(spool, "brk.json", item("brk", text="BREAKING: it happened",
                                      priority="breaking", published=published(20)))
        at(t0, 6.0)
        os.unlink(os.path.join(spool, "brk.json"))

    s = run(spool, "--seconds", "9", "--speed", "240", during=during)
    brk = [a for a in s["shown"] if a["id"] == "brk"]
    assert brk, order(s)
    first_b, last_b = brk[0]["first"], brk[-1]["last"]
    # On screen within a fraction of a second; off at once when its file
    # goes (times on this script's clock).
    assert 2.95 <= first_b + s["lag"] <= 4.5, (first_b, s["lag"])  # (a frame of slack)
    assert 5.9 <= last_b + s["lag"] <= 7.5, (last_b, s["lag"])
    normal = [a for a in s["shown"] if a["id"] != "brk"]
    # Nothing normal shows while breaking news does...
    for a in normal:
        assert a["last"] <= first_b + 0.05 or a["first"] >= last_b - 0.05, (a, first_b, last_b)
    # ...and what was interrupted comes back as soon as it goes.
    cut = [a for a in normal if abs(a["last"] - first_b) < 0.2]
    back = [a for a in normal if abs(a["first"] - last_b) < 0.3]
    assert cut and back, (cut, back)
    assert {a["id"] for a in cut} <= {a["id"] for a in back}, (cut, back)
    shutil.rmtree(spool)


def test_retraction_mid_crawl():
    spool = make_spool([item("long", text="A long headline that is retracted halfway " * 3,
                             published=published(1)),
                        item("other", published=published(2))])

    def during(t0):
        at(t0, 2.0)
        os.unlink(os.path.join(spool, "long.json"))

    s = run(spool, "--seconds", "5", "--speed", "120", during=during)
    long_ = [a for a in s["shown"] if a["id"] == "long"]
    assert long_ and long_[0]["first"] < 1.0, long_
    assert all(a["last"] + s["lag"] <= 3.5 for a in long_), long_  # its crawl: 30 s
    assert any(a["id"] == "other" and a["first"] + s["lag"] > 2.0 for a in s["shown"]), order(s)
    shutil.rmtree(spool)


def test_expiry_at_its_moment():
    now = time.time()
    exp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now + 3))
    spool = make_spool([item("soon", text="Gone in three seconds " * 3, expires=exp,
                             published=published(1)),
                        item("stays", published=published(2))])
    s = run(spool, "--seconds", "6", "--speed", "60")
    soon = [a for a in s["shown"] if a["id"] == "soon"]
    assert soon, order(s)
    elapsed = time.time() - now
    assert all(a["last"] <= 4.5 for a in soon), (soon, elapsed)  # its crawl: a minute
    shutil.rmtree(spool)


def test_idle_message_on_empty_spool():
    spool = tempfile.mkdtemp(prefix="kabar-empty-")
    shot = spool + ".png"
    s = run(spool, "--virtual-clock", "--seconds", "3", "--screenshot", shot)
    assert s["items_loaded"] == 0 and s["shown"] == [], s
    img = read_png(shot)
    w, h = img[0], img[1]
    bar_y = h - int(h * 0.1) // 2
    lit = sum(1 for x in range(w) for y in range(bar_y - 4, bar_y + 4)
              if min(pixel(img, x, y)) > 200)
    assert lit > 40, lit  # white text of the idle message on the bar
    os.unlink(shot)
    shutil.rmtree(spool)


def test_missing_spool_comes_back():
    base = tempfile.mkdtemp(prefix="kabar-missing-")
    spool = os.path.join(base, "spool")

    made = []

    def during(t0):
        at(t0, 1.5)
        made.append(time.monotonic())
        os.mkdir(spool + ".new")
        write(spool + ".new", "late.json", item("late"))
        os.rename(spool + ".new", spool)

    stats = os.path.join(base, "stats.json")
    t = threading.Thread(target=during, args=(time.monotonic(),))
    t.start()
    proc = subprocess.run([KABAR, "run", "--spool", spool, "--stats", stats, *SMALL,
                           "--seconds", "5", "--set", "spool_poll_ms=200"],
                          capture_output=True, text=True, timeout=60)
    t.join()
    assert proc.returncode == 0, proc.stderr
    s = json.load(open(stats))
    late = [a for a in s["shown"] if a["id"] == "late"]
    # Not before the folder existed, on the clock crawl time is counted
    # from (clock_origin is CLOCK_MONOTONIC, as time.monotonic()): however
    # long the start took (seconds under qemu), and soon after it came.
    assert late and late[0]["first"] <= 4.0, (late, proc.stderr)
    assert s["clock_origin"] + late[0]["first"] >= made[0], (late, s["clock_origin"], made)
    shutil.rmtree(base)


def test_bad_files_do_not_stop_the_crawl():
    spool = make_spool([item("good1", published=published(1)),
                        item("good2", published=published(2))])
    bad = {"empty.json": "", "syntax.json": '{"id": "x", "lang": "fr",, }',
           "lang.json": '{"id": "y", "lang": "xx_YY", "text": "t"}',
           "nul.json": '{"id": "z", "lang": "fr", "text": "a\\u0000b"}',
           "deep.json": "[" * 10000 + "]" * 10000}
    for name, text in bad.items():
        with open(os.path.join(spool, name), "w") as f:
            f.write(text)
    # Let the bad files settle so they are rejected, not retried.
    old = time.time() - 60
    for name in bad:
        os.utime(os.path.join(spool, name), (old, old))
    s = run(spool, "--seconds", "3", "--speed", "600")
    assert {"good1", "good2"} <= set(order(s)), order(s)
    assert s["items_loaded"] == 2 and s["items_rejected"] == len(bad), s
    for name in bad:
        err = open(os.path.join(spool, "rejected", name + ".error.txt")).read()
        assert err.startswith(os.path.join(spool, name)) or name in err, err
    shutil.rmtree(spool)


def test_rtl_screen_mirrors_chrome():
    spool = make_spool([item("a", "ar", "مترو الرياض يوفر شبكة Wi-Fi مجانية")])
    shots = {}
    for lang in ("en", "ar"):
        shots[lang] = spool + f"-{lang}.png"
        run(spool, "--virtual-clock", "--seconds", "1", "--screenshot", shots[lang],
            "--set", f"screen_lang={lang}")
    label = (0xc8, 0x10, 0x2e)
    for lang, png in shots.items():
        img = read_png(png)
        w, h = img[0], img[1]
        y = h - int(h * 0.1) // 2
        left, right = pixel(img, 4, y), pixel(img, w - 5, y)
        if lang == "ar":
            assert right == label and left != label, (left, right)
        else:
            assert left == label and right != label, (left, right)
        os.unlink(png)
    shutil.rmtree(spool)


BAR = (0x1b, 0x2a, 0x3a)
BACKGROUND = (0x10, 0x14, 0x18)


def shot(spool, name, *args):
    png = spool + f"-{name}.png"
    run(spool, "--virtual-clock", "--seconds", "1", "--screenshot", png, *args)
    img = read_png(png)
    os.unlink(png)
    return img


def test_geometry_from_config():
    spool = make_spool([item("g", text="Geometry")])
    # Bottom, 10 % of the height, at several sizes.
    for size in ("640x360", "1280x720", "300x600"):
        w, h = map(int, size.split("x"))
        img = shot(spool, size, "--size", size)
        lines = min(h, round((w * h * 9 / 16) ** 0.5))  # portrait: sized by the width
        bar_h = round(lines * 0.1)
        assert pixel(img, w - 2, h - bar_h + 1) != BACKGROUND, size
        assert pixel(img, w // 2, h - bar_h - 2) == BACKGROUND, size
    # On top.
    img = shot(spool, "top", "--size", "640x360", "--set", "position=top")
    assert pixel(img, 320, 2) != BACKGROUND and pixel(img, 320, 360 - 2) == BACKGROUND
    # A safe area keeps the bar off the edges of an overscanning TV.
    img = shot(spool, "safe", "--size", "640x360", "--set", "safe_area=5")
    assert pixel(img, 320, 360 - 2) == BACKGROUND and pixel(img, 2, 360 - 30) == BACKGROUND
    assert pixel(img, 320, 360 - 30) != BACKGROUND
    # Portrait-mounted: turned 90 degrees clockwise, the bottom bar is on the left.
    img = shot(spool, "rot90", "--size", "640x360", "--set", "rotation=90")
    assert pixel(img, 2, 180) != BACKGROUND and pixel(img, 638, 180) == BACKGROUND
    img = shot(spool, "rot270", "--size", "640x360", "--set", "rotation=270")
    assert pixel(img, 638, 180) != BACKGROUND and pixel(img, 2, 180) == BACKGROUND
    img = shot(spool, "rot180", "--size", "640x360", "--set", "rotation=180")
    assert pixel(img, 320, 2) != BACKGROUND and pixel(img, 320, 358) == BACKGROUND
    shutil.rmtree(spool)


def test_steady_state_costs():
    spool = make_spool([item(f"c{i}", text=f"Steady headline {i} ünïcödé 新闻 عاجل")
                        for i in range(6)])
    # The crawl's own costs, without story slides: each new story brings its
    # headline's glyphs at a larger size and its picture, as it comes.
    s = run(spool, "--virtual-clock", "--seconds", "60", "--size", "1280x720", "--speed", "600",
            "--set", "panel=quotes")
    # Once the crawl has come round, it uploads nothing: every glyph is in the atlas.
    assert s["steady_frames"] > 600, s["steady_frames"]
    assert s["upload_bytes_per_frame_steady"] == 0, s["upload_bytes_per_frame_steady"]
    # One draw call per atlas page for the crawl, plus the chrome's.
    assert s["atlas"]["pages"] == 1, s["atlas"]
    assert s["draw_calls_per_frame"]["max"] <= 2 + 4, s["draw_calls_per_frame"]
    shutil.rmtree(spool)


def test_sighup_reloads_without_a_blank_frame():
    spool = make_spool([item("long", text="A headline that stays on screen through a reload " * 2)])
    conf = spool + ".conf"
    with open(conf, "w") as f:
        f.write("[chrome]\nlabel = ONE\n")
    png = spool + "-hup.png"
    stats = spool + "-hup.json"
    proc = subprocess.Popen([KABAR, "run", "--spool", spool, "--config", conf, *SMALL,
                             "--seconds", "4", "--speed", "60", "--stats", stats,
                             "--screenshot", png], stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    with open(conf, "w") as f:
        f.write("[chrome]\nlabel = TWO\n[theme]\nbar = #00ff00\n")
    proc.send_signal(1)  # SIGHUP
    time.sleep(0.8)
    with open(conf, "w") as f:
        f.write("[crawl]\nspeed = fast\n")  # a bad reload keeps the running config
    proc.send_signal(1)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "keeping the running config" in err, err
    s = json.load(open(stats))
    long_ = [a for a in s["shown"] if a["id"] == "long"]
    # One showing from start to end: the reload did not blank or restart the crawl.
    assert len(long_) == 1 and long_[0]["first"] < 0.5 and long_[0]["last"] > 3.5, long_
    img = read_png(png)
    assert pixel(img, img[0] // 2, img[1] - 3) == (0, 255, 0), pixel(img, img[0] // 2, img[1] - 3)
    for f in (conf, png, stats):
        os.unlink(f)
    shutil.rmtree(spool)


def test_sigterm_stops_cleanly_with_stats():
    spool = make_spool([item("t")])
    stats = spool + "-term.json"
    proc = subprocess.Popen([KABAR, "run", "--spool", spool, *SMALL, "--seconds", "60",
                             "--stats", stats], stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    # SIGUSR1 writes the stats now, while kabar runs on.
    proc.send_signal(10)
    for _ in range(50):
        if os.path.exists(stats):
            break
        time.sleep(0.1)
    early = json.load(open(stats))
    assert early["frames"] > 0 and proc.poll() is None, early["frames"]
    os.unlink(stats)
    start = time.monotonic()
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert time.monotonic() - start < 2, "slow to stop"
    s = json.load(open(stats))
    assert 30 <= s["frames"] <= 200, s["frames"]
    os.unlink(stats)
    shutil.rmtree(spool)


STALE_BG = (0x24, 0x28, 0x2e)


def test_feed_stale_marker():
    spool = make_spool([item("s", text="Nothing new for a while")])
    png = spool + "-stale.png"
    # No change for 3 s (0.05 min): the marker shows above the end of the bar.
    run(spool, "--seconds", "5", "--screenshot", png, "--set", "stale_after_min=0.05")
    img = read_png(png)
    w, h = img[0], img[1]
    bar_y = h - round(h * 0.1)
    assert pixel(img, w - 3, bar_y - 3) == STALE_BG, pixel(img, w - 3, bar_y - 3)
    assert pixel(img, 3, bar_y - 3) == BACKGROUND
    # News arrives: the marker goes at once.

    def during(t0):
        at(t0, 4.0)
        write(spool, "fresh.json", item("fresh"))

    run(spool, "--seconds", "6", "--screenshot", png, "--set", "stale_after_min=0.05",
        during=during)
    img = read_png(png)
    assert pixel(img, w - 3, bar_y - 3) == BACKGROUND, pixel(img, w - 3, bar_y - 3)
    os.unlink(png)
    shutil.rmtree(spool)


def test_device_reset_draws_the_same():
    spool = make_spool([item("r", "ja", "京都の紅葉が見頃に 🍁 Kyoto")])
    base = spool + "-base.png"
    run(spool, "--virtual-clock", "--seconds", "600", "--screenshot", base)
    png = spool + "-reset.png"

    def during(t0):
        time.sleep(0.5)  # after kabar has set its signal handlers
        for p in subprocess.run(["pgrep", "-f", png], capture_output=True,
                                text=True).stdout.split():
            os.kill(int(p), 12)  # SIGUSR2: as after a GPU reset

    s = run(spool, "--virtual-clock", "--seconds", "600", "--screenshot", png,
            "--log-level", "info", during=during)
    assert "rebuilding the glyph atlas" in s["stderr"], s["stderr"]
    # Every texture was lost and rebuilt: the same pixels come out.
    assert open(base, "rb").read() == open(png, "rb").read()
    os.unlink(base)
    os.unlink(png)
    shutil.rmtree(spool)


def test_preview_png_shows_every_item():
    spool = make_spool([item("p1", "fr", "Le tramway reprend demain matin"),
                        item("p2", "ja", "京都の紅葉が見頃に"),
                        item("p3", "ar", "مترو الرياض يوفر شبكة Wi-Fi مجانية")])
    out = spool + "-strip.png"
    files = sorted(os.path.join(spool, f) for f in os.listdir(spool))
    p = subprocess.run([KABAR, "preview", "--png", out, "--size", "960x540",
                        "--set", "clock_format=", *files], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "3 items in 3 bars" in p.stdout, p.stdout
    w, h, _ = read_png(out)
    assert w == 960 and h == 3 * 54 + 2 * 12, (w, h)
    os.unlink(out)
    shutil.rmtree(spool)


def main():
    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_")]
    passed = failed = 0
    for t in tests:
        if ONLY and t.__name__ not in ONLY:
            continue
        start = time.monotonic()
        try:
            t()
            passed += 1
            print(f"ok   {t.__name__} ({time.monotonic() - start:.1f} s)", flush=True)
        except Exception as e:  # report every failure, then fail the run
            failed += 1
            print(f"FAIL {t.__name__}: {type(e).__name__}: {e}", flush=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
