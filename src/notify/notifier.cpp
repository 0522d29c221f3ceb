#include "notify/notifier.h"

#include "notify/transitions.h"

namespace infinity_sync {
namespace {

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

std::string Arrow(const StatusChange& c) {
  return (c.from.empty() ? "(first run)" : c.from) + " \u2192 " + c.to;
}

}  // namespace

NotifyReport SendNotifications(const Config& config, Ports& ports, const SyncStatus& status,
                               const Sleeper& sleep) {
  NotifyReport report;
  if (config.notify.empty()) return report;
  RetryPolicy policy;
  policy.deadline = ports.clock.SteadyNow() + config.timeout;

  std::string path = NotifyStatePath(config.status_file);
  NotifyMemory memory = LoadMemory(ports.fs, path, &report);
  std::vector<Observation> observations;
  for (const auto& r : status.results) {
    Observation o{r.key, std::string(ToString(r.result.status)), {}, ""};
    for (const auto& note : r.result.notes) {
      o.details.push_back(note.text);
      bool bad = note.level == NoteLevel::kWarn || note.level == NoteLevel::kError;
      if (bad && o.reason.empty()) o.reason = note.text;
    }
    observations.push_back(std::move(o));
  }
  std::vector<StatusChange> changes = Advance(&memory, observations, config.notify_after);
  auto saved = ports.fs.WriteAtomic(path, NotifyMemoryToJson(memory).dump(2) + "\n");
  if (!saved) {
    report.problems.push_back("notification state not saved (" + saved.error() + "); nothing sent");
    return report;
  }

  for (const auto& change : changes) {
    for (const auto& sender : config.notify) {
      if (!ShouldAnnounce(change, sender.on)) continue;
      Announcement a;
      a.project = config.project;
      a.host = status.host;
      a.check = change.check;
      a.from = change.from;
      a.to = change.to;
      a.details = change.details;
      a.reason = change.reason;
      a.timestamp = status.timestamp;
      a.recovery = IsRecovery(change, sender.on);
      SendResult sent = PostJson(ports.http, ports.clock, sleep, sender.url, config.tls.ca_file,
                                 BodyFor(sender.type, a), policy);
      std::string line = sender.type + " " + RedactNotifyUrl(sender.url) + ": " + change.check +
                         " " + Arrow(change) + ": ";
      std::string tries =
          std::to_string(sent.attempts) + (sent.attempts == 1 ? " attempt" : " attempts");
      if (sent.ok) {
        ++report.sent;
        line += "sent (" + tries + ")";
      } else {
        ++report.failed;
        line += "FAILED after " + tries + ": " + sent.error;
      }
      report.lines.push_back({sent.ok, std::move(line)});
    }
  }
  return report;
}

}  // namespace infinity_sync
