#include "notify/notifier.h"

#include <random>

#include <fmt/format.h>

#include "notify/transitions.h"

namespace infinity_sync {
namespace {

// A sender of this kind; a hand-built sender of another type counts as a webhook.
bool IsKind(const NotifyConfig& sender, NotifyKind kind) {
  return NotifyKindOf(sender.type).value_or(NotifyKind::kWebhook) == kind;
}

NotifyMemory LoadMemory(FileSystem& fs, const std::string& path, NotifyReport* report) {
  if (!fs.Stat(path)) return {};
  auto text = fs.ReadFile(path);
  if (!text) {
    report->problems.push_back("notification state " + path + " unreadable (" + text.error() +
                               "); starting afresh");
    return {};
  }
  auto memory = ParseNotifyMemory(*text);
  if (!memory) {
    report->problems.push_back("notification state " + path + " is damaged (" + memory.error() +
                               "); starting afresh");
    return {};
  }
  return *memory;
}

std::string Arrow(const Announcement& a) {
  if (a.reminder) return "still " + a.to;
  return (a.from.empty() ? "(first run)" : a.from) + " \u2192 " + a.to;
}

std::string MessageId(const std::string& host, std::chrono::system_clock::time_point t) {
  std::random_device random;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::string domain;
  for (char c : host) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') domain += c;
  }
  return fmt::format("{}.{:08x}{:08x}@{}", ms, random(), random(),
                     domain.empty() ? "infinity-sync.invalid" : domain);
}

// Sends one message (`batch`) to `sender`; for PagerDuty, `batch` holds one
// announcement.
SendResult Deliver(const Config& config, Ports& ports, const NotifyConfig& sender,
                   const std::vector<Announcement>& batch, const Sleeper& sleep, const Mailer& mail,
                   const RetryPolicy& policy) {
  if (IsKind(sender, NotifyKind::kEmail)) {
    MailRequest m;
    m.smtp_url = sender.smtp_url;
    m.username = sender.username;
    m.password = sender.password;
    m.from = sender.from;
    m.to = sender.to;
    m.ca_file = config.tls.ca_file;
    const Announcement& first = batch.front();
    m.message = EmailMessage(sender.from, sender.to, EmailSubject(batch), EmailText(batch),
                             ports.clock.Now(), MessageId(first.host, ports.clock.Now()));
    return SendMailWithRetry(mail, ports.clock, sleep, std::move(m), policy);
  }
  HttpRequest request;
  request.url = sender.url;
  request.ca_file = config.tls.ca_file;
  if (IsKind(sender, NotifyKind::kNtfy)) {
    NtfyMessage n = NtfyBody(batch);
    std::string tags;
    for (std::size_t i = 0; i < n.tags.size(); ++i) tags += (i ? "," : "") + n.tags[i];
    // ntfy reads non-ASCII header values as RFC 2047 words; keep the title's
    // arrow out of the header and let the body (UTF-8) carry the detail.
    std::string title;
    for (char c : n.title) title += (static_cast<unsigned char>(c) < 0x80) ? c : '?';
    request.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                       {"Title", title},
                       {"Priority", std::to_string(n.priority)},
                       {"Tags", tags}};
    request.body = n.body;
  } else {
    nlohmann::json body = IsKind(sender, NotifyKind::kPagerDuty)
                              ? PagerDutyBody(batch.front(), sender.routing_key)
                              : BodyFor(sender.type, batch);
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body.dump();
  }
  return PostWithRetry(ports.http, ports.clock, sleep, std::move(request), policy);
}

NotifyReport::Line LineFor(const NotifyConfig& sender, const std::vector<Announcement>& batch,
                           const SendResult& sent, bool show_answer) {
  std::string line = SenderLabel(sender) + ": ";
  for (std::size_t i = 0; i < batch.size(); ++i) {
    line += (i ? ", " : "") + batch[i].check + " " + Arrow(batch[i]);
    if (IsKind(sender, NotifyKind::kPagerDuty))
      line += batch[i].recovery ? " (resolve)" : " (trigger)";
  }
  std::string tries =
      std::to_string(sent.attempts) + (sent.attempts == 1 ? " attempt" : " attempts");
  if (sent.ok) {
    line += ": sent (" + tries + ")";
  } else {
    line += ": FAILED after " + tries + ": " + sent.error;
  }
  if (show_answer) {
    line += sent.http_status ? fmt::format(" [answer {}", sent.http_status) : " [no answer";
    line += sent.answer.empty() ? "]" : ": " + sent.answer + "]";
  }
  return {sent.ok, std::move(line)};
}

Observation Observe(const NamedResult& r) {
  Observation o{r.key, std::string(ToString(r.result.status)), {}, "", r.result.data};
  for (const auto& note : r.result.notes) {
    o.details.push_back(note.text);
    bool bad = note.level == NoteLevel::kWarn || note.level == NoteLevel::kError;
    if (bad && o.reason.empty()) o.reason = note.text;
  }
  return o;
}

}  // namespace

std::string SenderLabel(const NotifyConfig& sender) {
  return sender.type + " " +
         RedactNotifyUrl(IsKind(sender, NotifyKind::kEmail) ? sender.smtp_url : sender.url);
}

