#!/usr/bin/env python3
"""Loopback stand-in for Google's endpoints, speaking their wire protocols.

One HTTP server plays:
  POST /token                       OAuth 2.0 token endpoint: the jwt-bearer grant
                                    (the assertion's RS256 signature is verified against
                                    the public key, read once with `openssl rsa -pubin`;
                                    a bad one gets 400 invalid_grant) and the
                                    refresh_token grant.
  GET  /computeMetadata/v1/...      the GCE metadata server (403 without
                                    "Metadata-Flavor: Google").
  GET  /v2/projects/.../services/S  the Cloud Run Admin API v2 (401 without a
                                    Bearer token this server issued or was told
                                    to accept).
  POST /sts                         Security Token Service token exchange (RFC 8693):
                                    every form field checked against "sts"; a wrong
                                    one gets 400 invalid_grant / invalid_request.
  POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken
                                    IAM Credentials: needs a Bearer token this server
                                    issued, JSON {scope: [...cloud-platform], lifetime},
                                    EMAIL in "iam.accounts" (else 403 PERMISSION_DENIED).
  GET  /subject                     a subject token for url-sourced credentials
                                    ("subject": {"token", "format": text|json,
                                    "require_headers"}).
  GET  /                            the metadata server's root, which google-auth pings.

Config (JSON file):
  {"public_key": "/path/pub.pem", "client_email": "...", "kid": "...",
   "refresh": {"client_id": "...", "client_secret": "...", "refresh_token": "..."},
   "accept_tokens": ["..."],
   "metadata": {"token": "...", "project": "...", "email": "..."},   # optional
   "metadata_flavor": true,      # false: metadata answers 200 without Metadata-Flavor
   "sts": {"audience": "...", "subject_token": "...", "subject_token_type": "...",
           "client_id": "...", "client_secret": "..."},             # optional
   "iam": {"accounts": ["sa@p.iam.gserviceaccount.com"], "delegates": [...]},
   "subject": {"token": "...", "format": "text", "require_headers": {...}},
   "services": {"/v2/projects/p/locations/r/services/s":
                {"status": 200, "body_file": "/path/doc.json", "delay_ms": 0},
                "/v2/projects/p/locations/r/services/s/revisions/s-00001-abc":
                {"body_file": "/path/revision.json"},
                "/v2/...": {"sequence": [{"body_file": "a.json"}, {"body_file": "b.json"}]}}}
  Any path under /v2/ is answered from "services" (a Service or a Revision, by
  its real v2 name form); a "sequence" answers its entries in turn, the last one
  repeating (a rollout that finishes between two reads).

Usage: google_fake.py CONFIG LOG. Prints "READY <port>" once it accepts
connections; every request is appended to LOG as one JSON line.
"""
import base64
import datetime
import hashlib
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

config_path, log_path = sys.argv[1], sys.argv[2]
with open(config_path) as f:
    config = json.load(f)
issued = set(config.get("accept_tokens", []))
lock = threading.Lock()
turns = {}  # path -> answers of its "sequence" already given


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_public_key(path):
    """(n, e) of the RSA public key, read once with `openssl rsa -pubin`."""
    res = subprocess.run(["openssl", "rsa", "-pubin", "-in", path, "-noout", "-modulus"],
                         capture_output=True, text=True, check=True)
    n = int(res.stdout.strip().split("=", 1)[1], 16)
    text = subprocess.run(["openssl", "rsa", "-pubin", "-in", path, "-noout", "-text"],
                          capture_output=True, text=True, check=True).stdout
    e = int(text.split("Exponent:", 1)[1].split()[0])
    return n, e


