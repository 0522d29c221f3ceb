#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "checks/check.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "core/status_json.h"
#include "engine/runner.h"

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

int CmdRun(const GlobalOptions& global, const RunFlags& flags) {
  auto loaded = LoadConfigOrReport(global.config);
  if (!loaded) return kExitConfig;
  const Config& config = *loaded;

  std::vector<CheckSpec> table = CheckTable(config);
  auto selected = SelectChecks(table, flags.only);
  if (!selected) {
    std::cerr << "infinity-sync: " << selected.error() << "\n";
    return kExitUsage;
  }
  std::vector<int> numbers;
  for (const auto& spec : *selected) {
    for (std::size_t i = 0; i < table.size(); ++i) {
      if (table[i].key == spec.key) numbers.push_back(static_cast<int>(i) + 1);
    }
  }

  RealFileSystem fs;
  auto lock = fs.TryLock(config.status_file + ".lock");
  if (!lock) {
    std::cerr << "infinity-sync: " << lock.error() << "; not running\n";
    return kExitLocked;
  }

  RealProcessRunner process;
  CurlHttpClient http;
  CaresDnsResolver dns;
  RealClock clock;
  Ports ports{process, http, dns, fs, clock, ProcessEnv()};

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

  Runner runner(config, ports);
  SyncStatus status;
  {
    ProgressLine progress(err_tty && !flags.json, err_tty && !no_color, *selected);
    RunObserver observer = progress.Observer();
    FixPrompt prompt = [&progress](const std::string& title, const Fix& fix) {
      progress.Finish();
      return AskOnTerminal(title, fix);
    };
    status = runner.Run(*selected, options, prompt, observer);
  }

  std::string text = ToJson(status).dump(2) + "\n";
  auto written = fs.WriteAtomic(config.status_file, text);
  std::string write_error = written ? "" : written.error();

  if (flags.json) {
    std::cout << text;
  } else {
    RenderReport(std::cout, style, *selected, numbers, static_cast<int>(table.size()), status,
                 ShownPath(config.status_file), write_error);
  }
  std::cout.flush();
  if (!write_error.empty()) {
    std::cerr << "infinity-sync: the status file was not written: " << write_error << "\n";
  }

  std::vector<Verdict> verdicts;
  for (const auto& r : status.results) verdicts.push_back(VerdictOf(r.result.status));
  int code = ExitCodeFor(verdicts);
  if (!write_error.empty()) code = kExitFailed;
  return runner.abandoned() > 0 ? -code : code;
}

}  // namespace infinity_sync
