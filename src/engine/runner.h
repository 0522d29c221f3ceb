#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/sync_status.h"

namespace infinity_sync {

struct RunOptions {
  bool dry_run = false;
  bool yes = false;               // apply every offered fix without asking
  bool interactive = false;       // stdin is a terminal: fixes may be asked for
  std::vector<std::string> only;  // check names; empty: all
  // Set (by another thread) when the run's result is no longer wanted, e.g. the
  // server is stopping: RunSync then writes, records and notifies nothing.
  const std::atomic<bool>* cancelled = nullptr;
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
  Runner(const Config& config, Ports& ports) : config_(config), ports_(ports) {}

  // Runs `checks` (already filtered) and returns the run's status. Never throws
  // for a check's sake: a check that throws or overruns its deadline ends
  // Failed. Fixes are handled after all checks end, in table order.
  SyncStatus Run(const std::vector<CheckSpec>& checks, const RunOptions& options,
                 const FixPrompt& prompt, const RunObserver& observer = {});

  // Checks abandoned because they overran their deadline; their threads may
  // still be running, so the process should exit without unwinding statics.
  int abandoned() const { return abandoned_; }

 private:
  CheckResult RunOne(const CheckSpec& spec, const RunObserver& observer);
  void HandleFixes(const std::vector<CheckSpec>& checks, const RunOptions& options,
                   const FixPrompt& prompt, SyncStatus* status);

  const Config& config_;
  Ports& ports_;
  int abandoned_ = 0;
};

// Keeps the table's rows named in `only` (all when empty). Unknown names give
// an Error with "did you mean".
Result<std::vector<CheckSpec>> SelectChecks(std::vector<CheckSpec> table,
                                            const std::vector<std::string>& only);

// This machine's name, as runs and heartbeat samples record it ("" if unknown).
std::string HostName();

}  // namespace infinity_sync
