#!/usr/bin/env python3
"""Fixture HTTP server for the `kabar feed` tests. Binds 127.0.0.1 only.

  server.py --fixtures SRC --root DIR --port-file FILE --log FILE [--lifetime S]

At start it writes every fixture listed in SRC/MANIFEST into DIR in the
encoding the manifest names (the sources are UTF-8; "raw": the bytes as
they are), then serves DIR:

  /f/NAME              the file DIR/NAME, with an ETag and Last-Modified; 304
                       when the request's validators match. If DIR/NAME.status
                       exists, its number is the answer instead (500, 404 ...).
                       The Content-Type is the manifest's, or DIR/NAME.ctype.
  /slow/S/NAME         NAME after S seconds (timeouts)
  /truncated/NAME      half of NAME under the full Content-Length, then close
  /redirect/N/NAME     a chain of N redirects ending at /f/NAME
  /huge                20 MiB of a never-ending feed (the body cap)

Every request is logged to the log file as one JSON line: path, the
validators and User-Agent it sent, and the status answered. The server
exits after --lifetime seconds whatever happens, so a test that dies never
leaves it behind; SIGTERM stops it at once.
"""
import argparse
import email.utils
import hashlib
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
import time


def build_fixtures(src, root):
    types = {}
    with open(os.path.join(src, "MANIFEST"), encoding="utf-8") as manifest:
        for line in manifest:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, codec, ctype = line.split(None, 2)
            types[name] = ctype
            if codec == "raw":  # served byte for byte as stored (the corpus)
                with open(os.path.join(src, name), "rb") as f:
                    data = f.read()
                with open(os.path.join(root, name), "wb") as f:
                    f.write(data)
                continue
            with open(os.path.join(src, name), encoding="utf-8") as f:
                text = f.read().replace("@ROOT@", root)
            data = text.encode(codec) if codec != "-" else text.encode("utf-8")
            with open(os.path.join(root, name), "wb") as f:
                f.write(data)
    return types


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_handler(root, types, log_path, lock):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def record(self, status):
            entry = {
                "path": self.path,
                "if_none_match": self.headers.get("If-None-Match"),
                "if_modified_since": self.headers.get("If-Modified-Since"),
                "user_agent": self.headers.get("User-Agent"),
                "status": status,
            }
            with lock, open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")

        def plain(self, status, body=b"nope\n", headers=()):
            self.record(status)
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def file(self, name, truncated=False):
            path = os.path.join(root, os.path.basename(name))
            status_file = path + ".status"
            if os.path.exists(status_file):
                with open(status_file) as f:
                    return self.plain(int(f.read().strip() or "500"), b"server trouble\n")
            if not os.path.isfile(path):
                return self.plain(404)
            with open(path, "rb") as f:
                data = f.read()
            ctype = types.get(os.path.basename(name))
            if os.path.exists(path + ".ctype"):
                with open(path + ".ctype") as f:
                    ctype = f.read().strip()
            etag = '"%s"' % hashlib.sha1(data).hexdigest()[:16]
            modified = email.utils.formatdate(int(os.stat(path).st_mtime), usegmt=True)
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if (inm is not None and inm == etag) or (inm is None and ims == modified):
                self.record(304)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.record(200)
            self.send_response(200)
            self.send_header("Content-Type", ctype or "application/xml")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
            if truncated:
                self.send_header("Connection", "close")
            self.end_headers()
            if truncated:
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data)

        def do_GET(self):
            parts = self.path.split("?")[0].strip("/").split("/")
            try:
                if parts[0] == "f" and len(parts) == 2:
                    return self.file(parts[1])
                if parts[0] == "slow" and len(parts) == 3:
                    time.sleep(float(parts[1]))
                    return self.file(parts[2])
                if parts[0] == "truncated" and len(parts) == 2:
                    return self.file(parts[1], truncated=True)
                if parts[0] == "redirect" and len(parts) == 3:
                    n = int(parts[1])
                    # N redirects in all: the last one points at the file.
                    where = "/f/%s" % parts[2] if n <= 1 else "/redirect/%d/%s" % (n - 1, parts[2])
                    return self.plain(302, b"moved\n", [("Location", where)])
                if parts[0] == "huge":
                    self.record(200)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(b"<rss><channel><title>big</title>")
                    chunk = b"<item><title>x</title></item>" * 4096
                    for _ in range((20 << 20) // len(chunk)):
                        self.wfile.write(chunk)
                    self.close_connection = True
                    return
                return self.plain(404)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    args = ap.parse_args()
    os.makedirs(args.root, exist_ok=True)
    types = build_fixtures(args.fixtures, args.root)
    server = Server(("127.0.0.1", 0), make_handler(args.root, types, args.log, threading.Lock()))
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    # Outlive no test: exit after the lifetime whatever happens.
    timer = threading.Timer(args.lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
