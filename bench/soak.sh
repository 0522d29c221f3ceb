#!/usr/bin/env bash
# Load and soak of `infinity-sync serve` with everything moving at once: the
# live loop syncing a real git checkout (against a local bare remote) every
# second, SSE clients attached and reading, and wrk on every GET route.
#
#  1. load: wrk -t2 at 64 and at 512 connections, DURATION per route on
#     /api/sync/status, /overview, /heartbeat, /healthz, /metrics,
#     /api/sync/history; prints req/s, p99 and errors; any non-2xx answer or
#     socket error (connect, read, write, timeout) fails the script.
#  2. soak: wrk cycling over the same routes for SOAK minutes while the RSS and
#     open descriptors of the server are sampled (/proc/PID/status, /proc/PID/fd)
#     every SAMPLE seconds; least-squares slopes per minute; fails when RSS grows
#     faster than RSS_LIMIT_KB per minute or the descriptors grow (slope above
#     FD_LIMIT per minute and the second half's minimum above the first half's).
#     Then every SSE client must still be connected and have seen status events.
#
# Usage: bench/soak.sh [--short] [--bin PATH] [--duration SECONDS] [--soak-minutes M]
#   defaults: build/infinity-sync, 60 s per route and connection count, 10 min soak
#   --short:  2 s per route, 0.5 min soak sampled every 3 s (~60 s; ctest label soak).
#             Its RSS limit is 4096 KB/min, not 512: between two samples the
#             allocator's arenas move RSS by up to ~1 MB either way, so 30 s
#             cannot resolve 512 KB/min (a run measured -1398 KB/min, another
#             +722 KB/min, with nothing leaking). 4 MB/min is still a leak of
#             about 5 bytes per request at the load here; the 10 min soak keeps
#             the 512 KB/min target. RSS_LIMIT_KB overrides either.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$root/build/infinity-sync"
DURATION=60
SOAK_MIN=10
SAMPLE=10
rss_default=512                   # KB per minute
FD_LIMIT=${FD_LIMIT:-0.5}         # per minute
SSE_CLIENTS=${SSE_CLIENTS:-16}
while [ $# -gt 0 ]; do
  case "$1" in
    --short) DURATION=2; SOAK_MIN=0.5; SAMPLE=3; rss_default=4096; shift ;;
    --bin) BIN="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --soak-minutes) SOAK_MIN="$2"; shift 2 ;;
    *) echo "soak.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
RSS_LIMIT_KB=${RSS_LIMIT_KB:-$rss_default}
for tool in wrk git python3; do
  command -v "$tool" >/dev/null || { echo "soak.sh: $tool is missing (scripts/install-deps.sh)" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "soak.sh: no program at $BIN (build first or pass --bin)" >&2; exit 2; }

# 512 connections from wrk plus the server's own: raise the descriptor limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 2048 ]; then
  echo "soak.sh: the descriptor limit is $(ulimit -n) (hard limit $(ulimit -Hn)); 512 connections need 2048" >&2
  exit 2
fi

