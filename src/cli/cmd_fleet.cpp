// `infinity-sync fleet`: the latest run of every (project, environment) in the
// store, whoever wrote it (laptops, CI jobs, servers sharing one PostgreSQL).
#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/config_loading.h"
#include "core/time_format.h"
#include "store/history_json.h"

namespace infinity_sync {
namespace {

std::string Short(const nlohmann::json& commit) {
  return commit.is_string() ? commit.get<std::string>().substr(0, 7) : "-";
}

void PrintFleet(std::ostream& out, const nlohmann::json& doc) {
  const auto& runs = doc["runs"];
  if (runs.empty()) {
    out << "No runs recorded yet.\n";
    return;
  }
  std::size_t project_w = 7, env_w = 11;
  for (const auto& r : runs) {
    project_w = std::max(project_w, r["project"].get<std::string>().size());
    env_w = std::max(env_w, r["environment"].get<std::string>().size());
  }
  out << fmt::format("{:<{}}  {:<{}}  {:<7}  {:<7}  {:<7}  {}\n", "PROJECT", project_w,
                     "ENVIRONMENT", env_w, "OVERALL", "COMMIT", "DEPLOY", "LAST RUN");
  for (const auto& r : runs) {
    std::string overall = r["overall"].is_string() ? r["overall"].get<std::string>() : "?";
    std::string age = FormatAge(std::chrono::seconds(r["ageSeconds"].get<std::int64_t>())) + " ago";
    if (r["stale"].get<bool>()) age += " (stale)";
    out << fmt::format("{:<{}}  {:<{}}  {:<7}  {:<7}  {:<7}  {}  {}\n",
                       r["project"].get<std::string>(), project_w,
                       r["environment"].get<std::string>(), env_w, overall, Short(r["commit"]),
                       Short(r["deployCommit"]), age, r["host"].get<std::string>());
  }
}

}  // namespace

int CmdFleet(const GlobalOptions& global, bool json) {
  auto loaded = LoadConfigOrReport(global.config);
  if (!loaded) return kExitConfig;
  auto store =
      OpenStoreOrReport(*loaded,
                        "the fleet is read from the store: set store: postgresql://... (shared) or "
                        "sqlite:PATH");
  if (!store) return kExitConfig;
  auto doc = FleetDocument(*store, std::chrono::system_clock::now());
  if (!doc) {
    std::cerr << "infinity-sync: " << doc.error() << "\n";
    return kExitFailed;
  }
  if (json) {
    std::cout << doc->dump(2) << "\n";
  } else {
    PrintFleet(std::cout, *doc);
  }
  return kExitOk;
}

}  // namespace infinity_sync
