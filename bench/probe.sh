#!/usr/bin/env bash
# HttpProbe throughput beside curl, in one run, against nginx on loopback.
#
#   bench/probe.sh [BUILD_DIR]        (default: build; needs bench/probe_bench built)
#   COUNT=1000 PARALLEL=64 bench/probe.sh
#
# Both sides make a fresh TLS connection per probe: nginx closes every
# connection (keepalive_timeout 0) and has TLS session resumption off, and both
# sides verify the certificate against a CA made here. Needs nginx, openssl,
# curl, dnsmasq (Debian: nginx openssl curl dnsmasq-base). Nothing leaves
# 127.0.0.1.
set -euo pipefail

build=${1:-build}
count=${COUNT:-1000}
parallel=${PARALLEL:-64}
bench=$build/bench/probe_bench
"$(dirname "$0")/install-bench-deps.sh"
for tool in nginx openssl curl python3 /usr/sbin/dnsmasq "$bench"; do
  command -v "$tool" >/dev/null || { echo "probe.sh: $tool not found" >&2; exit 1; }
done

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A CA and a certificate for bench.test.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -subj "/CN=probe bench CA" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$tmp/leaf.key" -out "$tmp/leaf.csr" -subj "/CN=bench.test" 2>/dev/null
printf 'subjectAltName=DNS:bench.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$tmp/leaf.ext"
openssl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 2 -extfile "$tmp/leaf.ext" -out "$tmp/leaf.pem" 2>/dev/null

port=$(free_port)
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 0;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$port ssl backlog=1024;
    server_name bench.test;
    ssl_certificate $tmp/leaf.pem;
    ssl_certificate_key $tmp/leaf.key;
    ssl_session_cache off;
    ssl_session_tickets off;
    location / { add_header cf-ray 8c5a7f1e9d3b2a41-FRA; return 200 "ok\n"; }
  }
}
EOF
nginx -p "$tmp/nginx" -c "$tmp/nginx.conf" &
pids+=($!)

dns_port=$(free_port)
/usr/sbin/dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --pid-file= \
  --bind-interfaces --listen-address=127.0.0.1 --port="$dns_port" --local=/test/ \
  --address=/bench.test/127.0.0.1 --log-facility="$tmp/dnsmasq.log" 2>/dev/null &
pids+=($!)

url="https://bench.test:$port/"
for _ in $(seq 100); do
  curl -s -o /dev/null --cacert "$tmp/ca.pem" --resolve "bench.test:$port:127.0.0.1" "$url" && break
  sleep 0.05
done

echo "== $count probes, $parallel at a time, fresh TLS connection each, $url"

echo "-- HttpProbe, host pinned to 127.0.0.1 (like curl --resolve)"
ours=$("$bench" --url "$url" --ca "$tmp/ca.pem" --count "$count" --parallel "$parallel" \
  --resolve 127.0.0.1)
echo "$ours"

echo "-- HttpProbe, DNS step through c-ares to dnsmasq on every probe"
"$bench" --url "$url" --ca "$tmp/ca.pem" --count "$count" --parallel "$parallel" \
  --dns "127.0.0.1:$dns_port"

echo "-- curl --parallel --parallel-max $parallel (one process)"
for _ in $(seq "$count"); do printf 'url = "%s"\noutput = /dev/null\n' "$url"; done >"$tmp/urls.cfg"
start=$(date +%s.%N)
cpu=$(python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=open(sys.argv[-1] + ".out", "w"))
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime)' \
curl -s --no-progress-meter --parallel --parallel-max "$parallel" --parallel-immediate --cacert "$tmp/ca.pem" \
  --resolve "bench.test:$port:127.0.0.1" -w '%{http_code} %{time_total}\n' -K "$tmp/urls.cfg")
end=$(date +%s.%N)
curl_line=$(python3 - "$tmp/urls.cfg.out" "$start" "$end" "$count" "$parallel" "$cpu" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
start, end, count, parallel = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
cpu = float(sys.argv[6])
times = sorted(float(t) * 1000 for _, t in rows)
failed = sum(1 for code, _ in rows if code != "200") + (count - len(rows))
secs = end - start
print("probes=%d parallel=%d seconds=%.3f probes_per_s=%.1f p50_ms=%.2f p99_ms=%.2f cpu_ms_per_probe=%.3f failed=%d" % (
    count, parallel, secs, count / secs, times[len(times) // 2], times[min(len(times) - 1, int(0.99 * len(times)))],
    cpu * 1000 / count, failed))
EOF
)
echo "$curl_line"

echo "-- curl, one process per probe (xargs -P $parallel), for scale"
start=$(date +%s.%N)
seq "$count" | xargs -P "$parallel" -I{} curl -s -o /dev/null --cacert "$tmp/ca.pem" \
  --resolve "bench.test:$port:127.0.0.1" "$url"
end=$(date +%s.%N)
python3 -c "print('probes=%d seconds=%.3f probes_per_s=%.1f' % ($count, $end - $start, $count / ($end - $start)))"

python3 - "$ours" "$curl_line" <<'EOF'
import sys
def field(line, name):
    return float(line.split(name + "=")[1].split()[0])
ours, curl = sys.argv[1], sys.argv[2]
o, c = field(ours, "probes_per_s"), field(curl, "probes_per_s")
print("== HttpProbe %.1f probes/s, curl %.1f probes/s" % (o, c))
print("== added overhead per probe vs curl: wall %+.3f ms, CPU %+.3f ms (%.3f vs %.3f ms); "
      "p50 latency %.2f vs %.2f ms" % (
          1000.0 / o - 1000.0 / c,
          field(ours, "cpu_ms_per_probe") - field(curl, "cpu_ms_per_probe"),
          field(ours, "cpu_ms_per_probe"), field(curl, "cpu_ms_per_probe"),
          field(ours, "p50_ms"), field(curl, "p50_ms")))
print("FIGURE|HTTP probe, 1000 new TLS connections|CPU %+.3f ms per probe|curl --parallel %.3f ms "
      "per probe|overhead per probe (no fixed target)|-" % (
          field(ours, "cpu_ms_per_probe") - field(curl, "cpu_ms_per_probe"),
          field(curl, "cpu_ms_per_probe")))
EOF
