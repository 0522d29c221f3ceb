#include "server/heartbeat.h"

#include <future>

#include "core/redact.h"
#include "core/time_format.h"

namespace infinity_sync {
namespace {

// libcurl's codes, by number so that no curl header leaks in here.
constexpr int kCurlCouldntResolveProxy = 5;
constexpr int kCurlCouldntResolveHost = 6;
constexpr int kCurlCouldntConnect = 7;
constexpr int kCurlTimedOut = 28;
bool IsTlsError(int code) {
  return code == 35 || code == 51 || code == 53 || code == 54 || code == 58 || code == 59 ||
         code == 60 || code == 64 || code == 66 || code == 77 || code == 80 || code == 82 ||
         code == 83 || code == 90 || code == 91 || code == 98;
}

std::string TransportError(const HttpResponse& r) {
  if (r.timed_out || r.error_code == kCurlTimedOut) return "timeout";
  if (r.error_code == kCurlCouldntResolveHost || r.error_code == kCurlCouldntResolveProxy) {
    return "dns: " + r.error;
  }
  if (r.error_code == kCurlCouldntConnect) {
    // libcurl words ECONNREFUSED as "Couldn't connect to server".
    if (r.error.find("refused") != std::string::npos ||
        r.error.find("Couldn't connect to server") != std::string::npos) {
      return "connect: refused";
    }
    return "connect: " + r.error;
  }
  if (IsTlsError(r.error_code)) return "tls: " + r.error;
  return r.error.empty() ? "no answer" : r.error;
}

}  // namespace

const char* HeartbeatStateName(HeartbeatState state) {
  switch (state) {
    case HeartbeatState::kHealthy:
      return "healthy";
    case HeartbeatState::kDegraded:
      return "degraded";
    case HeartbeatState::kDown:
      return "down";
    case HeartbeatState::kUnknown:
      break;
  }
  return "unknown";
}

nlohmann::json ToJson(const Heartbeat& h) {
  nlohmann::json j = {{"service", h.service},
                      {"status", HeartbeatStateName(h.status)},
                      {"lastCheck", FormatIso8601(h.last_check)},
                      {"responseTime", h.response_time_ms},
                      {"target", h.key}};
  if (!h.error.empty()) j["error"] = RedactUrlsIn(h.error);
  return j;
}

HttpResponse ProbeTarget(HttpClient& http, const std::string& url,
                         std::chrono::milliseconds timeout, const std::string& ca_file) {
  HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.timeout = timeout;
  request.ca_file = ca_file;
  request.follow_redirects = false;
  request.max_body = 1 << 20;  // the body is not needed; do not let a target flood us
  request.headers = {{"User-Agent", "infinity-sync-heartbeat"}, {"Accept", "*/*"}};
  return http.Send(request);
}

void JudgeProbe(const HttpResponse& r, std::int64_t elapsed_ms,
                std::chrono::milliseconds degraded_after, Heartbeat* out) {
  out->response_time_ms = elapsed_ms;
  out->http_status = r.answered ? r.status : 0;
  out->error.clear();
  if (!r.answered) {
    out->status = HeartbeatState::kDown;
    out->error = TransportError(r);
  } else if (r.status >= 500) {
    out->status = HeartbeatState::kDegraded;
    out->error = "HTTP " + std::to_string(r.status);
  } else if (elapsed_ms > degraded_after.count()) {
    out->status = HeartbeatState::kDegraded;
    out->error = "slow: " + std::to_string(elapsed_ms) + " ms (degraded after " +
                 std::to_string(degraded_after.count()) + " ms)";
  } else {
    out->status = HeartbeatState::kHealthy;
  }
}

const std::vector<std::string>& HeartbeatService::Keys() { return HeartbeatTargetNames(); }

HeartbeatService::HeartbeatService(const Config& config, HttpClient& http, Clock& clock,
                                   ProbeObserver on_probe)
    : config_(config), http_(http), clock_(clock), on_probe_(std::move(on_probe)) {
  for (const auto& key : Keys()) {
    auto slot = std::make_unique<Slot>();
    slot->key = key;
    auto it = config.heartbeat.targets.find(key);
    if (it != config.heartbeat.targets.end()) slot->target = it->second;
    // "Cloudflare ({cloudflare.domain})" with no domain set.
    auto& name = slot->target.name;
    if (auto pos = name.find(" ()"); pos != std::string::npos) name.erase(pos, 3);
    slots_.push_back(std::move(slot));
  }
  for (auto& slot : slots_) slot->worker = std::thread([this, s = slot.get()] { Work(s); });
}

HeartbeatService::~HeartbeatService() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& slot : slots_) slot->worker.join();
}

