#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/check_result.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/env_expand.h"
#include "ports/dns_resolver.h"
#include "ports/file_system.h"
#include "ports/http_client.h"
#include "ports/process_runner.h"

namespace infinity_sync {

class GoogleTokenSource;

// The outside world as checks see it. Built once in main (or by a test).
struct Ports {
  ProcessRunner& process;
  HttpClient& http;
  DnsResolver& dns;
  FileSystem& fs;
  Clock& clock;
  EnvLookup env;
  // Google tokens shared by the checks of a run (auth and gcp ask once);
  // null: each check fetches its own.
  GoogleTokenSource* google_tokens = nullptr;
};

// What a check gets to work with. Read-only; one per check run.
struct CheckContext {
  const Config& config;
  Ports& ports;
  std::chrono::steady_clock::time_point deadline;

  // Time left before the deadline, never negative.
  std::chrono::milliseconds Remaining() const {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - ports.clock.SteadyNow());
    return left.count() > 0 ? left : std::chrono::milliseconds(0);
  }
  // An environment variable, or "" when unset.
  std::string Env(const std::string& name) const { return ports.env(name).value_or(""); }
};

// One row of the check table (ninja's kTools shape): no self-registration.
struct CheckSpec {
  std::string name;   // on the command line: "git"
  std::string key;    // in the document: "GitSync"
  std::string title;  // report section: "Git Repository Sync"
  std::string label;  // summary row: "Git Repository"
  // How long the check may take under `config`.
  std::function<std::chrono::milliseconds(const Config&)> budget;
  // Runs the check. Must not print, write files or throw (the runner still
  // catches what is thrown, and reports it as Failed).
  std::function<CheckResult(const CheckContext&)> run;
};

// The five built-in checks, in report order, then the custom checks of `config`.
std::vector<CheckSpec> CheckTable(const Config& config);

// Names accepted by --only for `config`.
std::vector<std::string> CheckNames(const Config& config);

}  // namespace infinity_sync
