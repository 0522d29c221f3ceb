#pragma once

#include <ostream>
#include <vector>

#include "checks/check.h"
#include "cli/report.h"
#include "core/sync_status.h"

namespace infinity_sync {

// `run --explain`: for each check, why it got its status: the status and what
// it weighs (good, neutral, drift, failed), the report lines that decided it,
// the evidence (commands with exit codes, URLs with HTTP codes), the compared
// values from the check's data flattened to "path = value", and the fix offered,
// withheld (with the reason) or not needed. `specs` and `status.results` are in
// the same order.
void RenderExplain(std::ostream& out, const ReportStyle& style, const std::vector<CheckSpec>& specs,
                   const SyncStatus& status);

}  // namespace infinity_sync
