#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/check_result.h"
#include "core/lineage.h"

namespace infinity_sync {

// One fix the runner considered, and what became of it.
struct Action {
  std::string check;   // document key, e.g. "GitSync"
  std::string action;  // e.g. "git rebase @{u}"
  bool applied = false;
  std::string reason;  // why not applied, or how applying went
};

// One check's result under its document key.
struct NamedResult {
  std::string key;  // "AuthCheck", "GitSync", ..., "CustomCheck:redis"
  CheckResult result;
  bool required = true;  // false: shown, but left out of the exit code
};

// Everything one run found: the status document in memory.
struct SyncStatus {
  std::chrono::system_clock::time_point timestamp;
  bool dry_run = false;
  std::int64_t duration_ms = 0;
  std::string version;
  std::string project;
  std::string host;
  std::string environment;        // config `environment`: which machine or stage the run speaks for
  std::int64_t fresh_for_ms = 0;  // config `fresh_for`; not written in the document
  std::vector<NamedResult> results;  // in report order
  std::vector<Action> actions;
  // Where the deploy branch's commit stands, built from the results after the
  // run (engine/lineage_builder); unset for a document without one.
  std::optional<Lineage> lineage;

  const CheckResult* Find(const std::string& key) const {
    for (const auto& r : results) {
      if (r.key == key) return &r.result;
    }
    return nullptr;
  }
};

}  // namespace infinity_sync
