#!/usr/bin/env python3
"""A loopback SMTP server for tests: Python's standard-library smtpd.

Every message received is written to FOLDER as N.eml (the data as sent) and
N.json ({"mailfrom", "rcpttos", "tls"}), so the test reads what arrived.

smtpd speaks plain SMTP only. For TLS a small relay sits in front of it:
  --smtps CERT KEY     TLS from the first byte (smtps://), then relays to smtpd
  --starttls CERT KEY  offers STARTTLS in its EHLO answer; after the TLS
                       handshake it answers the client's second EHLO itself
                       (smtpd refuses a second one) and relays the rest
Both record in N.json whether the message came over TLS.

Usage: smtp_server.py FOLDER [--smtps CERT KEY | --starttls CERT KEY] [--reject CODE]
Prints "READY <port>" once it accepts connections.
"""
import json
import os
import socket
import ssl
import sys
import threading
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import asyncore  # noqa: E402  (deprecated, still in 3.11: smtpd runs on it)
import smtpd  # noqa: E402

args = sys.argv[1:]
folder = args[0]
mode, cert, key, reject = "plain", None, None, None
i = 1
while i < len(args):
    if args[i] in ("--smtps", "--starttls"):
        mode, cert, key = args[i][2:], args[i + 1], args[i + 2]
        i += 3
    elif args[i] == "--reject":
        reject = args[i + 1]
        i += 2
    else:
        sys.exit("unknown argument " + args[i])

count_lock = threading.Lock()
count = [0]
# Client ports that came in over TLS (the relay's upstream source port).
tls_ports = set()


class Server(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        if reject:
            return reject + " rejected by the test server"
        with count_lock:
            count[0] += 1
            n = count[0]
        with open(os.path.join(folder, "%d.eml" % n), "wb") as f:
            f.write(data)
        with open(os.path.join(folder, "%d.json" % n), "w") as f:
            json.dump({"mailfrom": mailfrom, "rcpttos": rcpttos,
                       "tls": peer[1] in tls_ports}, f)
        return None


smtp = Server(("127.0.0.1", 0), None, decode_data=False)
smtp_port = smtp.socket.getsockname()[1]


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def read_reply(f):
    """One SMTP reply: lines until one whose 4th character is a space."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            return lines
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return lines


def relay(client, context):
    upstream = socket.create_connection(("127.0.0.1", smtp_port))
    tls_ports.add(upstream.getsockname()[1])
    if mode == "smtps":
        try:
            client = context.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            client.close()
            upstream.close()
            return
    else:
        up = upstream.makefile("rb", buffering=0)
        client.sendall(b"".join(read_reply(up)))  # the greeting
        cf = client.makefile("rb", buffering=0)
        ehlo = cf.readline()
        upstream.sendall(ehlo)
        reply = read_reply(up)
        last = reply[-1]
        offered = reply[:-1] + [b"250-" + last[4:], b"250 STARTTLS\r\n"]
        client.sendall(b"".join(offered))
        command = cf.readline()
        if command.strip().upper() != b"STARTTLS":
            tls_ports.discard(upstream.getsockname()[1])  # plain after all
            upstream.sendall(command)
        else:
            client.sendall(b"220 2.0.0 Ready to start TLS\r\n")
            try:
                client = context.wrap_socket(client, server_side=True)
            except (ssl.SSLError, OSError):
                client.close()
                upstream.close()
                return
            cf = client.makefile("rb", buffering=0)
            cf.readline()  # the second EHLO: smtpd would refuse it, answer it here
            client.sendall(b"".join(reply))
    threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
    pump(client, upstream)


def serve_relay(listener, context):
    while True:
        client, _ = listener.accept()
        threading.Thread(target=relay, args=(client, context), daemon=True).start()


port = smtp_port
if mode != "plain":
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    threading.Thread(target=serve_relay, args=(listener, context), daemon=True).start()

print("READY %d" % port, flush=True)
asyncore.loop(timeout=0.2)