NotifyReport SendNotifications(const Config& config, Ports& ports, const SyncStatus& status,
                               const Sleeper& sleep, const Mailer& mail) {
  NotifyReport report;
  if (config.notify.empty()) return report;
  RetryPolicy policy;
  policy.deadline = ports.clock.SteadyNow() + config.timeout;
  auto now = ports.clock.Now();

  std::string path = NotifyStatePath(config.status_file);
  NotifyMemory memory = LoadMemory(ports.fs, path, &report);
  std::map<std::string, std::string> before;
  for (const auto& [key, m] : memory.checks) before[key] = m.status;
  std::vector<Observation> observations;
  std::vector<std::string> observed;
  std::map<std::string, const Observation*> by_key;
  for (const auto& r : status.results) observations.push_back(Observe(r));
  for (const auto& o : observations) {
    observed.push_back(o.check);
    by_key[o.check] = &o;
  }
  Advance(&memory, observations, config.notify_after);

  report.maintenance = ActiveMaintenanceAt(config.maintenance, now);
  std::map<std::string, std::string> dns_checks;
  for (const auto& c : config.checks) {
    if (c.type == "dns") dns_checks[c.name] = c.host;
  }
  std::map<std::string, CausedBy> causes =
      FoldCauses(observations, config.cloudflare.domain, dns_checks);

  // Plan every sender before anything is sent, so that the state saved first
  // already says what is being sent.
  std::vector<std::vector<Announcement>> plans(config.notify.size());
  for (std::size_t i = 0; i < config.notify.size(); ++i) {
    const NotifyConfig& sender = config.notify[i];
    SenderRules rules{sender.on, sender.repeat_every, sender.send_resolved};
    auto& told = memory.senders[fmt::format("{}:{}", i, sender.type)];
    std::vector<PlannedMessage> planned =
        PlanSender(&told, memory, before, observed, rules, now, report.maintenance.has_value());
    for (const auto& [key, m] : told) {
      if (m.held && by_key.count(key)) ++report.held;
    }
    for (const auto& p : planned) {
      const Observation& o = *by_key[p.check];
      Announcement a;
      a.project = config.project;
      a.host = status.host;
      a.check = p.check;
      a.from = p.from;
      a.to = p.to;
      a.details = o.details;
      a.reason = o.reason;
      a.timestamp = status.timestamp;
      a.recovery = p.kind == PlannedMessage::Kind::kRecovery;
      a.reminder = p.kind == PlannedMessage::Kind::kReminder;
      if (auto c = causes.find(p.check); c != causes.end() && !a.recovery) {
        a.caused_by = c->second.cause;
        a.cause_text = c->second.text;
      }
      plans[i].push_back(std::move(a));
    }
  }
  // Drop senders' memories of senders no longer configured.
  for (auto it = memory.senders.begin(); it != memory.senders.end();) {
    bool known = false;
    for (std::size_t i = 0; i < config.notify.size() && !known; ++i) {
      known = it->first == fmt::format("{}:{}", i, config.notify[i].type);
    }
    it = known ? std::next(it) : memory.senders.erase(it);
  }
  auto saved = ports.fs.WriteAtomic(path, NotifyMemoryToJson(memory).dump(2) + "\n");
  if (!saved) {
    report.problems.push_back("notification state not saved (" + saved.error() + "); nothing sent");
    report.held = 0;
    return report;
  }

  for (std::size_t i = 0; i < config.notify.size(); ++i) {
    const NotifyConfig& sender = config.notify[i];
    const auto& batch = plans[i];
    if (batch.empty()) continue;
    std::vector<std::vector<Announcement>> messages;
    if (IsKind(sender, NotifyKind::kPagerDuty)) {
      // One event per check, so that PagerDuty pairs trigger and resolve; a
      // failure another check explains raises no incident of its own.
      for (const auto& a : batch) {
        if (a.caused_by.empty()) messages.push_back({a});
      }
    } else {
      messages.push_back(batch);
    }
    for (const auto& message : messages) {
      SendResult sent = Deliver(config, ports, sender, message, sleep, mail, policy);
      (sent.ok ? report.sent : report.failed) += 1;
      report.lines.push_back(LineFor(sender, message, sent, false));
    }
  }
  return report;
}

std::vector<NotifyReport::Line> SendTestNotification(const Config& config, Ports& ports,
                                                     std::size_t index, const std::string& host,
                                                     const Sleeper& sleep, const Mailer& mail) {
  std::vector<NotifyReport::Line> lines;
  if (index >= config.notify.size()) return lines;
  const NotifyConfig& sender = config.notify[index];
  RetryPolicy policy;
  policy.deadline = ports.clock.SteadyNow() + config.timeout;
  Announcement a;
  a.project = config.project;
  a.host = host;
  a.check = "NotifyTest";
  a.from = "";
  a.to = "Test";
  a.details = {"A test message from `infinity-sync notify test`: this sender works."};
  a.reason = "a test message, nothing is wrong";
  a.timestamp = ports.clock.Now();
  std::vector<std::vector<Announcement>> messages = {{a}};
  if (IsKind(sender, NotifyKind::kPagerDuty)) {
    Announcement resolve = a;
    resolve.from = "Test";
    resolve.to = "Test";
    resolve.recovery = true;
    messages.push_back({resolve});
  }
  for (const auto& message : messages) {
    SendResult sent = Deliver(config, ports, sender, message, sleep, mail, policy);
    lines.push_back(LineFor(sender, message, sent, true));
  }
  return lines;
}

}  // namespace infinity_sync
