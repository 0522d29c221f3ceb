#include "notify/senders.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <thread>

#include "core/check_status.h"
#include "core/config.h"
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

std::string Joined(const std::vector<std::string>& lines, const std::string& sep,
                   std::size_t at_most) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < at_most; ++i) out += (i ? sep : "") + lines[i];
  return out;
}

// At most `n` bytes, not cutting a UTF-8 sequence, "…" marking a cut.
std::string Cut(const std::string& s, std::size_t n) {
  if (s.size() <= n) return s;
  std::size_t end = n > 3 ? n - 3 : 0;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "\u2026";
}

// "my-app GitSync: Synced → Diverged" (or "still Diverged").
std::string Headline(const Announcement& a) {
  return a.project + " " + a.check + ": " +
         (a.reminder ? "still " + a.to
                     : (a.from.empty() ? "(first run)" : a.from) + " \u2192 " + a.to);
}

// The readable line without Slack's emoji codes, for mail, ntfy and PagerDuty.
std::string PlainLine(const Announcement& a) {
  std::string text = AnnouncementText(a);
  auto space = text.find(' ');
  return space == std::string::npos ? text : text.substr(space + 1);
}

int Color(const Announcement& a) {
  if (a.recovery) return 0x2EB67D;
  if (a.caused_by.empty() && VerdictOfName(a.to) == Verdict::kFailed) return 0xE01E5A;
  return 0xECB22E;
}

// The start of an answer's body on one line, for `notify test`.
std::string OneLine(const std::string& body) {
  std::string out;
  for (char c : body.substr(0, 300)) out += (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return Cut(out, 200);
}

// Retry-After in seconds (RFC 9110 also allows an HTTP date: then nullopt, and
// the usual backoff applies).
std::optional<std::chrono::milliseconds> RetryAfter(const std::string& value) {
  if (value.empty() || value.size() > 6) return std::nullopt;
  for (char c : value) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::chrono::milliseconds(std::stol(value) * 1000);
}

}  // namespace

std::string AnnouncementText(const Announcement& a) {
  std::string emoji = a.caused_by.empty() ? Emoji(a) : ":link:";
  std::string text = emoji + " " + a.project + " " + a.check + ": " +
                     (a.reminder ? "still " + a.to
                                 : (a.from.empty() ? "(first run)" : a.from) + " \u2192 " + a.to);
  std::string reason = a.caused_by.empty() ? Reason(a) : a.cause_text;
  if (!reason.empty() && !a.recovery) text += " (" + reason + ")";
  if (!a.host.empty()) text += " on " + a.host;
  return text;
}

nlohmann::json SlackBody(const std::vector<Announcement>& batch) {
  std::string text;
  nlohmann::json blocks = nlohmann::json::array();
  // Slack takes at most 50 blocks: two per announcement, so the first 24.
  for (std::size_t n = 0; n < batch.size() && n < 24; ++n) {
    const Announcement& a = batch[n];
    std::string line = AnnouncementText(a);
    text += (n ? "\n" : "") + line;
    blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", line}}}});
    if (!a.details.empty()) {
      std::string lines = Joined(a.details, "\n", 10);
      nlohmann::json elements = nlohmann::json::array();
      elements.push_back({{"type", "plain_text"}, {"text", lines}});
      blocks.push_back({{"type", "context"}, {"elements", elements}});
    }
  }
  return {{"text", text}, {"blocks", blocks}};
}

nlohmann::json SlackBody(const Announcement& a) { return SlackBody(std::vector<Announcement>{a}); }

nlohmann::json WebhookBody(const Announcement& a) {
  nlohmann::json body = {{"project", a.project},
                         {"check", a.check},
                         {"from", a.from.empty() ? nlohmann::json() : nlohmann::json(a.from)},
                         {"to", a.to},
                         {"details", a.details},
                         {"timestamp", FormatIso8601(a.timestamp)},
                         {"host", a.host}};
  if (a.reminder) body["reminder"] = true;
  if (!a.caused_by.empty()) body["causedBy"] = {{"check", a.caused_by}, {"text", a.cause_text}};
  return body;
}

nlohmann::json WebhookBody(const std::vector<Announcement>& batch) {
  if (batch.empty()) return nlohmann::json::object();
  nlohmann::json body = WebhookBody(batch.front());
  if (batch.size() > 1) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& a : batch) changes.push_back(WebhookBody(a));
    body["changes"] = changes;
  }
  return body;
}

