#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "lib/fake_clock.h"
#include "ports/http_client.h"

namespace infinity_sync::testing {

// An HttpClient answering from a function per URL, counting calls; a URL can
// be held (the call blocks) until released, to line up concurrent callers.
class HeldHttpClient : public HttpClient {
 public:
  using Answer = std::function<HttpResponse(const HttpRequest&)>;
  explicit HeldHttpClient(Answer answer) : answer_(std::move(answer)) {}

  HttpResponse Send(const HttpRequest& request) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++calls_[request.url];
    cv_.notify_all();
    cv_.wait(lock, [&] { return held_.find(request.url) == std::string::npos; });
    lock.unlock();
    return answer_(request);
  }
  int Calls(const std::string& url) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[url];
  }
  void Hold(const std::string& url) {
    std::lock_guard<std::mutex> lock(mu_);
    held_ += url + "\n";
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    held_.clear();
    cv_.notify_all();
  }
  // Blocks until `url` was asked `n` times.
  void WaitForCalls(const std::string& url, int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return calls_[url] >= n; });
  }

 private:
  Answer answer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> calls_;
  std::string held_;
};

inline HttpResponse Answered(int status) {
  HttpResponse r;
  r.answered = true;
  r.status = status;
  return r;
}

}  // namespace infinity_sync::testing
