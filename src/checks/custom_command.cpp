// Custom command check: the entry's argv through the ProcessRunner port (no
// shell, own process group killed at the timeout), in the config's folder.
#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "checks/custom_types.h"
#include "core/duration.h"

namespace infinity_sync {
namespace {

// The last `max_lines` non-empty lines of `text`, oldest first.
std::vector<std::string> LastLines(const std::string& text, std::size_t max_lines) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - max_lines);
  return lines;
}

// The command as a user would type it, arguments with blanks quoted.
std::string QuotedCommandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    bool quote = a.empty() || a.find_first_of(" \t\"'") != std::string::npos;
    out += (out.empty() ? "" : " ") + (quote ? "\"" + a + "\"" : a);
  }
  return out;
}

}  // namespace

CheckResult InterpretCommand(const CustomCheckConfig& custom, const ProcessResult& run,
                             std::chrono::milliseconds timeout) {
  CheckResult result;
  std::string command = QuotedCommandLine(custom.run);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(run.duration).count();
  result.data["command"] = custom.run;
  result.data["durationMs"] = ms;
  if (run.not_found || !run.started) {
    result.status = CheckStatus::kFailed;
    result.data["error"] = run.not_found ? "program not found" : run.error;
    result.Err(run.not_found ? custom.run.front() + ": program not found"
                             : custom.run.front() + ": could not start: " + run.error);
    return result;
  }
  if (run.timed_out) {
    result.status = CheckStatus::kFailed;
    result.data["timedOut"] = true;
    result.Err("`" + command + "` timed out after " + FormatDuration(timeout) + " (killed)");
  } else if (run.signal != 0) {
    result.status = CheckStatus::kFailed;
    result.data["signal"] = run.signal;
    result.Err(fmt::format("`{}` killed by signal {}", command, run.signal));
  } else {
    result.data["exitCode"] = run.exit_code;
    result.status = run.exit_code == 0 ? CheckStatus::kSynced : CheckStatus::kFailed;
    std::string line = fmt::format("`{}` exited {} in {} ms", command, run.exit_code, ms);
    if (run.exit_code == 0) {
      result.Ok(line);
    } else {
      result.Err(line);
    }
  }
  // Standard output, then standard error: the error stream usually says why.
  std::string output = run.out;
  if (!output.empty() && output.back() != '\n') output += '\n';
  output += run.err;
  std::vector<std::string> tail = LastLines(output, kCommandTailLines);
  result.data["outputTail"] = tail;
  for (const auto& line : tail) result.Info("> " + line);
  return result;
}

CheckResult RunCustomCommand(const CustomCheckConfig& custom, const CheckContext& ctx) {
  ProcessRequest request;
  request.argv = custom.run;
  request.cwd = ctx.config.base_dir.string();
  request.timeout = ctx.Remaining();
  request.max_output = 1 << 20;
  ProcessResult run = ctx.Run(request);
  // Named by the configured limit ("2s"), which the remaining time approximates.
  return InterpretCommand(custom, run, custom.timeout.value_or(ctx.config.timeout));
}

}  // namespace infinity_sync