nlohmann::json BodyFor(const std::string& type, const std::vector<Announcement>& batch) {
  // No default: a kind added to the type rows (core/config_keys.cpp) fails the build here.
  switch (NotifyKindOf(type).value_or(NotifyKind::kWebhook)) {
    case NotifyKind::kSlack:
      return SlackBody(batch);
    case NotifyKind::kDiscord:
      return DiscordBody(batch);
    case NotifyKind::kTeams:
      return TeamsBody(batch);
    case NotifyKind::kWebhook:
    // Not JSON webhooks: Deliver sends these its own way.
    case NotifyKind::kPagerDuty:
    case NotifyKind::kEmail:
    case NotifyKind::kNtfy:
      return WebhookBody(batch);
  }
  return WebhookBody(batch);
}

nlohmann::json BodyFor(const std::string& type, const Announcement& a) {
  return BodyFor(type, std::vector<Announcement>{a});
}

nlohmann::json DiscordBody(const std::vector<Announcement>& batch) {
  std::string content;
  nlohmann::json embeds = nlohmann::json::array();
  for (std::size_t n = 0; n < batch.size(); ++n) {
    const Announcement& a = batch[n];
    content += (n ? "\n" : "") + AnnouncementText(a);
    if (n >= 10) continue;  // Discord takes at most 10 embeds
    nlohmann::json embed = {{"title", Cut(Headline(a), 256)},
                            {"color", Color(a)},
                            {"timestamp", FormatIso8601(a.timestamp)}};
    std::string description = a.caused_by.empty() ? Joined(a.details, "\n", 20) : a.cause_text;
    if (!description.empty()) embed["description"] = Cut(description, 4096);
    if (!a.host.empty()) embed["footer"] = {{"text", Cut(a.host, 2048)}};
    embeds.push_back(embed);
  }
  return {{"content", Cut(content, 2000)},
          {"embeds", embeds},
          {"allowed_mentions", {{"parse", nlohmann::json::array()}}}};
}

nlohmann::json TeamsBody(const std::vector<Announcement>& batch) {
  nlohmann::json body = nlohmann::json::array();
  std::string project = batch.empty() ? "" : batch.front().project;
  body.push_back({{"type", "TextBlock"},
                  {"text", "infinity-sync: " + project},
                  {"weight", "Bolder"},
                  {"size", "Medium"},
                  {"wrap", true}});
  for (const auto& a : batch) {
    const char* color = a.recovery ? "Good"
                        : VerdictOfName(a.to) == Verdict::kFailed && a.caused_by.empty()
                            ? "Attention"
                            : "Warning";
    body.push_back({{"type", "TextBlock"},
                    {"text", Headline(a)},
                    {"weight", "Bolder"},
                    {"color", color},
                    {"wrap", true},
                    {"separator", true}});
    std::string lines = a.caused_by.empty() ? Joined(a.details, "\n\n", 10) : a.cause_text;
    if (!lines.empty()) {
      body.push_back({{"type", "TextBlock"}, {"text", lines}, {"isSubtle", true}, {"wrap", true}});
    }
    nlohmann::json facts = nlohmann::json::array();
    if (!a.host.empty()) facts.push_back({{"title", "Host"}, {"value", a.host}});
    facts.push_back({{"title", "Time"}, {"value", FormatIso8601(a.timestamp)}});
    body.push_back({{"type", "FactSet"}, {"facts", facts}});
  }
  nlohmann::json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                         {"type", "AdaptiveCard"},
                         {"version", "1.4"},
                         {"body", body}};
  nlohmann::json attachment = {{"contentType", "application/vnd.microsoft.card.adaptive"},
                               {"contentUrl", nullptr},
                               {"content", card}};
  return {{"type", "message"}, {"attachments", nlohmann::json::array({attachment})}};
}

NtfyMessage NtfyBody(const std::vector<Announcement>& batch) {
  NtfyMessage m;
  m.priority = 2;
  bool failed = false, drift = false, recovered = false;
  for (std::size_t n = 0; n < batch.size(); ++n) {
    const Announcement& a = batch[n];
    m.body += (n ? "\n" : "") + PlainLine(a);
    if (a.recovery) {
      recovered = true;
    } else if (a.caused_by.empty() && VerdictOfName(a.to) == Verdict::kFailed) {
      failed = true;
    } else {
      drift = true;
    }
  }
  m.title = EmailSubject(batch).substr(std::string("[infinity-sync] ").size());
  m.title = "infinity-sync: " + m.title;
  m.priority = failed ? 4 : drift ? 3 : 2;
  m.tags.push_back(failed ? "x" : drift ? "warning" : recovered ? "white_check_mark" : "bell");
  m.tags.push_back("infinity-sync");
  return m;
}

