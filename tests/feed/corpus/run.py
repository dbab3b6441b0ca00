#!/usr/bin/env python3
"""Runs `kabar feed --once` over every feed of the corpus (tests/feed/corpus/
cases, written by gen.py), served from 127.0.0.1 by tests/feed/server.py
with each case's Content-Type, and compares the titles of the items it
writes with the expected ones (as a multiset: order does not matter).

  run.py KABAR SOURCE_DIR BUILD_DIR [--only SUBSTRING] [--verbose] [--no-fail]

Prints one line per failing feed and "corpus: N of M feeds read as
expected". Exits 1 if any feed failed (unless --no-fail), or if kabar
crashed, or printed a line to stderr that is not in its log format.
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 30


def start_server(source, root, work):
    port_file = os.path.join(work, "port")
    cmd = [sys.executable, os.path.join(source, "tests/feed/server.py"),
           "--fixtures", os.path.join(source, "tests/feed/corpus/cases"), "--root", root,
           "--port-file", port_file, "--log", os.path.join(work, "requests.log"), "--lifetime", "900"]
    proc = subprocess.Popen(cmd)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if os.path.exists(port_file):
            with open(port_file) as f:
                return proc, int(f.read())
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("corpus: the fixture server did not start")


def titles_written(spool):
    out = []
    for path in glob.glob(os.path.join(spool, "feed-*.json")):
        with open(path, encoding="utf-8") as f:
            out.append(json.load(f)["text"])
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    kabar, source, build = args[:3]
    only = None
    if "--only" in sys.argv:
        only = sys.argv[sys.argv.index("--only") + 1]
    verbose = "--verbose" in sys.argv
    check = subprocess.run([sys.executable, os.path.join(source, "tests/feed/corpus/gen.py"),
                            "--check"])
    if check.returncode != 0:
        print("corpus: cases/ does not match gen.py; run tests/feed/corpus/gen.py")
        return 1
    work = tempfile.mkdtemp(prefix="feed-corpus-", dir=build)
    work = os.path.abspath(work)
    root = os.path.join(work, "root")
    os.makedirs(root)
    os.makedirs(os.path.join(work, "spool"))
    server, port = start_server(source, root, work)
    names = []
    with open(os.path.join(source, "tests/feed/corpus/cases/MANIFEST"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                names.append(line.split()[0][: -len(".body")])
    passed, failed, broken = 0, [], []
    env = dict(os.environ, KABAR_CONFIG="")
    try:
        for name in names:
            if only and only not in name:
                continue
            with open(os.path.join(source, "tests/feed/corpus/cases", name + ".expected"),
                      encoding="utf-8") as f:
                expected = sorted(line.rstrip("\n") for line in f if line.rstrip("\n"))
            spool = os.path.join(work, "spool", name)
            url = "http://127.0.0.1:%d/f/%s.body" % (port, name)
            cmd = [kabar, "feed", "--url", url, "--spool", spool, "--once", "--lang", "en",
                   "--ttl", "0", "--no-jitter"]
            try:
                run = subprocess.run(cmd, env=env, capture_output=True, timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                broken.append("%s: hung (over %d s)" % (name, TIMEOUT_S))
                continue
            err = run.stderr.decode("utf-8", "replace")
            if run.returncode not in (0, 1):
                broken.append("%s: exit %d\n%s" % (name, run.returncode, err))
            stray = [l for l in err.splitlines() if l and not l.startswith("kabar: ")]
            if stray:
                broken.append("%s: output outside the log format: %s" % (name, stray[0][:200]))
            got = sorted(titles_written(spool))
            if got == expected:
                passed += 1
                if verbose:
                    print("ok   %s\n     %s" % (name, err.strip().replace("\n", "\n     ")))
            else:
                missing = [t for t in expected if t not in got]
                extra = [t for t in got if t not in expected]
                failed.append(name)
                print("FAIL %s (exit %d)\n     missing: %s\n     extra:   %s\n     log: %s"
                      % (name, run.returncode, json.dumps(missing, ensure_ascii=False),
                         json.dumps(extra, ensure_ascii=False),
                         err.strip().replace("\n", "\n          ")))
        # The silent-expiry line: old entries under the default ttl.
        if not only or only in "ttl-all-old":
            spool = os.path.join(work, "spool", "ttl-default")
            url = "http://127.0.0.1:%d/f/ttl-all-old.body" % port
            run = subprocess.run([kabar, "feed", "--url", url, "--spool", spool, "--once",
                                  "--lang", "en"], env=env, capture_output=True, timeout=TIMEOUT_S)
            err = run.stderr.decode("utf-8", "replace")
            if "3 entries older than ttl 24h, none written" not in err or titles_written(spool):
                broken.append("ttl-all-old with the default ttl: expected the line \"3 entries "
                              "older than ttl 24h, none written\" and no item; got: %s" % err.strip())
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    total = passed + len(failed)
    for b in broken:
        print("BROKEN " + b)
    print("corpus: %d of %d feeds read as expected" % (passed, total))
    if not broken:
        shutil.rmtree(work, ignore_errors=True)
    if "--no-fail" in sys.argv:
        return 0
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main())
