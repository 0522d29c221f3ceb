#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "ports/http_client.h"

namespace infinity_sync {

// One message to send: a check's settled change, with where it happened.
struct Announcement {
  std::string project;
  std::string host;
  std::string check;  // document key, "GitSync"
  std::string from;   // empty: first seen
  std::string to;
  std::vector<std::string> details;  // the check's report lines
  std::string reason;                // the line that says why (first warning/error); may be empty
  std::chrono::system_clock::time_point timestamp;
  bool recovery = false;  // out of a listed state
};

// One readable line: ":warning: my-app GitSync: Synced → Diverged (behind
// origin/main by 2 commits) on host".
std::string AnnouncementText(const Announcement& a);
// Slack incoming-webhook payload: {"text": ..., "blocks": [...]}.
nlohmann::json SlackBody(const Announcement& a);
// The documented webhook payload: {project, check, from, to, details,
// timestamp, host}; `from` is null for a check seen for the first time.
nlohmann::json WebhookBody(const Announcement& a);
// The body for a sender `type` ("slack" or "webhook").
nlohmann::json BodyFor(const std::string& type, const Announcement& a);

// A notifier URL fit for logs: scheme, host and port only, the path, query
// and credentials hidden ("https://hooks.slack.com/***"), since webhook URLs
// (Slack's among them) carry their secret in the path.
std::string RedactNotifyUrl(const std::string& url);

// How a POST is retried.
struct RetryPolicy {
  std::chrono::steady_clock::time_point deadline;   // nothing runs past it
  std::chrono::milliseconds attempt_timeout{5000};  // one exchange, capped by the deadline
  std::chrono::milliseconds first_backoff{250};     // doubled after each failure
  std::chrono::milliseconds max_backoff{2000};
  int max_attempts = 4;
};

// Waits; a port so that tests need not.
using Sleeper = std::function<void(std::chrono::milliseconds)>;
// std::this_thread::sleep_for.
Sleeper RealSleeper();

struct SendResult {
  bool ok = false;
  int attempts = 0;
  int http_status = 0;  // of the last answer, 0 when none came
  std::string error;    // why it failed (no URL in it); empty when ok
};

// POSTs `body` as JSON to `url` (with `ca_file`), retrying with backoff on
// network errors and 5xx, never on 4xx, and never past policy.deadline.
SendResult PostJson(HttpClient& http, const Clock& clock, const Sleeper& sleep,
                    const std::string& url, const std::string& ca_file, const nlohmann::json& body,
                    const RetryPolicy& policy);

}  // namespace infinity_sync
