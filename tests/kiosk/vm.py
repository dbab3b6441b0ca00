"""A kabar image booted under QEMU, driven from the host.

QMP (QEMU's monitor) grabs frames and pulls the plug; the guest agent runs
commands inside; the serial console goes to a file. Standard library only.
docs/kiosk.md ("What the VM proves") says what the checks prove and what they cannot.
"""

import base64
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
LIVE = []  # every QEMU this process started and has not killed yet


def kill_all(*_):
    """Never leaves a QEMU behind: at the end, on an error, on SIGTERM."""
    for m in list(LIVE):
        m.kill()


def _on_signal(sig, _frame):
    """SIGTERM or SIGHUP (timeout, a closed terminal): SIGKILL every QEMU
    and leave at once. No Popen.wait here: the signal may have come while
    the main thread held the lock that wait takes, and it would deadlock."""
    for m in list(LIVE):
        if m.proc is not None:
            try:
                os.kill(m.proc.pid, signal.SIGKILL)
            except OSError:
                pass
    os._exit(128 + sig)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGHUP, _on_signal)


class Error(Exception):
    pass


class Chan:
    """One JSON-lines socket (QMP or the guest agent)."""

    def __init__(self, path, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise Error(f"cannot connect to {path}")
                time.sleep(0.1)
        self.buf = b""

    def send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b"\n")

    def recv(self, timeout):
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Error("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.strip(b"\xff \r")
        return json.loads(line) if line else None

    def close(self):
        self.sock.close()


class VM:
    """One QEMU process on a copy of the image."""

    def __init__(self, arch, image, kernel, initrd, cmdline, workdir, log):
        self.arch, self.image, self.workdir, self.log = arch, image, workdir, log
        self.kernel, self.initrd, self.cmdline = kernel, initrd, cmdline
        self.proc = None
        self.qmp = self.qga = None
        self.serial = os.path.join(workdir, "serial.log")

    def start(self):
        qmp = os.path.join(self.workdir, "qmp.sock")
        qga = os.path.join(self.workdir, "qga.sock")
        for p in (qmp, qga):
            if os.path.exists(p):
                os.unlink(p)
        if self.arch == "amd64":
            cmd = ["qemu-system-x86_64", "-machine", "q35", "-cpu", "max"]
            console = "console=ttyS0"
        else:
            cmd = ["qemu-system-aarch64", "-machine", "virt", "-cpu", "cortex-a72"]
            console = "console=ttyAMA0"
        # TCG only: the nested /dev/kvm of some CI machines cannot boot
        # Debian's kernel, and a check must not depend on it.
        cmd += ["-accel", "tcg", "-smp", "2", "-m", "1024",
                "-kernel", self.kernel, "-initrd", self.initrd,
                "-append", f"{self.cmdline} {console} panic=5",
                "-drive", f"file={self.image},format=raw,if=virtio,cache=writeback",
                "-device", "virtio-gpu-pci,xres=1280,yres=720",
                "-display", "none", "-nic", "none", "-vga", "none",
                "-device", "virtio-serial-pci",
                "-chardev", f"socket,path={qga},server=on,wait=off,id=qga0",
                "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
                "-qmp", f"unix:{qmp},server=on,wait=off",
                "-serial", f"file:{self.serial}", "-no-reboot"]
        with open(self.serial, "ab"):
            pass
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=open(
                                         os.path.join(self.workdir, "qemu.err"), "ab"))
        self.started = time.monotonic()
        LIVE.append(self)
        self.qmp = Chan(qmp, 10)
        self.qmp.recv(10)  # greeting
        self.qmp_cmd("qmp_capabilities")
        self.qga = Chan(qga, 10)

    def qmp_cmd(self, name, **args):
        self.qmp.send({"execute": name, "arguments": args})
        while True:
            r = self.qmp.recv(30)
            if r is None or "event" in r:
                continue
            if "error" in r:
                raise Error(f"QMP {name}: {r['error']}")
            return r.get("return")

    def kill(self):
        """Pulls the plug: SIGKILL, no flush, no shutdown."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if self in LIVE:
            LIVE.remove(self)
        for c in (self.qmp, self.qga):
            if c:
                c.close()
        self.qmp = self.qga = None
        self.proc = None

    def ga(self, name, timeout=10, **args):
        """One guest agent command; None if the agent did not answer."""
        sync = random.randint(1, 2**31)
        try:
            self.qga.send({"execute": "guest-sync-delimited", "arguments": {"id": sync}})
            end = time.monotonic() + timeout
            while True:
                r = self.qga.recv(max(0.1, end - time.monotonic()))
                if r and r.get("return") == sync:
                    break
            self.qga.send({"execute": name, "arguments": args})
            r = self.qga.recv(timeout)
        except (socket.timeout, Error, json.JSONDecodeError):
            return None
        if r and "error" in r:
            raise Error(f"guest agent {name}: {r['error']}")
        return r.get("return") if r else None

    def wait_agent(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise Error("QEMU exited; see " + self.serial)
            if self.ga("guest-ping", timeout=2) is not None:
                return time.monotonic() - self.started
        raise Error(f"no guest agent after {timeout} s; see {self.serial}")

    def sh(self, script, timeout=30, stdin=None, check=True):
        """Runs a shell script in the guest as root: (status, stdout, stderr)."""
        args = {"path": "/bin/sh", "arg": ["-c", script], "capture-output": True}
        if stdin is not None:
            args["input-data"] = base64.b64encode(stdin).decode()
        r = self.ga("guest-exec", **args)
        if r is None:
            raise Error(f"guest-exec got no answer: {script[:60]}")
        pid = r["pid"]
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            s = self.ga("guest-exec-status", pid=pid)
            if s and s.get("exited"):
                out = base64.b64decode(s.get("out-data", "")).decode(errors="replace")
                err = base64.b64decode(s.get("err-data", "")).decode(errors="replace")
                code = s.get("exitcode", -1)
                if check and code != 0:
                    raise Error(f"guest: `{script[:80]}` exited {code}: {err.strip()}")
                return code, out, err
            time.sleep(0.1)
        raise Error(f"guest: `{script[:80]}` still running after {timeout} s")

    def screendump(self, path):
        """The guest's screen now, as (width, height, RGB bytes); the PPM QEMU
        writes is kept as PNG at path if path ends in .png."""
        ppm = os.path.join(self.workdir, "frame.ppm")
        self.qmp_cmd("screendump", filename=ppm)
        w, h, rgb = read_ppm(ppm)
        if path:
            write_png(path, w, h, rgb)
        return w, h, rgb


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P6":
        raise Error(f"{path}: not a P6 PPM")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h * 3]


def write_png(path, w, h, rgb):
    raw = b"".join(b"\0" + rgb[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(kind, body):
        c = struct.pack(">I", len(body)) + kind + body
        return c + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def region(frame, x0, x1, y0, y1):
    """Pixels of a box given in fractions of the frame, as (r, g, b) tuples."""
    w, h, rgb = frame
    xs, xe, ys, ye = int(x0 * w), int(x1 * w), int(y0 * h), int(y1 * h)
    out = []
    for y in range(ys, ye, 2):  # every other row and column: enough, and 4x faster
        row = rgb[(y * w + xs) * 3:(y * w + xe) * 3]
        out.extend(zip(row[0::6], row[1::6], row[2::6]))
    return out


def ink(pixels):
    """How many pixels differ clearly from the box's most common colour."""
    if not pixels:
        return 0
    counts = {}
    for p in pixels:
        counts[p] = counts.get(p, 0) + 1
    bg = max(counts, key=counts.get)
    return sum(n for p, n in counts.items() if sum(abs(a - b) for a, b in zip(p, bg)) > 90)


