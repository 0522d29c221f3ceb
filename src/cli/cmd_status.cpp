#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "checks/check.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/report.h"
#include "cli/terminal.h"
#include "core/duration.h"
#include "core/status_json.h"
#include "core/time_format.h"
#include "ports/file_system.h"

namespace infinity_sync {

int CmdStatus(const GlobalOptions& global, bool json) {
  auto config = LoadConfigOrReport(global.config);
  if (!config) return kExitConfig;
  RealFileSystem fs;
  if (!fs.Stat(config->status_file)) {
    std::cerr << "infinity-sync: no status yet: " << config->status_file
              << " does not exist (run 'infinity-sync run' first)\n";
    return kExitFailed;
  }
  auto text = fs.ReadFile(config->status_file, kStatusFileLimit);
  if (!text) {
    std::cerr << "infinity-sync: " << text.error() << "\n";
    return kExitFailed;
  }
  auto doc = ParseStatusDocument(*text);
  if (!doc) {
    std::cerr << "infinity-sync: " << config->status_file
              << " is not a valid status document: " << doc.error() << "\n";
    return kExitFailed;
  }
  auto now = std::chrono::system_clock::now();
  auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - doc->timestamp);
  Freshness freshness = AssessFreshness(doc->has_timestamp, doc->timestamp, now, config->fresh_for);
  bool fresh = freshness.fresh;
  if (json) {
    nlohmann::json out = doc->json;
    out["fresh"] = fresh;
    if (!freshness.detail.empty()) out["freshDetail"] = freshness.detail;
    std::cout << out.dump(2) << "\n";
    return doc->exit_code;
  }
  ReportStyle style;
  TerminalCaps caps = DetectTerminal(isatty(STDOUT_FILENO) == 1);
  style.colour = caps.colour;
  style.unicode = caps.unicode;
  // Summary rows in table order, then anything else the document holds.
  std::vector<std::pair<std::string, std::string>> rows;
  std::vector<std::string> seen;
  for (const auto& spec : CheckTable(*config)) {
    if (doc->json["status"].contains(spec.key)) {
      rows.emplace_back(spec.label, doc->json["status"][spec.key]["Status"].get<std::string>());
      seen.push_back(spec.key);
    }
  }
  for (const auto& [key, check] : doc->json["status"].items()) {
    if (std::find(seen.begin(), seen.end(), key) == seen.end()) {
      rows.emplace_back(key, check["Status"].get<std::string>());
    }
  }
  std::cout << "SYNC STATUS (" << config->status_file << ")\n";
  for (const auto& [label, status] : rows) {
    std::string colour = StatusColour(style, status);
    std::cout << fmt::format("{:<20}", label + ":") << colour << status
              << (colour.empty() ? "" : "\033[0m") << "\n";
  }
  if (!freshness.detail.empty()) {
    std::cout << "\nLast run: " << FormatLocalTime(doc->timestamp) << " (" << freshness.detail
              << "), STALE\n";
  } else if (doc->has_timestamp) {
    std::cout << "\nLast run: " << FormatLocalTime(doc->timestamp) << " (" << FormatAge(age)
              << " ago), " << (fresh ? "fresh" : "STALE") << " (fresh for "
              << FormatDuration(config->fresh_for) << ")\n";
  } else {
    std::cout << "\nLast run: unknown (no timestamp), STALE\n";
  }
  if (doc->json.value("dryRun", false)) std::cout << "It was a dry run.\n";
  return doc->exit_code;
}

}  // namespace infinity_sync
