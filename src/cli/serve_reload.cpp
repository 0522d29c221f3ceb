#include "cli/serve_reload.h"

#include <iostream>
#include <utility>

namespace infinity_sync {

std::vector<std::string> NeedRestart(const Config& running, const Config& next) {
  std::vector<std::string> out;
  if (running.server.listen != next.server.listen) out.push_back("server.listen");
  if (running.server.max_connections != next.server.max_connections) {
    out.push_back("server.max_connections");
  }
  if (running.store != next.store) out.push_back("store");
  if (running.history.keep_for != next.history.keep_for) out.push_back("history.keep_for");
  return out;
}

Reloader::Reloader(std::vector<ReloadTarget> targets, LoadForReload load)
    : targets_(std::move(targets)), load_(std::move(load)) {
  thread_ = std::thread([this] { Loop(); });
}

Reloader::~Reloader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quitting_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Reloader::Request() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wanted_ = true;
  }
  cv_.notify_all();
}

void Reloader::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return wanted_ || quitting_; });
    if (quitting_) return;
    wanted_ = false;
    lock.unlock();
    Reload();
    lock.lock();
  }
}

void Reloader::Reload() {
  if (targets_.empty()) return;
  const ServeShared& first = targets_.front().shared;
  std::cerr << "infinity-sync: SIGHUP: reloading the configuration" << std::endl;
  auto loaded = load_();
  if (loaded && loaded->configs.size() != targets_.size()) {
    loaded = Error{"the number of configurations changed: restart serve"};
  }
  if (!loaded) {
    first.reloads.Record(false, first.real.clock.Now());
    std::cerr << "infinity-sync: reload failed: " << loaded.error()
              << "; the running configuration is kept" << std::endl;
    return;
  }
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    ReloadTarget& target = targets_[i];
    Config& next = loaded->configs[i];
    std::shared_ptr<ServeState> old = target.states->Current();
    std::string project = targets_.size() > 1 ? next.project + ": " : "";
    for (const auto& key : NeedRestart(old->config(), next)) {
      std::cerr << "infinity-sync: " << project << key
                << " changed: it takes effect when serve is restarted" << std::endl;
    }
    // The running sync belongs to the old configuration: cancel it, then start
    // the new state (whose first sync is due at once).
    bool ended = old->Stop(std::chrono::milliseconds(1'000));
    target.states->Replace(
        std::make_shared<ServeState>(std::move(next), target.shared, target.extras));
    if (!ended) {
      KeepForever(std::move(old));
    } else {
      Retire(old, std::chrono::seconds(30));
    }
  }
  first.reloads.Record(true, first.real.clock.Now());
  std::cerr << "infinity-sync: configuration reloaded from " << loaded->from << std::endl;
}

}  // namespace infinity_sync
