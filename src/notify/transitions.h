#pragma once

#include <chrono>
#include <cstdint>
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

// What one sender remembers about one check.
struct SenderCheckMemory {
  std::string told;            // the status this sender was last told about (or, unlisted, left at)
  std::int64_t last_sent = 0;  // ms since the epoch of its latest message about the check; 0: none
  bool held = false;           // a message is waiting for a maintenance window to end
};

// What notifications remember about every check, by document key ("GitSync").
// Kept in a small JSON file between one-shot runs (see NotifyStatePath).
struct NotifyMemory {
  std::map<std::string, CheckMemory> checks;
  // By sender ("0:slack": index in `notify` and type), then by check.
  std::map<std::string, std::map<std::string, SenderCheckMemory>> senders;
};

// One check's status in this run.
struct Observation {
  std::string check;  // document key
  std::string status;
  std::vector<std::string> details;  // the check's report lines
  std::string reason;                // its first warning or error line, if any
  nlohmann::json data = nullptr;     // the check's Data (AuthCheck: which half failed)
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

// What one sender is to say about one check in this run.
struct PlannedMessage {
  enum class Kind { kChange, kRecovery, kReminder };
  std::string check;
  std::string from;  // what the sender was told before; empty: first sighting
  std::string to;    // the settled status now
  Kind kind = Kind::kChange;
};

// How one sender decides (its `notify:` entry).
struct SenderRules {
  std::vector<std::string> on;
  std::chrono::milliseconds repeat_every{0};  // 0: no reminders
  bool send_resolved = true;
};

// Decides what a sender says about the checks of this run (`observed`, whose
// statuses `settled` holds after Advance) and updates its memory `told`:
//  - a settled status other than the one it was told about, when either is
//    listed: a change (a recovery when it leaves the listed states; dropped
//    silently when !send_resolved);
//  - the same listed status, last sent at least repeat_every before `now`: a
//    reminder;
//  - inside a maintenance window (`held`) nothing is said: the changes are
//    marked held and `told` is kept, so what still differs when the window has
//    ended is said then, and what went back meanwhile is never said.
// A check the sender has no memory of starts from `before` (its settled
// status before this run), so that a new sender does not announce old news.
// Returns the messages in `observed` order, and marks them told at `now`
// (whether or not sending them then works: a failed send is not repeated).
std::vector<PlannedMessage> PlanSender(std::map<std::string, SenderCheckMemory>* told,
                                       const NotifyMemory& settled,
                                       const std::map<std::string, std::string>& before,
                                       const std::vector<std::string>& observed,
                                       const SenderRules& rules,
                                       std::chrono::system_clock::time_point now, bool held);

// A failure explained by another check of the same run: `check` is reported
// as caused by `cause` rather than as an alert of its own.
struct CausedBy {
  std::string cause;  // document key of the cause, "AuthCheck"
  std::string text;   // "GCP Cloud Run: not checked, Google credentials failed"
};

// The dependency table applied to this run: for each check in a failed or
// drift state whose cause failed in the same run, why. GCPSync depends on the
// Google half of AuthCheck; CloudflareCheck depends on a `dns` custom check of
// `cloudflare.domain` (`dns_checks`: custom check name -> host of each dns check).
std::map<std::string, CausedBy> FoldCauses(const std::vector<Observation>& observations,
                                           const std::string& cloudflare_domain,
                                           const std::map<std::string, std::string>& dns_checks);

// The state file's JSON and back. Parsing names what is wrong.
nlohmann::json NotifyMemoryToJson(const NotifyMemory& memory);
Result<NotifyMemory> ParseNotifyMemory(const std::string& text);

// Where the memory lives: "infinity-sync-notify.json" beside `status_file`.
std::string NotifyStatePath(const std::string& status_file);

}  // namespace infinity_sync
