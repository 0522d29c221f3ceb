#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "server/sse_hub.h"
#include "store/fleet_watch.h"
#include "store/history_recorder.h"
#include "store/history_store.h"

namespace infinity_sync {

// Pushes a `fleet` event (the fleet document, as GET /api/fleet answers it)
// to the /api/sync/events streams of `channels` (none given: every stream)
// when any writer records a run in the store, through `watch` (PostgreSQL LISTEN/NOTIFY; SQLite: a
// look at the store once a second). One thread; stopped and joined by the destructor (within about
// 2 s, a reconnect to a store that is down included).
class FleetEvents {
 public:
  FleetEvents(std::unique_ptr<FleetWatch> watch, HistoryStore& store, const Clock& clock,
              SseHub& hub, std::vector<std::string> channels = {});
  ~FleetEvents();
  // The events of the store `history` writes to (`store_url`, config
  // `store`); null when there is no store.
  static std::unique_ptr<FleetEvents> For(HistoryRecorder* history, const std::string& store_url,
                                          const Clock& clock, SseHub& hub,
                                          std::vector<std::string> channels = {});
  FleetEvents(const FleetEvents&) = delete;
  FleetEvents& operator=(const FleetEvents&) = delete;

 private:
  void Loop(std::stop_token stop);

  std::unique_ptr<FleetWatch> watch_;
  HistoryStore& store_;
  const Clock& clock_;
  SseHub& hub_;
  std::vector<std::string> channels_;
  std::jthread thread_;
};

}  // namespace infinity_sync
