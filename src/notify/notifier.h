#pragma once

#include <string>
#include <vector>

#include "core/config.h"
#include "core/sync_status.h"
#include "notify/senders.h"
#include "ports/ports.h"

namespace infinity_sync {

// What the notifications of one run did, for the report.
struct NotifyReport {
  int sent = 0;
  int failed = 0;
  // One per send, URLs redacted: "webhook http://127.0.0.1:8080/***:
  // GitSync Synced → Diverged: sent (2 attempts)".
  struct Line {
    bool ok = false;
    std::string text;
  };
  std::vector<Line> lines;
  // Problems with the remembered state (unreadable, unwritable).
  std::vector<std::string> problems;
};

// Announces this run's settled status changes to every `notify:` sender
// (SPEC section 7). Reads and rewrites the remembered state
// (NotifyStatePath(config.status_file)) through ports.fs, and sends nothing
// when that state cannot be saved (else every run would announce again).
// Sends are sequential, all within config.timeout from the call. Does
// nothing when config.notify is empty. Never throws.
NotifyReport SendNotifications(const Config& config, Ports& ports, const SyncStatus& status,
                               const Sleeper& sleep = RealSleeper());

}  // namespace infinity_sync
