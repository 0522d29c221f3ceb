// Runs N HTTP probes (the cloudflare check's and heartbeats' HttpProbe),
// P at a time, and prints throughput and latency. Driven by bench/probe.sh.
//
//   probe_bench --url URL [--ca FILE] [--count 1000] [--parallel 64]
//               [--resolve ADDR] [--dns SERVER]
//
// --resolve: the host is pinned to ADDR (no DNS step, like curl --resolve);
// --dns: every probe resolves the host through SERVER with c-ares first.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ports/dns_resolver.h"
#include "ports/http_client.h"
#include "ports/http_probe.h"

using namespace infinity_sync;

int main(int argc, char** argv) {
  std::string url, ca, resolve, dns_server;
  int count = 1000, parallel = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--url") {
      url = value;
    } else if (flag == "--ca") {
      ca = value;
    } else if (flag == "--count") {
      count = std::atoi(value.c_str());
    } else if (flag == "--parallel") {
      parallel = std::atoi(value.c_str());
    } else if (flag == "--resolve") {
      resolve = value;
    } else if (flag == "--dns") {
      dns_server = value;
    } else {
      std::fprintf(stderr, "probe_bench: unknown flag %s\n", flag.c_str());
      return 64;
    }
  }
  if (url.empty() || count < 1 || parallel < 1) {
    std::fprintf(stderr,
                 "usage: probe_bench --url URL [--ca FILE] [--count N] [--parallel P] "
                 "[--resolve ADDR] [--dns SERVER]\n");
    return 64;
  }
  CurlHttpClient http;
  CaresDnsResolver dns;
  HttpProbe probe(http, dns);
  ProbeRequest request;
  request.url = url;
  request.ca_file = ca;
  request.timeout = std::chrono::milliseconds(10'000);
  if (!resolve.empty()) request.addresses = {resolve};
  if (!dns_server.empty()) request.dns_servers = {dns_server};

  std::atomic<int> next{0};
  std::mutex mu;
  std::vector<double> latencies;
  std::map<std::string, int> failures;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < parallel; ++w) {
    workers.emplace_back([&] {
      while (next.fetch_add(1) < count) {
        ProbeResult r = probe.Probe(request);
        std::lock_guard<std::mutex> lock(mu);
        latencies.push_back(r.timings.total_ms);
        if (!r.answered || r.status >= 400) {
          ++failures[r.answered ? "HTTP " + std::to_string(r.status) : r.error];
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies[std::min(latencies.size() - 1,
                              static_cast<std::size_t>(p * latencies.size()))];
  };
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
                  (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
  int failed = 0;
  for (const auto& [_, n] : failures) failed += n;
  std::printf(
      "probes=%d parallel=%d seconds=%.3f probes_per_s=%.1f p50_ms=%.2f p99_ms=%.2f "
      "cpu_ms_per_probe=%.3f failed=%d\n",
      count, parallel, seconds, count / seconds, pct(0.50), pct(0.99), cpu_ms / count, failed);
  for (const auto& [why, n] : failures) std::printf("  failure %s: %d\n", why.c_str(), n);
  return failed == 0 ? 0 : 1;
}
