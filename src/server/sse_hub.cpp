#include "server/sse_hub.h"

#include <algorithm>

namespace infinity_sync {

bool SseHub::Add(const std::shared_ptr<SseSink>& sink, const std::string& channel) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return false;
  std::erase_if(clients_, [](const auto& w) { return w.expired(); });
  if (clients_.size() >= max_clients_) return false;
  clients_.push_back({sink, channel});
  return true;
}

void SseHub::Publish(const std::string& event, const std::string& data) {
  Send(Frame(event, data), nullptr);
}

void SseHub::PublishTo(const std::string& channel, const std::string& event,
                       const std::string& data) {
  Send(Frame(event, data), &channel);
}

void SseHub::Send(const std::string& frame, const std::string* channel) {
  std::vector<std::shared_ptr<SseSink>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(clients_, [](const auto& w) { return w.expired(); });
    for (const auto& w : clients_) {
      if (channel != nullptr && w.channel != *channel) continue;
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  // Pushed outside the lock: a sink may call back into the hub.
  std::vector<SseSink*> dropped;
  for (const auto& s : live) {
    if (!s->Push(frame)) {
      s->Close();
      dropped.push_back(s.get());
    }
  }
  if (dropped.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(clients_, [&](const auto& w) {
    auto s = w.lock();
    return !s || std::find(dropped.begin(), dropped.end(), s.get()) != dropped.end();
  });
}

void SseHub::CloseAll() {
  std::vector<std::shared_ptr<SseSink>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    for (const auto& w : clients_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
    clients_.clear();
  }
  for (const auto& s : live) s->Close();
}

std::size_t SseHub::ClientCount() {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(clients_, [](const auto& w) { return w.expired(); });
  return clients_.size();
}

std::string SseHub::Frame(const std::string& event, const std::string& data) {
  std::string frame = "event: " + event + "\n";
  std::size_t start = 0;
  while (true) {
    std::size_t nl = data.find('\n', start);
    frame += "data: " + data.substr(start, nl == std::string::npos ? nl : nl - start) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return frame + "\n";
}

}  // namespace infinity_sync
