#include "cli/init_config.h"

#include <sstream>

#include <nlohmann/json.hpp>

namespace infinity_sync {
namespace {

// A YAML double-quoted scalar: JSON's string escaping is a subset of YAML's.
std::string Quoted(const std::string& value) { return nlohmann::json(value).dump(); }

}  // namespace

std::string RenderStarterConfig(const InitFindings& f) {
  std::ostringstream y;
  y << "# infinity-sync configuration, written by `infinity-sync init`.\n"
       "# Every key is optional: a commented line shows the default. Strings may use\n"
       "# ${VAR} and ${VAR:-default}. Relative paths are relative to this file's folder.\n"
       "# Reference: docs/configuration.md\n\n";
  y << "project: " << Quoted(f.project) << "   # found: the repository folder's name\n";
  y << "# environment: \"\"    # default: the host name; which machine or stage runs speak for\n";
  y << "# status_file: readiness/infinity-sync-status.json\n"
       "# fresh_for: 5m        # a status older than this is not fresh\n"
       "# timeout: 15s         # default deadline of one check\n\n";

  y << "# Each check's section also takes enabled: (false: not run) and required:\n"
       "# (false: shown, but not counted in the exit code).\n";
  if (f.gcp_project.empty()) {
    // Without Cloud Run to check, Google credentials are not asked for either.
    y << "auth:\n"
         "  # github: true\n"
         "  google: false        # gcp is off below: no Google login to check; remove with it\n\n";
  } else {
    y << "# auth:\n"
         "#   github: true\n"
         "#   google: true\n\n";
  }
  y << "git:\n  repo: .\n";
  if (!f.remote.empty()) {
    y << "  remote: " << Quoted(f.remote) << "   # found: " << f.remote_url << "\n";
  } else {
    y << "  # remote: origin     # no \"origin\" remote found; default: the branch's upstream\n";
  }
  if (!f.branch.empty()) {
    y << "  # branch: " << Quoted(f.branch)
      << "   # found checked out; default: whatever branch is current\n";
  } else {
    y << "  # branch: \"\"        # default: the current branch\n";
  }
  y << "  # fetch: true\n  # fetch_timeout: 30s\n\n";

  y << "docker:\n";
  if (!f.compose_files.empty()) {
    y << "  compose_files:       # found in the repository root\n";
    for (const auto& file : f.compose_files) y << "    - " << Quoted(file) << "\n";
  } else {
    y << "  # compose_files: []  # none found; default: compose discovery (compose.yaml, ...)\n";
  }
  y << "  # host: \"\"          # default: $DOCKER_HOST, else unix:///var/run/docker.sock\n"
       "  # project_name: \"\"  # default: compose's rules\n"
       "  # profiles: []        # default: $COMPOSE_PROFILES\n\n";

  y << "gcp:\n";
  if (f.gcp_project.empty()) {
    y << "  enabled: false       # nothing found to check (no gcloud project): set project and "
         "remove this line\n";
  }
  if (!f.gcp_project.empty()) {
    y << "  project: " << Quoted(f.gcp_project) << "   # found in " << f.gcloud_config << "\n";
  } else {
    y << "  # project: \"\"       # default: env, the ADC file, gcloud, the metadata server\n";
  }
  if (!f.gcp_region.empty()) {
    y << "  region: " << Quoted(f.gcp_region) << "   # found in " << f.gcloud_config << "\n";
  } else {
    y << "  # region: \"\"        # default: $CLOUDSDK_RUN_REGION, gcloud's [run] region, "
         "us-central1\n";
  }
  y << "  # service: \"\"       # the Cloud Run service; default: `project` above\n"
       "  # api_url: https://run.googleapis.com\n"
       "  # deploy_command: [gcloud, run, deploy, \"{service}\", --source, ., --region, "
       "\"{region}\", --project, \"{project}\"]\n"
       "  # commit_label: commit-sha\n\n";

  y << "cloudflare:\n"
       "  enabled: false       # nothing found to check (no domain): set domain and remove this "
       "line\n"
       "  # domain: example.com\n"
       "  # url: \"\"            # default: https://{domain}\n"
       "  # dns_servers: []\n"
       "  # expect_proxied: true\n"
       "  # ip_ranges: []       # default: Cloudflare's published ranges\n\n"
       "# github:\n"
       "#   api_url: https://api.github.com\n\n"
       "# heartbeat:\n"
       "#   cache_for: 60s\n"
       "#   degraded_after: 1s\n"
       "#   timeout: 5s\n\n"
       "# server:\n"
       "#   listen: 127.0.0.1:3001\n"
       "#   token: ${INFINITY_SYNC_TOKEN:-}   # required when listen is not loopback\n"
       "#   sync_every: 5m                    # 0 disables the live loop\n"
       "#   cors_origins: []\n\n"
       "# tls:\n"
       "#   ca_file: \"\"\n\n"
       "# checks: []            # custom checks: tcp, http, dns, command\n"
       "# notify: []            # slack, webhook, pagerduty, email, discord, teams, ntfy\n"
       "# maintenance: []       # quiet hours: {from, to} or {every: \"sat 02:00-04:00\", "
       "timezone}\n"
       "# notify_after: 1\n"
       "# store: sqlite:readiness/infinity-sync.db\n"
       "# history:\n"
       "#   keep_for: 30d\n";
  return y.str();
}

}  // namespace infinity_sync
