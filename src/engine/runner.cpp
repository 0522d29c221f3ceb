#include "engine/runner.h"

#include <unistd.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "core/duration.h"
#include "core/redact.h"
#include "core/status_json.h"
#include "core/suggest.h"
#include "core/version.h"
#include "engine/lineage_builder.h"

namespace infinity_sync {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Shared between the runner and a check's thread, so that a thread the runner
// stopped waiting for still has somewhere valid to write.
struct Slot {
  std::mutex mu;
  std::condition_variable_any cv;
  bool done = false;
  CheckResult result;
};

}  // namespace

Result<std::vector<CheckSpec>> SelectChecks(
    std::vector<CheckSpec> table, const CheckChoice& choice,
    const std::vector<std::pair<std::string, std::string>>& disabled) {
  std::vector<std::string> names;
  for (const auto& s : table) names.push_back(s.name);
  auto known = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  auto turned_off = [&](const std::string& n) -> std::string {
    for (const auto& [name, key] : disabled) {
      if (name == n) return key;
    }
    return "";
  };
  std::vector<std::string> problems;
  bool unknown = false;
  for (const auto& [option, list] : {std::pair{"--only", &choice.only}, {"--skip", &choice.skip}}) {
    for (const auto& want : *list) {
      if (known(want)) continue;
      if (std::string key = turned_off(want); !key.empty()) {
        if (std::string(option) == "--only") {
          problems.push_back(
              fmt::format("{}: check \"{}\" is turned off ({}: false)", option, want, key));
        }
        continue;
      }
      std::string hint = ClosestMatch(want, names);
      problems.push_back(fmt::format("{}: unknown check \"{}\"{}", option, want,
                                     hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
      unknown = true;
    }
  }
  if (!problems.empty()) {
    std::string text = fmt::format("{}", fmt::join(problems, "; "));
    if (unknown) text += fmt::format("; checks: {}", fmt::join(names, ", "));
    return Error{text};
  }
  std::vector<CheckSpec> out;
  for (auto& s : table) {
    bool wanted = choice.only.empty() ||
                  std::find(choice.only.begin(), choice.only.end(), s.name) != choice.only.end();
    bool skipped = std::find(choice.skip.begin(), choice.skip.end(), s.name) != choice.skip.end();
    if (wanted && !skipped) out.push_back(std::move(s));
  }
  return out;
}

CheckResult Runner::RunOne(const CheckSpec& spec, const RunObserver& observer,
                           const std::stop_token& run_stop) {
  auto budget = spec.budget(config_);
  auto start = ports_.clock.SteadyNow();
  auto slot = std::make_shared<Slot>();
  // The check's own stop: requested at its deadline, or with the run's.
  auto stop = std::make_shared<std::stop_source>();
  std::stop_callback forward(run_stop, [stop] { stop->request_stop(); });
  auto context = std::make_shared<CheckContext>(config_, ports_, start + budget, stop->get_token(),
                                                google_tokens_.get());
  auto run = spec.run;
  if (observer.on_start) observer.on_start(spec);
  std::thread([slot, context, run, tokens = google_tokens_] {
    CheckResult result;
    try {
      result = run(*context);
    } catch (const std::exception& e) {
      result = CheckResult::Failure(std::string("internal error: ") + e.what());
    } catch (...) {
      result = CheckResult::Failure("internal error: unknown exception");
    }
    // What the context's calls recorded comes first: it happened before the
    // check's own conclusions.
    std::vector<std::string> evidence = context->TakeEvidence();
    evidence.insert(evidence.end(), result.evidence.begin(), result.evidence.end());
    result.evidence = std::move(evidence);
    std::lock_guard<std::mutex> lock(slot->mu);
    slot->result = std::move(result);
    slot->done = true;
    slot->cv.notify_all();
  }).detach();

  std::unique_lock<std::mutex> lock(slot->mu);
  // Wait for the budget (or the run's stop), then stop the check and give its
  // thread the grace to end.
  std::function<bool()> done = [&] { return slot->done; };
  bool finished = waits_.Wait(CheckWaits::Phase::kBudget, lock, slot->cv, run_stop, budget, done);
  if (!finished) {
    stop->request_stop();
    finished = waits_.Wait(CheckWaits::Phase::kGrace, lock, slot->cv, {}, kGrace, done);
  }
  CheckResult result;
  if (finished) {
    result = std::move(slot->result);
  } else {
    abandoned_.fetch_add(1);
    result =
        CheckResult::Failure("timed out after " + FormatDuration(budget) + " (check abandoned)");
  }
  MakeValidUtf8(&result);
  RedactUrls(&result);
  result.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ports_.clock.SteadyNow() - start)
          .count();
  if (observer.on_done) observer.on_done(spec, result);
  return result;
}

SyncStatus Runner::Run(const std::vector<CheckSpec>& checks, const RunOptions& options,
                       const FixPrompt& prompt, const RunObserver& observer) {
  SyncStatus status;
  status.timestamp = ports_.clock.Now();
  status.dry_run = options.dry_run;
  status.version = kVersion;
  status.project = config_.project;
  status.host = HostName();
  status.environment = config_.environment;
  status.fresh_for_ms = config_.fresh_for.count();
  auto start = ports_.clock.SteadyNow();

  google_tokens_ = std::make_shared<GoogleTokenSource>();
  std::vector<CheckResult> results(checks.size());
  std::vector<std::thread> waiters;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    waiters.emplace_back([&, i] { results[i] = RunOne(checks[i], observer, options.stop); });
  }
  for (auto& t : waiters) t.join();
  for (std::size_t i = 0; i < checks.size(); ++i) {
    status.results.push_back({checks[i].key, std::move(results[i]), checks[i].required});
  }
  HandleFixes(checks, options, prompt, &status);
  AddLineage(&status, config_);
  status.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ports_.clock.SteadyNow() - start)
          .count();
  return status;
}

