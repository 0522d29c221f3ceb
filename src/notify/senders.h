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
  bool reminder = false;  // still in a listed state after repeat_every
  // Not an alert of its own: explained by another check of the same run.
  std::string caused_by;   // that check's key ("AuthCheck"); empty: none
  std::string cause_text;  // "GCP Cloud Run: not checked, Google credentials failed"
};

// One readable line: ":warning: my-app GitSync: Synced → Diverged (behind
// origin/main by 2 commits) on host".
std::string AnnouncementText(const Announcement& a);
// Slack incoming-webhook payload: {"text": ..., "blocks": [...]}; several
// announcements are one message, a section (and context) for each.
nlohmann::json SlackBody(const std::vector<Announcement>& batch);
nlohmann::json SlackBody(const Announcement& a);
// The documented webhook payload: {project, check, from, to, details,
// timestamp, host}; `from` is null for a check seen for the first time. With
// several announcements the top level is the first and `changes` lists all.
nlohmann::json WebhookBody(const std::vector<Announcement>& batch);
nlohmann::json WebhookBody(const Announcement& a);
// The JSON body for a sender `type` (slack, webhook, discord, teams).
nlohmann::json BodyFor(const std::string& type, const std::vector<Announcement>& batch);
nlohmann::json BodyFor(const std::string& type, const Announcement& a);

// Discord execute-webhook payload: {content, embeds (at most 10), allowed_mentions}.
nlohmann::json DiscordBody(const std::vector<Announcement>& batch);
// Teams Workflows webhook payload: a message with one Adaptive Card attachment.
nlohmann::json TeamsBody(const std::vector<Announcement>& batch);

// An ntfy publish to the topic URL: the body is the message, the rest headers.
struct NtfyMessage {
  std::string title;
  std::string body;
  int priority = 3;               // 1 (min) .. 5 (max)
  std::vector<std::string> tags;  // emoji short codes and words
};
NtfyMessage NtfyBody(const std::vector<Announcement>& batch);

// PagerDuty Events API v2: a trigger (into a listed state, or a reminder) or a
// resolve (out of it) for one check, with a dedup_key stable per project and check.
nlohmann::json PagerDutyBody(const Announcement& a, const std::string& routing_key);
// "infinity-sync/my-app/GitSync".
std::string PagerDutyDedupKey(const std::string& project, const std::string& check);

// "[infinity-sync] my-app: GitSync Synced -> Diverged" (with several, each
// "CHECK OLD -> NEW" joined by ", ").
std::string EmailSubject(const std::vector<Announcement>& batch);
// The plain-text body: one paragraph per announcement with its details.
std::string EmailText(const std::vector<Announcement>& batch);
// A whole RFC 5322 message (CRLF line ends): Date, Message-ID, From, To,
// Subject (RFC 2047 encoded when not ASCII), MIME headers, then the text.
std::string EmailMessage(const std::string& from, const std::vector<std::string>& to,
                         const std::string& subject, const std::string& text,
                         std::chrono::system_clock::time_point date, const std::string& message_id);
// "Wed, 02 Dec 2026 02:01:21 +0000".
std::string Rfc5322Date(std::chrono::system_clock::time_point t);

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
  int http_status = 0;  // of the last answer (the SMTP reply code for mail), 0 when none came
  std::string error;    // why it failed (no URL in it); empty when ok
  std::string answer;   // the start of the last answer's body, one line, for `notify test`
};

// POSTs `body` as JSON to `url` (with `ca_file`), retrying with backoff on
// network errors and 5xx, never on 4xx, and never past policy.deadline.
SendResult PostJson(HttpClient& http, const Clock& clock, const Sleeper& sleep,
                    const std::string& url, const std::string& ca_file, const nlohmann::json& body,
                    const RetryPolicy& policy);

// POSTs `request` (url, headers, body, ca_file) with PostJson's rules, plus a
// 429 is retried after its Retry-After (seconds) when that fits the deadline.
SendResult PostWithRetry(HttpClient& http, const Clock& clock, const Sleeper& sleep,
                         HttpRequest request, const RetryPolicy& policy);

// One mail to hand to an SMTP server.
struct MailRequest {
  std::string smtp_url;  // smtp://host:port (STARTTLS when offered) or smtps://host:port
  std::string username;  // empty: from the URL, or no login
  std::string password;
  std::string from;
  std::vector<std::string> to;
  std::string message;  // the whole RFC 5322 message
  std::string ca_file;  // extra CA bundle; empty: the system store only
  std::chrono::milliseconds timeout{15'000};
};
// Hands a mail over; a port so that the notifier's tests need no server.
using Mailer = std::function<SendResult(const MailRequest&)>;
// libcurl's SMTP, TLS verified.
Mailer CurlMailer();
// `mailer` with PostJson's retry rules: transport failures and SMTP 4xx
// replies are retried, 5xx replies are not.
SendResult SendMailWithRetry(const Mailer& mailer, const Clock& clock, const Sleeper& sleep,
                             MailRequest request, const RetryPolicy& policy);

}  // namespace infinity_sync