def bar_report(frame, bar=0.1):
    """Ink in the bar's label (left), crawl (middle) and clock (right), and
    in the bar as a whole against the screen above it."""
    y0 = 1.0 - bar
    label = region(frame, 0.0, 0.16, y0, 1.0)
    crawl = region(frame, 0.18, 0.86, y0, 1.0)
    clock = region(frame, 0.88, 1.0, y0, 1.0)
    above = region(frame, 0.0, 1.0, y0 - 0.05, y0 - 0.01)
    whole = region(frame, 0.0, 1.0, y0 + 0.01, 1.0)
    bar_bg = max(set(whole), key=whole.count) if whole else (0, 0, 0)
    screen_bg = max(set(above), key=above.count) if above else (0, 0, 0)
    return {"label": ink(label), "crawl": ink(crawl), "clock": ink(clock),
            "bar_vs_screen": sum(abs(a - b) for a, b in zip(bar_bg, screen_bg)),
            "max": max(max(p) for p in whole) if whole else 0}


def bar_shows(rep):
    """A bar is drawn: its own colour, and ink in label, crawl and clock."""
    return rep["bar_vs_screen"] > 10 and rep["label"] > 20 and rep["crawl"] > 20 and rep["clock"] > 10


def frames_differ(a, b, bar=0.1):
    ra = region(a, 0.18, 0.86, 1.0 - bar, 1.0)
    rb = region(b, 0.18, 0.86, 1.0 - bar, 1.0)
    return sum(1 for p, q in zip(ra, rb) if p != q)


def black(frame):
    """Black, or QEMU's own "Display output is not active." on black (what
    it shows once the guest turned the display off through DPMS)."""
    w, h, rgb = frame
    lit = sum(1 for v in rgb[1::3 * 7] if v >= 16)  # green channel, every 7th pixel
    return lit <= (w * h // 7) // 100


def display_off(frame):
    """QEMU's placeholder for a display the guest turned off: black with a
    line of text in the middle."""
    w, h, rgb = frame
    return black(frame) and max(rgb) >= 16


def copy_image(src, dst):
    """A sparse copy, so 20 boots do not write 20 gigabytes."""
    subprocess.run(["cp", "--sparse=always", src, dst], check=True)


def partitions(image):
    """(start, size) in bytes of each partition, from sfdisk's dump."""
    out = subprocess.run(["sfdisk", "--json", image], check=True, capture_output=True,
                         text=True).stdout
    table = json.loads(out)["partitiontable"]
    sector = table.get("sectorsize", 512)
    return [(p["start"] * sector, p["size"] * sector) for p in table["partitions"]]


def digest(image, start, size):
    import hashlib
    h = hashlib.sha256()
    with open(image, "rb") as f:
        f.seek(start)
        left = size
        while left:
            chunk = f.read(min(left, 1 << 22))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


def which(*names):
    for n in names:
        if shutil.which(n) is None:
            raise Error(f"{n} is not installed (scripts/install-deps.sh --image)")
