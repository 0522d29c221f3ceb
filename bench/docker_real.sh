#!/usr/bin/env bash
# Benchmark: the docker check on a real Docker Engine with 50 running
# containers, against the docker CLI listing the same project in the same run:
#   docker ps --all --filter label=com.docker.compose.project=P --format '{{json .}}'
# Both are whole processes started the same way (the check: `infinity-sync
# run --only docker --json`, which also reads its config and the compose
# file, pings the daemon and inspects the image). Target: at most 1.0x.
#
# Usage: bench/docker_real.sh [BUILD_DIR] [RUNS]   (defaults: build, 15)
# Needs root, dockerd, docker and busybox-static (scripts/install-deps.sh).
# Starts its own daemon, exactly as the tests do (tests/lib/docker_daemon.h):
# no bridge, no firewall rules, everything under one temp folder; stops it by
# its pid file and removes the folder on exit, also on failure. Exits 1 when
# the median ratio misses the target, 2 when it cannot run here.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$here/build}" && pwd)"
runs="${2:-15}"
program="$build/infinity-sync"
containers=50
[ -x "$program" ] || { echo "no program at $program: build first" >&2; exit 2; }
for p in dockerd docker busybox; do
  command -v "$p" >/dev/null || { echo "$p is not installed: cannot run here" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "dockerd needs root: cannot run here" >&2; exit 2; }

work="$(mktemp -d /tmp/isdb.XXXXXX)"
had_key=0; [ -e /etc/docker/key.json ] && had_key=1
export DOCKER_HOST="unix://$work/docker.sock" DOCKER_CONFIG="$work/cli-config"
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY COMPOSE_FILE COMPOSE_PROJECT_NAME COMPOSE_PROFILES
cleanup() {
  if [ -f "$work/d.pid" ]; then
    docker ps -aq 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
    pid="$(cat "$work/d.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  if [ "$had_key" = 0 ]; then rm -f /etc/docker/key.json; rmdir /etc/docker 2>/dev/null || true; fi
  rmdir /run/docker/plugins /run/docker 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dockerd --storage-driver vfs --iptables=false --ip6tables=false --bridge=none \
  --host "unix://$work/docker.sock" --data-root "$work/data" --exec-root "$work/exec" \
  --pidfile "$work/d.pid" >"$work/dockerd.log" 2>&1 &
for _ in $(seq 1 300); do
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && break
  kill -0 $! 2>/dev/null || { echo "dockerd refused to run here:" >&2; tail -5 "$work/dockerd.log" >&2; exit 2; }
  sleep 0.1
done
server="$(docker version --format '{{.Server.Version}}')"

mkdir -p "$work/rootfs/bin" "$work/p"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/sleep"
tar -C "$work/rootfs" -c . | docker import -c 'CMD ["/bin/sleep","100000"]' - local/busybox:1 >/dev/null

# One service of 50 replicas, started as compose starts them (labels).
cat >"$work/p/compose.yaml" <<YAML
name: bench
services:
  web:
    image: local/busybox:1
    network_mode: none
    scale: $containers
YAML
echo "project: bench" >"$work/p/infinity-sync.yaml"
for i in $(seq 1 $containers); do
  docker run -d --network none --name "bench-web-$i" \
    --label com.docker.compose.project=bench --label com.docker.compose.service=web \
    --label "com.docker.compose.container-number=$i" --label com.docker.compose.oneoff=False \
    local/busybox:1 >/dev/null
done

status="$(cd "$work/p" && "$program" run --only docker --json --config ./infinity-sync.yaml | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"]["DockerSync"]["Status"])' || true)"
[ "$status" = Synced ] || { echo "the check says $status, expected Synced" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
check_times=(); ps_times=()
for _ in $(seq 1 "$runs"); do
  t0=$(date +%s%N)
  (cd "$work/p" && "$program" run --only docker --json --config ./infinity-sync.yaml >/dev/null)
  t1=$(date +%s%N)
  docker ps --all --filter label=com.docker.compose.project=bench --format '{{json .}}' >/dev/null
  t2=$(date +%s%N)
  check_times+=("$(( (t1 - t0) / 1000 ))"); ps_times+=("$(( (t2 - t1) / 1000 ))")
done
check_us="$(printf '%s\n' "${check_times[@]}" | median)"
ps_us="$(printf '%s\n' "${ps_times[@]}" | median)"
ratio="$(python3 -c "print(f'{$check_us/$ps_us:.2f}')")"
echo "Docker Engine $server, $containers running containers, $runs runs each (medians):"
printf '  infinity-sync run --only docker: %8.1f ms\n' "$(python3 -c "print($check_us/1000)")"
printf '  docker ps --all --filter ...:    %8.1f ms\n' "$(python3 -c "print($ps_us/1000)")"
echo "  ratio: ${ratio}x (target <= 1.0x)"
python3 -c "import sys; sys.exit(0 if $check_us <= $ps_us else 1)"