void Runner::HandleFixes(const std::vector<CheckSpec>& checks, const RunOptions& options,
                         const FixPrompt& prompt, SyncStatus* status) {
  for (std::size_t i = 0; i < checks.size(); ++i) {
    CheckResult& result = status->results[i].result;
    if (!result.fix) continue;
    const Fix fix = *result.fix;
    Action action;
    action.check = checks[i].key;
    action.action = fix.description;
    bool apply = false;
    if (options.dry_run) {
      action.reason = "dry run";
    } else if (options.yes) {
      apply = true;
    } else if (!options.interactive) {
      action.reason = "stdin is not a terminal (use --yes to apply)";
    } else if (prompt && prompt(checks[i].title, fix)) {
      apply = true;
    } else {
      action.reason = "declined";
    }
    if (apply) {
      // The fix runs under its own deadline and the run's stop, through the
      // same call as a check's programs (clamped, killed on stop, one line).
      ProcessRequest req;
      req.argv = fix.argv;
      req.cwd = fix.cwd;
      req.timeout = std::chrono::milliseconds(fix.timeout_ms);
      Evidence lines;
      CallScope scope(ports_, ports_.clock.SteadyNow() + req.timeout, options.stop, &lines);
      ProcessResult res = scope.Run(std::move(req));
      action.applied = res.Succeeded();
      action.reason = action.applied ? "" : RedactUrlsIn(res.Describe(fix.argv));
      result.evidence.push_back("fix: " + fix.description);
      for (auto& line : lines.Take()) result.evidence.push_back(RedactUrlsIn(line));
      if (action.applied) {
        // Judge again, so the document says how things stand after the fix.
        CheckResult again = RunOne(checks[i], {}, options.stop);
        again.evidence.insert(again.evidence.begin(), result.evidence.begin(),
                              result.evidence.end());
        again.Info("Applied: " + fix.description);
        result = std::move(again);
      } else {
        result.Err("Fix failed: " + action.reason);
      }
    }
    status->actions.push_back(std::move(action));
  }
}

}  // namespace infinity_sync
