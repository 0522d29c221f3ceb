// `infinity-sync wait`: repeat dry-run syncs until the commit is live (or synced).
#include <iostream>

#include <fmt/format.h>

#include "checks/check.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/interrupt.h"
#include "cli/real_ports.h"
#include "cli/report.h"
#include "cli/trace.h"
#include "core/check_status.h"
#include "core/duration.h"
#include "core/time_format.h"
#include "engine/sync_job.h"
#include "store/open_store.h"

namespace infinity_sync {
namespace {

constexpr std::chrono::milliseconds kDefaultTimeout{600'000};
constexpr std::chrono::milliseconds kDefaultInterval{10'000};

std::optional<std::chrono::milliseconds> DurationFlag(const std::string& flag,
                                                      const std::string& text,
                                                      std::chrono::milliseconds fallback) {
  if (text.empty()) return fallback;
  auto parsed = ParseDuration(text);
  if (!parsed || parsed->count() <= 0) {
    std::cerr << "infinity-sync: " << flag
              << ": expected a positive duration like 30s or 10m, got \"" << text << "\""
              << (parsed ? "" : ": " + parsed.error()) << "\n";
    return std::nullopt;
  }
  return *parsed;
}

// The checks of a run that are not good: "GCPSync=OutOfSync, DockerSync=Failed".
std::string NotGood(const SyncStatus& status) {
  std::string out;
  for (const auto& r : status.results) {
    if (VerdictOf(r.result.status) == Verdict::kGood ||
        VerdictOf(r.result.status) == Verdict::kNeutral) {
      continue;
    }
    out += (out.empty() ? "" : ", ") + r.key + "=" + std::string(ToString(r.result.status));
  }
  return out;
}

}  // namespace

CommandOutcome CmdWait(const GlobalOptions& global, const WaitFlags& flags,
                       const SignalStop& stop) {
  CommandOutcome result;
  auto timeout = DurationFlag("--timeout", flags.timeout, kDefaultTimeout);
  auto interval = DurationFlag("--interval", flags.interval, kDefaultInterval);
  if (!timeout || !interval) return {kExitUsage};
  bool for_live = flags.target != "synced";
  if (!for_live && !flags.commit.empty()) {
    std::cerr << "infinity-sync: wait --for synced waits for every check, not a commit\n";
    return {kExitUsage};
  }
  auto loaded = LoadConfigOrReport(global.config);
  if (!loaded) return {kExitConfig};
  const Config& config = *loaded;
  RealPorts real;
  std::string commit;
  if (for_live) {
    std::string name = flags.commit.empty() ? "HEAD" : flags.commit;
    auto resolved = ResolveCommit(real.process, config.git.repo, name);
    if (!resolved) {
      std::cerr << "infinity-sync: wait: " << resolved.error() << "\n";
      return {kExitFailed};
    }
    commit = *resolved;
  }

  std::vector<CheckSpec> table = CheckTable(config);
  RunOptions options;
  options.dry_run = true;
  options.stop = stop.token();
  FixPrompt never = [](const std::string&, const Fix&) { return false; };
  std::unique_ptr<HistoryRecorder> history;
  if (auto recorder = OpenHistoryRecorder(config)) history = std::move(*recorder);
  ContainsFn contains = GitContains(real.process, config.git.repo);

  std::string what = for_live ? commit.substr(0, 7) + " live" : "every check synced";
  std::cerr << "infinity-sync: waiting up to " << FormatDuration(*timeout) << " for " << what
            << ", trying every " << FormatDuration(*interval) << "; Ctrl-C to stop\n";
  auto deadline = real.clock.SteadyNow() + *timeout;
  std::string missing = "no try finished";
  for (int n = 1;; ++n) {
    if (stop.signal() != 0) break;
    auto outcome = RunSync(config, real.ports, table, options, never, {}, history.get());
    if (outcome && outcome->abandoned > 0) result.abandoned = true;
    if (stop.signal() != 0) break;
    std::string line = FormatIso8601(real.clock.Now()) + " try " + std::to_string(n) + ": ";
    bool reached = false;
    if (!outcome) {
      missing = outcome.error();
      line += "skipped: " + missing;
    } else {
      if (for_live) {
        Lineage lineage = outcome->status.lineage.value_or(Lineage{});
        TraceReport report = TraceCommit(lineage, commit, contains);
        reached = report.live == true;
        missing = report.summary;
        line += (reached                ? "live: "
                 : report.live == false ? "not live: "
                                        : "unknown: ") +
                report.summary;
      } else {
        reached = outcome->exit_code == kExitOk;
        missing = NotGood(outcome->status);
        if (missing.empty()) missing = "exit code " + std::to_string(outcome->exit_code);
        line += reached ? "synced" : "not synced: " + missing;
      }
    }
    std::cout << line << std::endl;
    if (reached) {
      result.code = kExitOk;
      return result;
    }
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - real.clock.SteadyNow());
    if (left.count() <= 0) {
      std::cerr << "infinity-sync: timed out after " << FormatDuration(*timeout)
                << "; still missing: " << missing << "\n";
      result.code = 1;
      return result;
    }
    if (stop.WaitFor(std::min(*interval, left))) break;
  }
  std::cerr << "\ninfinity-sync: wait interrupted; still missing: " << missing << "\n";
  result.code = stop.ExitCode();
  return result;
}

}  // namespace infinity_sync