std::string PagerDutyDedupKey(const std::string& project, const std::string& check) {
  return "infinity-sync/" + project + "/" + check;
}

nlohmann::json PagerDutyBody(const Announcement& a, const std::string& routing_key) {
  nlohmann::json body = {{"routing_key", routing_key},
                         {"event_action", a.recovery ? "resolve" : "trigger"},
                         {"dedup_key", PagerDutyDedupKey(a.project, a.check)}};
  if (a.recovery) return body;  // a resolve needs nothing more
  Verdict v = VerdictOfName(a.to);
  nlohmann::json details = {{"from", a.from.empty() ? nlohmann::json() : nlohmann::json(a.from)},
                            {"to", a.to},
                            {"details", a.details}};
  if (a.reminder) details["reminder"] = true;
  body["payload"] = {{"summary", Cut(PlainLine(a), 1024)},
                     {"source", a.host.empty() ? "infinity-sync" : a.host},
                     {"severity", v == Verdict::kFailed  ? "critical"
                                  : v == Verdict::kDrift ? "warning"
                                                         : "info"},
                     {"timestamp", FormatIso8601(a.timestamp)},
                     {"component", a.check},
                     {"group", a.project},
                     {"class", "sync"},
                     {"custom_details", details}};
  body["client"] = "infinity-sync";
  return body;
}

std::string EmailSubject(const std::vector<Announcement>& batch) {
  std::string project = batch.empty() ? "" : batch.front().project;
  std::string out = "[infinity-sync] " + project + ":";
  for (std::size_t n = 0; n < batch.size(); ++n) {
    const Announcement& a = batch[n];
    out +=
        std::string(n ? ", " : " ") + a.check + " " +
        (a.reminder ? "still " + a.to : (a.from.empty() ? "(first run)" : a.from) + " -> " + a.to);
  }
  return Cut(out, 900);
}

std::string EmailText(const std::vector<Announcement>& batch) {
  std::string out;
  for (const auto& a : batch) {
    out += PlainLine(a) + "\n";
    if (a.caused_by.empty()) {
      for (const auto& d : a.details) out += "    " + d + "\n";
    }
    out += "\n";
  }
  if (!batch.empty()) {
    out += "Project " + batch.front().project +
           (batch.front().host.empty() ? "" : " on " + batch.front().host) + ", run at " +
           FormatIso8601(batch.front().timestamp) + ".\n-- \ninfinity-sync\n";
  }
  return out;
}

std::string RedactNotifyUrl(const std::string& url) { return RedactUrl(url, UrlRedaction::kPath); }

Sleeper RealSleeper() {
  return [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

SendResult PostJson(HttpClient& http, const Clock& clock, const Sleeper& sleep,
                    const std::string& url, const std::string& ca_file, const nlohmann::json& body,
                    const RetryPolicy& policy) {
  HttpRequest request;
  request.url = url;
  request.ca_file = ca_file;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body.dump();
  return PostWithRetry(http, clock, sleep, std::move(request), policy);
}

SendResult PostWithRetry(HttpClient& http, const Clock& clock, const Sleeper& sleep,
                         HttpRequest request, const RetryPolicy& policy) {
  using std::chrono::milliseconds;
  SendResult result;
  request.method = "POST";
  request.max_body = 64 << 10;
  const std::string url = request.url;
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
    result.answer = response.answered ? OneLine(response.body) : "";
    if (response.answered && response.status >= 200 && response.status < 300) {
      result.ok = true;
      result.error.clear();
      return result;
    }
    milliseconds wait = backoff;
    if (response.answered) {
      result.error = "HTTP " + std::to_string(response.status);
      bool again = response.status >= 500 || response.status == 429;
      if (!again) return result;  // the receiver refused it: asking again won't help
      if (auto after = RetryAfter(response.Header("retry-after"))) {
        wait = std::max(*after, milliseconds(0));
        result.error += " (retry after " + std::to_string(wait.count() / 1000) + " s)";
      }
    } else {
      result.error = ScrubUrl(response.error.empty() ? "no answer" : response.error, url, shown);
    }
    if (result.attempts >= policy.max_attempts) break;
    left = std::chrono::duration_cast<milliseconds>(policy.deadline - clock.SteadyNow());
    if (left - wait < kMinAttempt) {
      result.error += "; out of time";
      return result;
    }
    sleep(wait);
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
  return result;
}

}  // namespace infinity_sync
