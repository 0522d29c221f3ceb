#!/usr/bin/env bash
# The default dry run (`infinity-sync run`, every check) in a repository on a
# machine with a gcloud configuration: an active account with a cached token in
# credentials.db / access_tokens.db, a project in the active configuration. No
# network upstream: the GitHub and Cloud Run APIs and the metadata server are
# closed loopback ports, Docker a missing socket. Its wall time is set against
# `git fetch` + `git status` of the same repository, timed in the same run, as
# a ratio (target: at most 2x).
#
# A `gcloud` stand-in on PATH takes GCLOUD_START_MS (default 650, what starting
# the real gcloud costs on these machines) per call and logs its calls, so a
# build that still starts gcloud pays what it would on a laptop; the log says
# how many calls each run made.
#
# Usage: bench/dry_run_gcloud.sh [path/to/infinity-sync] [RUNS]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$here/build/infinity-sync}"
runs="${2:-9}"
target_ratio=2
gcloud_ms="${GCLOUD_START_MS:-650}"
[ -x "$bin" ] || { echo "no program at $bin (build first)" >&2; exit 1; }
bin="$(realpath "$bin")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
git init -q --bare --initial-branch=main "$work/remote.git"
git init -q --initial-branch=main "$work/repo"
for i in $(seq 20); do echo "line $i" > "$work/repo/file$i.txt"; done
git -C "$work/repo" add .
git -C "$work/repo" commit -q -m init
git -C "$work/repo" remote add origin "$work/remote.git"
git -C "$work/repo" push -q -u origin main

closed="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
gc="$work/home/.config/gcloud"
mkdir -p "$gc/configurations" "$work/bin"
echo default > "$gc/active_config"
printf '[core]\naccount = dev@example.com\nproject = demo-project\n[run]\nregion = us-central1\n' \
  > "$gc/configurations/config_default"
python3 - "$gc" <<'PY'
import datetime, json, sqlite3, sys
d = sys.argv[1]
c = sqlite3.connect(d + "/credentials.db")
c.execute("CREATE TABLE credentials (account_id TEXT PRIMARY KEY, value BLOB)")
c.execute("INSERT INTO credentials VALUES (?, ?)", ("dev@example.com", json.dumps({
    "type": "authorized_user", "client_id": "cid", "client_secret": "secret",
    "refresh_token": "1//refresh", "token_uri": "http://127.0.0.1:1/token"})))
c.commit()
t = sqlite3.connect(d + "/access_tokens.db")
t.execute("CREATE TABLE access_tokens (account_id TEXT PRIMARY KEY, access_token TEXT, "
          "token_expiry TIMESTAMP, rapt_token TEXT, id_token TEXT)")
exp = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(hours=1)
t.execute("INSERT INTO access_tokens VALUES (?, ?, ?, NULL, NULL)",
          ("dev@example.com", "ya29.bench-cached-token", exp.strftime("%Y-%m-%d %H:%M:%S.%f")))
t.commit()
PY
cat > "$work/bin/gcloud" <<SH
#!/bin/sh
echo "\$*" >> "$work/gcloud-calls.log"
/bin/sleep $(awk -v ms="$gcloud_ms" 'BEGIN{printf "%.3f", ms/1000}')
case "\$*" in
  "auth list"*) echo '[{"account": "dev@example.com", "status": "ACTIVE"}]' ;;
  "config get-value project"*) echo demo-project ;;
  "auth print-access-token"*) echo ya29.bench-cached-token ;;
esac
SH
chmod +x "$work/bin/gcloud"
ln -s "$(command -v git)" "$work/bin/git"

cat > "$work/infinity-sync.yaml" <<YAML
project: web
status_file: $work/status.json
git: { repo: $work/repo }
github: { api_url: "http://127.0.0.1:$closed" }
gcp: { api_url: "http://127.0.0.1:$closed", service: web }
docker: { host: "unix://$work/no-docker.sock" }
YAML

run_env=(env -i PATH="$work/bin" HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
         GCE_METADATA_HOST="127.0.0.1:$closed" GCE_METADATA_IP="127.0.0.1:$closed" NO_COLOR=1)
now_ms() { date +%s%3N; }
ours=() gits=()
: > "$work/gcloud-calls.log"
for i in $(seq 0 "$runs"); do
  t0="$(now_ms)"
  (cd "$work/repo" && "${run_env[@]}" "$bin" run --json --config "$work/infinity-sync.yaml" > "$work/out.json" || true)
  t1="$(now_ms)"
  (cd "$work/repo" && "${run_env[@]}" git fetch -q origin && "${run_env[@]}" git status > /dev/null)
  t2="$(now_ms)"
  if [ "$i" -gt 0 ]; then ours+=($((t1 - t0))); gits+=($((t2 - t1))); fi   # run 0 warms caches
done
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["status"]; print("  last run:", {k: (v["Status"], v["DurationMs"]) for k, v in d.items()})' "$work/out.json"
calls="$(wc -l < "$work/gcloud-calls.log")"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
m_ours="$(median "${ours[@]}")"
m_git="$(median "${gits[@]}")"
ratio="$(awk -v a="$m_ours" -v g="$m_git" 'BEGIN{printf "%.1f", (g > 0) ? a/g : 0}')"
echo "default dry run with a gcloud configuration vs git fetch + git status, $runs runs after a warm-up:"
echo "  infinity-sync run: ${ours[*]} ms (median $m_ours ms)"
echo "  git fetch+status:  ${gits[*]} ms (median $m_git ms)"
echo "  gcloud calls: $calls in $((runs + 1)) runs (stand-in: $gcloud_ms ms each)"
echo "  ratio: ${ratio}x (target <= ${target_ratio}x)"
echo "FIGURE|default dry run / (git fetch + git status), gcloud configured|${ratio}x|${m_ours} ms vs ${m_git} ms|<= ${target_ratio}x|$(awk -v r="$ratio" -v t="$target_ratio" 'BEGIN{print (r <= t) ? "met" : "MISSED"}')"
