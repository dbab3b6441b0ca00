"""What the fleet's scripts share: a mosquitto broker on 127.0.0.1 started
for the run, a small MQTT 3.1.1 client (publishing thousands of retained
messages from one connection, which mosquitto_pub cannot do quickly), and
`kabar mqtt` bridges as processes. Used by tests/fleet/test_scale.py and
bench/fleet_bench.py. Python's standard library only."""

import atexit
import json
import os
import pwd
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

BROKER = "/usr/sbin/mosquitto"

# Every process started here, stopped at exit whatever ends the script
# (SIGTERM from ctest's timeout included: see stop_all_on_signals).
_procs = []


def _stop_all():
    for p in _procs:
        if p.poll() is None:
            p.kill()
            p.wait()


atexit.register(_stop_all)


def stop_all_on_signals():
    """SIGTERM and SIGINT end the script through its finally blocks and
    atexit, so no broker or bridge outlives it."""
    def bye(sig, frame):
        sys.exit(128 + sig)
    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGINT, bye)


def scratch_dir(prefix):
    """A temporary folder in memory where there is room (/dev/shm): the
    figures and the tests are about kabar, not about the disk's inode
    allocator, which on a busy ext4 costs a millisecond a file."""
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    return tempfile.mkdtemp(prefix=prefix, dir=base)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(seconds, cond, step=0.1):
    """Retries cond() until it is true or seconds have passed; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        ok = cond()
        if ok or time.monotonic() >= deadline:
            return ok
        time.sleep(step)


class Broker:
    """A mosquitto on 127.0.0.1:port, configured with boards/mosquitto/kabar.conf
    (tuned=True) or with mosquitto's own defaults, plus the lines in extra
    (written last, so they override)."""

    def __init__(self, tmp, name, src, tuned=True, extra=()):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.proc = None
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            f"persistence_location {self.dir}/",
            f"log_dest file {self.dir}/mosquitto.log",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages false",
        ]
        # mosquitto started as root would switch to the user "mosquitto".
        lines.append(f"user {pwd.getpwuid(os.geteuid()).pw_name}")
        if tuned:
            with open(os.path.join(src, "boards/mosquitto/kabar.conf")) as f:
                lines.append(f.read())
        lines.extend(extra)
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self):
        self.proc = subprocess.Popen(
            [BROKER, "-c", self.conf],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, "stderr.log"), "ab"),
        )
        _procs.append(self.proc)

        def accepting():
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False

        if not wait_until(10, accepting, 0.05):
            raise RuntimeError(f"mosquitto did not start: {self.dir}/stderr.log")

    def stop(self):
        """SIGTERM: mosquitto saves its database first."""
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def log(self):
        try:
            with open(os.path.join(self.dir, "mosquitto.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def _varint(n):
    out = bytearray()
    while True:
        b, n = n % 128, n // 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _str(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("!H", len(b)) + b


class Mqtt:
    """One MQTT 3.1.1 connection. publish() pipelines QoS 1 messages (at most
    `window` unacknowledged); flush() waits for every acknowledgement. Messages
    received on subscriptions are appended to self.messages as
    (topic, payload, retain)."""

    def __init__(self, port, client_id=None, clean=True, window=500, keepalive=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.pid = 0
        self.unacked = set()
        self.subacks = []
        self.messages = []
        self.window = window
        if client_id is None:
            client_id = f"kabar-test-{os.getpid()}-{time.monotonic_ns() % 10**9}"
        body = _str("MQTT") + bytes([4, 0x02 if clean else 0]) + struct.pack("!H", keepalive)
        self._send(0x10, body + _str(client_id))
        pkt = self._read(10)
        if pkt is None or pkt[0] >> 4 != 2 or pkt[1][1] != 0:
            raise ConnectionError(f"CONNACK: {pkt!r}")

    def _send(self, first, body):
        self.sock.sendall(bytes([first]) + _varint(len(body)) + body)

    def _parse(self):
        buf = self.buf
        n, mult, i = 0, 1, 1
        while True:
            if i >= len(buf):
                return None
            b = buf[i]
            n += (b & 127) * mult
            mult *= 128
            i += 1
            if not b & 128:
                break
        if len(buf) < i + n:
            return None
        self.buf = buf[i + n:]
        return buf[0], buf[i:i + n]

    def _read(self, timeout):
        """One packet, or None after timeout seconds without one."""
        deadline = time.monotonic() + timeout
        while True:
            pkt = self._parse()
            if pkt is not None:
                return pkt
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("the broker closed the connection")
            self.buf += data

    def _handle(self, first, body):
        kind = first >> 4
        if kind == 4:  # PUBACK
            self.unacked.discard(struct.unpack("!H", body[:2])[0])
        elif kind == 9:  # SUBACK
            self.subacks.append(body[2:])
        elif kind == 3:  # PUBLISH
            qos, retain = (first >> 1) & 3, first & 1
            tl = struct.unpack("!H", body[:2])[0]
            topic = body[2:2 + tl].decode()
            off = 2 + tl
            if qos:
                self._send(0x40, body[off:off + 2])
                off += 2
            self.messages.append((topic, body[off:], bool(retain)))

    def pump(self, timeout):
        """Handles packets until none came for timeout seconds."""
        while True:
            pkt = self._read(timeout)
            if pkt is None:
                return
            self._handle(*pkt)

    def _next_pid(self):
        self.pid = self.pid % 65535 + 1
        return self.pid

    def publish(self, topic, payload, retain=True):
        if isinstance(payload, str):
            payload = payload.encode()
        pid = self._next_pid()
        self._send(0x32 | (1 if retain else 0), _str(topic) + struct.pack("!H", pid) + payload)
        self.unacked.add(pid)
        while len(self.unacked) >= self.window:
            pkt = self._read(30)
            if pkt is None:
                raise TimeoutError("no PUBACK within 30 s")
            self._handle(*pkt)

    def flush(self, timeout=60):
        deadline = time.monotonic() + timeout
        while self.unacked:
            pkt = self._read(max(0.0, deadline - time.monotonic()))
            if pkt is None:
                raise TimeoutError(f"{len(self.unacked)} PUBACKs missing")
            self._handle(*pkt)

    def subscribe(self, filt, quiet=1.0):
        """Subscribes and collects what comes until the link is quiet."""
        pid = self._next_pid()
        self._send(0x82, struct.pack("!H", pid) + _str(filt) + b"\x01")
        self.pump(quiet)

    def close(self):
        try:
            self._send(0xE0, b"")
        except OSError:
            pass
        self.sock.close()


def retained(port, topic_filter, quiet=1.5):
    """What a fresh subscriber is sent for topic_filter: {topic: payload}."""
    c = Mqtt(port)
    c.subscribe(topic_filter, quiet)
    c.close()
    return {t: p for t, p, _ in c.messages}


def item(id_, text, lang="en", **more):
    d = {"id": id_, "lang": lang, "text": text}
    d.update(more)
    return json.dumps(d, ensure_ascii=False).encode()


INDEX_SHARDS = 64


def index_shard(id_):
    """The shard of id_ in the publishers' index (src/fleet/index.h): FNV-1a 32."""
    h = 2166136261
    for b in id_.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h % INDEX_SHARDS


