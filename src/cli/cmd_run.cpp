#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>

#include "checks/check.h"
#include "checks/google_credentials.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/explain.h"
#include "cli/progress.h"
#include "cli/real_ports.h"
#include "cli/report.h"
#include "cli/terminal.h"
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

  TerminalCaps out = DetectTerminal(isatty(STDOUT_FILENO) == 1 && !flags.json);
  TerminalCaps err = DetectTerminal(isatty(STDERR_FILENO) == 1);
  ReportStyle style;
  style.colour = out.colour;
  style.unicode = out.unicode;
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
  // The checks' results as they end, so that a fix is asked about after the
  // report it refers to: the first prompt prints the sections, then asks.
  std::mutex results_mu;
  std::map<std::string, CheckResult> results;
  bool sections_shown = false;
  {
    ProgressLine progress(err.cursor && !flags.json, err.unicode, *selected);
    RunObserver observer = progress.Observer();
    RunObserver progress_observer = observer;
    observer.on_done = [&, progress_observer](const CheckSpec& spec, const CheckResult& result) {
      if (progress_observer.on_done) progress_observer.on_done(spec, result);
      std::lock_guard lock(results_mu);
      results[spec.key] = result;
    };
    FixPrompt prompt = [&](const std::string& title, const Fix& fix) {
      progress.Finish();
      if (!flags.json && !sections_shown) {
        std::lock_guard lock(results_mu);
        RenderBanner(std::cout, style);
        for (std::size_t i = 0; i < selected->size(); ++i) {
          auto found = results.find((*selected)[i].key);
          if (found == results.end()) continue;
          RenderSection(std::cout, style, numbers[i], static_cast<int>(table.size()),
                        (*selected)[i], found->second);
        }
        std::cout.flush();
        sections_shown = true;
      }
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
  } else if (sections_shown) {
    // The sections came before the prompts; a check judged again after an
    // applied fix is shown again as it stands now.
    for (std::size_t i = 0; i < selected->size() && i < outcome->status.results.size(); ++i) {
      for (const auto& action : outcome->status.actions) {
        if (action.applied && action.check == (*selected)[i].key) {
          RenderSection(std::cout, style, numbers[i], static_cast<int>(table.size()),
                        (*selected)[i], outcome->status.results[i].result);
        }
      }
    }
    RenderSummary(std::cout, style, *selected, outcome->status, ShownPath(config.status_file),
                  outcome->write_error);
    if (flags.explain) RenderExplain(std::cout, style, *selected, outcome->status);
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
