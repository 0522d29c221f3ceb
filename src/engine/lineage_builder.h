#pragma once

#include "core/config.h"
#include "core/sync_status.h"

namespace infinity_sync {

// The lineage of a finished run (pure), from the Data of GitSync, GCPSync and
// CloudflareCheck: hops local, remote, ci, cloudrun and (with
// cloudflare.version) edge; `live` as SPEC section 6b defines it.
Lineage BuildLineage(const SyncStatus& status, const Config& config);

// Adds to CloudflareCheck's Details whether the commit the edge names is the
// one Cloud Run serves ("edge serves 1a2b3c4, Cloud Run serves 5d6e7f8: stale
// cache or another origin"); the checks ran in parallel, so this is only known
// after the run. Never changes a status.
void CompareEdgeWithCloudRun(SyncStatus* status);

// Builds status->lineage and compares the edge; what the runner calls last.
void AddLineage(SyncStatus* status, const Config& config);

}  // namespace infinity_sync
