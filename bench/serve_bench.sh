#!/usr/bin/env bash
# Load figures of `infinity-sync serve`, each printed as a ratio in the same run:
#   requests/s of GET /api/sync/overview and /api/sync/status (warm cache) with
#   wrk -t2 -c64 -d10s, against nginx serving the same document as a static file;
#   RSS of the server after that load and with 1000 SSE clients open.
# Usage: bench/serve_bench.sh [path/to/infinity-sync]   (default: build/infinity-sync)
set -euo pipefail
BIN=${1:-build/infinity-sync}
"$(dirname "$0")/install-bench-deps.sh"
work=$(mktemp -d)
trap 'kill $SERVE_PID $NGINX_PID 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/readiness" "$work/www"
cat > "$work/infinity-sync.yaml" <<YAML
server: { sync_every: 0 }
github: { api_url: "http://127.0.0.1:9" }
gcp: { api_url: "http://127.0.0.1:9" }
heartbeat: { cache_for: 1h }
YAML
cat > "$work/readiness/infinity-sync-status.json" <<'JSON'
{"timestamp":"2026-02-18T00:50:37.123Z","dryRun":false,"durationMs":812,"version":"1.0.0",
 "status":{"AuthCheck":{"Status":"Success","Details":{"GitHubCLI":true,"GCloudCLI":true}},
 "GitSync":{"Status":"Synced","Details":[],"Data":{"branch":"main","ahead":0,"behind":0}},
 "DockerSync":{"Status":"Synced","Details":[]},
 "GCPSync":{"Status":"Synced","Details":["Service URL: https://example.run.app"]},
 "CloudflareCheck":{"Status":"Reachable","Details":["DNS resolved","IPs: 104.21.1.1"]}},
 "actions":[]}
JSON
"$BIN" serve --config "$work/infinity-sync.yaml" --listen 127.0.0.1:0 2> "$work/serve.err" &
SERVE_PID=$!
for _ in $(seq 100); do grep -q listening "$work/serve.err" && break; sleep 0.05; done
PORT=$(grep -o '127.0.0.1:[0-9]*' "$work/serve.err" | head -1 | cut -d: -f2)
curl -s "http://127.0.0.1:$PORT/api/sync/overview" > "$work/www/overview.json"
curl -s "http://127.0.0.1:$PORT/api/sync/status" > "$work/www/status.json"
NPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<NGINX
daemon off; worker_processes 2; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$NPORT; root $work/www;
  location / { default_type application/json; } } }
NGINX
nginx -c "$work/nginx.conf" -p "$work" &
NGINX_PID=$!
sleep 0.5

rps() { wrk -t2 -c64 -d10s --latency "$1" | tee "$work/wrk.out" >/dev/null
        awk '/Requests\/sec/ {print $2}' "$work/wrk.out"; }
p99() { awk '/ 99%/ {print $2}' "$work/wrk.out"; }
errs() { grep -E "Non-2xx|Socket errors" "$work/wrk.out" || echo "none"; }
for route in overview status; do
  ours=$(rps "http://127.0.0.1:$PORT/api/sync/$route"); ours_p99=$(p99); ours_err=$(errs)
  theirs=$(rps "http://127.0.0.1:$NPORT/$route.json"); theirs_p99=$(p99)
  echo "GET /api/sync/$route: $ours req/s (p99 $ours_p99, errors: $ours_err) vs nginx $theirs req/s (p99 $theirs_p99): ratio $(python3 -c "print(round($ours/$theirs,2))")x"
  python3 - "$route" "$ours" "$theirs" "$ours_p99" "$theirs_p99" "$ours_err" <<'PY'
import sys
route, ours, theirs, p99, their_p99, errs = sys.argv[1:7]
def ms(t):  # wrk prints 812.00us, 3.21ms, 1.02s
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if t.endswith(unit):
            return float(t[: -len(unit)]) * f
    return float("nan")
r = float(ours) / float(theirs)
print(f"FIGURE|GET /api/sync/{route} req/s|{float(ours):.0f} = {r:.2f}x|nginx static {float(theirs):.0f}"
      f"|>= 0.5x, no errors|{'met' if r >= 0.5 and errs == 'none' else 'MISSED'}")
print(f"FIGURE|GET /api/sync/{route} p99|{p99}|nginx p99 {their_p99}|< 10 ms|"
      f"{'met' if ms(p99) < 10 else 'MISSED'}")
PY
done
rss_kb() { awk '/VmRSS/ {print $2}' /proc/$SERVE_PID/status; }
echo "RSS after the load above: $(( $(rss_kb) / 1024 )) MB (target < 30 MB): ratio $(python3 -c "print(round($(rss_kb)/1024/30,2))")x of the target"
rss_mb=$(( $(rss_kb) / 1024 ))
echo "FIGURE|serve RSS after the load|${rss_mb} MB|-|< 30 MB|$([ "$rss_mb" -lt 30 ] && echo met || echo MISSED)"
python3 - "$PORT" <<'PY' &
import socket, sys, time
socks = []
for _ in range(1000):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /api/sync/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    socks.append(s)
for s in socks:
    s.recv(256)
print("1000 SSE clients open", flush=True)
time.sleep(5)
PY
SSE_PID=$!
sleep 3
echo "RSS with 1000 SSE clients: $(( $(rss_kb) / 1024 )) MB (target < 30 MB): ratio $(python3 -c "print(round($(rss_kb)/1024/30,2))")x of the target"
rss_mb=$(( $(rss_kb) / 1024 ))
echo "FIGURE|serve RSS with 1000 SSE clients|${rss_mb} MB|-|< 30 MB|$([ "$rss_mb" -lt 30 ] && echo met || echo MISSED)"
wait $SSE_PID || true