def publish_index(conn, group, ids):
    """Publishes the group's index listing ids (no expiry), retained, as
    `kabar post --mqtt` keeps it, in one go."""
    shards = {}
    for i in ids:
        shards.setdefault(index_shard(i), {})[i] = 0
    for shard, items in shards.items():
        conn.publish(f"kabar/{group}/index/{shard:02x}",
                     json.dumps({"kabar_index": 1, "items": items}, sort_keys=True))


class Bridge:
    """`kabar mqtt` as a process, its log in log_path."""

    def __init__(self, kabar, port, group, spool, screen, log_path, extra=()):
        self.args = [kabar, "mqtt", "--host", "127.0.0.1", "--port", str(port), "--group", group,
                     "--spool", spool, "--screen", screen, "--status-interval", "0.5",
                     "--keepalive", "5", "--log-level", "info", *extra]
        self.spool = spool
        self.log_path = log_path
        self.proc = None

    def start(self):
        env = dict(os.environ, KABAR_CONFIG="")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log_path, "ab"), env=env)
        _procs.append(self.proc)

    def stop(self, sig=signal.SIGTERM):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        return rc

    def items(self):
        """{id: bytes} of the *.json files in the spool."""
        out = {}
        try:
            names = os.listdir(self.spool)
        except OSError:
            return out
        for n in names:
            if n.endswith(".json") and not n.startswith("."):
                try:
                    with open(os.path.join(self.spool, n), "rb") as f:
                        out[n[:-5]] = f.read()
                except OSError:
                    pass
        return out

    def count(self):
        try:
            return sum(1 for n in os.listdir(self.spool)
                       if n.endswith(".json") and not n.startswith("."))
        except OSError:
            return 0

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def dir_usage(path):
    """(files, bytes) of the regular files directly in path."""
    files = size = 0
    try:
        with os.scandir(path) as it:
            for e in it:
                try:
                    if e.is_file(follow_symlinks=False):
                        files += 1
                        size += e.stat(follow_symlinks=False).st_size
                except OSError:
                    pass
    except OSError:
        pass
    return files, size


def last_status(port, group, screen):
    """The screen's retained status as a dict ({} if none)."""
    msgs = retained(port, f"kabar/{group}/status/{screen}", quiet=0.5)
    for payload in msgs.values():
        try:
            return json.loads(payload)
        except ValueError:
            return {}
    return {}
