#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace infinity_sync {

// What notifications remember about one check between runs.
struct CheckMemory {
  std::string status;     // the settled (announced or baseline) status; empty: never settled
  std::string candidate;  // a different status seen in the latest runs; empty: none
  int runs = 0;           // consecutive runs `candidate` has held
};

// What notifications remember about every check, by document key ("GitSync").
// Kept in a small JSON file between one-shot runs (see NotifyStatePath).
struct NotifyMemory {
  std::map<std::string, CheckMemory> checks;
};

// One check's status in this run.
struct Observation {
  std::string check;  // document key
  std::string status;
  std::vector<std::string> details;  // the check's report lines
  std::string reason;                // its first warning or error line, if any
};

// A settled change of one check's status: `from` held before, `to` has now
// held for `notify_after` consecutive runs. `from` is empty for a check seen
// for the first time.
struct StatusChange {
  std::string check;
  std::string from;
  std::string to;
  std::vector<std::string> details;
  std::string reason;
};

// Folds this run's statuses into `memory` and returns the settled changes.
// A status must hold `notify_after` (>= 1) consecutive runs to settle; a
// return to the settled status before that cancels it (flapping announces
// nothing). A check seen for the first time settles at once (from = "").
// Checks absent from `observations` (not run) keep their memory.
std::vector<StatusChange> Advance(NotifyMemory* memory,
                                  const std::vector<Observation>& observations, int notify_after);

// Whether `status` is one a sender with this `on` list watches: a member of
// `on`, or, when `on` is empty, any drift or failed status (SPEC section 6).
bool IsListed(const std::string& status, const std::vector<std::string>& on);

// Whether a sender with this `on` list announces `change`: it moves into a
// listed state, or out of one (a recovery). A first sighting is announced only
// when it is listed.
bool ShouldAnnounce(const StatusChange& change, const std::vector<std::string>& on);

// True when `change` leaves a listed state for an unlisted one.
bool IsRecovery(const StatusChange& change, const std::vector<std::string>& on);

// The state file's JSON and back. Parsing names what is wrong.
nlohmann::json NotifyMemoryToJson(const NotifyMemory& memory);
Result<NotifyMemory> ParseNotifyMemory(const std::string& text);

// Where the memory lives: "infinity-sync-notify.json" beside `status_file`.
std::string NotifyStatePath(const std::string& status_file);

}  // namespace infinity_sync
