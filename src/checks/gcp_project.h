#pragma once

#include <string>
#include <vector>

#include "checks/check.h"

namespace infinity_sync {

// The Google Cloud project to look in, and where that name came from.
struct GcpProject {
  std::string id;                  // empty: none found
  std::string source;              // "gcp.project", "CLOUDSDK_CORE_PROJECT", "gcloud config", ...
  std::vector<std::string> tried;  // what was looked at, for the report when none is found
};

// Project discovery, first non-empty wins: gcp.project, $CLOUDSDK_CORE_PROJECT,
// $GOOGLE_CLOUD_PROJECT, $GCLOUD_PROJECT, the active gcloud configuration's
// [core] project (read from its file, gcloud is not started), a service-account
// credentials file's project_id (never a quota_project_id), the metadata
// server's project/project-id (when its ping answers as Google's). The URLs
// asked leave their lines in `ctx`'s evidence.
GcpProject DiscoverGcpProject(const CheckContext& ctx);

// The Cloud Run region, as gcloud run would pick it without --region:
// gcp.region, else $CLOUDSDK_RUN_REGION, else the active gcloud configuration's
// [run] region (read from its file), else us-central1. `source` names where it
// came from ("gcp.region", "CLOUDSDK_RUN_REGION", "gcloud configuration NAME",
// "default").
struct GcpRegion {
  std::string id;
  std::string source;
};
GcpRegion DiscoverGcpRegion(const CheckContext& ctx);

}  // namespace infinity_sync
