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
      "sequence": [{"status": 503}, {"status": 200}],   # optional: answers in turn,
                                                         #   the last one repeats
      "validate": "pagerduty"}   # optional: check the body as that service does (pagerduty,
   ],                            #   discord, teams, ntfy, slack); a bad one gets the service's
                                 #   400, a good one the route's answer or the service's own
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


def validate(kind, body, headers):
    """The required fields of each service's real format: a list of problems."""
    if kind == "ntfy":
        problems = []
        if not body:
            problems.append("empty message")
        prio = headers.get("Priority") or headers.get("X-Priority")
        if prio and prio not in ("1", "2", "3", "4", "5", "min", "low", "default", "high",
                                 "max", "urgent"):
            problems.append("invalid priority")
        try:
            (headers.get("Title") or "").encode("ascii")
        except UnicodeEncodeError:
            problems.append("title header not ASCII")
        return problems
    try:
        doc = json.loads(body)
    except ValueError:
        return ["body is not JSON"]
    if not isinstance(doc, dict):
        return ["body is not a JSON object"]
    problems = []
    if kind == "pagerduty":
        if not isinstance(doc.get("routing_key"), str) or not doc["routing_key"]:
            problems.append("'routing_key' is missing or blank")
        action = doc.get("event_action")
        if action not in ("trigger", "acknowledge", "resolve"):
            problems.append("'event_action' is invalid")
        dedup = doc.get("dedup_key")
        if action in ("acknowledge", "resolve") and not dedup:
            problems.append("'dedup_key' is required for " + str(action))
        if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255):
            problems.append("'dedup_key' must be a string of at most 255 characters")
        if action == "trigger":
            p = doc.get("payload")
            if not isinstance(p, dict):
                problems.append("'payload' is missing")
            else:
                if not isinstance(p.get("summary"), str) or not p["summary"] or len(p["summary"]) > 1024:
                    problems.append("'payload.summary' is missing, blank or too long")
                if not isinstance(p.get("source"), str) or not p["source"]:
                    problems.append("'payload.source' is missing or blank")
                if p.get("severity") not in ("critical", "error", "warning", "info"):
                    problems.append("'payload.severity' is invalid")
    elif kind == "discord":
        content = doc.get("content")
        embeds = doc.get("embeds") or []
        if not content and not embeds:
            problems.append("Cannot send an empty message")
        if isinstance(content, str) and len(content) > 2000:
            problems.append("content: Must be 2000 or fewer in length.")
        if not isinstance(embeds, list) or len(embeds) > 10:
            problems.append("embeds: Must be 10 or fewer in length.")
        else:
            for e in embeds:
                if not isinstance(e, dict):
                    problems.append("embeds: not an object")
                    continue
                if len(e.get("title", "")) > 256 or len(e.get("description", "")) > 4096:
                    problems.append("embeds: title or description too long")
                if "color" in e and not isinstance(e["color"], int):
                    problems.append("embeds.color: not an integer")
    elif kind == "teams":
        if doc.get("type") != "message":
            problems.append("type must be \"message\"")
        atts = doc.get("attachments")
        if not isinstance(atts, list) or not atts:
            problems.append("attachments missing")
        else:
            for a in atts:
                if a.get("contentType") != "application/vnd.microsoft.card.adaptive":
                    problems.append("attachment contentType is not an Adaptive Card")
                card = a.get("content") or {}
                if card.get("type") != "AdaptiveCard" or not card.get("version"):
                    problems.append("content is not an AdaptiveCard with a version")
                if not isinstance(card.get("body"), list) or not card["body"]:
                    problems.append("card body missing")
                for el in card.get("body") or []:
                    if not isinstance(el, dict) or not el.get("type"):
                        problems.append("card element without type")
    elif kind == "slack":
        if not doc.get("text") and not doc.get("blocks"):
            problems.append("no_text")
    return problems


SERVICE_REFUSAL = {
    "pagerduty": lambda errs: {"status": "invalid event", "message": "Event object is invalid",
                               "errors": errs},
    "discord": lambda errs: {"code": 50035, "message": "Invalid Form Body", "errors": errs},
    "teams": lambda errs: {"error": {"code": "InvalidRequestContent", "message": "; ".join(errs)}},
    "ntfy": lambda errs: {"code": 40007, "http": 400, "error": "; ".join(errs)},
    "slack": lambda errs: errs[0],
}


def service_success(kind, body):
    if kind == "pagerduty":
        return {"status": 202, "body": {"status": "success", "message": "Event processed",
                                        "dedup_key": json.loads(body).get("dedup_key", "")}}
    if kind == "discord":
        return {"status": 204, "body": ""}
    if kind == "teams":
        return {"status": 202, "body": ""}
    if kind == "ntfy":
        return {"status": 200, "body": {"id": "hwQ2YpKdmg", "time": int(time.time()),
                                        "event": "message", "message": body}}
    return {"status": 200, "body": "ok"}


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
            kind = route.get("validate")
            if kind:
                problems = validate(kind, body, self.headers)
                if problems:
                    answer = {"status": 400, "body": SERVICE_REFUSAL[kind](problems)}
                elif "status" not in answer:
                    answer = dict(answer, **service_success(kind, body))
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
