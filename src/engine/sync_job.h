#pragma once

#include <memory>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/result.h"
#include "core/sync_status.h"
#include "engine/runner.h"
#include "notify/notifier.h"
#include "store/history_recorder.h"

namespace infinity_sync {

// What one sync (the `run` command, or one turn of the live loop) produced.
struct SyncOutcome {
  SyncStatus status;
  std::string document;       // the status document as written
  std::string write_error;    // empty when the status file was written
  std::string history_error;  // empty when the run was recorded (or there is no store)
  int exit_code = 0;          // SPEC section 6, counting a write failure as Failed
  int abandoned = 0;          // check threads given up on (see Runner::abandoned)
  // Notifications (SPEC section 7), sent after the status file was written.
  NotifyReport notifications;
};

// Runs `checks` under the run lock and writes the status file atomically.
// Returns an Error (and runs nothing) when another run holds the lock; the
// message says who. When the lock cannot be taken for another reason, the
// checks still run and write_error says why. Thread-safe as long as `ports` is.
// With `history`, the run is then recorded there; a failed recording only sets
// history_error (it never changes the exit code or the status file).
// Notifications go out after the status file is written, still under the lock.
Result<SyncOutcome> RunSync(const Config& config, Ports& ports,
                            const std::vector<CheckSpec>& checks, const RunOptions& options,
                            const FixPrompt& prompt, const RunObserver& observer = {},
                            HistoryRecorder* history = nullptr);

// Exit code of a finished run (SPEC section 6).
int ExitCodeOf(const SyncStatus& status);

}  // namespace infinity_sync
