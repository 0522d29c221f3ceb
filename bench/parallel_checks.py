#!/usr/bin/env python3
"""Benchmark: the five checks run side by side, not one after another.

Every check is pointed at a loopback server that takes 300 ms to answer
(GitHub's /user, the Docker Engine, Cloud Run v2, the Cloudflare URL), plus a
real git repository with a local remote. Prints the run's wall time divided by
its slowest check's time (target: at most 1.2; the seed runs them one after
another, about 5x), and the sum of the checks' times for comparison.

    bench/parallel_checks.py [path/to/infinity-sync] [runs]
"""
import json, os, shutil, socket, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(root, "build", "infinity-sync")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
fake = os.path.join(root, "tests", "fakes", "http_fake.py")
DELAY = 300
work = tempfile.mkdtemp(prefix="infinity-sync-bench-")
procs = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_fake(name, routes, unix=None):
    scenario = os.path.join(work, name + ".json")
    with open(scenario, "w") as f:
        json.dump({"routes": routes}, f)
    args = [sys.executable, fake, scenario, os.path.join(work, name + ".log")]
    if unix:
        args += ["--unix", unix]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    procs.append(p)
    ready = p.stdout.readline().split()
    return ready[1]


def git(*args, cwd=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", HOME=work,
           GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.invalid",
           GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.invalid", NO_COLOR="1",
           CLOUDSDK_CONFIG=os.path.join(work, "gcloud"), GCE_METADATA_HOST="127.0.0.1:1",
           GH_TOKEN="bench-token", GOOGLE_OAUTH_ACCESS_TOKEN="bench-access-token",
           PATH=os.path.join(work, "bin") + ":/usr/bin:/bin")
for var in ["GITHUB_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS", "DOCKER_HOST", "COMPOSE_FILE"]:
    env.pop(var, None)
os.makedirs(os.path.join(work, "bin"))
os.symlink(shutil.which("git"), os.path.join(work, "bin", "git"))  # no gh, no gcloud

try:
    repo = os.path.join(work, "repo")
    git("init", "-q", "--bare", "--initial-branch=main", os.path.join(work, "remote.git"))
    git("init", "-q", "--initial-branch=main", repo)
    with open(os.path.join(repo, "compose.yaml"), "w") as f:
        f.write("name: bench\nservices:\n  web:\n    image: nginx:1\n")
    git("add", ".", cwd=repo)
    git("commit", "-qm", "init", cwd=repo)
    git("remote", "add", "origin", os.path.join(work, "remote.git"), cwd=repo)
    git("push", "-q", "-u", "origin", "main", cwd=repo)

    github = start_fake("github", [{"path": "/user", "delay_ms": DELAY, "body": {"login": "bench"}}])
    service = {"name": "projects/p/locations/us-central1/services/repo", "generation": "1",
               "observedGeneration": "1", "uri": "https://repo-x.a.run.app",
               "terminalCondition": {"type": "Ready", "state": "CONDITION_SUCCEEDED"},
               "latestReadyRevision": "projects/p/locations/us-central1/revisions/repo-00001-abc",
               "latestCreatedRevision": "projects/p/locations/us-central1/revisions/repo-00001-abc",
               "template": {"containers": [{"image": "gcr.io/p/repo:1"}]}}
    cloud_run = start_fake("run", [{"path": "/v2/projects/p/locations/us-central1/services/repo",
                                    "delay_ms": DELAY, "body": service}])
    site = start_fake("site", [{"path": "/", "delay_ms": DELAY, "body": "ok",
                                "headers": {"Content-Type": "text/plain"}}])
    container = {"Id": "c1", "Names": ["/bench-web-1"], "Image": "nginx:1", "State": "running",
                 "Status": "Up 2 hours", "Created": 1700000000,
                 "Labels": {"com.docker.compose.project": "bench",
                            "com.docker.compose.service": "web",
                            "com.docker.compose.container-number": "1",
                            "com.docker.compose.oneoff": "False"}}
    sock = os.path.join(work, "docker.sock")
    start_fake("docker", [{"path": "/_ping", "headers": {"Api-Version": "1.47"}, "body": "OK"},
                          {"path_prefix": "/v1.47/containers/json", "delay_ms": DELAY,
                           "body": [container]}], unix=sock)
    dns_port = free_port()
    procs.append(subprocess.Popen(
        ["/usr/sbin/dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
         f"--port={dns_port}", "--listen-address=127.0.0.1", "--bind-interfaces",
         "--address=/bench.test/127.0.0.1", "--local=/test/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(0.3)

    cfg = os.path.join(work, "infinity-sync.yaml")
    with open(cfg, "w") as f:
        f.write(f"""project: repo
status_file: {work}/status.json
store: none
git: {{ repo: {repo} }}
docker: {{ host: "unix://{sock}", compose_files: ["{repo}/compose.yaml"] }}
github: {{ api_url: "http://127.0.0.1:{github}" }}
gcp: {{ project: p, api_url: "http://127.0.0.1:{cloud_run}" }}
cloudflare:
  domain: bench.test
  url: "http://127.0.0.1:{site}/"
  dns_servers: ["127.0.0.1:{dns_port}"]
  expect_proxied: false
""")
    ratios, walls, slowest, sums = [], [], [], []
    for i in range(runs + 1):
        start = time.monotonic()
        out = subprocess.run([binary, "run", "--dry-run", "--json", "--config", cfg], cwd=repo,
                             env=env, capture_output=True, text=True)
        wall = (time.monotonic() - start) * 1000
        doc = json.loads(out.stdout)
        times = {k: v["DurationMs"] for k, v in doc["status"].items()}
        if i == 0:  # warm-up; show what each check said once
            for k, v in doc["status"].items():
                print(f"  {k}: {v['Status']} in {v['DurationMs']} ms")
            continue
        walls.append(wall)
        slowest.append(max(times.values()))
        sums.append(sum(times.values()))
        ratios.append(wall / max(times.values()))
    r = statistics.median(ratios)
    print(f"parallel checks: wall {statistics.median(walls):.0f} ms, slowest check "
          f"{statistics.median(slowest):.0f} ms, sum of checks {statistics.median(sums):.0f} ms "
          f"(median of {runs})")
    print(f"  wall / slowest = {r:.2f}x (target <= 1.2: {'met' if r <= 1.2 else 'MISSED'}); "
          f"one after another would be {statistics.median(sums) / statistics.median(slowest):.1f}x")
    print(f"FIGURE|run wall time|{statistics.median(walls):.0f} ms = {r:.2f}x|slowest check "
          f"{statistics.median(slowest):.0f} ms|<= 1.2x|{'met' if r <= 1.2 else 'MISSED'}")
finally:
    for p in procs:
        p.kill()
    shutil.rmtree(work, ignore_errors=True)
