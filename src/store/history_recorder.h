#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "store/history_store.h"

namespace infinity_sync {

// Writes runs to a HistoryStore without ever failing the run: a run that
// cannot be written (database down, locked, corrupt) is kept in memory and
// written before the next one. Pending runs live only as long as this object
// (the server's process; a one-shot `run` loses them when it exits).
// Thread-safe.
class HistoryRecorder {
 public:
  // At most `max_pending` unwritten runs are kept; the oldest are dropped.
  explicit HistoryRecorder(std::unique_ptr<HistoryStore> store, std::size_t max_pending = 500);

  // Writes the pending runs, then `status`. Returns "" when everything was
  // written, else the error (and `status` stays pending).
  std::string Record(const SyncStatus& status);

  // The error of the last write, "" when it succeeded (or none was made).
  std::string LastError() const;
  std::size_t Pending() const;
  HistoryStore& store() { return *store_; }

 private:
  std::unique_ptr<HistoryStore> store_;
  std::size_t max_pending_;
  mutable std::mutex mu_;
  std::deque<SyncStatus> pending_;
  std::string last_error_;
};

}  // namespace infinity_sync
