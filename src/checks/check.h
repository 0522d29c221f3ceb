#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/check_result.h"
#include "core/config.h"
#include "ports/call_scope.h"
#include "ports/ports.h"

namespace infinity_sync {

class GoogleTokenSource;

// What a check gets to work with: the ports under the check's deadline and
// stop token (CallScope: every outside call goes through it, clamped and
// recorded), the configuration, and the run's shared state. One per check run;
// read-only for the check.
class CheckContext : public CallScope {
 public:
  // The context keeps the evidence of its calls; the runner takes it.
  CheckContext(const Config& config, Ports& ports, std::chrono::steady_clock::time_point deadline,
               std::stop_token stop = {}, GoogleTokenSource* google_tokens = nullptr)
      : CallScope(ports, deadline, std::move(stop), &own_evidence_),
        config(config),
        google_tokens(google_tokens) {}
  CheckContext(const CheckContext&) = delete;
  CheckContext& operator=(const CheckContext&) = delete;

  const Config& config;
  // Google tokens shared by the checks of one run (auth and gcp ask once),
  // owned by the run (engine/sync_job); null: each check fetches its own.
  GoogleTokenSource* google_tokens;

  // The evidence lines the context's calls recorded so far, removed.
  std::vector<std::string> TakeEvidence() const { return own_evidence_.Take(); }

  // A context for one strand of a check that runs beside the rest of it (the
  // auth check's GitHub and Google sides, the gcp check's git and CI reads):
  // the same configuration, ports, deadline, stop and token source, with
  // evidence of its own, so that each strand's lines stay together in the
  // order they happened. The caller takes its lines with TakeEvidence.
  CheckContext Strand() const { return CheckContext(config, ports, deadline, stop, google_tokens); }

 private:
  mutable Evidence own_evidence_;
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
  // false (`required: false`): run and shown, but its status leaves the exit
  // code (and the overall verdict) alone.
  bool required = true;
};

// The five built-in checks, in report order, then the custom checks of
// `config`; a check with `enabled: false` is not in it.
std::vector<CheckSpec> CheckTable(const Config& config);

// The names of the checks `enabled: false` turned off, each with the key that
// did it ("gcp" -> "gcp.enabled", "redis" -> "checks[2].enabled").
std::vector<std::pair<std::string, std::string>> DisabledChecks(const Config& config);

// Names accepted by --only for `config`.
std::vector<std::string> CheckNames(const Config& config);

}  // namespace infinity_sync
