#!/usr/bin/env bash
# Benchmark: the docker check's own time (compose parse + Engine API + verdict)
# on a project of 200 services and 400 containers, against a 50 ms target.
#
# Usage: bench/docker_check.sh [BUILD_DIR] [RUNS]   (defaults: build, 15)
# Prints each run's DockerSync DurationMs (from `run --only docker --json`),
# the median, and the median as a ratio of the target. Exits 1 when the
# median misses the target.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$here/build}" && pwd)"
runs="${2:-15}"
program="$build/infinity-sync"
target_ms=50
[ -x "$program" ] || { echo "no program at $program: build first" >&2; exit 2; }

work="$(mktemp -d)"
fake_pid=""
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 200 services, each with 2 replicas, a healthcheck, a few settings of the
# kind real files carry, and an anchor merged in; 400 running containers.
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
lines = ["name: bench", "x-common: &common", "  restart: unless-stopped",
         "  logging: {driver: json-file, options: {max-size: 10m}}", "services:"]
containers = []
for i in range(200):
    name = "svc%03d" % i
    lines += ["  %s:" % name, "    <<: *common",
              "    image: registry.example.com/team/%s:${TAG:-1.%d}" % (name, i),
              "    environment:", "      PORT: \"%d\"" % (8000 + i), "      LOG_LEVEL: ${LOG_LEVEL:-info}",
              "    ports: [\"%d:%d\"]" % (20000 + i, 8000 + i),
              "    healthcheck:", "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:%d/health\"]" % (8000 + i),
              "      interval: 10s", "    deploy:", "      replicas: 2",
              "      resources: {limits: {memory: 256M}}"]
    for n in (1, 2):
        cname = "bench-%s-%d" % (name, n)
        containers.append({
            "Id": ("%064x" % (i * 2 + n)), "Names": ["/" + cname],
            "Image": "registry.example.com/team/%s:1.%d" % (name, i),
            "ImageID": "sha256:" + ("%064x" % (i + 7)), "Command": "/app/run",
            "Created": 1771370000, "Ports": [{"PrivatePort": 8000 + i, "Type": "tcp"}],
            "Labels": {"com.docker.compose.project": "bench", "com.docker.compose.service": name,
                       "com.docker.compose.container-number": str(n),
                       "com.docker.compose.oneoff": "False",
                       "com.docker.compose.config-hash": "%064x" % i,
                       "com.docker.compose.project.config_files": "/srv/bench/compose.yaml",
                       "com.docker.compose.project.working_dir": "/srv/bench",
                       "com.docker.compose.version": "2.33.1"},
            "State": "running", "Status": "Up 3 hours (healthy)",
            "HostConfig": {"NetworkMode": "bench_default"},
            "NetworkSettings": {"Networks": {"bench_default": {"IPAddress": "172.20.%d.%d" % (i // 100, n)}}},
            "Mounts": []})
open(work + "/compose.yaml", "w").write("\n".join(lines) + "\n")
json.dump({"api_version": "1.47", "containers": containers}, open(work + "/scenario.json", "w"))
PY
echo "project: bench" > "$work/infinity-sync.yaml"

python3 "$here/tests/fakes/docker_fake.py" "$work/scenario.json" "$work/requests.log" \
  --unix "$work/docker.sock" > "$work/ready" &
fake_pid=$!
for _ in $(seq 200); do grep -q READY "$work/ready" 2>/dev/null && break; sleep 0.02; done

# Each run: the check's own wall time (DurationMs) and the whole program's CPU
# time (user + sys, startup included), which the machine's load does not inflate.
python3 - "$program" "$work" "$runs" "$target_ms" <<'PY'
import json, os, resource, statistics, subprocess, sys
program, work, runs, target = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
env["DOCKER_HOST"] = "unix://" + work + "/docker.sock"
walls, cpus = [], []
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([program, "run", "--only", "docker", "--json", "--config",
                          work + "/infinity-sync.yaml"], cwd=work, env=env,
                         capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    d = json.loads(out)["status"]["DockerSync"]
    assert d["Status"] == "Synced", d["Details"]
    assert len(d["Data"]["services"]) == 200
    walls.append(d["DurationMs"])
    cpus.append(1000 * ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)))
median = statistics.median(walls)
print("docker check, 200 services / 400 containers, %d runs" % runs)
print("  DurationMs (wall):", " ".join(str(w) for w in walls))
print("  program CPU ms   :", " ".join("%.0f" % c for c in cpus))
print("machine: %d cores, load average %s" % (os.cpu_count(), " ".join(open("/proc/loadavg").read().split()[:3])))
print("median DurationMs %d ms, target %d ms, ratio %.2f (%s); median program CPU %.0f ms"
      % (median, target, median / target, "within target" if median <= target else "MISSES target",
         statistics.median(cpus)))
print("FIGURE|docker check, 200 services / 400 containers|%d ms|-|< %d ms|%s"
      % (median, target, "met" if median <= target else "MISSED"))
sys.exit(0 if median <= target else 1)
PY
