#!/usr/bin/env python3
"""A loopback HTTP(S) server that answers from a scenario file, for tests.

Stands in for the services that cannot run here (GitHub, Cloud Run, the OAuth
token endpoint, the Docker Engine on a UNIX socket). It speaks real HTTP/1.1
(Python's http.server) and logs every request as one JSON line.

Scenario (JSON):
  {"routes": [
     {"method": "GET", "path": "/user",           # path without the query
      "query_contains": "...",                    # optional
      "match_headers": {"Authorization": "Bearer t"},    # optional: else the route is skipped
      "require_headers": {"Authorization": "Bearer t"},  # optional
      "otherwise": {"status": 401, "body": {...}},       # answer when a header is missing
      "status": 200, "headers": {"X": "y"}, "body": {...} or "text",
      "delay_ms": 300, "hang": false, "reset": false,
      "body_hex": "ff fe",                        # optional: raw bytes (not UTF-8), instead of body
      "reset_after": 1000,                        # optional: headers and this many body bytes
                                                  #   of the announced Content-Length, then RST
      "sequence": [{"status": 503}, {"status": 200}]}   # optional: answers in turn,
   ],                                                    #   the last one repeats
   "default": {"status": 404, "body": {"message": "Not Found"}}}

Usage: http_fake.py SCENARIO LOG [--unix PATH] [--tls CERT KEY] [--port N]
Prints "READY <port>" (or "READY <path>") on stdout once it accepts connections.
"""
import json
import os
import socket
import socketserver
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = sys.argv[1:]
scenario_path, log_path = args[0], args[1]
unix_path = None
tls = None
port = 0
i = 2
while i < len(args):
    if args[i] == "--unix":
        unix_path = args[i + 1]; i += 2
    elif args[i] == "--tls":
        tls = (args[i + 1], args[i + 2]); i += 3
    elif args[i] == "--port":
        port = int(args[i + 1]); i += 2
    else:
        sys.exit("unknown argument " + args[i])

with open(scenario_path) as f:
    scenario = json.load(f)
log_lock = threading.Lock()
sequence_turns = {}  # route index -> answers of its "sequence" already given


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def handle_any(self):
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        entry = {"method": self.command, "path": path, "query": query,
                 "headers": {k: v for k, v in self.headers.items()}, "body": body,
                 "time": time.time()}
        with log_lock:
            with open(log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")
        answer = None
        for index, route in enumerate(scenario.get("routes", [])):
            if route.get("method", "GET") != self.command and not (
                    self.command == "HEAD" and route.get("method", "GET") == "GET"):
                continue
            if route.get("path") != path and not (
                    route.get("path_prefix") and path.startswith(route["path_prefix"])):
                continue
            if route.get("query_contains") and route["query_contains"] not in query:
                continue
            if any(self.headers.get(k) != v for k, v in route.get("match_headers", {}).items()):
                continue
            answer = route
            for k, v in route.get("require_headers", {}).items():
                if self.headers.get(k) != v:
                    answer = route.get("otherwise", {"status": 401, "body": {"message": "missing " + k}})
                    break
            if answer is route and route.get("sequence"):
                with log_lock:
                    turn = sequence_turns.get(index, 0)
                    sequence_turns[index] = turn + 1
                answer = route["sequence"][min(turn, len(route["sequence"]) - 1)]
            break
        if answer is None:
            answer = scenario.get("default", {"status": 404, "body": {"message": "Not Found"}})
        if answer.get("delay_ms"):
            time.sleep(answer["delay_ms"] / 1000.0)
        if answer.get("hang"):
            time.sleep(3600)
        if answer.get("reset"):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            return
        payload = answer.get("body", "")
        if not isinstance(payload, str):
            payload = json.dumps(payload)
        raw = payload.encode()
        if "body_hex" in answer:
            raw = bytes.fromhex(answer["body_hex"])
        if answer.get("repeat"):
            raw = raw * int(answer["repeat"])
        self.send_response(answer.get("status", 200))
        headers = {"Content-Type": "application/json"}
        headers.update(answer.get("headers", {}))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if answer.get("reset_after") is not None and self.command != "HEAD":
            self.wfile.write(raw[:int(answer["reset_after"])])
            self.wfile.flush()
            time.sleep(0.05)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            self.close_connection = True
            return
        if self.command != "HEAD":
            self.wfile.write(raw)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


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
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    where = str(server.server_address[1])
print("READY " + where, flush=True)
server.serve_forever()
