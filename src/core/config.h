#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/env_expand.h"
#include "core/result.h"

namespace infinity_sync {

using Millis = std::chrono::milliseconds;

// Whether a check runs and whether its status counts: the `enabled` and
// `required` keys of each built-in check's section and of each custom check.
struct CheckSwitch {
  bool enabled = true;   // false: not run, not in the document
  bool required = true;  // false: run and shown, but its status leaves the exit code alone
};

struct AuthConfig {
  CheckSwitch check;
  bool github = true;  // false: GitHub credentials are not looked for
  bool google = true;  // false: Google credentials are not looked for
};

struct GitConfig {
  CheckSwitch check;
  std::string repo = ".";  // resolved against Config::base_dir by LoadConfig
  std::string remote;      // empty: the branch's upstream remote
  std::string branch;      // empty: the current branch
  bool fetch = true;
  Millis fetch_timeout{30'000};
  // The branch that is deployed; empty: what refs/remotes/<remote>/HEAD names,
  // else main, else master.
  std::string deploy_branch;
};

struct DockerConfig {
  CheckSwitch check;
  std::string host;                        // empty: $DOCKER_HOST, else unix:///var/run/docker.sock
  std::vector<std::string> compose_files;  // empty: compose discovery
  std::string project_name;                // empty: compose's rules
  std::vector<std::string> profiles;       // empty: $COMPOSE_PROFILES
};

struct GcpConfig {
  CheckSwitch check;
  std::string project;  // empty: discovered (env, gcloud configuration, SA file, metadata)
  // Empty: $CLOUDSDK_RUN_REGION, else gcloud's [run] region, else us-central1.
  std::string region;
  std::string service;  // defaults to Config::project
  std::string api_url = "https://run.googleapis.com";
  std::vector<std::string> deploy_command = {"gcloud",    "run",      "deploy",   "{service}",
                                             "--source",  ".",        "--region", "{region}",
                                             "--project", "{project}"};
  std::string commit_label = "commit-sha";
};

struct CloudflareConfig {
  CheckSwitch check;
  std::string domain;                    // empty: the check is NotConfigured
  std::string url;                       // defaults to https://{domain}
  std::vector<std::string> dns_servers;  // empty: the system resolver
  bool expect_proxied = true;
  std::vector<std::string> ip_ranges;  // empty: Cloudflare's published ranges
  // How the edge names the commit it serves; off while header and json_pointer are empty.
  struct Version {
    std::string url;           // empty: `url` above
    std::string header;        // a response header naming the commit, e.g. x-commit
    std::string json_pointer;  // or a JSON pointer into the body, e.g. /commit
    bool enabled() const { return !header.empty() || !json_pointer.empty(); }
  } version;
};

struct GithubConfig {
  std::string api_url = "https://api.github.com";
};

struct HeartbeatTarget {
  std::string name;
  std::string url;
  std::optional<Millis> degraded_after;  // unset: HeartbeatConfig's
  std::optional<Millis> timeout;         // unset: HeartbeatConfig's
};

struct HeartbeatConfig {
  Millis cache_for{60'000};
  Millis degraded_after{1'000};
  Millis timeout{5'000};
  // "github", "gcp", "cloudflare", in that order; placeholders resolved.
  std::map<std::string, HeartbeatTarget> targets;
};

struct ServerConfig {
  std::string listen = "127.0.0.1:3001";
  std::string token;           // default: $INFINITY_SYNC_TOKEN
  Millis sync_every{300'000};  // 0: no live loop
  std::vector<std::string> cors_origins;
  // Host names (besides loopback ones) requests may name in Host and Origin
  // when no token is set: the DNS-rebinding guard.
  std::vector<std::string> allowed_hosts;
  int max_connections = 1024;  // open connections; the longest-waiting idle one makes room
  bool public_badges = false;  // /badge/* answers without the token
};

struct TlsConfig {
  std::string ca_file;  // resolved against base_dir; empty: none
};

// One entry of `checks:` (SPEC section 3.6).
struct CustomCheckConfig {
  CheckSwitch check;
  std::string name;
  std::string type;  // tcp | http | dns | command
  std::string address;
  std::string url;
  std::optional<int> expect_status;
  std::string body_contains;
  std::string host;
  std::string record = "A";
  std::string expect;
  std::vector<std::string> run;
  std::optional<Millis> timeout;
  // DNS servers ("IP", "IP:PORT", "[v6]:PORT") for the names of tcp, http and
  // dns checks; empty: the system resolver. Not in SPEC's example; optional.
  std::vector<std::string> servers;
};

// One entry of `notify:` (SPEC section 7; docs/notifications.md).
struct NotifyConfig {
  std::string type;             // slack | webhook | pagerduty | email | discord | teams | ntfy
  std::string url;              // pagerduty: defaults to the Events API v2 endpoint; email: unused
  std::vector<std::string> on;  // statuses; empty: every non-good status
  Millis repeat_every{0};       // a reminder while a check stays listed; 0: none
  bool send_resolved = true;    // announce the way out of a listed state
  std::string routing_key;      // pagerduty: the integration's key
  std::string smtp_url;         // email: smtp://host:587 (STARTTLS when offered) or smtps://
  std::string from;             // email: the sender address
  std::vector<std::string> to;  // email: the recipients
  std::string username;         // email: SMTP login (also from the URL)
  std::string password;         // email: SMTP password (also from the URL)
};

// One entry of `maintenance:`: a fixed window (from, to) or a weekly one
// (every, in timezone). No notification is sent inside a window.
struct MaintenanceWindowConfig {
  std::optional<std::chrono::system_clock::time_point> from;
  std::optional<std::chrono::system_clock::time_point> to;
  std::string every;     // "sat 02:00-04:00"
  std::string timezone;  // a tz database name; empty: UTC
};

struct HistoryConfig {
  Millis keep_for{30LL * 86'400'000};
};

// The whole configuration, with every default applied and every relative
// path made absolute. Built once by LoadConfig, then read-only.
struct Config {
  std::string source;              // the file it came from; empty: defaults only
  std::filesystem::path base_dir;  // folder relative paths are resolved against
  std::string project;             // default: name of base_dir
  std::string environment;         // default: the host name (laptop, ci, staging, prod)
  std::string status_file = "readiness/infinity-sync-status.json";  // absolute after load
  Millis fresh_for{300'000};
  Millis timeout{15'000};
  AuthConfig auth;
  GitConfig git;
  DockerConfig docker;
  GcpConfig gcp;
  CloudflareConfig cloudflare;
  GithubConfig github;
  HeartbeatConfig heartbeat;
  ServerConfig server;
  TlsConfig tls;
  std::vector<CustomCheckConfig> checks;
  std::vector<NotifyConfig> notify;
  int notify_after = 1;
  std::vector<MaintenanceWindowConfig> maintenance;
  std::string store = "sqlite:readiness/infinity-sync.db";
  HistoryConfig history;
  // `serve` for several projects: their infinity-sync.yaml files (absolute
  // after load). Empty: this file is the one project.
  std::vector<std::string> projects;
};

// The heartbeat targets, in their order: "github", "gcp", "cloudflare". The
// names of their key rows: the config keys, the heartbeat service and the
// routes read this one list.
const std::vector<std::string>& HeartbeatTargetNames();

// The built-in checks whose sections hold `enabled` and `required` ("auth",
// "git", "docker", "gcp", "cloudflare"), in the order of the key rows.
const std::vector<std::string>& BuiltinCheckNames();
// The switch of a built-in check's section; nullptr for another name.
const CheckSwitch* BuiltinCheckSwitch(const Config& config, std::string_view name);

// The kinds of custom check. A `switch` over it without `default` is how a
// caller dispatches, so that adding a kind fails the build where it is not handled.
enum class CustomCheckKind { kTcp, kHttp, kDns, kCommand };

// One row of the custom check types: the `type:` value and the key it cannot do without.
struct CustomCheckType {
  CustomCheckKind kind;
  std::string_view name;   // "tcp"
  std::string_view needs;  // "address"
  bool (*has_needs)(const CustomCheckConfig&);
};

// The one table of custom check types, in their order (tcp, http, dns, command).
std::span<const CustomCheckType> CustomCheckTypes();
// The row whose name is `type`, or nullptr.
const CustomCheckType* FindCustomCheckType(std::string_view type);

// A configuration error: where it is and what is wrong.
struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when not tied to a place
  int column = 0;  // 1-based
  std::string key_path;
  std::string message;
  // "infinity-sync.yaml:3:9: git.fetch: expected true or false, got \"maybe\""
  std::string ToString() const;
};

// Parses YAML text as a configuration; `file` names it in errors and `base_dir`
// anchors relative paths.
std::variant<Config, ConfigError> ParseConfig(const std::string& text, const std::string& file,
                                              const std::filesystem::path& base_dir,
                                              const EnvLookup& env);

// Finds and loads the configuration. With `explicit_file`, that file (it must
// exist). Otherwise `infinity-sync.yaml` (or .yml) in the repository root that
// holds `cwd` (or `cwd` itself outside a repository), or the defaults when
// there is none.
std::variant<Config, ConfigError> LoadConfig(const std::string& explicit_file,
                                             const std::filesystem::path& cwd,
                                             const EnvLookup& env);

// The repository root holding `start` (the nearest folder with a .git), or
// nullopt outside a repository.
std::optional<std::filesystem::path> FindRepoRoot(const std::filesystem::path& start);

// The kinds of notification target, the `type:` of a `notify:` entry; a
// caller dispatches with a `switch` without `default`.
enum class NotifyKind { kSlack, kWebhook, kPagerDuty, kEmail, kDiscord, kTeams, kNtfy };

struct NotifyType {
  NotifyKind kind;
  std::string_view name;  // "slack"
};

// The one table of notification types, in their order.
std::span<const NotifyType> NotifyTypes();
// The kind a `type:` value names; nullopt for another.
std::optional<NotifyKind> NotifyKindOf(std::string_view type);

// One key of the configuration as the reference shows it.
struct ConfigKeyDoc {
  std::string path;  // "git.fetch_timeout", "checks[].name"
  std::string def;   // its default, in the reference's words ("`30s`")
  std::string help;  // what it does
};

// Every key the configuration accepts, from the key rows the parser reads, in
// the reference's order: for `help config`, docs and tests that keep it true.
const std::vector<ConfigKeyDoc>& ConfigKeys();
// Their paths.
const std::vector<std::string>& ConfigKeyPaths();

}  // namespace infinity_sync
