// `infinity-sync trace [COMMIT]`: where a commit stands along the lineage.
#include <iostream>

#include <fmt/format.h>

#include "checks/check.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/real_ports.h"
#include "cli/report.h"
#include "cli/trace.h"
#include "core/check_status.h"
#include "engine/sync_job.h"
#include "store/open_store.h"

namespace infinity_sync {

CommandOutcome CmdTrace(const GlobalOptions& global, const TraceFlags& flags,
                        const SignalStop& stop) {
  auto loaded = LoadConfigOrReport(global.config);
  if (!loaded) return {kExitConfig};
  const Config& config = *loaded;
  RealPorts real;
  std::string name = flags.commit.empty() ? "HEAD" : flags.commit;
  auto commit = ResolveCommit(real.process, config.git.repo, name);
  if (!commit) {
    std::cerr << "infinity-sync: trace: " << commit.error() << "\n";
    return {kExitFailed};
  }

  std::vector<CheckSpec> table = CheckTable(config);
  RunOptions options;
  options.dry_run = true;
  options.stop = stop.token();
  FixPrompt never = [](const std::string&, const Fix&) { return false; };
  std::unique_ptr<HistoryRecorder> history;
  if (auto recorder = OpenHistoryRecorder(config)) history = std::move(*recorder);
  auto outcome = RunSync(config, real.ports, table, options, never, {}, history.get());
  if (stop.signal() != 0) {
    std::cerr << "\ninfinity-sync: interrupted\n";
    return {stop.ExitCode(), outcome && outcome->abandoned > 0};
  }
  if (!outcome) {
    std::cerr << "infinity-sync: " << outcome.error() << "; not running\n";
    return {kExitLocked};
  }
  if (!outcome->write_error.empty()) {
    std::cerr << "infinity-sync: the status file was not written: " << outcome->write_error << "\n";
  }
  Lineage lineage = outcome->status.lineage.value_or(Lineage{});
  TraceReport report = TraceCommit(lineage, *commit, GitContains(real.process, config.git.repo));
  if (flags.json) {
    nlohmann::json out = ToJson(report);
    out["lineage"] = ToJson(lineage);
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "Commit " << commit->substr(0, 7) << (name == *commit ? "" : " (" + name + ")")
              << "\n";
    for (const auto& h : report.hops) {
      // CI is marked by its result; the other hops by whether they hold the commit.
      std::optional<bool> good = h.hop != "ci"          ? h.contains
                                 : h.state == "success" ? std::optional<bool>(true)
                                 : h.state == "failure" ? std::optional<bool>(false)
                                                        : std::nullopt;
      std::string mark = !good ? "[?]  " : *good ? "[OK] " : "[NO] ";
      std::cout << fmt::format("  {}{:<9} {}\n", mark, h.hop, h.text);
    }
    std::cout << (report.live == true    ? "live"
                  : report.live == false ? "not live"
                                         : "unknown")
              << ": " << report.summary << "\n";
  }
  std::cout.flush();
  return {report.ExitCode(), outcome->abandoned > 0};
}

}  // namespace infinity_sync