HeartbeatService::Slot* HeartbeatService::Find(const std::string& key) {
  for (auto& s : slots_) {
    if (s->key == key) return s.get();
  }
  return nullptr;
}

void HeartbeatService::SetOnChange(std::function<void(const Heartbeat&)> on_change) {
  std::lock_guard<std::mutex> lock(mu_);
  on_change_ = std::move(on_change);
}

void HeartbeatService::Get(const std::string& key, Callback done) {
  Slot* slot = Find(key);
  if (slot == nullptr) {
    Heartbeat h;
    h.key = key;
    h.service = key;
    h.last_check = clock_.Now();
    h.error = "unknown heartbeat target \"" + key + "\"";
    done(std::move(h));
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (slot->cached && clock_.SteadyNow() - slot->checked_at < config_.heartbeat.cache_for) {
    Heartbeat h = *slot->cached;
    lock.unlock();
    done(std::move(h));
    return;
  }
  slot->waiters.push_back(std::move(done));
  if (!slot->in_flight) {
    slot->in_flight = true;
    cv_.notify_all();
  }
}

void HeartbeatService::GetAll(AllCallback done) {
  struct Gather {
    std::mutex mu;
    std::vector<Heartbeat> beats;
    std::size_t left;
    AllCallback done;
  };
  auto gather = std::make_shared<Gather>();
  gather->beats.resize(Keys().size());
  gather->left = Keys().size();
  gather->done = std::move(done);
  for (std::size_t i = 0; i < Keys().size(); ++i) {
    Get(Keys()[i], [gather, i](Heartbeat h) {
      bool last;
      {
        std::lock_guard<std::mutex> lock(gather->mu);
        gather->beats[i] = std::move(h);
        last = --gather->left == 0;
      }
      if (last) gather->done(std::move(gather->beats));
    });
  }
}

Heartbeat HeartbeatService::GetNow(const std::string& key) {
  std::promise<Heartbeat> p;
  auto f = p.get_future();
  Get(key, [&p](Heartbeat h) { p.set_value(std::move(h)); });
  return f.get();
}

std::vector<Heartbeat> HeartbeatService::GetAllNow() {
  std::promise<std::vector<Heartbeat>> p;
  auto f = p.get_future();
  GetAll([&p](std::vector<Heartbeat> v) { p.set_value(std::move(v)); });
  return f.get();
}

Heartbeat HeartbeatService::ProbeOnce(const Slot& slot) {
  Heartbeat h;
  h.key = slot.key;
  h.service = slot.target.name.empty() ? slot.key : slot.target.name;
  if (slot.target.url.empty()) {
    h.last_check = clock_.Now();
    h.status = HeartbeatState::kUnknown;
    h.error = slot.key == "cloudflare" ? "not configured (set cloudflare.domain)"
                                       : "not configured (no URL)";
    return h;
  }
  auto timeout = slot.target.timeout.value_or(config_.heartbeat.timeout);
  auto degraded_after = slot.target.degraded_after.value_or(config_.heartbeat.degraded_after);
  ++probes_;
  auto start = clock_.SteadyNow();
  HttpResponse r = ProbeTarget(http_, slot.target.url, timeout, config_.tls.ca_file);
  auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.SteadyNow() - start).count();
  h.last_check = clock_.Now();
  JudgeProbe(r, elapsed, degraded_after, &h);
  return h;
}

void HeartbeatService::Work(Slot* slot) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || (slot->in_flight && !slot->waiters.empty()); });
    if (stopping_) break;
    lock.unlock();
    Heartbeat h = ProbeOnce(*slot);
    lock.lock();
    bool changed =
        !slot->cached || slot->cached->status != h.status || slot->cached->error != h.error;
    slot->cached = h;
    slot->checked_at = clock_.SteadyNow();
    slot->in_flight = false;
    std::vector<Callback> waiters;
    waiters.swap(slot->waiters);
    auto on_change = on_change_;
    lock.unlock();
    for (auto& w : waiters) w(h);
    if (changed && on_change) on_change(h);
    if (on_probe_ && !slot->target.url.empty()) on_probe_(h);
    lock.lock();
  }
  // Nobody is left to probe for the callers still waiting: answer them.
  std::vector<Callback> waiters;
  waiters.swap(slot->waiters);
  lock.unlock();
  for (auto& w : waiters) {
    Heartbeat h;
    h.key = slot->key;
    h.service = slot->target.name;
    h.last_check = clock_.Now();
    h.error = "shutting down";
    w(h);
  }
}

}  // namespace infinity_sync
