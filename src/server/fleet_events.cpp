#include "server/fleet_events.h"

#include <chrono>
#include <iostream>

#include "store/history_json.h"

namespace infinity_sync {

FleetEvents::FleetEvents(std::unique_ptr<FleetWatch> watch, HistoryStore& store, const Clock& clock,
                         SseHub& hub, std::vector<std::string> channels)
    : watch_(std::move(watch)),
      store_(store),
      clock_(clock),
      hub_(hub),
      channels_(std::move(channels)) {
  if (watch_ != nullptr) thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

std::unique_ptr<FleetEvents> FleetEvents::For(HistoryRecorder* history,
                                              const std::string& store_url, const Clock& clock,
                                              SseHub& hub, std::vector<std::string> channels) {
  if (history == nullptr) return nullptr;
  return std::make_unique<FleetEvents>(OpenFleetWatch(store_url, history->store()),
                                       history->store(), clock, hub, std::move(channels));
}

FleetEvents::~FleetEvents() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void FleetEvents::Loop(std::stop_token stop) {
  std::string last_error;
  while (!stop.stop_requested()) {
    bool changed = watch_->Wait(std::chrono::milliseconds(250));
    if (std::string error = watch_->LastError(); error != last_error) {
      if (!error.empty()) std::cerr << "infinity-sync: fleet events paused: " << error;
      if (!error.empty() && error.back() != '\n') std::cerr << "\n";
      last_error = error;
    }
    if (!changed || stop.stop_requested()) continue;
    auto doc = FleetDocument(store_, clock_.Now());
    if (!doc) continue;
    std::string data = doc->dump();
    if (channels_.empty()) hub_.Publish("fleet", data);
    for (const auto& channel : channels_) hub_.PublishTo(channel, "fleet", data);
  }
}

}  // namespace infinity_sync
