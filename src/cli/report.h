#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/sync_status.h"

namespace infinity_sync {

// How the terminal report looks (see DetectTerminal): colour only where escapes
// are allowed, emoji marks and box rules only on a UTF-8 terminal; plain ASCII
// markers otherwise.
struct ReportStyle {
  bool colour = false;   // ANSI colour and bold
  bool unicode = false;  // emoji marks and box rules
  bool verbose = false;  // also the evidence (commands, URLs) and durations
};

// The seed's banner, with the version.
void RenderBanner(std::ostream& out, const ReportStyle& style);

// One numbered section: "[2/5: Git Repository Sync]", a rule, one line per note.
void RenderSection(std::ostream& out, const ReportStyle& style, int number, int total,
                   const CheckSpec& spec, const CheckResult& result);

// The SYNC STATUS SUMMARY block, the actions, and where the status went.
// `write_error` is empty when the status file was written.
void RenderSummary(std::ostream& out, const ReportStyle& style, const std::vector<CheckSpec>& specs,
                   const SyncStatus& status, const std::string& status_file,
                   const std::string& write_error);

// The whole report of a run: banner, sections in table order, summary.
// `numbers` gives each check's section number in the full table.
void RenderReport(std::ostream& out, const ReportStyle& style, const std::vector<CheckSpec>& specs,
                  const std::vector<int>& numbers, int total, const SyncStatus& status,
                  const std::string& status_file, const std::string& write_error);

// The one-line lineage: "HEAD 1a2b3c4 (main, pushed) -> CI passed -> Cloud Run
// 100% rev 00042 -> edge 1a2b3c4: live" (pure).
std::string LineageLine(const Lineage& lineage);

// The colour a status is shown in (ANSI), empty without colour.
std::string StatusColour(const ReportStyle& style, const std::string& status_name);

}  // namespace infinity_sync
