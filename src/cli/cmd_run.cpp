#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "checks/check.h"
#include "checks/google_credentials.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/explain.h"
#include "cli/progress.h"
#include "cli/real_ports.h"
#include "cli/report.h"
#include "core/status_json.h"
#include "core/time_format.h"
#include "engine/sync_job.h"
#include "store/open_store.h"

namespace infinity_sync {
namespace {

bool AskOnTerminal(const std::string& title, const Fix& fix) {
  std::cerr << "\n  " << title << ": apply \"" << fix.description << "\"? [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string ShownPath(const std::string& path) {
  std::error_code ec;
  auto rel = std::filesystem::path(path).lexically_relative(std::filesystem::current_path(ec));
  std::string s = rel.string();
  if (ec || s.empty() || s.rfind("..", 0) == 0) return path;
  return s;
}

}  // namespace

CommandOutcome CmdRun(const GlobalOptions& global, const RunFlags& flags, const SignalStop& stop) {
  auto loaded = LoadConfigOrReport(global.config);
  if (!loaded) return {kExitConfig};
  const Config& config = *loaded;

  std::vector<CheckSpec> table = CheckTable(config);
  auto selected = SelectChecksOrReport(config, table, {flags.only, flags.skip});
  if (!selected) return {kExitUsage};
  std::vector<int> numbers;
  for (const auto& spec : *selected) {
    for (std::size_t i = 0; i < table.size(); ++i) {
      if (table[i].key == spec.key) numbers.push_back(static_cast<int>(i) + 1);
    }
  }

  RealPorts real;
  Ports& ports = real.ports;

  bool out_tty = isatty(STDOUT_FILENO) == 1;
  bool err_tty = isatty(STDERR_FILENO) == 1;
  bool no_color = std::getenv("NO_COLOR") != nullptr;
  ReportStyle style;
  style.fancy = out_tty && !no_color && !flags.json;
  style.verbose = flags.verbose;

  RunOptions options;
  options.dry_run = flags.dry_run;
  options.yes = flags.yes;
  options.only = flags.only;
  options.interactive = isatty(STDIN_FILENO) == 1;
  options.stop = stop.token();

  // Opened once; it connects on first write, so a store that is down only
  // shows as history_error. An unwritten run waits in the pending file for
  // the next run (or server) to write it.
  std::unique_ptr<HistoryRecorder> history;
  std::string store_error;
  if (auto recorder = OpenHistoryRecorder(config); !recorder) {
    store_error = recorder.error();
  } else {
    history = std::move(*recorder);
  }

  Result<SyncOutcome> outcome = Error{""};
  {
    ProgressLine progress(err_tty && !flags.json, err_tty && !no_color, *selected);
    RunObserver observer = progress.Observer();
    FixPrompt prompt = [&progress](const std::string& title, const Fix& fix) {
      progress.Finish();
      return AskOnTerminal(title, fix);
    };
    outcome = RunSync(config, ports, *selected, options, prompt, observer, history.get());
  }
  if (stop.signal() != 0) {
    std::cerr << "\ninfinity-sync: interrupted; the status file was left as it was\n";
    return {stop.ExitCode(), outcome && outcome->abandoned > 0};
  }
  if (!outcome) {
    std::cerr << "infinity-sync: " << outcome.error() << "; not running\n";
    return {kExitLocked};
  }

  if (flags.json) {
    std::cout << outcome->document;
  } else {
    RenderReport(std::cout, style, *selected, numbers, static_cast<int>(table.size()),
                 outcome->status, ShownPath(config.status_file), outcome->write_error);
    if (flags.explain) RenderExplain(std::cout, style, *selected, outcome->status);
  }
  if (outcome->history_error.empty()) outcome->history_error = store_error;
  if (!outcome->history_error.empty() && !flags.json) {
    std::cout << "  History NOT recorded: " << outcome->history_error << "\n";
  }
  if (!outcome->history_error.empty()) {
    // Say where the run really is: in the pending file for the next run, or
    // nowhere once this process exits (the pending file failed too).
    std::string where;
    if (history != nullptr && history->PendingInFile()) {
      where = " (it waits in " + PendingHistoryFile(config) + " for the next run)";
    } else if (history != nullptr && history->Pending() > 0) {
      where = " and could not be kept in " + PendingHistoryFile(config) +
              " either: it is lost when this command exits";
    }
    std::cerr << "infinity-sync: the run was not recorded in the history" << where << ": "
              << outcome->history_error << "\n";
  }

  const NotifyReport& sent = outcome->notifications;
  if (!flags.json && sent.maintenance) {
    std::cout << "Maintenance window " << sent.maintenance->what << " until "
              << FormatLocalTime(sent.maintenance->until) << ": notifications held (" << sent.held
              << ")\n";
  }
  if (!flags.json && sent.sent + sent.failed > 0) {
    std::cout << "Notifications: " << sent.sent << " sent"
              << (sent.failed ? ", " + std::to_string(sent.failed) + " failed" : "") << "\n";
    if (flags.verbose) {
      for (const auto& line : sent.lines) std::cout << "  " << line.text << "\n";
    }
  }
  std::cout.flush();
  for (const auto& line : sent.lines) {
    if (!line.ok) {
      std::cerr << "infinity-sync: notification " << line.text << "\n";
    }
  }
  for (const auto& problem : sent.problems) std::cerr << "infinity-sync: " << problem << "\n";
  if (!outcome->write_error.empty()) {
    std::cerr << "infinity-sync: the status file was not written: " << outcome->write_error << "\n";
  }
  return {outcome->exit_code, outcome->abandoned > 0};
}

}  // namespace infinity_sync