public_key = load_public_key(config["public_key"]) if config.get("public_key") else None
# DER DigestInfo prefix for SHA-256 (RFC 8017 section 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def verify_rs256(signing_input, signature):
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2.2), checked against the key's
    modulus in-process so a token exchange does not pay for starting openssl."""
    if public_key is None:
        return False
    n, e = public_key
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    em = pow(int.from_bytes(signature, "big"), e, n).to_bytes(k, "big")
    t = SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return secrets.compare_digest(em, expected)


def check_assertion(assertion, audience):
    """None when the assertion is good, else Google's error_description."""
    parts = assertion.split(".")
    if len(parts) != 3:
        return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except Exception:
        return "Invalid JWT: not base64url JSON"
    if header.get("alg") != "RS256" or header.get("typ") != "JWT":
        return "Invalid JWT: header must be alg RS256, typ JWT"
    if config.get("kid") and header.get("kid") != config["kid"]:
        return "Invalid JWT Signature."
    if claims.get("iss") != config.get("client_email"):
        return "Invalid JWT: iss is not the service account"
    if claims.get("aud") != audience:
        return "Invalid JWT: audience is not the token endpoint"
    if "https://www.googleapis.com/auth/cloud-platform" not in str(claims.get("scope", "")).split():
        return "Invalid JWT: no cloud-platform scope"
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int) or exp - iat != 3600 \
            or abs(iat - time.time()) > 300:
        return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
    if not verify_rs256((parts[0] + "." + parts[1]).encode(), signature):
        return "Invalid JWT Signature."
    return None


