// `infinity-sync run --watch`: the seed's background loop in the terminal.
#include <unistd.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "checks/check.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/explain.h"
#include "cli/interrupt.h"
#include "cli/real_ports.h"
#include "cli/report.h"
#include "cli/terminal.h"
#include "core/duration.h"
#include "core/time_format.h"
#include "engine/sync_job.h"
#include "store/open_store.h"

namespace infinity_sync {
namespace {

constexpr std::chrono::milliseconds kDefaultInterval{300'000};

// "2026-11-25T16:50:00Z run 3: AuthCheck=Success GitSync=Synced ... exit=0".
std::string RunLine(int number, const SyncOutcome& outcome) {
  std::string line = FormatIso8601(outcome.status.timestamp) + " run " + std::to_string(number) +
                     (outcome.status.dry_run ? " (dry run):" : ":");
  for (const auto& r : outcome.status.results) {
    line += " " + r.key + "=" + std::string(ToString(r.result.status));
  }
  line += " exit=" + std::to_string(outcome.exit_code);
  if (!outcome.write_error.empty()) line += " (status not written: " + outcome.write_error + ")";
  if (!outcome.history_error.empty())
    line += " (history not recorded: " + outcome.history_error + ")";
  return line;
}

}  // namespace

CommandOutcome CmdWatch(const GlobalOptions& global, const RunFlags& flags,
                        const SignalStop& stop) {
  CommandOutcome result;
  std::chrono::milliseconds interval = kDefaultInterval;
  if (!flags.interval.empty()) {
    auto parsed = ParseDuration(flags.interval);
    if (!parsed || parsed->count() <= 0) {
      std::cerr << "infinity-sync: --interval: expected a positive duration like 30s or 5m, got \""
                << flags.interval << "\"" << (parsed ? "" : ": " + parsed.error()) << "\n";
      return {kExitUsage};
    }
    interval = *parsed;
  }
  auto loaded = LoadConfigOrReport(global.config);
  if (!loaded) return {kExitConfig};
  const Config& config = *loaded;
  std::vector<CheckSpec> table = CheckTable(config);
  auto selected = SelectChecksOrReport(config, table, {flags.only, flags.skip});
  if (!selected) return {kExitUsage};

  RealPorts real;
  TerminalCaps caps = DetectTerminal(isatty(STDOUT_FILENO) == 1 && !flags.json);
  // Redrawn in place only where the cursor can be moved; a line per run otherwise.
  bool tty = caps.cursor && isatty(STDOUT_FILENO) == 1 && !flags.json;
  ReportStyle style;
  style.colour = caps.colour;
  style.unicode = caps.unicode;
  style.verbose = flags.verbose;
  RunOptions options;
  options.dry_run = flags.dry_run;
  options.yes = flags.yes;
  options.only = flags.only;
  options.interactive = false;  // nobody answers a prompt in a loop: fixes need --yes
  options.stop = stop.token();
  FixPrompt never = [](const std::string&, const Fix&) { return false; };

  // Every run is recorded like a one-shot run's, by RunSync; one recorder for
  // the whole watch, so a run the store could not take is written with the next.
  std::unique_ptr<HistoryRecorder> history;
  if (auto recorder = OpenHistoryRecorder(config); !recorder) {
    std::cerr << "infinity-sync: " << recorder.error() << "; history is off\n";
  } else {
    history = std::move(*recorder);
  }

  std::cerr << "infinity-sync: watching every " << FormatDuration(interval)
            << (flags.dry_run ? " (dry run)" : "") << "; Ctrl-C to stop\n";
  for (int number = 1;; ++number) {
    if (stop.signal() != 0) break;
    auto outcome = RunSync(config, real.ports, *selected, options, never, {}, history.get());
    if (outcome && outcome->abandoned > 0) result.abandoned = true;
    if (stop.signal() != 0) break;  // a run cut short writes nothing and says nothing
    if (!outcome) {
      if (flags.json) {
        std::cerr << "infinity-sync: run " << number << " skipped: " << outcome.error() << "\n";
      } else {
        std::cout << FormatIso8601(std::chrono::system_clock::now()) << " run " << number
                  << ": skipped: " << outcome.error() << std::endl;
      }
    } else if (flags.json) {
      // JSON Lines: each run's status document on one line.
      nlohmann::json doc = nlohmann::json::parse(outcome->document, nullptr, false);
      std::cout << (doc.is_discarded() ? outcome->document : doc.dump()) << std::endl;
    } else {
      if (tty) {
        std::cout << "\033[H\033[2J";  // redraw in place: home, clear screen
        RenderSummary(std::cout, style, *selected, outcome->status, config.status_file,
                      outcome->write_error);
        if (!outcome->history_error.empty()) {
          std::cout << "  History NOT recorded: " << outcome->history_error << "\n";
        }
      } else {
        std::cout << RunLine(number, *outcome) << "\n";
      }
      if (flags.explain) RenderExplain(std::cout, style, *selected, outcome->status);
      if (tty) {
        auto next = std::chrono::system_clock::now() + interval;
        std::cout << "\n  Run " << number << "; next at " << FormatLocalTime(next) << " (every "
                  << FormatDuration(interval) << "); Ctrl-C to stop\n";
      }
      std::cout.flush();
    }
    if (stop.WaitFor(interval)) break;
  }
  std::cerr << "\ninfinity-sync: watch stopped\n";
  result.code = stop.ExitCode();
  return result;
}

}  // namespace infinity_sync
