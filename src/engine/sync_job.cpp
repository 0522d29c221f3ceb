#include "engine/sync_job.h"

#include "core/status_json.h"

namespace infinity_sync {

int ExitCodeOf(const SyncStatus& status) {
  std::vector<Verdict> verdicts;
  for (const auto& r : status.results) {
    if (r.required) verdicts.push_back(VerdictOf(r.result.status));
  }
  return ExitCodeFor(verdicts);
}

Result<SyncOutcome> RunSync(const Config& config, Ports& ports,
                            const std::vector<CheckSpec>& checks, const RunOptions& options,
                            const FixPrompt& prompt, const RunObserver& observer,
                            HistoryRecorder* history) {
  // Held for the whole run, so two runs never interleave their fixes or writes.
  LockAttempt lock = ports.fs.TryLock(config.status_file + ".lock");
  if (lock.contended) return Error{lock.error};
  // Any other lock failure (an unwritable folder) means the status file cannot
  // be written either: run anyway, so the report is not lost, and say so.

  Runner runner(config, ports);
  SyncOutcome outcome;
  outcome.status = runner.Run(checks, options, prompt, observer);
  outcome.abandoned = runner.abandoned();
  if (options.stop.stop_requested()) {
    return Error{"the run was cancelled; the status file was left as it was"};
  }
  outcome.document = ToJson(outcome.status).dump(2) + "\n";
  auto written = ports.fs.WriteAtomic(config.status_file, outcome.document);
  if (!written) outcome.write_error = written.error();
  if (!lock.ok() && outcome.write_error.empty()) outcome.write_error = lock.error;
  outcome.exit_code = outcome.write_error.empty() ? ExitCodeOf(outcome.status) : kExitFailed;
  if (history != nullptr) outcome.history_error = history->Record(outcome.status);
  outcome.notifications = SendNotifications(config, ports, outcome.status);
  return outcome;
}

}  // namespace infinity_sync
