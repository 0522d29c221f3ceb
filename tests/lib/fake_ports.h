#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "checks/check.h"
#include "lib/fake_clock.h"
#include "ports/dns_resolver.h"

namespace infinity_sync::testing {

// Records every program it is asked to run and answers with `answer` (by
// default: exit 0, no output). Thread-safe.
class FakeProcessRunner : public ProcessRunner {
 public:
  std::function<ProcessResult(const ProcessRequest&)> answer = [](const ProcessRequest&) {
    ProcessResult r;
    r.started = true;
    r.exit_code = 0;
    return r;
  };
  std::vector<std::string> installed;  // programs Exists() says are there

  ProcessResult Run(const ProcessRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    return answer(request);
  }
  bool Exists(const std::string& program) override {
    return std::find(installed.begin(), installed.end(), program) != installed.end();
  }
  std::vector<ProcessRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::vector<ProcessRequest> requests_;
};

// Answers every request with `answer`; records the requests. Thread-safe.
class FakeHttpClient : public HttpClient {
 public:
  std::function<HttpResponse(const HttpRequest&)> answer = [](const HttpRequest&) {
    HttpResponse r;
    r.error = "no network in unit tests";
    return r;
  };
  HttpResponse Send(const HttpRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    return answer(request);
  }
  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

// Answers every question with `answer` (by default: NXDOMAIN); records them.
class FakeDnsResolver : public DnsResolver {
 public:
  std::function<DnsResult(const DnsQuery&)> answer = [](const DnsQuery&) {
    DnsResult r;
    r.a.outcome = DnsOutcome::kNxDomain;
    r.aaaa.outcome = DnsOutcome::kNxDomain;
    return r;
  };
  DnsResult Resolve(const DnsQuery& query) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queries_.push_back(query);
    }
    return answer(query);
  }
  std::vector<DnsQuery> queries() {
    std::lock_guard<std::mutex> lock(mu_);
    return queries_;
  }

 private:
  std::mutex mu_;
  std::vector<DnsQuery> queries_;
};

// A bundle of fakes wired into Ports, with a real FileSystem for the rest.
struct FakeWorld {
  FakeProcessRunner process;
  FakeHttpClient http;
  FakeDnsResolver dns;
  RealFileSystem fs;
  ShiftedClock clock;
  std::map<std::string, std::string> env;
  Ports ports{
      process, http, dns, fs, clock, [this](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      }};
};

}  // namespace infinity_sync::testing
