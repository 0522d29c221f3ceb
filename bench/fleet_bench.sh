#!/usr/bin/env bash
# The fleet at scale: 100 projects x 3 environments x 10,000 runs each
# (3,000,000 runs) in a real PostgreSQL server. Figures, each in the same run:
#   GET /api/fleet, warm (median of 50, curl on loopback), against the same
#   answer computed the naive way in SQL (the latest run of every pair with
#   GROUP BY over all runs, through psql, whose own start is subtracted);
#   `infinity-sync fleet --json` wall time (one process, cold connection).
# Usage: bench/fleet_bench.sh [path/to/infinity-sync] [runs per pair]
set -euo pipefail
"$(dirname "$0")/install-bench-deps.sh"
BIN=$(realpath "${1:-build/infinity-sync}")
PER_PAIR=${2:-10000}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PG_BIN/pg_ctl" ] || { echo "fleet_bench: PostgreSQL server binaries not found (Debian: postgresql)" >&2; exit 1; }
work=$(mktemp -d)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  kill "${SERVE_PID:-}" 2>/dev/null || true
  as_pg "$PG_BIN/pg_ctl" stop -m fast -D "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/pg" && [ "$(id -u)" -eq 0 ] && chown postgres "$work/pg"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$PG_BIN/initdb" -D "$work/pg" -U postgres -A trust >/dev/null
as_pg "$PG_BIN/pg_ctl" start -w -D "$work/pg" -l "$work/pg/log" \
  -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=256MB" >/dev/null
url="postgresql://postgres@127.0.0.1:$port/postgres"
psql_() { psql -X -q -At -v ON_ERROR_STOP=1 "$url" "$@"; }

cat > "$work/infinity-sync.yaml" <<YAML
project: p000
environment: env0
git: { repo: $work, fetch: false }
store: "$url"
server: { sync_every: 0 }
github: { api_url: "http://127.0.0.1:9" }
gcp: { api_url: "http://127.0.0.1:9" }
YAML
# One real run creates the schema (and is one of the runs).
"$BIN" run --only git --dry-run --config "$work/infinity-sync.yaml" >/dev/null 2>&1 || true
t0=$(date +%s.%N)
psql_ <<SQL
INSERT INTO runs (ts_ms, duration_ms, dry_run, host, project, version, environment, commit_sha,
                  deploy_commit, overall, live, fresh_for_ms)
SELECT 1767225600000 + n * 60000, 800, 1, 'host' || (e % 3), 'p' || lpad((p)::text, 3, '0'),
       '0.1.0', 'env' || e, md5(n::text), md5(n::text), 'synced', 1, 300000
FROM generate_series(0, 99) p, generate_series(0, 2) e, generate_series(1, $PER_PAIR) n;
INSERT INTO check_results (run_id, position, check_key, status, details, data, duration_ms)
SELECT id, 0, 'GitSync', 'Synced', '[]', '{}', 20 FROM runs ON CONFLICT DO NOTHING;
INSERT INTO fleet_latest (project, environment, run_id, ts_ms)
SELECT DISTINCT ON (project, environment) project, environment, id, ts_ms FROM runs
ORDER BY project, environment, ts_ms DESC, id DESC
ON CONFLICT (project, environment) DO UPDATE SET run_id = excluded.run_id, ts_ms = excluded.ts_ms;
ANALYZE;
SQL
load_s=$(echo "$(date +%s.%N) - $t0" | bc)
runs=$(psql_ -c "SELECT count(*) FROM runs")
pairs=$(psql_ -c "SELECT count(*) FROM fleet_latest")
echo "rows: runs=$runs check_results=$(psql_ -c 'SELECT count(*) FROM check_results') fleet pairs=$pairs (loaded in ${load_s} s)"

"$BIN" serve --config "$work/infinity-sync.yaml" --listen 127.0.0.1:0 2> "$work/serve.err" &
SERVE_PID=$!
for _ in $(seq 100); do grep -q listening "$work/serve.err" && break; sleep 0.05; done
base=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/serve.err")
rows=$(curl -s "$base/api/fleet" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["runs"]))')
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for _ in $(seq 5); do curl -s -o /dev/null "$base/api/fleet"; done  # warm
ours=$(for _ in $(seq 50); do curl -s -o /dev/null -w '%{time_total}\n' "$base/api/fleet"; done | median)
ours_ms=$(echo "$ours * 1000" | bc -l)
naive="SELECT r.* FROM runs r JOIN (SELECT project, environment, MAX(id) AS id FROM runs GROUP BY project, environment) l ON l.id = r.id"
# psql's own start and connect, to subtract from the naive query's time.
time_of() { local s e; s=$(date +%s%N); psql_ -o /dev/null -c "$1"; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
psql_floor=$(for _ in $(seq 5); do time_of "SELECT 1"; done | median)
naive_us=$(for _ in $(seq 5); do time_of "$naive"; done | median)
naive_ms=$(echo "($naive_us - $psql_floor) / 1000" | bc -l)
s=$(date +%s%N); "$BIN" fleet --json --config "$work/infinity-sync.yaml" > "$work/fleet.json"; e=$(date +%s%N)
cli_ms=$(( (e - s) / 1000000 ))
cli_rows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"]))' "$work/fleet.json")
echo "GET /api/fleet: $rows rows; fleet --json: $cli_rows rows"
ratio=$(echo "$ours_ms / $naive_ms" | bc -l)
printf 'FIGURE|GET /api/fleet, warm, %s runs|%.1f ms = %.3fx|the latest-run query over all runs in psql %.0f ms|< 20 ms|%s\n' \
  "$runs" "$ours_ms" "$ratio" "$naive_ms" "$(awk -v a="$ours_ms" 'BEGIN{print (a < 20) ? "met" : "MISSED"}')"
printf 'FIGURE|fleet --json wall time, %s rows|%d ms|GET /api/fleet %.1f ms|-|-\n' "$cli_rows" "$cli_ms" "$ours_ms"
