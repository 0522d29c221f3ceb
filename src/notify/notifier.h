#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/maintenance.h"
#include "core/sync_status.h"
#include "notify/senders.h"
#include "ports/ports.h"

namespace infinity_sync {

// What the notifications of one run did, for the report.
struct NotifyReport {
  int sent = 0;
  int failed = 0;
  // One per message, URLs redacted: "webhook http://127.0.0.1:8080/***:
  // GitSync Synced → Diverged: sent (2 attempts)".
  struct Line {
    bool ok = false;
    std::string text;
  };
  std::vector<Line> lines;
  // Problems with the remembered state (unreadable, unwritable).
  std::vector<std::string> problems;
  // Set when a maintenance window held this run's messages back.
  std::optional<ActiveMaintenance> maintenance;
  int held = 0;  // messages held until the window ends (over all senders)
};

// Announces this run's settled status changes to every `notify:` sender
// (SPEC section 7): one message per sender listing the run's changes (one
// PagerDuty event per check), reminders every repeat_every, nothing inside a
// maintenance window (held changes go out at the first run after it), and a
// failure another check of the run explains folded under that check.
// Reads and rewrites the remembered state (NotifyStatePath(config.status_file))
// through ports.fs, and sends nothing when that state cannot be saved (else
// every run would announce again). Sends are sequential, all within
// config.timeout from the call. Does nothing when config.notify is empty.
// Never throws.
NotifyReport SendNotifications(const Config& config, Ports& ports, const SyncStatus& status,
                               const Sleeper& sleep = RealSleeper(),
                               const Mailer& mail = CurlMailer());

// `notify test`: one test message through sender `index` of config.notify
// (PagerDuty: a trigger, then its resolve). Each line says what was sent and
// the answer. Remembers nothing.
std::vector<NotifyReport::Line> SendTestNotification(const Config& config, Ports& ports,
                                                     std::size_t index, const std::string& host,
                                                     const Sleeper& sleep = RealSleeper(),
                                                     const Mailer& mail = CurlMailer());

// "webhook http://127.0.0.1:8080/***" (email: its smtp_url, redacted).
std::string SenderLabel(const NotifyConfig& sender);

}  // namespace infinity_sync
