#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/google_credentials.h"
#include "core/host_name.h"
#include "core/sync_status.h"
#include "engine/check_waits.h"

namespace infinity_sync {

struct RunOptions {
  bool dry_run = false;
  bool yes = false;               // apply every offered fix without asking
  bool interactive = false;       // stdin is a terminal: fixes may be asked for
  std::vector<std::string> only;  // check names; empty: all (for the record: the table is chosen)
  // The run's stop: requested (by a signal, or the server stopping) when the
  // result is no longer wanted. Every check's processes are killed, its
  // transfers and DNS questions cancelled; RunSync then writes, records and
  // notifies nothing.
  std::stop_token stop;
};

// Asks the user whether to apply a fix (only called when interactive and
// neither --yes nor --dry-run).
using FixPrompt = std::function<bool(const std::string& check_title, const Fix& fix)>;

// Told when a check starts or ends (for progress lines). Called from check threads.
struct RunObserver {
  std::function<void(const CheckSpec&)> on_start;
  std::function<void(const CheckSpec&, const CheckResult&)> on_done;
};

// Runs checks in parallel, each under its deadline, then offers their fixes.
class Runner {
 public:
  // `waits`: how the runner waits for a check's thread (real time unless a
  // test says otherwise).
  Runner(const Config& config, Ports& ports, CheckWaits& waits = RealCheckWaits())
      : config_(config), ports_(ports), waits_(waits) {}

  // Runs `checks` (already filtered) and returns the run's status. Never throws
  // for a check's sake: a check that throws or overruns its deadline ends
  // Failed. Fixes are handled after all checks end, in table order.
  SyncStatus Run(const std::vector<CheckSpec>& checks, const RunOptions& options,
                 const FixPrompt& prompt, const RunObserver& observer = {});

  // Checks whose thread did not end within the grace after its stop was
  // requested (a check stuck in code that cannot be interrupted); their threads
  // may still be running, so the process should exit without unwinding statics.
  int abandoned() const { return abandoned_.load(); }

  // How long past its deadline a check's thread may take to end after its stop
  // was requested (processes killed, transfers aborted) before it is abandoned.
  static constexpr std::chrono::milliseconds kGrace{2000};

 private:
  CheckResult RunOne(const CheckSpec& spec, const RunObserver& observer,
                     const std::stop_token& run_stop);
  void HandleFixes(const std::vector<CheckSpec>& checks, const RunOptions& options,
                   const FixPrompt& prompt, SyncStatus* status);

  const Config& config_;
  Ports& ports_;
  CheckWaits& waits_;
  std::atomic<int> abandoned_{0};
  // Google tokens shared by the checks of the current run (auth and gcp ask
  // once); a new one per Run, kept alive by every check thread that uses it.
  std::shared_ptr<GoogleTokenSource> google_tokens_;
};

// Which checks a command runs: --only and --skip.
struct CheckChoice {
  std::vector<std::string> only;  // empty: all
  std::vector<std::string> skip;
};

// Keeps the table's rows named in `only` (all when empty) and not in `skip`.
// Every unknown name is reported, each with "did you mean", in one Error; a
// name in `only` that `disabled` (DisabledChecks) turned off is an error that
// names the key, one in `skip` is fine.
Result<std::vector<CheckSpec>> SelectChecks(
    std::vector<CheckSpec> table, const CheckChoice& choice,
    const std::vector<std::pair<std::string, std::string>>& disabled = {});

}  // namespace infinity_sync
