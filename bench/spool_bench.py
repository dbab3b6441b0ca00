#!/usr/bin/env python3
"""The spool at scale, and news latency: 10,000 items in mixed languages.

Prints time to the first frame and to all loaded, peak RSS, memory per item,
and the spool-to-screen latency of a breaking item (real clock, headless,
median and max of 20). Targets on a 2-core machine: first frame < 300 ms,
all loaded < 2 s, <= 2 KiB per item outside the line cache, latency median
< 50 ms. Figures, not assertions: this is a benchmark.

usage: spool_bench.py KABAR [N_ITEMS]
"""
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

KABAR = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
ARGS = ["--headless", "--size", "1280x720", "--log-level", "error", "--set", "clock_format="]

TEXTS = {
    "fr": "Lyon : la Fête des lumières attend 1,8 million de visiteurs du 5 au 8 décembre",
    "id": "Hujan deras semalaman rendam 14 ruas jalan di Jakarta Selatan dan Timur",
    "en": "Overnight downpour floods 14 roads in South and East Jakarta",
    "ar": "مترو الرياض يوفّر شبكة Wi-Fi مجانية في محطاته الـ85 بحلول عام 2027",
    "zh-Hans": "雅加达南部和东部彻夜暴雨，市内14条道路积水",
    "ja": "京都・嵐山で紅葉が見頃、寺院の夜間ライトアップも始まる",
    "hi": "जयपुर में राष्ट्रीय अंतरिक्ष विज्ञान प्रदर्शनी को पहले दिन बीस हज़ार लोग",
    "th": "กรมอุตุนิยมวิทยาเตือนภาคเหนือและภาคอีสานอากาศหนาวเย็น",
}


def write(spool, name, obj):
    tmp = os.path.join(spool, "." + name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False)
    os.rename(tmp, os.path.join(spool, name))


def make_spool(n):
    d = tempfile.mkdtemp(prefix="kabar-bench-")
    langs = list(TEXTS)
    for i in range(n):
        lang = langs[i % len(langs)]
        write(d, f"b{i:05d}.json", {
            "id": f"bench-{i:05d}", "lang": lang, "text": f"{TEXTS[lang]} ({i})",
            "source": "Bench", "published": "2026-11-%02dT%02d:%02d:00+00:00"
            % (1 + i % 28, (i // 60) % 24, i % 60)})
    return d


def run(spool, seconds, during=None):
    stats = spool + "-stats.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.Popen([KABAR, "run", "--spool", spool, "--stats", stats,
                             "--seconds", str(seconds), *ARGS])
    th = threading.Thread(target=during) if during else None
    if th:
        th.start()
    proc.wait(timeout=seconds + 120)
    if th:
        th.join()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(stats) as f:
        s = json.load(f)
    os.unlink(stats)
    return s, max(peak, before)


def main():
    empty = tempfile.mkdtemp(prefix="kabar-bench-empty-")
    s0, _ = run(empty, 3)
    t = time.monotonic()
    spool = make_spool(N)
    made = time.monotonic() - t
    s, peak = run(spool, 4)
    per_item = (s["rss_kib"] - s0["rss_kib"]) * 1024 / N

    # Latency: a breaking item renamed into a live spool, 20 times.
    small = make_spool(20)
    marks = []

    def produce():
        time.sleep(2.0)
        for k in range(20):
            t_write = time.monotonic()
            write(small, f"brk{k}.json", {"id": f"brk-{k}", "lang": "en",
                                          "text": f"Breaking news number {k}",
                                          "priority": "breaking"})
            marks.append((f"brk-{k}", t_write))
            time.sleep(0.6)
            os.unlink(os.path.join(small, f"brk{k}.json"))
            time.sleep(0.4)

    sl, _ = run(small, 24, during=produce)
    first = {}
    for a in sl["shown"]:
        first.setdefault(a["id"], a["first"])
    lat = [(sl["clock_origin"] + first[i] - t) * 1000 for i, t in marks if i in first]

    rows = [
        ("items in the spool", f"{N}", ""),
        ("spool written by the bench", f"{made:.2f} s", ""),
        ("time to the first frame", f"{s['first_frame_s'] * 1000:.0f} ms", "< 300 ms"),
        ("time to all loaded", f"{s['spool_loaded_s'] * 1000:.0f} ms", "< 2000 ms"),
        ("items loaded", f"{s['items_loaded']}", f"{N}"),
        ("peak RSS", f"{peak / 1024:.1f} MiB", ""),
        ("RSS, empty spool / full spool", f"{s0['rss_kib'] / 1024:.1f} / {s['rss_kib'] / 1024:.1f} MiB", ""),
        ("memory per item", f"{per_item:.0f} bytes", "<= 2048"),
        ("breaking latency, median of %d" % len(lat),
         f"{statistics.median(lat):.1f} ms" if lat else "n/a", "< 50 ms"),
        ("breaking latency, max", f"{max(lat):.1f} ms" if lat else "n/a", ""),
    ]
    w = max(len(r[0]) for r in rows)
    print(f"{'spool at scale':<{w}}  {'measured':>18}  target")
    for name, value, target in rows:
        print(f"{name:<{w}}  {value:>18}  {target}")
    for d in (empty, spool, small):
        shutil.rmtree(d)


main()
