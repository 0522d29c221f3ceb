#include "notify/senders.h"

#include <algorithm>
#include <thread>

#include "core/check_status.h"
#include "core/redact.h"
#include "core/time_format.h"

namespace infinity_sync {
namespace {

// The shortest attempt worth starting.
constexpr std::chrono::milliseconds kMinAttempt{100};

std::string Emoji(const Announcement& a) {
  if (a.recovery) return ":white_check_mark:";
  switch (VerdictOfName(a.to)) {
    case Verdict::kFailed:
      return ":x:";
    case Verdict::kDrift:
      return ":warning:";
    default:
      return ":information_source:";
  }
}

// The line that best says why: the first warning or error, else the first detail.
std::string Reason(const Announcement& a) {
  if (!a.reason.empty()) return a.reason;
  return a.details.empty() ? "" : a.details.front();
}

// Removes every occurrence of `needle` from `text` (a URL in an error message).
std::string Scrub(std::string text, const std::string& needle, const std::string& with) {
  if (needle.empty()) return text;
  for (auto pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + with.size())) {
    text.replace(pos, needle.size(), with);
  }
  return text;
}

// Hides the URL, and its path on its own, wherever a transport error quotes them.
std::string ScrubUrl(std::string text, const std::string& url, const std::string& shown) {
  text = Scrub(std::move(text), url, shown);
  auto scheme = url.find("://");
  auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path != std::string::npos && url.size() - path > 1) {
    text = Scrub(std::move(text), url.substr(path), "/***");
  }
  return text;
}

}  // namespace

std::string AnnouncementText(const Announcement& a) {
  std::string text = Emoji(a) + " " + a.project + " " + a.check + ": " +
                     (a.from.empty() ? "(first run)" : a.from) + " \u2192 " + a.to;
  std::string reason = Reason(a);
  if (!reason.empty() && !a.recovery) text += " (" + reason + ")";
  if (!a.host.empty()) text += " on " + a.host;
  return text;
}

nlohmann::json SlackBody(const Announcement& a) {
  std::string text = AnnouncementText(a);
  nlohmann::json blocks = nlohmann::json::array();
  blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}});
  if (!a.details.empty()) {
    nlohmann::json elements = nlohmann::json::array();
    std::string lines;
    for (std::size_t i = 0; i < a.details.size() && i < 10; ++i) {
      lines += (i ? "\n" : "") + a.details[i];
    }
    elements.push_back({{"type", "plain_text"}, {"text", lines}});
    blocks.push_back({{"type", "context"}, {"elements", elements}});
  }
  return {{"text", text}, {"blocks", blocks}};
}

nlohmann::json WebhookBody(const Announcement& a) {
  return {{"project", a.project},
          {"check", a.check},
          {"from", a.from.empty() ? nlohmann::json() : nlohmann::json(a.from)},
          {"to", a.to},
          {"details", a.details},
          {"timestamp", FormatIso8601(a.timestamp)},
          {"host", a.host}};
}

nlohmann::json BodyFor(const std::string& type, const Announcement& a) {
  return type == "slack" ? SlackBody(a) : WebhookBody(a);
}

std::string RedactNotifyUrl(const std::string& url) { return RedactUrl(url, UrlRedaction::kPath); }

Sleeper RealSleeper() {
  return [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

SendResult PostJson(HttpClient& http, const Clock& clock, const Sleeper& sleep,
                    const std::string& url, const std::string& ca_file, const nlohmann::json& body,
                    const RetryPolicy& policy) {
  using std::chrono::milliseconds;
  SendResult result;
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.ca_file = ca_file;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body.dump();
  request.max_body = 64 << 10;
  std::string shown = RedactNotifyUrl(url);
  milliseconds backoff = policy.first_backoff;
  while (result.attempts < policy.max_attempts) {
    auto left = std::chrono::duration_cast<milliseconds>(policy.deadline - clock.SteadyNow());
    if (left < kMinAttempt) {
      result.error = (result.attempts ? result.error + "; " : "") + "out of time";
      return result;
    }
    request.timeout = std::min(policy.attempt_timeout, left);
    ++result.attempts;
    HttpResponse response = http.Send(request);
    result.http_status = response.answered ? response.status : 0;
    if (response.answered && response.status >= 200 && response.status < 300) {
      result.ok = true;
      result.error.clear();
      return result;
    }
    if (response.answered) {
      result.error = "HTTP " + std::to_string(response.status);
      if (response.status < 500) return result;  // the receiver refused it: asking again won't help
    } else {
      result.error = ScrubUrl(response.error.empty() ? "no answer" : response.error, url, shown);
    }
    if (result.attempts >= policy.max_attempts) break;
    left = std::chrono::duration_cast<milliseconds>(policy.deadline - clock.SteadyNow());
    if (left - backoff < kMinAttempt) {
      result.error += "; out of time";
      return result;
    }
    sleep(backoff);
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
  return result;
}

}  // namespace infinity_sync
