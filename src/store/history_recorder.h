#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "store/history_store.h"

namespace infinity_sync {

// Writes runs and heartbeat samples to a HistoryStore without ever failing
// the caller: what cannot be written (database down, locked, corrupt) is kept
// and written before the next one.
//
// Runs are kept in memory, and with a pending file also in that file (JSON
// lines in the shape of the history's runs, replaced atomically, at most
// `max_pending` runs), so that the next process writes them: a one-shot `run`
// whose store was down does not lose its record. The file is read back at
// every Record and removed once everything in it is written. Processes that
// share a pending file must not record at the same time; RunSync records
// under the run lock. Heartbeat samples are kept in memory only.
// Thread-safe.
class HistoryRecorder {
 public:
  // At most `max_pending` unwritten runs (and as many samples) are kept; the
  // oldest are dropped. `pending_file` "" keeps them in memory only.
  explicit HistoryRecorder(std::unique_ptr<HistoryStore> store, std::size_t max_pending = 500,
                           std::string pending_file = "");

  // Writes the pending runs, then `status`. Returns "" when everything was
  // written, else the error (and `status` stays pending).
  std::string Record(const SyncStatus& status);
  // Writes the pending samples and `sample` in one transaction; "" or the error.
  std::string RecordHeartbeat(const HeartbeatSample& sample);

  // The error of the last run write, "" when it succeeded (or none was made).
  std::string LastError() const;
  // Runs not written yet (in memory or in the pending file).
  std::size_t Pending() const;
  // Whether the runs not written yet are in the pending file (so a later
  // process writes them); false when they are in this process's memory only
  // (no pending file, or it could not be written either: a full disk).
  bool PendingInFile() const;
  // The same for heartbeat samples.
  std::string LastHeartbeatError() const;
  std::size_t PendingHeartbeats() const;
  HistoryStore& store() { return *store_; }

 private:
  // Runs of the pending file, oldest first; unreadable lines are dropped and
  // described in `problem`.
  std::deque<StoredRun> LoadPendingFile(std::string* problem);
  // Replaces (or removes, when `runs` is empty) the pending file; "" or why not.
  std::string SavePendingFile(const std::deque<StoredRun>& runs);

  std::unique_ptr<HistoryStore> store_;
  std::size_t max_pending_;
  std::string pending_file_;
  mutable std::mutex mu_;
  std::deque<StoredRun> pending_;  // runs the pending file could not take
  std::size_t pending_count_ = 0;
  std::string last_error_;
  std::deque<HeartbeatSample> pending_heartbeats_;
  std::string last_heartbeat_error_;
};

}  // namespace infinity_sync