work=$(mktemp -d)
SERVE_PID="" SSE_PID="" WRK_PID=""
cleanup() {
  for p in $WRK_PID $SSE_PID $SERVE_PID; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A real checkout with a local bare remote: each sync fetches and compares.
git init -q --bare "$work/origin.git"
git init -q -b main "$work/repo"
git -C "$work/repo" -c user.email=soak@example.test -c user.name=soak commit -q --allow-empty -m one
git -C "$work/repo" remote add origin "$work/origin.git"
git -C "$work/repo" push -q -u origin main
cat > "$work/repo/infinity-sync.yaml" <<YAML
server: { sync_every: 1s }
github: { api_url: "http://127.0.0.1:9" }
gcp: { api_url: "http://127.0.0.1:9", project: soak }
docker: { host: "unix://$work/no-docker.sock" }
heartbeat: { cache_for: 2s, timeout: 1s }
YAML
printf 'readiness/\n' > "$work/repo/.gitignore"
git -C "$work/repo" add .gitignore infinity-sync.yaml
git -C "$work/repo" -c user.email=soak@example.test -c user.name=soak commit -q -m config
git -C "$work/repo" push -q

# No metadata server, no cloud CLIs' credentials: every outside call fails fast.
(cd "$work/repo" && GCE_METADATA_HOST=127.0.0.1:9 HOME="$work" \
  exec "$BIN" serve --listen 127.0.0.1:0 2> "$work/serve.err") &
SERVE_PID=$!
for _ in $(seq 200); do grep -q listening "$work/serve.err" 2>/dev/null && break; sleep 0.05; done
PORT=$(grep -o '127.0.0.1:[0-9]*' "$work/serve.err" | head -1 | cut -d: -f2)
[ -n "$PORT" ] || { echo "soak.sh: serve did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"
# Wait for the first status document.
for _ in $(seq 200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/sync/status")" = 200 ] && break; sleep 0.1
done

# SSE clients that read every event; each reports the status events it saw.
python3 - "$PORT" "$SSE_CLIENTS" "$work/sse.out" <<'PY' &
import selectors, signal, socket, sys
port, n, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
sel = selectors.DefaultSelector()
seen = {}
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /api/sync/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, i)
    seen[i] = [0, True]  # status events, still open
def finish(*_):
    with open(out, "w") as f:
        for i, (events, open_) in seen.items():
            f.write(f"{i} {events} {'open' if open_ else 'closed'}\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, finish)
while True:
    for key, _ in sel.select(timeout=1):
        data = key.fileobj.recv(65536)
        if not data:
            seen[key.data][1] = False
            sel.unregister(key.fileobj)
            continue
        seen[key.data][0] += data.count(b"event: status\n")
PY
SSE_PID=$!

routes="/api/sync/status /api/sync/overview /api/sync/heartbeat /healthz /metrics /api/sync/history"
failed=0
errors_of() {  # wrk output -> "none" or the error lines
  local e
  e=$(grep -E "Non-2xx|Socket errors" "$1" | tr '\n' ';' || true)
  echo "${e:-none}"
}
echo "== load: wrk -t2, ${DURATION}s per route; the live loop syncs every second; $SSE_CLIENTS SSE clients"
printf '%-22s %6s %12s %10s  %s\n' route conns req/s p99 errors
for conns in 64 512; do
  for route in $routes; do
    wrk -t2 -c"$conns" -d"${DURATION}s" --timeout 5s --latency "$BASE$route" > "$work/wrk.out" 2>&1 || true
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
    p99=$(awk '/ 99%/ {print $2}' "$work/wrk.out")
    errs=$(errors_of "$work/wrk.out")
    printf '%-22s %6s %12s %10s  %s\n' "$route" "$conns" "${rps:-?}" "${p99:-?}" "$errs"
    if [ "$errs" != none ] || [ -z "$rps" ]; then failed=1; fi
  done
done

# Soak: all routes in turn from one wrk, for the whole soak.
cat > "$work/cycle.lua" <<LUA
local paths = {}
for p in string.gmatch("$routes", "%S+") do paths[#paths + 1] = p end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
soak_secs=$(python3 -c "print(int(round($SOAK_MIN * 60)))")
echo "== soak: ${soak_secs}s under wrk -t2 -c32 over every route, sampling every ${SAMPLE}s"
wrk -t2 -c32 -d"$((soak_secs + SAMPLE + 5))s" --timeout 5s -s "$work/cycle.lua" "$BASE" > "$work/soak-wrk.out" 2>&1 &
WRK_PID=$!
sleep "$SAMPLE"  # warm-up: allocator pools and caches fill before the first sample
: > "$work/samples"
start=$(date +%s.%N)
end=$(python3 -c "print($start + $soak_secs)")
while :; do
  now=$(date +%s.%N)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVE_PID/status")
  fds=$(ls "/proc/$SERVE_PID/fd" | wc -l)
  echo "$(python3 -c "print(($now - $start) / 60)") $rss $fds" >> "$work/samples"
  python3 -c "import sys; sys.exit(0 if $now + $SAMPLE <= $end + 0.5 else 1)" || break
  sleep "$SAMPLE"
done
wait "$WRK_PID" || true
WRK_PID=""
soak_errs=$(errors_of "$work/soak-wrk.out")
soak_rps=$(awk '/Requests\/sec/ {print $2}' "$work/soak-wrk.out")
echo "soak load: ${soak_rps:-?} req/s, errors: $soak_errs"
[ "$soak_errs" = none ] || failed=1
echo "FIGURE|load + soak errors (64/512 conns, every GET route)|$([ "$failed" -eq 0 ] && echo none || echo some)|-|zero errors|$([ "$failed" -eq 0 ] && echo met || echo MISSED)"

python3 - "$work/samples" "$RSS_LIMIT_KB" "$FD_LIMIT" <<'PY' || failed=1
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
rss_limit, fd_limit = float(sys.argv[2]), float(sys.argv[3])
def slope(xs, ys):
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0
t = [r[0] for r in rows]; rss = [r[1] for r in rows]; fds = [r[2] for r in rows]
if len(rows) < 3:
    print(f"soak: only {len(rows)} samples; need 3"); sys.exit(1)
rs, fs = slope(t, rss), slope(t, fds)
half = len(fds) // 2
fd_grew = fs > fd_limit and min(fds[half:]) > min(fds[:half])
print(f"soak: {len(rows)} samples over {t[-1]:.2f} min; RSS {rss[0]/1024:.1f} -> {rss[-1]/1024:.1f} MB, "
      f"slope {rs:+.1f} KB/min (limit {rss_limit:.0f}); fds {int(fds[0])} -> {int(fds[-1])}, "
      f"slope {fs:+.2f}/min (limit {fd_limit})")
print(f"FIGURE|soak RSS slope over {t[-1]:.1f} min|{rs:+.0f} KB/min|-|<= {rss_limit:.0f} KB/min|"
      f"{'met' if rs <= rss_limit else 'MISSED'}")
print(f"FIGURE|soak descriptor slope|{fs:+.2f}/min|-|<= {fd_limit}/min|{'MISSED' if fd_grew else 'met'}")
bad = []
if rs > rss_limit: bad.append("RSS grows")
if fd_grew: bad.append("descriptors grow")
if bad:
    print("soak: FAILED: " + ", ".join(bad)); sys.exit(1)
PY

kill "$SSE_PID" 2>/dev/null || true
wait "$SSE_PID" 2>/dev/null || true
SSE_PID=""
python3 - "$work/sse.out" "$SSE_CLIENTS" <<'PY' || failed=1
import sys
rows = [l.split() for l in open(sys.argv[1])]
closed = [r for r in rows if r[2] != "open"]
quiet = [r for r in rows if int(r[1]) < 2]
events = sorted(int(r[1]) for r in rows)
print(f"SSE: {len(rows)} clients, status events per client min {events[0]} max {events[-1]}")
if len(rows) != int(sys.argv[2]) or closed or quiet:
    print(f"SSE: FAILED: {len(closed)} closed, {len(quiet)} saw fewer than 2 status events"); sys.exit(1)
PY

runs=$(curl -s "$BASE/metrics" | awk '/^infinity_sync_syncs_started_total/ {print $2}')
echo "live loop: ${runs:-?} syncs during the run"
if ! kill -0 "$SERVE_PID" 2>/dev/null; then echo "soak: the server died" >&2; failed=1; fi
if [ "$failed" -ne 0 ]; then
  echo "soak: FAILED (server log tail follows)" >&2
  tail -20 "$work/serve.err" >&2
  exit 1
fi
echo "soak: ok"
