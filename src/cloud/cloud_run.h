#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "ports/call_scope.h"
#include "ports/http_client.h"

namespace infinity_sync {

// One condition of a Cloud Run v2 resource.
struct CloudRunCondition {
  std::string type;   // "Ready", "RoutesReady", "ConfigurationsReady", ...
  std::string state;  // CONDITION_SUCCEEDED | CONDITION_FAILED | CONDITION_RECONCILING | ...
  std::string reason;
  std::string message;
};

// One traffic target (desired `traffic` or actual `trafficStatuses`).
struct CloudRunTraffic {
  std::string type;      // TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST | ..._REVISION
  std::string revision;  // short name; empty for LATEST
  int percent = 0;       // omitted = 0
  std::string tag;
};

// The fields of a v2 Service (projects.locations.services) the gcp check reads.
// int64 fields arrive as JSON strings; absent fields are at their default.
struct CloudRunService {
  std::string name;  // projects/P/locations/L/services/S
  std::string uri;
  std::int64_t generation = 0;
  std::int64_t observed_generation = 0;
  bool reconciling = false;
  CloudRunCondition terminal;
  std::vector<CloudRunCondition> conditions;
  std::string latest_ready_revision;    // full resource name
  std::string latest_created_revision;  // full resource name
  std::vector<std::string> images;      // template.containers[].image
  std::map<std::string, std::string> labels, annotations;
  std::map<std::string, std::string> template_labels, template_annotations;
  std::vector<CloudRunTraffic> traffic;           // desired
  std::vector<CloudRunTraffic> traffic_statuses;  // actual
  std::string update_time;                        // RFC 3339, as sent
};

// The fields of a v2 Revision (projects.locations.services.revisions) the gcp
// check reads: what code it runs.
struct CloudRunRevision {
  std::string name;  // projects/P/locations/L/services/S/revisions/REV
  std::map<std::string, std::string> labels, annotations;
  std::vector<std::string> images;  // containers[].image
  std::string create_time;          // RFC 3339, as sent
};

// Parses a v2 Revision document (pure). Errors name the field that has the wrong type.
Result<CloudRunRevision> ParseCloudRunRevision(const std::string& json_text);

// The commit a revision names in `commit_label` (its label, else its
// annotation); empty when it names none. `source` gets "label" / "annotation".
std::string RevisionCommit(const CloudRunRevision& revision, const std::string& commit_label,
                           std::string* source = nullptr);

// One revision that receives traffic, as trafficStatuses says (what really
// serves); a LATEST target without a revision name resolves to the latest ready
// revision. Targets at 0% are left out; one revision named twice is summed.
struct ServingTarget {
  std::string revision;  // short name
  int percent = 0;
  bool latest = false;  // reached through the LATEST target
  std::string tag;
};
// The serving targets of `service` (pure): trafficStatuses, or the desired
// `traffic` when the service reports no status yet; largest share first.
std::vector<ServingTarget> ServingTargets(const CloudRunService& service);

// Parses a v2 Service document (pure). Errors name the field that has the wrong type.
Result<CloudRunService> ParseCloudRunService(const std::string& json_text);

// What a parsed Service means for the gcp check (pure).
struct CloudRunAssessment {
  bool ready = false;           // not reconciling, Ready succeeded, observed == generation
  bool rollout_failed = false;  // the latest revision failed to roll out
  bool in_progress = false;     // neither ready nor failed: still rolling out
  std::string failure;          // why it failed / what it waits for, one line
  std::string deployed_commit;  // the commit label's value, if any
  std::string commit_source;    // "service label", "template annotation", ...
  std::string traffic_split;    // "90% s-00002-abc, 10% s-00003-def"; empty when 100% latest
};
CloudRunAssessment AssessCloudRunService(const CloudRunService& service,
                                         const std::string& commit_label);

// Whether a commit label names `head`: equal, or one a prefix of the other with
// at least 7 characters (a short SHA in the label).
bool CommitsMatch(const std::string& deployed, const std::string& head);

// "s-00003-abc" from "projects/P/locations/L/revisions/s-00003-abc".
std::string ShortRevision(const std::string& name);

// The message of a google.rpc.Status error body, "PERMISSION_DENIED: Permission
// 'run.services.get' denied ..." (pure); empty when the body is not one.
std::string ParseGoogleRpcError(const std::string& body);

// One GET of a Service or Revision.
struct CloudRunFetch {
  HttpResponse response;
  std::string url;
};

// GET {api_url}/v2/projects/{project}/locations/{region}/services/{service} with
// the bearer token (never logged). Thread-safe.
// The call goes through `scope` (bounded by its deadline, stopped with it,
// one evidence line); `quota_project`, when set, is sent as x-goog-user-project.
CloudRunFetch GetCloudRunService(const CallScope& scope, const std::string& api_url,
                                 const std::string& project, const std::string& region,
                                 const std::string& service, const std::string& token,
                                 const std::string& ca_file, const std::string& quota_project = "");

// GET {api_url}/v2/projects/{project}/locations/{region}/services/{service}/revisions/{revision}
// (`revision` short or in its full name form). Thread-safe.
CloudRunFetch GetCloudRunRevision(const CallScope& scope, const std::string& api_url,
                                  const std::string& project, const std::string& region,
                                  const std::string& service, const std::string& revision,
                                  const std::string& token, const std::string& ca_file,
                                  const std::string& quota_project = "");

}  // namespace infinity_sync
