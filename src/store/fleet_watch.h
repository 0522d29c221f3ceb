#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "store/history_store.h"

namespace infinity_sync {

// The channel every writer notifies (PostgreSQL NOTIFY) when it records a run.
inline constexpr const char* kFleetChannel = "infinity_sync_fleet";

// Tells a reader (`serve`) that some writer recorded a run in the store, so
// the fleet can be pushed without polling the database: PostgreSQL LISTEN on
// kFleetChannel; for SQLite, a look at the store's newest fleet row at most
// once a second (a file has no notifications). Not thread-safe: one thread
// waits.
class FleetWatch {
 public:
  virtual ~FleetWatch() = default;
  // Blocks for at most `timeout`; true when a run was recorded since the last
  // call that returned true (or since the watch was made). A store that is
  // down is retried on later calls; its error is LastError().
  virtual bool Wait(std::chrono::milliseconds timeout) = 0;
  virtual std::string LastError() const = 0;
};

// The watch for `store_url` (config `store`): LISTEN for postgresql://,
// polling `store` for sqlite:; null for none.
std::unique_ptr<FleetWatch> OpenFleetWatch(const std::string& store_url, HistoryStore& store);

}  // namespace infinity_sync
