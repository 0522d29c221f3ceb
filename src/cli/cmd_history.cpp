// `infinity-sync history`: past runs and status transitions from the store.
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/config_loading.h"
#include "core/check_status.h"
#include "core/time_format.h"
#include "server/heartbeat.h"
#include "store/history_json.h"
#include "store/open_store.h"

namespace infinity_sync {
namespace {

// Short column names for the five checks; custom checks keep their name.
std::string ShortName(const std::string& key) {
  static const std::map<std::string, std::string> kShort = {{"AuthCheck", "auth"},
                                                            {"GitSync", "git"},
                                                            {"DockerSync", "docker"},
                                                            {"GCPSync", "gcp"},
                                                            {"CloudflareCheck", "cloudflare"}};
  auto it = kShort.find(key);
  if (it != kShort.end()) return it->second;
  const std::string kCustom = "CustomCheck:";
  return key.rfind(kCustom, 0) == 0 ? key.substr(kCustom.size()) : key;
}

void PrintTable(std::ostream& out, const std::vector<StoredRun>& runs,
                const std::vector<Transition>& transitions) {
  out << "RUNS (newest first)\n";
  if (runs.empty()) out << "  (none)\n";
  for (const auto& run : runs) {
    out << fmt::format("  {}  {:>7} ms  {}{}", FormatIso8601(run.timestamp), run.duration_ms,
                       run.host.empty() ? "?" : run.host, run.dry_run ? "  (dry run)" : "");
    out << "\n     ";
    for (const auto& c : run.checks) out << " " << ShortName(c.key) << "=" << c.status;
    out << "\n";
  }
  out << "\nTRANSITIONS (newest first)\n";
  if (transitions.empty()) out << "  (none)\n";
  for (const auto& t : transitions) {
    out << fmt::format("  {}  {:<16} {} -> {}  ({})\n", FormatIso8601(t.at), t.check, t.from, t.to,
                       t.host.empty() ? "?" : t.host);
  }
}

void PrintHeartbeats(std::ostream& out, const std::vector<HeartbeatSample>& samples) {
  out << "HEARTBEATS (newest first)\n";
  if (samples.empty()) out << "  (none)\n";
  for (const auto& h : samples) {
    out << fmt::format("  {}  {:<10} {:<9} {:>4} {:>6} ms  {}{}\n", FormatIso8601(h.timestamp),
                       h.target, h.state, h.http_status > 0 ? std::to_string(h.http_status) : "-",
                       h.latency_ms, h.host.empty() ? "?" : h.host,
                       h.error.empty() ? "" : "  " + h.error);
  }
}

}  // namespace

int CmdHistory(const GlobalOptions& global, const HistoryFlags& flags) {
  auto loaded = LoadConfigOrReport(global.config);
  if (!loaded) return kExitConfig;
  HistoryQuery query;
  query.check = flags.check;
  if (flags.heartbeats && !flags.check.empty()) {
    std::cerr << "infinity-sync: --check is for runs; with --heartbeats use --target\n";
    return kExitUsage;
  }
  if (!flags.target.empty()) {
    if (!flags.heartbeats) {
      std::cerr << "infinity-sync: --target needs --heartbeats\n";
      return kExitUsage;
    }
    if (auto t = ParseHistoryTarget(flags.target, HeartbeatService::Keys(), &query); !t) {
      std::cerr << "infinity-sync: --" << t.error() << "\n";
      return kExitUsage;
    }
  }
  if (!flags.limit.empty()) {
    auto limit = ParseHistoryLimit(flags.limit);
    if (!limit) {
      std::cerr << "infinity-sync: --" << limit.error() << "\n";
      return kExitUsage;
    }
    query.limit = *limit;
  }
  if (!flags.since.empty()) {
    if (auto s = ParseHistorySince(flags.since, &query); !s) {
      std::cerr << "infinity-sync: --" << s.error() << "\n";
      return kExitUsage;
    }
  }
  auto store = OpenStoreOrReport(*loaded, "set store: sqlite:PATH or postgresql://...");
  if (!store) return kExitConfig;
  if (flags.heartbeats) {
    auto samples = store->ListHeartbeats(query);
    if (!samples) {
      std::cerr << "infinity-sync: " << samples.error() << "\n";
      return kExitFailed;
    }
    if (flags.json) {
      nlohmann::json out = {{"heartbeats", nlohmann::json::array()}};
      for (const auto& h : *samples) out["heartbeats"].push_back(ToJson(h));
      std::cout << out.dump(2) << "\n";
    } else {
      PrintHeartbeats(std::cout, *samples);
    }
    return kExitOk;
  }
  auto runs = store->ListRuns(query);
  if (!runs) {
    std::cerr << "infinity-sync: " << runs.error() << "\n";
    return kExitFailed;
  }
  auto transitions = store->ListTransitions(query);
  if (!transitions) {
    std::cerr << "infinity-sync: " << transitions.error() << "\n";
    return kExitFailed;
  }
  if (flags.json) {
    nlohmann::json out = {{"runs", nlohmann::json::array()},
                          {"transitions", nlohmann::json::array()}};
    for (const auto& r : *runs) out["runs"].push_back(ToJson(r));
    for (const auto& t : *transitions) out["transitions"].push_back(ToJson(t));
    std::cout << out.dump(2) << "\n";
  } else {
    PrintTable(std::cout, *runs, *transitions);
  }
  return kExitOk;
}

}  // namespace infinity_sync
