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
// $GOOGLE_CLOUD_PROJECT, $GCLOUD_PROJECT, the ADC file's project (project_id or
// quota_project_id), `gcloud config get-value project` (empty output = unset),
// the metadata server's project/project-id. `evidence` gets the commands and URLs.
GcpProject DiscoverGcpProject(const CheckContext& ctx, std::vector<std::string>* evidence);

}  // namespace infinity_sync
