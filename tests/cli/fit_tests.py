#!/usr/bin/env python3
"""No glyph cut by the bar (docs/display.md, "Fitting"), checked on kabar's
own pictures: the crawl run headless and `kabar preview --png`, the pixels
read back, and no ink may lie on a bar's top or bottom row. Then quotes on
the panel: shown whole and never scrolled sideways.

usage: fit_tests.py KABAR SOURCE_DIR BUILD_DIR [TEST...]
"""
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

KABAR, SRC, BUILD = sys.argv[1:4]
ONLY = sys.argv[4:]

# The cases issue reports named, and the tallest of each script.
CASES = [
    ("jv", "ꦱꦒꦸꦁꦒꦸꦤꦺꦴꦤ꧀ꦠꦸꦏ꧀ꦏꦸꦠꦸꦏ꧀ꦏ꧀ꦭꦶꦁꦱꦼꦥꦸꦂꦏ꧀ꦱ꧀ꦠꦿꦶꦥ꧀ꦠ"),
    ("sa-Gran", "𑌅𑌤𑌿𑌵𑍃𑌷𑍍𑌟𑍍𑌯𑌾 𑌨𑌗𑌰𑌸𑍍𑌯 𑌮𑌧𑍍𑌯𑌭𑌾𑌗𑌃 𑌸𑍍𑌤𑍍𑌰𑍀𑌣𑌾𑌂"),
    ("bo", "ཆར་པ་དྲག་པོས་གྲོང་ཁྱེར་གྱི་དཀྱིལ་ཆུས་ཁེངས། བསྒྲུབས་པ། ཧཱུྃ།"),
    ("my", "မိုးသည်းထန်စွာရွာသွန်းမှုကြောင့် မြို့လယ်ရေလွှမ်းမိုး ကျွန်ုပ်"),
    ("km", "ភ្លៀងធ្លាក់ខ្លាំងបណ្ដាលឱ្យលិចកណ្ដាលទីក្រុង ស្ត្រី ក្ស្ម"),
    ("ur", "کراچی میں شدید بارش، شہر کی کئی سڑکیں زیر آب آگئیں"),
    ("ur", "وزیراعظم نے سیلاب سے متاثرہ علاقوں کے لیے امدادی پیکج کا اعلان کر دیا"),
    ("ps", "په کابل کې سخت باران د ښار مرکز اوبو ولاهو کړ، ګڼې سړکونه بند دي"),
    ("th", "ฝนตกหนักน้ำท่วม ปู่ป้าน้ำพุ่ ฟุ้ ญู้ ฎุ่ ฐู่ กั๊ก ปั้นป่ั้"),
    ("vi", "Ỗ Ữ Ẫ Ặ Ở Ự Ẵ Ẳ Ẩ Ễ: mưa lớn gây ngập ở trung tâm thành phố"),
    ("en", "Tall emoji 🏔️🗼🌋⛈️🌊🚆🏙️🗽🕌🛕 on the bar"),
]


