#!/usr/bin/env python3
"""Faults a lobby screen meets, and hostile spools, checked from outside:
kabar runs headless on a small screen while this script breaks its world
(fonts, disk, file descriptors, signals, the spool folder) and reads what
it says (stderr, --stats, /proc). docs/reliability.md lists each case.

usage: faults_tests.py KABAR SOURCE_DIR BUILD_DIR [TEST...]
Cases that need root (mounts) print SKIP with the reason when they cannot run.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

KABAR, SRC, BUILD = sys.argv[1:4]
ONLY = sys.argv[4:]
SMALL = ["--headless", "--size", "480x135", "--log-level", "info",
         "--set", "clock_format=", "--set", "show_source=false"]
NOTO = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"


class Skip(Exception):
    pass


def write(spool, name, obj, mtime=None):
    tmp = os.path.join(spool, "." + name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False))
    if mtime is not None:
        os.utime(tmp, (mtime, mtime))
    os.rename(tmp, os.path.join(spool, name))


def item(id_, text=None, **kw):
    d = {"id": id_, "lang": "en", "text": text or f"Item {id_}"}
    d.update(kw)
    return d


def tmpdir(tag):
    return tempfile.mkdtemp(prefix=f"kabar-faults-{tag}-")


STARTED = []


def start(spool, *args, stats=None):
    # A bound on every run, so a failing test never leaves kabar behind
    # holding ctest's pipe open.
    cmd = [KABAR, "run", "--spool", spool, *SMALL, "--seconds", "300", *args]
    if stats:
        cmd += ["--stats", stats]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    STARTED.append(proc)
    return proc


def kill_leftovers():
    for proc in STARTED:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop(proc, sig=signal.SIGTERM, timeout=20):
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def shown_ids(stats):
    with open(stats) as f:
        s = json.load(f)
    return s, {a["id"] for a in s["shown"]}


def cpu_s(pid, threads="all"):
    """User + system CPU seconds of the process, or of its threads but the main one."""
    hz = os.sysconf("SC_CLK_TCK")
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        if threads == "others" and int(tid) == pid:
            continue
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / hz


def can_mount():
    if os.geteuid() != 0:
        return "not root"
    d = tempfile.mkdtemp(prefix="kabar-faults-mnt-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", d],
                       capture_output=True, text=True)
    if r.returncode != 0:
        os.rmdir(d)
        return "mount -t tmpfs is not permitted here: " + r.stderr.strip()
    subprocess.run(["umount", d])
    os.rmdir(d)
    return None


# ---- fonts ----

def test_missing_and_corrupt_fonts_are_named_and_skipped():
    d = tmpdir("fonts")
    truncated = os.path.join(d, "Truncated.ttf")
    with open(NOTO, "rb") as src, open(truncated, "wb") as dst:
        dst.write(src.read(20000))  # the header and part of the tables
    garbage = os.path.join(d, "Garbage.ttf")
    with open(garbage, "wb") as f:
        f.write(os.urandom(4096))
    chain = os.path.join(d, "chain.conf")
    with open(chain, "w") as f:
        f.write(f"path {d}\npath /usr/share/fonts/truetype/noto\n"
                "chain Latn Missing-Regular.ttf Truncated.ttf Garbage.ttf NotoSans-Regular.ttf\n"
                "chain * Missing-Regular.ttf NotoSans-Regular.ttf\n")
    spool = os.path.join(d, "spool")
    os.mkdir(spool)
    write(spool, "a.json", item("a", "Fonts that work still draw this"))
    stats = os.path.join(d, "stats.json")
    p = subprocess.run([KABAR, "run", "--spool", spool, *SMALL, "--virtual-clock",
                        "--seconds", "5", "--set", f"fonts={chain}", "--stats", stats],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "Missing-Regular.ttf not found" in p.stderr, p.stderr
    # Said once per chain line that names it, not once per character or frame.
    assert p.stderr.count("Missing-Regular.ttf") == 2, p.stderr
    assert "Garbage.ttf" in p.stderr, p.stderr
    # The truncated copy either fails to open (named) or opens and is survived.
    s, ids = shown_ids(stats)
    assert "a" in ids, s["shown"]
    # No font at all: a clear error naming the chain file, exit 1.
    bad = os.path.join(d, "bad.conf")
    with open(bad, "w") as f:
        f.write(f"path {d}\nchain * Missing-Regular.ttf Garbage.ttf\n")
    p = subprocess.run([KABAR, "run", "--spool", spool, *SMALL, "--virtual-clock", "--frames",
                        "1", "--set", f"fonts={bad}"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert bad in p.stderr and "no font" in p.stderr, p.stderr
    # A chain file that is not there at all.
    p = subprocess.run([KABAR, "run", "--spool", spool, *SMALL, "--virtual-clock", "--frames",
                        "1", "--set", f"fonts={d}/nope.conf"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 1 and "nope.conf" in p.stderr, (p.returncode, p.stderr)
    shutil.rmtree(d)


# ---- disks ----

def mounted_spool(opts):
    why = can_mount()
    if why:
        raise Skip(why)
    mnt = tempfile.mkdtemp(prefix="kabar-faults-mnt-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", mnt], check=True)
    return mnt


def unmount(mnt):
    subprocess.run(["umount", "-l", mnt])
    os.rmdir(mnt)


def run_on_stuck_spool(spool, seconds=4.0):
    """Runs kabar on a spool whose bad file cannot be moved away; returns
    (stderr, CPU seconds of the threads but the main one over the run, stats)."""
    stats = spool + "-stats.json" if not spool.startswith("/tmp/kabar-faults-mnt") else \
        tempfile.mktemp(prefix="kabar-faults-stats-", suffix=".json")
    proc = start(spool, "--set", "spool_poll_ms=100", "--set", "settle_ms=200", stats=stats)
    time.sleep(1.0)
    c0 = cpu_s(proc.pid, "others")
    time.sleep(seconds)
    c1 = cpu_s(proc.pid, "others")
    rc, err = stop(proc)
    assert rc == 0, err
    s, ids = shown_ids(stats)
    os.unlink(stats)
    return err, c1 - c0, s, ids


def test_read_only_spool_logs_once_and_keeps_showing():
    mnt = mounted_spool("size=1m")
    try:
        write(mnt, "good.json", item("good"))
        write(mnt, "bad.json", '{"id": "b", "lang": "xx_YY", "text": "t"}', mtime=time.time() - 60)
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        err, cpu, s, ids = run_on_stuck_spool(mnt)
        assert "good" in ids, (ids, err)
        lines = [l for l in err.splitlines() if "cannot move to rejected/" in l]
        assert len(lines) == 1, err  # said once, not on every rescan
        assert "Read-only file system" in lines[0], lines
        assert s["items_rejected"] == 1, s["items_rejected"]
        # No hot retry loop: the ingest thread sleeps between rescans.
        assert cpu < 0.5, f"ingest threads used {cpu:.2f} s of CPU in 4 s"
    finally:
        unmount(mnt)


def test_full_disk_spool_moves_without_reason_or_logs_once():
    mnt = mounted_spool("size=64k,nr_inodes=64")
    try:
        write(mnt, "good.json", item("good"))
        write(mnt, "bad.json", '{"id": "b", "lang": "fr",, }', mtime=time.time() - 60)
        # Fill the disk: what is left cannot hold rejected/bad.json.error.txt.
        fd = os.open(os.path.join(mnt, "filler.bin"), os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        os.close(fd)
        err, cpu, s, ids = run_on_stuck_spool(mnt)
        assert "good" in ids, (ids, err)
        moved = os.path.exists(os.path.join(mnt, "rejected", "bad.json"))
        said = [l for l in err.splitlines() if "bad.json" in l and "rejected" in l]
        # Either the move worked (rename needs no space) and the missing reason is said,
        # or it could not move and said so; once either way.
        assert len(said) == 1, err
        if moved:
            assert "cannot write bad.json.error.txt" in said[0], said
        assert cpu < 0.5, f"ingest threads used {cpu:.2f} s of CPU in 4 s"
    finally:
        unmount(mnt)


# ---- file descriptors ----

def test_out_of_file_descriptors_then_recovers():
    if shutil.which("prlimit") is None:
        raise Skip("prlimit (util-linux) is not installed")
    d = tmpdir("fds")
    spool = os.path.join(d, "spool")
    os.mkdir(spool)
    write(spool, "first.json", item("first"))
    stats = os.path.join(d, "stats.json")
    proc = start(spool, "--set", "spool_poll_ms=200", "--set", "settle_ms=500",
                 "--set", "stats_interval_s=0.5", "--speed", "2000", stats=stats)
    time.sleep(1.5)
    nfd = len(os.listdir(f"/proc/{proc.pid}/fd"))
    soft, hard = subprocess.run(["prlimit", f"--pid={proc.pid}", "--nofile", "--raw",
                                 "--noheadings", "--output=SOFT,HARD"], capture_output=True,
                                text=True, check=True).stdout.split()
    # No fd left to open: the soft limit is what it holds now (the hard one
    # stays, so it can be raised again without CAP_SYS_RESOURCE).
    subprocess.run(["prlimit", f"--pid={proc.pid}", f"--nofile={nfd}:{hard}"], check=True)
    write(spool, "starved.json", item("starved", "Written while kabar had no file descriptor"))
    write(spool, "starved-old.json", item("starved-old", "Settled while starved"),
          mtime=time.time() - 60)
    time.sleep(2.5)
    assert proc.poll() is None, "kabar died without file descriptors"
    subprocess.run(["prlimit", f"--pid={proc.pid}", f"--nofile={soft}:{hard}"], check=True)
    time.sleep(3.0)
    rc, err = stop(proc)
    assert rc == 0, err
    s, ids = shown_ids(stats)
    assert "Too many open files" in err, err
    starving = [l for l in err.splitlines() if "Too many open files" in l and "spool" in l]
    assert len(starving) <= 6, starving  # logged, not spammed
    assert s["items_loaded"] == 3 and s["items_rejected"] == 0, (s["items_loaded"], err)
    assert {"first", "starved", "starved-old"} <= ids, (ids, err)
    assert not os.path.exists(os.path.join(spool, "rejected", "starved-old.json")), \
        "a valid file was rejected for a transient error"
    shutil.rmtree(d)


# ---- signals ----

def test_sigint_and_sigterm_exit_cleanly_with_stats():
    d = tmpdir("signals")
    spool = os.path.join(d, "spool")
    os.mkdir(spool)
    write(spool, "t.json", item("t"))
    for sig in (signal.SIGINT, signal.SIGTERM):
        stats = os.path.join(d, f"stats-{sig}.json")
        proc = start(spool, "--seconds", "60", stats=stats)
        time.sleep(1.5)
        t = time.monotonic()
        rc, err = stop(proc, sig)
        # 0, and under AddressSanitizer no leak report (which would make it non-zero).
        assert rc == 0, (sig, rc, err)
        assert time.monotonic() - t < 3, "slow to stop"
        assert "LeakSanitizer" not in err, err
        s, ids = shown_ids(stats)
        assert s["frames"] > 10 and "t" in ids, s["frames"]
    shutil.rmtree(d)


def test_sighup_storm_and_vanished_config():
    d = tmpdir("hup")
    spool = os.path.join(d, "spool")
    os.mkdir(spool)
    write(spool, "long.json", item("long", "A headline that stays through many reloads " * 2))
    conf = os.path.join(d, "kabar.conf")
    with open(conf, "w") as f:
        f.write("[chrome]\nlabel = ONE\n")
    stats = os.path.join(d, "stats.json")
    proc = subprocess.Popen([KABAR, "run", "--spool", spool, "--config", conf, *SMALL,
                             "--seconds", "5", "--speed", "40", "--stats", stats],
                            stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    for i in range(20):  # a storm of reloads
        proc.send_signal(signal.SIGHUP)
        time.sleep(0.02)
    time.sleep(0.5)
    os.unlink(conf)  # the config file goes away: keep the running one
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "keeping the running config" in err, err
    s, _ = shown_ids(stats)
    long_ = [a for a in s["shown"] if a["id"] == "long"]
    assert len(long_) == 1 and long_[0]["first"] < 0.5 and long_[0]["last"] > 4.5, long_
    shutil.rmtree(d)


# ---- the spool folder ----

def test_spool_folder_replaced_under_a_running_kabar():
    d = tmpdir("replace")
    spool = os.path.join(d, "spool")
    os.mkdir(spool)
    for i in range(3):
        write(spool, f"old{i}.json", item(f"old{i}", published=f"2026-11-0{i + 1}T10:00:00Z"))
    stats = os.path.join(d, "stats.json")
    proc = start(spool, "--speed", "900", "--set", "spool_poll_ms=200", stats=stats)
    time.sleep(2.0)
    new = spool + ".new"
    os.mkdir(new)
    for i in range(2):
        write(new, f"new{i}.json", item(f"new{i}"))
    os.rename(spool, spool + ".old")
    os.rename(new, spool)
    t_swap = time.monotonic()
    time.sleep(3.0)
    rc, err = stop(proc)
    assert rc == 0, err
    with open(stats) as f:
        s = json.load(f)
    # In crawl seconds since start; the swap came about 2 s in.
    old_last = max(a["last"] for a in s["shown"] if a["id"].startswith("old"))
    new_first = min((a["first"] for a in s["shown"] if a["id"].startswith("new")), default=None)
    assert new_first is not None, (s["shown"], err)
    assert old_last < new_first + 0.5, (old_last, new_first)
    assert s["items_loaded"] == 2, s["items_loaded"]
    shutil.rmtree(d)


# ---- hostile spools (docs/security.md) ----

def test_rejected_symlink_is_not_followed():
    d = tmpdir("rejlink")
    spool = os.path.join(d, "spool")
    outside = os.path.join(d, "outside")
    os.mkdir(spool)
    os.mkdir(outside)
    os.symlink(outside, os.path.join(spool, "rejected"))
    write(spool, "good.json", item("good"))
    write(spool, "bad.json", '{"id": "b", "lang": "fr",, }', mtime=time.time() - 60)
    stats = os.path.join(d, "stats.json")
    p = subprocess.run([KABAR, "run", "--spool", spool, *SMALL, "--virtual-clock", "--seconds",
                        "3", "--stats", stats], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert os.listdir(outside) == [], os.listdir(outside)  # nothing written through the link
    assert os.path.exists(os.path.join(spool, "bad.json"))  # left where it was
    assert "cannot move to rejected/" in p.stderr, p.stderr
    shutil.rmtree(d)


def test_hostile_names_and_links_stay_inside_the_spool():
    d = tmpdir("hostile")
    spool = os.path.join(d, "spool")
    os.mkdir(spool)
    secret = os.path.join(d, "secret.json")
    with open(secret, "w") as f:
        json.dump(item("secret", "SECRET outside the spool"), f)
    os.symlink(secret, os.path.join(spool, "link.json"))           # a symlink to a valid item
    os.symlink("../secret.json", os.path.join(spool, "rel.json"))   # relative, with ..
    os.mkdir(os.path.join(spool, "sub.json"))                        # a folder
    write(os.path.join(spool, "sub.json"), "inner.json", item("inner"))
    long_name = "x" * 250 + ".json"                                   # 255 bytes: NAME_MAX
    with open(os.path.join(spool, long_name), "w") as f:
        f.write('{"id": "l", "lang": "fr",, }')
    os.utime(os.path.join(spool, long_name), (time.time() - 60,) * 2)
    for n, id_ in (("slash.json", "a/b"), ("dots.json", "../../etc/passwd"),
                   ("abs.json", "/etc/passwd"), ("nul.json", "a\u0000b")):
        write(spool, n, item(id_), mtime=time.time() - 60)
    write(spool, "good.json", item("good"))
    stats = os.path.join(d, "stats.json")
    p = subprocess.run([KABAR, "run", "--spool", spool, *SMALL, "--virtual-clock", "--seconds",
                        "3", "--stats", stats], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    s, ids = shown_ids(stats)
    assert ids == {"good"}, ids
    assert "a symbolic link, not a regular file" in p.stderr, p.stderr
    assert "a directory, not a regular file" in p.stderr, p.stderr
    # Every file kabar wrote is in the spool's rejected/: nothing elsewhere but
    # what --stats asked for, the stats and, once thumb_interval_s of real
    # time has passed (a slow machine), the screen's picture beside them.
    wrote = sorted(os.listdir(d))
    if "stats.thumb.png" in wrote:
        assert not os.path.islink(os.path.join(d, "stats.thumb.png"))
        wrote.remove("stats.thumb.png")
    assert wrote == ["secret.json", "spool", "stats.json"], os.listdir(d)
    rejected = os.listdir(os.path.join(spool, "rejected"))
    for n in ("slash.json", "dots.json", "abs.json", "nul.json", long_name):
        assert n in rejected, (n, rejected)
    # The 255-byte name has no room for ".error.txt": moved, and said so.
    assert "cannot write " + long_name + ".error.txt" in p.stderr, p.stderr
    assert os.path.islink(os.path.join(spool, "link.json"))  # left alone, not moved
    shutil.rmtree(d)


def main():
    emulated = os.path.basename(KABAR) == "kabar-emulated"
    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_")]
    passed = failed = skipped = 0
    for t in tests:
        if ONLY and t.__name__ not in ONLY:
            continue
        start_t = time.monotonic()
        try:
            if emulated:
                raise Skip("under an emulator: CPU and timing bounds do not hold")
            t()
            passed += 1
            print(f"ok   {t.__name__} ({time.monotonic() - start_t:.1f} s)", flush=True)
        except Skip as e:
            skipped += 1
            print(f"SKIP {t.__name__}: {e}", flush=True)
        except Exception as e:  # report every failure, then fail the run
            failed += 1
            print(f"FAIL {t.__name__}: {type(e).__name__}: {e}", flush=True)
        finally:
            kill_leftovers()
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 77 if skipped and not passed else 0)


main()
