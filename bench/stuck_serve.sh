#!/usr/bin/env bash
# `serve` with a check that always overruns its deadline (a command that
# ignores SIGTERM) and `sync_every: 1s`, for SECONDS (default 60): prints the
# server's thread count, its CPU seconds and the check's surviving children
# every 10 s. Before the stop source, 8-10 threads spun and both cores were
# busy after 45 s; now the thread count and the CPU time stay flat.
# Usage: bench/stuck_serve.sh [PROGRAM] [SECONDS]
set -euo pipefail
prog="${1:-build/infinity-sync}"
seconds="${2:-60}"
prog="$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")"
dir="$(mktemp -d)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  pkill -f 'sleep 61.8034' 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
cat >"$dir/infinity-sync.yaml" <<YAML
status_file: $dir/status.json
store: ""
server: { listen: "127.0.0.1:0", sync_every: 1s }
heartbeat: { targets: { github: { url: "http://127.0.0.1:1/" }, gcp: { url: "http://127.0.0.1:1/" }, cloudflare: { url: "http://127.0.0.1:1/" } } }
checks:
  - { name: deaf, type: command, timeout: 1s, run: [sh, -c, "trap '' TERM; sleep 61.8034 & sleep 61.8034; wait"] }
YAML
cd "$dir"
"$prog" serve --config "$dir/infinity-sync.yaml" >"$dir/out" 2>"$dir/err" &
pid=$!
tick=$(getconf CLK_TCK)
printf '%8s %8s %12s %10s\n' "elapsed" "threads" "cpu_seconds" "children"
for ((t = 0; t <= seconds; t += 10)); do
  [ "$t" -gt 0 ] && sleep 10
  if ! kill -0 "$pid" 2>/dev/null; then echo "serve exited:"; cat "$dir/err"; exit 1; fi
  threads=$(ls "/proc/$pid/task" | wc -l)
  read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
  cpu=$(awk -v u="$utime" -v s="$stime" -v k="$tick" 'BEGIN { printf "%.2f", (u + s) / k }')
  children=$(pgrep -fc 'sleep 61.8034' || true)
  printf '%7ss %8s %12s %10s\n' "$t" "$threads" "$cpu" "$children"
done
