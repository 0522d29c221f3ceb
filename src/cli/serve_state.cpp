#include "cli/serve_state.h"

#include <iostream>
#include <thread>

#include "cli/heartbeat_history.h"
#include "engine/sync_job.h"
#include "server/heartbeat.h"

namespace infinity_sync {

ServeState::ServeState(Config config, ServeShared shared, Extras extras)
    : config_(std::move(config)),
      shared_(shared),
      checks_(CheckTable(config_)),
      status_(config_.status_file, shared_.real.fs),
      heartbeats_(config_, shared_.real.http, shared_.real.clock,
                  RecordProbes(shared_.history, config_, /*report_errors=*/true)),
      driver_(config_.server.sync_every, shared_.real.clock, [this] { Sync(); }) {
  heartbeats_.SetOnChange([hub = &shared_.hub, channel = shared_.channel](const Heartbeat& h) {
    hub->PublishTo(channel, "heartbeat", ToJson(h).dump());
  });
  api_ = std::make_unique<Api>(
      ApiDeps{config_, shared_.real.clock, status_, heartbeats_, driver_.loop(), shared_.hub,
              shared_.metrics, shared_.history, &shared_.real.fs, &shared_.reloads,
              std::move(extras.projects), std::move(extras.all_metrics), shared_.channel});
  api_for_events_.store(api_.get());
}

ServeState::~ServeState() { Stop(std::chrono::milliseconds(2'000)); }

bool ServeState::Stop(std::chrono::milliseconds grace) {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (!stopped_) {
    stopped_ = true;
    stopping_.request_stop();
    sync_ended_ = driver_.Stop(grace);
  }
  return sync_ended_;
}

void ServeState::Sync() {
  // A run asked for while this state is being retired would judge the world
  // by the old configuration: leave it to the next state.
  if (stopping_.stop_requested()) return;
  RunOptions options;
  options.dry_run = true;
  options.stop = stopping_.get_token();
  auto outcome = RunSync(
      config_, shared_.real.ports, checks_, options,
      [](const std::string&, const Fix&) { return false; }, {}, shared_.history);
  if (!outcome) {
    if (stopping_.stop_requested()) return;
    std::cerr << "infinity-sync: live sync skipped: " << outcome.error() << "\n";
    return;
  }
  if (!outcome->write_error.empty()) {
    std::cerr << "infinity-sync: the status file was not written: " << outcome->write_error << "\n";
  }
  if (!outcome->history_error.empty()) {
    std::cerr << "infinity-sync: the run was not recorded in the history: "
              << outcome->history_error << "\n";
  }
  if (Api* api = api_for_events_.load()) {
    std::string body = api->StatusBody();
    if (!body.empty()) shared_.hub.PublishTo(shared_.channel, "status", body);
  }
}

std::shared_ptr<ServeState> ServeStates::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

std::shared_ptr<ServeState> ServeStates::Replace(std::shared_ptr<ServeState> next) {
  std::lock_guard<std::mutex> lock(mu_);
  std::swap(current_, next);
  return next;
}

void KeepForever(std::shared_ptr<ServeState> state) {
  // Reachable for as long as the process lives, never destroyed (not even at
  // exit, when its threads could still be using it).
  static std::mutex mu;
  static auto* kept = new std::vector<std::shared_ptr<ServeState>>();
  std::lock_guard<std::mutex> lock(mu);
  kept->push_back(std::move(state));
}

bool Retire(std::shared_ptr<ServeState>& state, std::chrono::milliseconds patience) {
  auto until = std::chrono::steady_clock::now() + patience;
  // No one can take a new reference (the state is no longer current): once
  // the count is 1, this is the last one.
  while (state.use_count() > 1 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (state.use_count() > 1) {
    // Still answering (a stuck client): keep it alive for good rather than
    // let a probe thread of its own run its destructor.
    KeepForever(std::move(state));
    return false;
  }
  state.reset();
  return true;
}

}  // namespace infinity_sync