def read_png(path):
    """Rows of RGB bytes of an 8-bit RGB PNG (what kabar writes). Rows of one
    colour, the background, take a fast path so a picture decodes quickly."""
    with open(path, "rb") as f:
        data = f.read()
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and ctype == 2
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw, rows, prev, bpp, stride = zlib.decompress(idat), [], bytes(w * 3), 3, w * 3 + 1
    zeros = bytes(w * 3)
    for y in range(h):
        ftype, line = raw[y * stride], raw[y * stride + 1:(y + 1) * stride]
        if ftype == 0:
            out = line
        elif ftype == 2 and line == zeros:
            out = prev
        elif ftype == 1 and line[3:] == zeros[3:]:
            out = line[:3] * w
        else:
            out = bytearray(line)
            for i in range(len(out)):
                a = out[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                if ftype == 1:
                    out[i] = (out[i] + a) & 255
                elif ftype == 2:
                    out[i] = (out[i] + b) & 255
                elif ftype == 3:
                    out[i] = (out[i] + (a + b) // 2) & 255
                elif ftype == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    out[i] = (out[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            out = bytes(out)
        rows.append(out)
        prev = out
    return w, h, rows


# The default theme's label box (docs/config.md).
LABEL = bytes([0xc8, 0x10, 0x2e])


def px(rows, x, y):
    return rows[y][x * 3:x * 3 + 3]


def bars(img):
    """(top, bottom, crawl_left) of each bar: rows where column 0 has the
    label box's colour (the label is at the left on a left-to-right screen)."""
    w, h, rows = img
    out, y = [], 0
    while y < h:
        if px(rows, 0, y) != LABEL:
            y += 1
            continue
        label, top = px(rows, 0, y), y
        while y < h and px(rows, 0, y) == label:
            y += 1
        x = 0
        while x < w and px(rows, x, top) == label:
            x += 1
        out.append((top, y - 1, x))
    return out


def ink_on_edges(img, where):
    """Messages for each bar whose top or bottom row has anything but the
    bar's colour in the crawl's part."""
    w, h, rows = img
    bad = []
    found = bars(img)
    assert found, f"{where}: no bar found"
    for top, bottom, left in found:
        for y in (top, bottom):
            row = [px(rows, x, y) for x in range(left, w)]
            colour = max(set(row), key=row.count)
            hits = [left + i for i, p in enumerate(row) if p != colour]
            if hits:
                bad.append(f"{where}: ink on the bar's {'top' if y == top else 'bottom'} row "
                           f"(y={y}) at x={hits[0]}..{hits[-1]}")
    return bad


def text_in_bar(img):
    """True if the middle row of the (first) bar has more than its colour."""
    w, h, rows = img
    top, bottom, left = bars(img)[0]
    row = rows[(top + bottom) // 2][left * 3:]
    return len({row[i:i + 3] for i in range(0, len(row), 3)}) > 1


def spool_with(tmp, items):
    spool = os.path.join(tmp, "spool")
    os.makedirs(spool, exist_ok=True)
    for i, (lang, text) in enumerate(items):
        with open(os.path.join(spool, f"{i:03d}.json"), "w", encoding="utf-8") as f:
            json.dump({"id": f"fit-{i:03d}", "lang": lang, "text": text,
                       "published": "2024-05-01T08:00:00Z"}, f, ensure_ascii=False)
    return spool


SCREEN = ["--headless", "--virtual-clock", "--log-level", "warning", "--set", "clock_format=",
          "--set", "quotes=crawl", "--set", "show_source=false"]


def test_crawl_ink():
    """Each case crawls the whole way across on a short, wide screen whose bar
    has room to grow; every fourth of a second of it is read back."""
    bad = []
    for n, (lang, text) in enumerate(CASES):
        with tempfile.TemporaryDirectory() as tmp:
            spool = spool_with(tmp, [(lang, text)])
            frames = os.path.join(tmp, "frames")
            os.mkdir(frames)
            subprocess.run([KABAR, "run", *SCREEN, "--spool", spool, "--size", "1280x200",
                            "--set", "bar_height=0.4", "--speed", "3000", "--seconds", "6",
                            "--record", frames, "--every", "15"], check=True)
            shots = sorted(glob.glob(os.path.join(frames, "*.png")))
            assert shots, "no frames recorded"
            seen = 0
            for shot in shots[4:]:
                img = read_png(shot)
                bad += ink_on_edges(img, f"crawl {lang} #{n} {os.path.basename(shot)}")
                seen += text_in_bar(img)
            # The check means something only if the text was there to see.
            assert seen >= 3, f"crawl {lang} #{n}: the text shows in only {seen} frames"
    assert not bad, "\n".join(bad)


def test_preview_ink():
    """`kabar preview --png`: every bar of the strip."""
    with tempfile.TemporaryDirectory() as tmp:
        spool = spool_with(tmp, CASES)
        png = os.path.join(tmp, "strip.png")
        subprocess.run([KABAR, "preview", "--size", "1280x720", "--png", png,
                        *sorted(glob.glob(os.path.join(spool, "*.json")))],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        img = read_png(png)
        found = bars(img)
        assert len(found) >= len(CASES), f"{len(found)} bars for {len(CASES)} items"
        bad = ink_on_edges(img, "preview")
        assert not bad, "\n".join(bad)


def corpus():
    """(lang, script, text) of tests/fit/corpus.tsv."""
    out = []
    with open(os.path.join(SRC, "tests", "fit", "corpus.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                out.append(tuple(line.rstrip("\n").split("\t")))
    return out


def test_sweep():
    """Every line of the corpus (over 100 languages, over 40 scripts): no
    tofu (glyph 0) in its layout, and no ink on the edges of its bars in a
    preview strip."""
    lines = corpus()
    assert len({l for l, _, _ in lines}) >= 100 and len({s for _, s, _ in lines}) >= 40
    tofu = []
    for lang, script, text in lines:
        out = subprocess.run([KABAR, "shape", "--json", "--lang", lang, text], check=True,
                             capture_output=True, text=True).stdout
        fonts = [r["font"] for r in json.loads(out)["runs"] for g in r["glyphs"] if g["id"] == 0]
        if fonts:
            tofu.append(f"{lang} ({script}): tofu from {os.path.basename(fonts[0])}")
    assert not tofu, "\n".join(tofu)
    with tempfile.TemporaryDirectory() as tmp:
        spool = spool_with(tmp, [(lang, text) for lang, _, text in lines])
        png = os.path.join(tmp, "strip.png")
        subprocess.run([KABAR, "preview", "--size", "960x540", "--png", png,
                        *sorted(glob.glob(os.path.join(spool, "*.json")))],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        img = read_png(png)
        assert len(bars(img)) >= len(lines), f"{len(bars(img))} bars for {len(lines)} items"
        bad = ink_on_edges(img, "sweep")
        assert not bad, "\n".join(bad)


FR_QUOTE = ("Nous avons décidé de maintenir le marché de Noël sur la place Kléber malgré les "
            "intempéries, parce que les artisans et les commerçants comptent sur ces semaines "
            "pour vivre, et parce que les Strasbourgeois, comme les visiteurs venus de toute "
            "l’Europe, y retrouvent chaque hiver un peu de chaleur et de lumière.")
AR_QUOTE = ("إن حماية المدينة من السيول ليست مهمة البلدية وحدها، بل هي مسؤولية مشتركة بين "
            "السكان والتجار والمهندسين، ولذلك قررنا أن نفتح باب المشاركة أمام الجميع، وأن "
            "ننشر كل يوم تقريرًا عن حالة القنوات والجسور، وأن نستمع إلى ملاحظات الأحياء "
            "الأكثر تضررًا قبل أن نبدأ أعمال الصيانة في الشتاء المقبل، لأن الثقة تبنى "
            "بالشفافية والعمل المتواصل، ولأن المطر لا ينتظر أحدًا، ولأن أطفالنا يستحقون "
            "شوارع آمنة ومدارس لا تغلق أبوابها كلما اشتدت العاصفة.") * 2
JA_QUOTE = ("私たちは、豪雨のたびに地下鉄が止まる状況を、これ以上続けるわけにはいきません。"
            "今年度中に排水設備の点検をすべての駅で終え、来年の梅雨までに主要な路線の浸水対策を"
            "完了させます。利用者の皆さまには工事の間ご不便をおかけしますが、安全な街づくりのため"
            "に、ご理解とご協力をお願いいたします。") * 2


def quote_pages(log, qid):
    """The text of each page of quote qid, from the ingest thread's layout
    log (the first layout only)."""
    lines = {}
    for line in log.splitlines():
        tag = f"quote: {qid}: page "
        if tag in line:
            k, rest = line.split(tag, 1)[1].split(" of ", 1)
            n, text = rest.split(", line ", 1)[1].split(": ", 1)
            lines.setdefault((int(k), int(n)), text)
    pages = {}
    for (k, n) in sorted(lines):
        pages[k] = pages.get(k, "") + lines[(k, n)] + " "
    return [pages[k] for k in sorted(pages)]


def above_bar(img):
    top = bars(img)[0][0]
    return img[2][:top]


def check_quote(lang, text, size):
    with tempfile.TemporaryDirectory() as tmp:
        spool = os.path.join(tmp, "spool")
        os.mkdir(spool)
        with open(os.path.join(spool, "q.json"), "w", encoding="utf-8") as f:
            json.dump({"id": "q", "lang": lang, "kind": "quote", "by": "A. N. Other",
                       "text": text, "published": "2024-05-01T08:00:00Z"}, f,
                      ensure_ascii=False)
        with open(os.path.join(spool, "h.json"), "w", encoding="utf-8") as f:
            json.dump({"id": "h", "lang": "en", "text": "A headline crawls below",
                       "published": "2024-05-01T08:00:00Z"}, f)
        shots, log = [], ""
        for seconds in (3, 4):
            png = os.path.join(tmp, f"{seconds}.png")
            run = subprocess.run([KABAR, "run", "--headless", "--virtual-clock", "--size", size,
                                  "--spool", spool, "--set", "clock_format=", "--set", "panel=quotes", "--log-level",
                                  "debug", "--seconds", str(seconds), "--screenshot", png],
                                 check=True, capture_output=True, text=True)
            log = run.stderr
            shots.append(read_png(png))
        assert above_bar(shots[0]) == above_bar(shots[1]), \
            f"{lang} on {size}: the panel moved between 3 s and 4 s"
        assert len({r for r in above_bar(shots[0])}) > 1, f"{lang} on {size}: no quote shown"
        pages = quote_pages(log, "q")
        assert pages, f"{lang} on {size}: no layout logged"
        shown = "".join("".join(p.split()) for p in pages)
        missing = [c for c in "".join(text.split()) if c not in shown]
        assert "".join(text.split()) in shown, \
            f"{lang} on {size}: not every character is on a page ({missing[:5]})"
        return len(pages)


def test_quote_french_landscape():
    check_quote("fr", FR_QUOTE, "1920x1080")


def test_quote_french_portrait():
    check_quote("fr", FR_QUOTE, "1080x1920")


def test_quote_arabic():
    check_quote("ar", AR_QUOTE, "1920x1080")
    # Over twice as long: more than a landscape panel holds even at the
    # floor, so it pages, and still no page moves within its time.
    assert check_quote("ar", (AR_QUOTE * 3)[:1850], "1920x1080") >= 2


def test_quote_japanese():
    check_quote("ja", JA_QUOTE, "1920x1080")
    check_quote("ja", JA_QUOTE, "1080x1920")


# The label and the clock in tall scripts: (screen_lang, label, clock_format).
# An Urdu screen is mirrored, its label at the right; the clock's format
# carries the script's own word beside the time.
CHROME = [
    ("ur", "تازہ ترین خبریں", "وقت %H:%M"),
    ("ps", "تازه خبرونه", "وخت %H:%M"),
    ("jv", "ꦮꦂꦠꦱꦼꦏꦺꦴꦁ ꦏꦿꦸꦁꦒꦸ", "ꦗꦩ꧀ꦏ꧀ꦭꦶꦁ %H:%M"),
    ("bo", "གསར་འགྱུར་སྒྲུབས།", "ཆུ་ཚོད་ཧཱུྃ %H:%M"),
]


def label_bar(img):
    """(top, bottom, x0, x1) of the first bar and of its label box: the rows
    where the screen's first or last column has the label's colour."""
    w, h, rows = img
    for x in (0, w - 1):
        ys = [y for y in range(h) if px(rows, x, y) == LABEL]
        if ys:
            top, bottom = ys[0], ys[-1]
            step = 1 if x == 0 else -1
            end = x
            while 0 <= end + step < w and px(rows, end + step, top) == LABEL:
                end += step
            return top, bottom, min(x, end), max(x, end)
    raise AssertionError("no label box found")


def test_chrome_ink():
    """The label box and the clock in Nastaliq, Pashto, Javanese and
    Tibetan: no ink on the bar's top or bottom row anywhere along it (the
    label box's part all its colour, the rest all the bar's), and the label
    and clock really drawn."""
    bad = []
    for lang, label, clock in CHROME:
        with tempfile.TemporaryDirectory() as tmp:
            spool = spool_with(tmp, [("en", "A plain headline")])
            png = os.path.join(tmp, "chrome.png")
            subprocess.run([KABAR, "run", "--headless", "--virtual-clock", "--log-level", "warning",
                            "--spool", spool, "--size", "1280x720", "--set", f"screen_lang={lang}",
                            "--set", f"label={label}", "--set", f"clock_format={clock}",
                            "--seconds", "2", "--screenshot", png], check=True)
            img = read_png(png)
            w, h, rows = img
            top, bottom, x0, x1 = label_bar(img)
            # The label's middle row shows its text; the clock's end of the
            # bar (the end away from the label) shows ink too.
            mid = (top + bottom) // 2
            assert any(px(rows, x, mid) != LABEL for x in range(x0, x1 + 1)), \
                f"{lang}: no label text"
            far = range(x1 + 1, w) if x0 == 0 else range(0, x0)
            bar = px(rows, far[len(far) // 2], top)
            clock_side = list(far)[-(w // 8):] if x0 == 0 else list(far)[:w // 8]
            assert any(px(rows, x, mid) != bar for x in clock_side), f"{lang}: no clock drawn"
            for y in (top, bottom):
                edge = "top" if y == top else "bottom"
                hits = [x for x in range(x0, x1 + 1) if px(rows, x, y) != LABEL]
                if hits:
                    bad.append(f"{lang}: ink on the label box's {edge} row (y={y}) "
                               f"at x={hits[0]}..{hits[-1]}")
                hits = [x for x in far if px(rows, x, y) != bar]
                if hits:
                    bad.append(f"{lang}: ink on the bar's {edge} row (y={y}) by the clock "
                               f"at x={hits[0]}..{hits[-1]}")
    assert not bad, "\n".join(bad)


TIBETAN_QUOTE = ("ཆར་པ་དྲག་པོས་གྲོང་ཁྱེར་གྱི་དཀྱིལ་ཆུས་ཁེངས་པས། ང་ཚོས་ཆུ་རུད་ལས་སྲུང་སྐྱོབ་བྱེད་པའི་ལས་འགུལ་"
                 "གསར་པ་ཞིག་འགོ་འཛུགས་རྒྱུ་ཡིན། བསྒྲུབས་པ་དང་སྒྲིག་གཞི་ཚང་མ་མི་མང་ལ་ཁྱབ་བསྒྲགས་བྱེད་རྒྱུ་"
                 "དང་། ཉིན་རེར་ཆུ་ལམ་དང་ཟམ་པའི་གནས་སྟངས་སྐོར་གྱི་སྙན་ཐོ་སྤེལ་རྒྱུ་ཡིན། ཧཱུྃ། ") * 3
JAVANESE_QUOTE = ("ꦱꦒꦸꦁꦒꦸꦤꦺꦴꦤ꧀ ꦠꦸꦏ꧀ꦏꦸꦠꦸꦏ꧀ꦏ꧀ꦭꦶꦁ ꦱꦼꦥꦸꦂꦏ꧀ꦱ꧀ꦠꦿꦶꦥ꧀ꦠ ꦲꦸꦗꦤ꧀ ꦢꦼꦫꦱ꧀ ꦤꦺꦁ ꦏꦸꦛ "
                  "ꦥꦿꦗꦶꦤꦶꦫꦶꦁ ꦧꦁꦱ ꦱꦩꦶ ꦏꦿꦸꦁꦒꦸ ꦱꦏꦶꦁ ꦱꦼꦏꦺꦴꦭꦃ ꦤꦺꦴꦤ꧀ꦠꦺꦤ꧀ ꦱ꧀ꦠꦿꦶ ꦏ꧀ꦱ꧀ꦩ꧈ ") * 4


def panel_rect(log):
    """(x, y, w, h) of the quote panel, from its debug line (the last one)."""
    rect = None
    for line in log.splitlines():
        if "quote panel: " in line:
            size, at = line.split("quote panel: ", 1)[1].split(" at ", 1)
            w, h = map(int, size.split("x"))
            x, y = map(int, at.split(",")[:2])
            rect = (x, y, w, h)
    assert rect, "the panel's place is not logged"
    return rect


def check_panel_edges(lang, text, size):
    """A long quote, its pages turning every two seconds, read back every
    second and a half: no ink on the panel's top, bottom, left or right row
    of pixels (lines are drawn inside its sides, render/panel.h)."""
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        spool = os.path.join(tmp, "spool")
        os.mkdir(spool)
        with open(os.path.join(spool, "q.json"), "w", encoding="utf-8") as f:
            json.dump({"id": "q", "lang": lang, "kind": "quote", "by": "A. N. Other",
                       "text": text, "published": "2024-05-01T08:00:00Z"}, f,
                      ensure_ascii=False)
        frames = os.path.join(tmp, "frames")
        os.mkdir(frames)
        run = subprocess.run([KABAR, "run", "--headless", "--virtual-clock", "--size", size,
                              "--spool", spool, "--set", "clock_format=", "--set", "panel=quotes",
                              "--set", "quotes=panel", "--set", "quote_page_min_seconds=1",
                              "--set", "quote_page_max_seconds=2", "--log-level", "debug",
                              "--seconds", "6", "--record", frames, "--every", "90"],
                             check=True, capture_output=True, text=True)
        x, y, w, h = panel_rect(run.stderr)
        shots = sorted(glob.glob(os.path.join(frames, "*.png")))
        assert shots, "no frames recorded"
        inked = 0
        for shot in shots:
            _, _, rows = read_png(shot)
            bg = px(rows, 0, 0)
            inked += any(px(rows, xx, y + h // 2) != bg for xx in range(x, x + w))
            edges = {"top": [(xx, y) for xx in range(x, x + w)],
                     "bottom": [(xx, y + h - 1) for xx in range(x, x + w)],
                     "left": [(x, yy) for yy in range(y, y + h)],
                     "right": [(x + w - 1, yy) for yy in range(y, y + h)]}
            for name, points in edges.items():
                hits = [p for p in points if px(rows, *p) != bg]
                if hits:
                    bad.append(f"{lang} on {size} {os.path.basename(shot)}: ink on the panel's "
                               f"{name} edge at {hits[0]}..{hits[-1]}")
        assert inked >= len(shots) // 2, f"{lang} on {size}: the quote shows in {inked} frames"
    return bad


def test_panel_edges():
    bad = []
    for lang, text in (("bo", TIBETAN_QUOTE), ("jv", JAVANESE_QUOTE)):
        for size in ("1920x1080", "1080x1920"):
            bad += check_panel_edges(lang, text, size)
    assert not bad, "\n".join(bad[:20])


def main():
    tests = [(k, v) for k, v in globals().items() if k.startswith("test_") and callable(v)]
    failed = 0
    for name, fn in tests:
        if ONLY and name not in ONLY:
            continue
        try:
            fn()
            print(f"ok {name}")
        except AssertionError as e:
            failed += 1
            print(f"FAIL {name}: {e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
