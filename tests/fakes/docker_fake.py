#!/usr/bin/env python3
"""A loopback Docker Engine for tests: the parts of the Engine API that
`docker ps` and `docker compose ps` use, over a UNIX socket (or TCP).

Speaks real HTTP/1.1 (Python's http.server) and logs every request as one
JSON line (method, path, query, headers).

Scenario (JSON):
  {"api_version": "1.47",          # sent in the Api-Version header of /_ping
   "min_api_version": "1.44",      # older /vX.Y/ paths get 400 "client version ... is too old"
   "containers": [ {Id, Names, Image, ImageID, State, Status, Labels, Created, ...} ],
   "ping": {"status": 500, "body": {...}, "api_version": "garbage" | null,
            "head": "refuse"},     # optional; head=refuse answers HEAD with 405
   "list": {"status": 500, "body": {"message": "..."}}   # an error answer
         | {"raw": "text"}                                # this body, as is
         | {"reset": true}                                # half the body, then RST
         | {"oversized_mb": 20}                           # a body that never ends
         | {"delay_ms": 300}}                             # then the normal answer
GET /vX.Y/containers/json honours `all` and the `filters` query in both the
list form {"label": ["k=v"]} and the map form {"label": {"k=v": true}}, plus
`status` and `name` filters.

Usage: docker_fake.py SCENARIO LOG (--unix PATH | --tcp)
Prints "READY <path>" or "READY <port>" on stdout once it accepts connections.
"""
import json
import os
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

scenario_path, log_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
unix_path = sys.argv[4] if mode == "--unix" else None

with open(scenario_path) as f:
    scenario = json.load(f)
log_lock = threading.Lock()
API = scenario.get("api_version", "1.47")
MIN_API = scenario.get("min_api_version", "1.24")


def version_tuple(v):
    return tuple(int(x) for x in v.split("."))


def label_matches(labels, want):
    key, eq, value = want.partition("=")
    if key not in labels:
        return False
    return not eq or labels[key] == value


def filter_values(filters, name):
    spec = filters.get(name)
    if spec is None:
        return []
    if isinstance(spec, list):
        return spec
    if isinstance(spec, dict):
        return [k for k, on in spec.items() if on]
    raise ValueError("invalid filter '%s'" % name)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Docker/28.0.0 (linux)"
    sys_version = ""

    def log_message(self, *a):
        pass

    def log_request_entry(self, path, query):
        entry = {"method": self.command, "path": path, "query": query,
                 "headers": {k: v for k, v in self.headers.items()}, "time": time.time()}
        with log_lock:
            with open(log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def answer(self, status, body, headers=None, content_type="application/json"):
        raw = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Api-Version", API)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(raw)

    def error(self, status, message):
        self.answer(status, {"message": message})

    def handle_any(self):
        path, _, query = self.path.partition("?")
        self.log_request_entry(path, query)
        if path == "/_ping":
            return self.ping()
        version = None
        if path.startswith("/v"):
            head, _, rest = path[2:].partition("/")
            version, path = head, "/" + rest
            try:
                v = version_tuple(version)
            except ValueError:
                return self.error(400, "malformed version: %s" % version)
            if v < version_tuple(MIN_API):
                return self.error(400, "client version %s is too old. Minimum supported API "
                                  "version is %s, please upgrade your client to a newer "
                                  "version" % (version, MIN_API))
            if v > version_tuple(API):
                return self.error(400, "client version %s is too new. Maximum supported API "
                                  "version is %s" % (version, API))
        if path == "/containers/json" and self.command == "GET":
            return self.containers(urllib.parse.parse_qs(query))
        if path.startswith("/images/") and path.endswith("/json") and self.command == "GET":
            # scenario["images"]: {"name:tag": "sha256:..."}, as GET /images/{name}/json .Id
            name = urllib.parse.unquote(path[len("/images/"):-len("/json")])
            image_id = scenario.get("images", {}).get(name)
            if image_id is None:
                return self.error(404, "No such image: %s" % name)
            return self.answer(200, {"Id": image_id, "RepoTags": [name]})
        return self.error(404, "page not found")

    def ping(self):
        p = scenario.get("ping", {})
        if self.command == "HEAD" and p.get("head") == "refuse":
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        headers = {"Docker-Experimental": "false", "Ostype": "linux", "Builder-Version": "2",
                   "Cache-Control": "no-cache, no-store, must-revalidate", "Pragma": "no-cache"}
        status = p.get("status", 200)
        raw = b"OK" if status == 200 else json.dumps(p.get("body", {"message": "error"})).encode()
        self.send_response(status)
        if "api_version" in p:
            if p["api_version"] is not None:
                self.send_header("Api-Version", p["api_version"])
        else:
            self.send_header("Api-Version", API)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(raw)

    def containers(self, params):
        behaviour = scenario.get("list", {})
        if behaviour.get("delay_ms"):
            time.sleep(behaviour["delay_ms"] / 1000.0)
        if "status" in behaviour:
            return self.answer(behaviour["status"], behaviour.get("body", ""))
        if "raw" in behaviour:
            return self.answer(200, behaviour["raw"])
        if behaviour.get("oversized_mb"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            total = int(behaviour["oversized_mb"]) << 20
            self.send_header("Content-Length", str(total))
            self.end_headers()
            chunk = b"[" + b" " * ((1 << 20) - 1)
            try:
                for _ in range(int(behaviour["oversized_mb"])):
                    self.wfile.write(chunk)
                    chunk = b" " * (1 << 20)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        want_all = params.get("all", ["0"])[0] in ("1", "true", "True")
        try:
            filters = json.loads(params.get("filters", ["{}"])[0] or "{}")
            for key in filters:
                if key not in ("label", "status", "name"):
                    raise ValueError("invalid filter '%s'" % key)
            labels = filter_values(filters, "label")
            statuses = filter_values(filters, "status")
            names = filter_values(filters, "name")
        except ValueError as e:
            return self.error(400, str(e))
        out = []
        for c in scenario.get("containers", []):
            if not want_all and c.get("State") != "running" and not statuses:
                continue
            if not all(label_matches(c.get("Labels") or {}, l) for l in labels):
                continue
            if statuses and c.get("State") not in statuses:
                continue
            if names and not any(n in "".join(c.get("Names") or []) for n in names):
                continue
            out.append(c)
        raw = json.dumps(out).encode()
        if behaviour.get("reset"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw[: len(raw) // 2])
            self.wfile.flush()
            if self.connection.family == socket.AF_INET:
                # Linger 0: the close sends a TCP RST instead of a FIN.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           b"\x01\x00\x00\x00\x00\x00\x00\x00")
            # Close the descriptor itself: the handler's file objects would
            # otherwise keep the connection open.
            os.close(self.connection.detach())
            self.close_connection = True
            self.wfile = open(os.devnull, "wb")
            return
        self.answer(200, raw)

    do_GET = do_HEAD = do_POST = do_DELETE = handle_any


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        conn, _ = super().get_request()
        return conn, ("local", 0)


if unix_path:
    if os.path.exists(unix_path):
        os.unlink(unix_path)
    server = UnixServer(unix_path, Handler)
    where = unix_path
else:
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    where = str(server.server_address[1])
print("READY " + where, flush=True)
server.serve_forever()