def new_token():
    token = "ya29.fake-" + secrets.token_hex(24)
    with lock:
        issued.add(token)
    return token


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body, content_type="application/json", headers=None):
        raw = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def handle_any(self):
        path = self.path.partition("?")[0]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        with lock:
            with open(log_path, "a") as f:
                f.write(json.dumps({"method": self.command, "path": path, "body": body,
                                    "headers": dict(self.headers.items())}) + "\n")
        if path == "/token" and self.command == "POST":
            return self.token(parse_qs(body))
        if path == "/sts" and self.command == "POST":
            return self.sts(parse_qs(body))
        if path.endswith(":generateAccessToken") and self.command == "POST":
            return self.generate_access_token(path, body)
        if path == "/subject":
            return self.subject()
        if path == "/" and config.get("metadata") is not None:
            return self.metadata("")
        if path.startswith("/computeMetadata/v1/"):
            return self.metadata(path[len("/computeMetadata/v1/"):])
        if path.startswith("/v2/"):
            return self.cloud_run(path)
        self.answer(404, {"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND"}})

    def token(self, form):
        grant = form.get("grant_type", [""])[0]
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            audience = "http://127.0.0.1:%d/token" % self.server.server_address[1]
            problem = check_assertion(form.get("assertion", [""])[0], audience)
            if problem:
                return self.answer(400, {"error": "invalid_grant", "error_description": problem})
        elif grant == "refresh_token":
            want = config.get("refresh") or {}
            client_id, client_secret = form.get("client_id", [""])[0], form.get("client_secret", [""])[0]
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):  # client authentication in the header (RFC 6749 2.3.1)
                client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
            if client_id != want.get("client_id") or client_secret != want.get("client_secret"):
                return self.answer(401, {"error": "invalid_client",
                                         "error_description": "The OAuth client was not found."})
            if form.get("refresh_token", [""])[0] != want.get("refresh_token"):
                return self.answer(400, {"error": "invalid_grant",
                                         "error_description": "Token has been expired or revoked."})
        else:
            return self.answer(400, {"error": "unsupported_grant_type",
                                     "error_description": "Invalid grant_type: " + grant})
        self.answer(200, {"access_token": new_token(), "expires_in": 3599,
                          "scope": "https://www.googleapis.com/auth/cloud-platform",
                          "token_type": "Bearer"})

    def sts(self, form):
        want = config.get("sts") or {}
        one = lambda k: form.get(k, [""])[0]
        if want.get("client_id"):
            expected = "Basic " + base64.b64encode(
                (want["client_id"] + ":" + want["client_secret"]).encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self.answer(401, {"error": "invalid_client",
                                         "error_description": "The client is not authorized."})
        checks = [("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                  ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                  ("audience", want.get("audience")),
                  ("subject_token_type", want.get("subject_token_type"))]
        for name, value in checks:
            if one(name) != value:
                return self.answer(400, {"error": "invalid_request",
                                         "error_description": "Invalid value for \"%s\"." % name})
        if "https://www.googleapis.com/auth/cloud-platform" not in one("scope").split():
            return self.answer(400, {"error": "invalid_scope",
                                     "error_description": "Invalid scope."})
        if one("subject_token") != want.get("subject_token"):
            return self.answer(400, {"error": "invalid_grant",
                                     "error_description": "The subject token is invalid."})
        self.answer(200, {"access_token": new_token(), "expires_in": 3599,
                          "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                          "token_type": "Bearer"})

    def generate_access_token(self, path, body):
        auth = self.headers.get("Authorization", "")
        with lock:
            good = auth.startswith("Bearer ") and auth[len("Bearer "):] in issued
        if not good:
            return self.answer(401, {"error": {"code": 401, "status": "UNAUTHENTICATED",
                                               "message": "Request had invalid authentication credentials."}})
        email = path.rsplit("/", 1)[-1].split(":", 1)[0]
        want = config.get("iam") or {}
        try:
            req = json.loads(body)
        except ValueError:
            req = None
        if not isinstance(req, dict) or \
                "https://www.googleapis.com/auth/cloud-platform" not in (req.get("scope") or []) \
                or req.get("lifetime") != "3600s" or req.get("delegates", []) != want.get("delegates", []):
            return self.answer(400, {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                               "message": "Invalid request: scope, lifetime or delegates."}})
        if email not in want.get("accounts", []):
            return self.answer(403, {"error": {
                "code": 403, "status": "PERMISSION_DENIED",
                "message": "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."}})
        expire = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3600)
        self.answer(200, {"accessToken": new_token(),
                          "expireTime": expire.strftime("%Y-%m-%dT%H:%M:%SZ")})

    def subject(self):
        want = config.get("subject") or {}
        for k, v in want.get("require_headers", {}).items():
            if self.headers.get(k) != v:
                return self.answer(401, {"error": "missing " + k})
        if want.get("format") == "json":
            return self.answer(200, {"value": want["token"]})
        self.answer(200, want["token"], "text/plain")

    def metadata(self, what):
        md = config.get("metadata")
        if md is None:
            return self.answer(404, "Not Found", "text/html")
        if not config.get("metadata_flavor", True):
            # A captive portal or a proxy's page: 200, HTML, no Metadata-Flavor.
            return self.answer(200, "<html><body>Sign in to the network</body></html>", "text/html")
        if self.headers.get("Metadata-Flavor") != "Google":
            return self.answer(403, "Missing required header: Metadata-Flavor", "text/html")
        flavor = {"Metadata-Flavor": "Google"}
        if what == "":
            return self.answer(200, "computeMetadata/\n", "application/text", flavor)
        if what == "instance/service-accounts/default/token":
            with lock:
                issued.add(md["token"])
            return self.answer(200, {"access_token": md["token"], "expires_in": 3599,
                                     "token_type": "Bearer"}, headers=flavor)
        if what == "instance/service-accounts/default/email" and md.get("email"):
            return self.answer(200, md["email"], "application/text", flavor)
        if what == "project/project-id" and md.get("project"):
            return self.answer(200, md["project"], "application/text", flavor)
        self.answer(404, "Not Found", "text/html", flavor)

    def cloud_run(self, path):
        auth = self.headers.get("Authorization", "")
        with lock:
            good = auth.startswith("Bearer ") and auth[len("Bearer "):] in issued
        if not good:
            return self.answer(401, {"error": {
                "code": 401, "status": "UNAUTHENTICATED",
                "message": "Request had invalid authentication credentials. Expected OAuth 2 "
                           "access token, login cookie or other valid authentication credential."}})
        svc = config.get("services", {}).get(path)
        if svc is None:
            name = path.rsplit("/", 1)[-1]
            return self.answer(404, {"error": {
                "code": 404, "status": "NOT_FOUND",
                "message": "Resource '%s' of kind 'SERVICE' does not exist." % name}})
        if svc.get("sequence"):
            with lock:
                n = turns.get(path, 0)
                turns[path] = n + 1
            svc = svc["sequence"][min(n, len(svc["sequence"]) - 1)]
        if svc.get("delay_ms"):
            time.sleep(svc["delay_ms"] / 1000.0)
        with open(svc["body_file"]) as f:
            text = f.read()
        self.answer(svc.get("status", 200), text)

    do_GET = do_POST = do_HEAD = handle_any


ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("GOOGLE_FAKE_PORT", "0"))), Handler)
print("READY %d" % server.server_address[1], flush=True)
server.serve_forever()
