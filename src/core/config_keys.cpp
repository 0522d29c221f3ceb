#include "core/config_keys.h"

#include "core/net_address.h"

// Every key of infinity-sync.yaml, one row each, in the order of
// docs/configuration.md (whose tables a test compares with these rows).
namespace infinity_sync::config_detail {
namespace {

// --- checks on single values ---

std::string NotEmpty(const std::string& v) { return v.empty() ? "must not be empty" : ""; }

std::string Positive(const Millis& v) { return v.count() <= 0 ? "must be more than 0" : ""; }

template <auto Parse>
std::string Parses(const std::string& v) {
  auto parsed = Parse(v);
  return parsed ? "" : parsed.error();
}

std::string StoreUrl(const std::string& v) {
  if (v.empty() || v.rfind("sqlite:", 0) == 0 || v.rfind("postgresql://", 0) == 0 ||
      v.rfind("postgres://", 0) == 0 || v == "none") {
    return "";
  }
  return "expected sqlite:PATH, postgresql://... or none, got \"" + v + "\"";
}

// --- the built-in checks' sections ---

template <typename S>
constexpr Key<S> Enabled() {
  return Leaf<&S::check, &CheckSwitch::enabled>("enabled", "`true`", "run the check at all");
}
template <typename S>
constexpr Key<S> Required() {
  return Leaf<&S::check, &CheckSwitch::required>("required", "`true`",
                                                 "its status counts in the exit code");
}

void CheckAuth(Walker& w, const YAML::Node& n, const std::string& path, AuthConfig& auth) {
  if (!auth.github && !auth.google && auth.check.enabled) {
    w.Fail(n, path, "github and google are both false: set auth.enabled: false instead");
  }
}

constexpr std::array kAuth = {
    Enabled<AuthConfig>(),
    Required<AuthConfig>(),
    Leaf<&AuthConfig::github>("github", "`true`",
                              "look for GitHub credentials; `false` leaves GitHub out of the check "
                              "(and of its `Details`)"),
    Leaf<&AuthConfig::google>("google", "`true`",
                              "look for Google credentials; `false` leaves Google out (both "
                              "`false` is an error: use `auth.enabled: false`)"),
};

constexpr std::array kGit = {
    Enabled<GitConfig>(),
    Required<GitConfig>(),
    Leaf<&GitConfig::repo>("repo", "`.`", "the checkout to compare"),
    Leaf<&GitConfig::remote>("remote", "the branch's upstream remote", "remote to compare against"),
    Leaf<&GitConfig::branch>(
        "branch", "the current branch",
        "branch to compare; another branch than the checked-out one gets no fix"),
    Leaf<&GitConfig::fetch>("fetch", "`true`", "`git fetch` before comparing"),
    Leaf<&GitConfig::fetch_timeout>("fetch_timeout", "`30s`", "deadline of the fetch"),
    Leaf<&GitConfig::deploy_branch>(
        "deploy_branch",
        "the remote's default branch (`refs/remotes/<remote>/HEAD`), else `main`, else `master`",
        "the branch whose tip should be live; the gcp check compares Cloud Run with "
        "`<remote>/<deploy_branch>` as last fetched (see `docs/lineage.md`)"),
};

constexpr std::array kDocker = {
    Enabled<DockerConfig>(),
    Required<DockerConfig>(),
    Leaf<&DockerConfig::host>("host", "`$DOCKER_HOST`, else `unix:///var/run/docker.sock`",
                              "the Docker Engine API"),
    Leaf<&DockerConfig::compose_files>(
        "compose_files",
        "compose discovery: `compose.yaml`, `compose.yml`, `docker-compose.yml`, "
        "`docker-compose.yaml` plus the override file",
        "the compose files, merged in order"),
    Leaf<&DockerConfig::project_name>(
        "project_name", "compose's rules (`name:`, `COMPOSE_PROJECT_NAME`, the folder)",
        "the compose project"),
    Leaf<&DockerConfig::profiles>("profiles", "`$COMPOSE_PROFILES`", "active compose profiles"),
};

constexpr std::array kGcp = {
    Enabled<GcpConfig>(),
    Required<GcpConfig>(),
    Leaf<&GcpConfig::project>(
        "project",
        "`$CLOUDSDK_CORE_PROJECT`, `$GOOGLE_CLOUD_PROJECT`, `$GCLOUD_PROJECT`, the active gcloud "
        "configuration's `[core] project` (read from its file), a service-account credentials "
        "file's `project_id`, the metadata server (a `quota_project_id` is never the project)",
        "the Google Cloud project"),
    Leaf<&GcpConfig::region>(
        "region",
        "`\"\"`: `$CLOUDSDK_RUN_REGION`, else the active gcloud configuration's `[run] region`, "
        "else `us-central1` (as `gcloud run` picks it)",
        "the Cloud Run region"),
    Leaf<&GcpConfig::service>("service", "`project` (top level)", "the Cloud Run service"),
    Leaf<&GcpConfig::api_url>("api_url", "`https://run.googleapis.com`", "the Cloud Run Admin API"),
    Leaf<&GcpConfig::deploy_command>("deploy_command",
                                     "`[gcloud, run, deploy, \"{service}\", --source, ., --region, "
                                     "\"{region}\", --project, \"{project}\"]`",
                                     "the fix offered when the deployed commit differs"),
    Leaf<&GcpConfig::commit_label>(
        "commit_label", "`commit-sha`",
        "the label/annotation on the service that names the deployed commit"),
};

using EdgeVersion = CloudflareConfig::Version;

void CheckEdgeVersion(Walker& w, const YAML::Node& v, const std::string& path,
                      EdgeVersion& version) {
  if (!version.json_pointer.empty() && version.json_pointer.front() != '/') {
    w.Fail(v["json_pointer"], path + ".json_pointer",
           "\"" + version.json_pointer + "\" is not a JSON pointer (it starts with /)");
  }
  if (!version.header.empty() && !version.json_pointer.empty()) {
    w.Fail(v, path, "set header or json_pointer, not both");
  }
  if (!version.url.empty() && !version.enabled()) {
    w.Fail(v, path, "url needs a header or a json_pointer to read");
  }
}

constexpr std::array kEdgeVersion = {
    Leaf<&EdgeVersion::url>("url", "`cloudflare.url`",
                            "the URL that names the commit the edge serves"),
    Leaf<&EdgeVersion::header>("header", "none",
                               "a response header naming the commit, e.g. `x-commit`"),
    Leaf<&EdgeVersion::json_pointer>("json_pointer", "none",
                                     "or a JSON pointer into the body, e.g. `/commit`; with "
                                     "neither set, the edge is not compared"),
};

constexpr std::array kCloudflare = {
    Enabled<CloudflareConfig>(),
    Required<CloudflareConfig>(),
    Leaf<&CloudflareConfig::domain>("domain", "none: the check is `NotConfigured`",
                                    "the domain behind Cloudflare"),
    Leaf<&CloudflareConfig::url>("url", "`https://{domain}`", "the URL probed"),
    Checked<&CloudflareConfig::dns_servers, &Parses<ParseDnsServer>>(
        "dns_servers", "the system resolver",
        "resolvers to ask, `\"1.1.1.1\"` or `\"127.0.0.1:5353\"`"),
    Leaf<&CloudflareConfig::expect_proxied>(
        "expect_proxied", "`true`", "the resolved addresses must be in Cloudflare's ranges"),
    Checked<&CloudflareConfig::ip_ranges, &Parses<ParseCidr>>(
        "ip_ranges", "Cloudflare's published ranges", "CIDR ranges that count as Cloudflare"),
    Section<&CloudflareConfig::version, kEdgeVersion, &CheckEdgeVersion>("version"),
};

constexpr std::array kGithub = {
    Leaf<&GithubConfig::api_url>("api_url", "`https://api.github.com`",
                                 "the GitHub API (`https://HOST/api/v3` for Enterprise)"),
};

// --- heartbeat: three fixed targets, entries of HeartbeatConfig::targets ---

template <const auto& Rows>
void ReadTarget(Walker& w, const YAML::Node& parent, const std::string& key,
                const std::string& path, HeartbeatConfig& hb) {
  YAML::Node node = parent[key];
  if (!Walker::Present(node)) return;
  const std::string full = Walker::Join(path, key);
  w.ExpectMap(node, full, Names<Rows>());
  ReadRows(w, Rows, node, full, hb.targets[key]);
}

template <const auto& Rows>
constexpr Key<HeartbeatConfig> TargetKey(std::string_view name) {
  return {name, "", "", &ReadTarget<Rows>, &DescribeSection<Rows>};
}

constexpr std::array kGithubTarget = {
    Leaf<&HeartbeatTarget::name>("name", "`GitHub API`", "the name shown"),
    Leaf<&HeartbeatTarget::url>("url", "`{github.api_url}/rate_limit`", "the URL asked"),
    Leaf<&HeartbeatTarget::degraded_after>("degraded_after", "`heartbeat.degraded_after`",
                                           "per-target override"),
    Leaf<&HeartbeatTarget::timeout>("timeout", "`heartbeat.timeout`", "per-target override"),
};
constexpr std::array kGcpTarget = {
    Leaf<&HeartbeatTarget::name>("name", "`Google Cloud API`", "the name shown"),
    Leaf<&HeartbeatTarget::url>("url", "`{gcp.api_url}/`", "the URL asked"),
    Leaf<&HeartbeatTarget::degraded_after>("degraded_after", "`heartbeat.degraded_after`",
                                           "per-target override"),
    Leaf<&HeartbeatTarget::timeout>("timeout", "`heartbeat.timeout`", "per-target override"),
};
constexpr std::array kCloudflareTarget = {
    Leaf<&HeartbeatTarget::name>("name", "`Cloudflare ({cloudflare.domain})`", "the name shown"),
    Leaf<&HeartbeatTarget::url>("url", "`{cloudflare.url}`",
                                "the URL asked (none without a domain: `unknown`)"),
    Leaf<&HeartbeatTarget::degraded_after>("degraded_after", "`heartbeat.degraded_after`",
                                           "per-target override"),
    Leaf<&HeartbeatTarget::timeout>("timeout", "`heartbeat.timeout`", "per-target override"),
};

// The one list of heartbeat targets, in their order.
constexpr std::array kTargets = {
    TargetKey<kGithubTarget>("github"),
    TargetKey<kGcpTarget>("gcp"),
    TargetKey<kCloudflareTarget>("cloudflare"),
};

template <const auto& Rows>
void ReadGroup(Walker& w, const YAML::Node& parent, const std::string& key, const std::string& path,
               HeartbeatConfig& hb) {
  YAML::Node node = parent[key];
  if (!Walker::Present(node)) return;
  const std::string full = Walker::Join(path, key);
  w.ExpectMap(node, full, Names<Rows>());
  ReadRows(w, Rows, node, full, hb);
}

constexpr std::array kHeartbeat = {
    Leaf<&HeartbeatConfig::cache_for>("cache_for", "`60s`", "answers are cached this long"),
    Leaf<&HeartbeatConfig::degraded_after>("degraded_after", "`1s`",
                                           "slower than this is `degraded`"),
    Leaf<&HeartbeatConfig::timeout>("timeout", "`5s`", "no answer within this is `down`"),
    Key<HeartbeatConfig>{"targets", "", "", &ReadGroup<kTargets>, &DescribeSection<kTargets>},
};

constexpr std::array kServer = {
    Leaf<&ServerConfig::listen>("listen", "`127.0.0.1:3001`",
                                "address to listen on (`--listen` overrides)"),
    Leaf<&ServerConfig::token>("token", "`$INFINITY_SYNC_TOKEN` (none when unset)",
                               "bearer token; required when `listen` is not loopback. A `token:` "
                               "in the file wins, `token: \"\"` included"),
    Leaf<&ServerConfig::sync_every>("sync_every", "`5m`",
                                    "the live loop's period; `0` disables it"),
    Leaf<&ServerConfig::cors_origins>("cors_origins", "`[]`",
                                      "browser origins allowed to call the API"),
    Leaf<&ServerConfig::allowed_hosts>(
        "allowed_hosts", "`[]`",
        "host names besides loopback ones that `Host` and `Origin` may name when no token is set "
        "(the DNS-rebinding guard); see [security](security.md)"),
    Int<&ServerConfig::max_connections, 1, 1'000'000>(
        "max_connections", "`1024`",
        "open connections at most; when full, the one waiting longest without a complete request "
        "is closed to make room"),
    Leaf<&ServerConfig::public_badges>(
        "public_badges", "`false`",
        "`true`: the status badges (`GET /badge/{check}.svg`, `/badge/overall.svg`) answer without "
        "the token, for a README; every other route still needs it. See [api](api.md#badges)"),
};

constexpr std::array kTls = {
    Leaf<&TlsConfig::ca_file>("ca_file", "none",
                              "an extra CA bundle (corporate proxy) trusted for every HTTPS call"),
};

// --- checks: custom checks ---

bool HasAddress(const CustomCheckConfig& c) { return !c.address.empty(); }
bool HasUrl(const CustomCheckConfig& c) { return !c.url.empty(); }
bool HasHost(const CustomCheckConfig& c) { return !c.host.empty(); }
bool HasRun(const CustomCheckConfig& c) { return !c.run.empty(); }

// The one list of custom check types.
constexpr std::array<CustomCheckType, 4> kCustomTypes = {{
    {CustomCheckKind::kTcp, "tcp", "address", &HasAddress},
    {CustomCheckKind::kHttp, "http", "url", &HasUrl},
    {CustomCheckKind::kDns, "dns", "host", &HasHost},
    {CustomCheckKind::kCommand, "command", "run", &HasRun},
}};

constexpr std::array kCustom = {
    Leaf<&CustomCheckConfig::name>("name", "required",
                                   "the check's name (`--only` takes it too; `run --list-checks` "
                                   "prints every name with its key)"),
    Leaf<&CustomCheckConfig::type>("type", "required", "`tcp`, `http`, `dns` or `command`"),
    Leaf<&CustomCheckConfig::check, &CheckSwitch::enabled>("enabled", "`true`",
                                                           "run the check at all"),
    Leaf<&CustomCheckConfig::check, &CheckSwitch::required>(
        "required", "`true`",
        "its status counts in the exit code (`false`: shown, marked \"(not required)\")"),
    Leaf<&CustomCheckConfig::address>("address", "required for `tcp`", "`host:port` to connect to"),
    Leaf<&CustomCheckConfig::url>("url", "required for `http`", "the URL to GET"),
    Int<&CustomCheckConfig::expect_status, 100, 599>("expect_status", "none",
                                                     "`http`: the status the answer must have"),
    Leaf<&CustomCheckConfig::body_contains>("body_contains", "none",
                                            "`http`: text the body must hold"),
    Leaf<&CustomCheckConfig::host>("host", "required for `dns`", "the name to resolve"),
    Leaf<&CustomCheckConfig::record>("record", "`A`", "`dns`: `A`, `AAAA`, `MX`, `TXT` or `CNAME`"),
    Leaf<&CustomCheckConfig::expect>("expect", "none", "`dns`: a value the answer must hold"),
    Checked<&CustomCheckConfig::servers, &Parses<ParseDnsServer>>(
        "servers", "the system resolver",
        "`dns` and `tcp`: DNS servers to ask for this entry (`IP`, `IP:PORT`, `[v6]:PORT`); not in "
        "the original contract, added so a check can ask a chosen server"),
    Leaf<&CustomCheckConfig::run>("run", "required for `command`",
                                  "argv, run without a shell; exit 0 is `Synced`"),
    Leaf<&CustomCheckConfig::timeout>("timeout", "`timeout` (top level)", "deadline of this check"),
};

// --- notify ---

// The one list of notification types.
constexpr std::array<NotifyType, 7> kNotifyTypes = {{
    {NotifyKind::kSlack, "slack"},
    {NotifyKind::kWebhook, "webhook"},
    {NotifyKind::kPagerDuty, "pagerduty"},
    {NotifyKind::kEmail, "email"},
    {NotifyKind::kDiscord, "discord"},
    {NotifyKind::kTeams, "teams"},
    {NotifyKind::kNtfy, "ntfy"},
}};

constexpr std::array kNotify = {
    Leaf<&NotifyConfig::type>(
        "type", "required",
        "`slack`, `webhook`, `pagerduty`, `email`, `discord`, `teams` or `ntfy`"),
    Leaf<&NotifyConfig::url>(
        "url", "required (not for `email`; `pagerduty`: `https://events.pagerduty.com/v2/enqueue`)",
        "the webhook, topic or Events API URL"),
    Leaf<&NotifyConfig::on>("on", "every status that is not good",
                            "statuses whose entry (and exit) is announced"),
    Leaf<&NotifyConfig::repeat_every>(
        "repeat_every", "`0` (no reminders)",
        "a reminder while a check stays in a listed state, e.g. `4h`"),
    Leaf<&NotifyConfig::send_resolved>("send_resolved", "`true`",
                                       "announce the way out of a listed state"),
    Leaf<&NotifyConfig::routing_key>("routing_key", "required for `pagerduty`",
                                     "the integration's routing key (`${VAR}`)"),
    Leaf<&NotifyConfig::smtp_url>("smtp_url", "required for `email`",
                                  "`smtp://HOST:PORT` (STARTTLS when offered) or "
                                  "`smtps://HOST:PORT`; may hold `user:password@`"),
    Leaf<&NotifyConfig::from>("from", "required for `email`", "the sender address"),
    Leaf<&NotifyConfig::to>("to", "required for `email`", "the recipients, a list"),
    Leaf<&NotifyConfig::username>("username", "from `smtp_url`, else none",
                                  "SMTP login (`${VAR}`)"),
    Leaf<&NotifyConfig::password>("password", "from `smtp_url`, else none",
                                  "SMTP password (`${VAR}`)"),
};

// --- maintenance ---

constexpr std::array kMaintenance = {
    Leaf<&MaintenanceWindowConfig::from>(
        "from", "", "start of a fixed window, ISO-8601 with a zone (`2026-12-05T02:00:00+01:00`)"),
    Leaf<&MaintenanceWindowConfig::to>("to", "", "its end (after `from`)"),
    Leaf<&MaintenanceWindowConfig::every>("every", "",
                                          "a weekly window instead: `sat 02:00-04:00` (an end "
                                          "before the start runs into the next day)"),
    Leaf<&MaintenanceWindowConfig::timezone>(
        "timezone", "`UTC`", "the tz database zone of `every`, e.g. `Europe/Berlin`"),
};

constexpr std::array kHistory = {
    Leaf<&HistoryConfig::keep_for>("keep_for", "`30d`",
                                   "runs older than this are pruned from the store"),
};

// --- the top level ---

constexpr std::array kTop = {
    Leaf<&Config::project>(
        "project", "the repository folder's name",
        "the name in the report, the document and the Cloud Run service default"),
    Leaf<&Config::environment>(
        "environment", "the host name",
        "which machine or stage the run speaks for (`laptop`, `ci`, `staging`, `prod`): recorded "
        "with every run, a column of `infinity-sync fleet`, a label of every `/metrics` series"),
    Checked<&Config::status_file, &NotEmpty>(
        "status_file", "`readiness/infinity-sync-status.json`",
        "where the status document is written (atomically; missing folders are created, each with "
        "a `.gitignore` holding `*`)"),
    Leaf<&Config::fresh_for>("fresh_for", "`5m`",
                             "a status older than this is not fresh (`status`, the API's `fresh`)"),
    Checked<&Config::timeout, &Positive>("timeout", "`15s`", "default deadline of one check"),
    CheckSection<&Config::auth, kAuth, &CheckAuth>("auth"),
    CheckSection<&Config::git, kGit>("git"),
    CheckSection<&Config::docker, kDocker>("docker"),
    CheckSection<&Config::gcp, kGcp>("gcp"),
    CheckSection<&Config::cloudflare, kCloudflare>("cloudflare"),
    Section<&Config::github, kGithub>("github"),
    Section<&Config::heartbeat, kHeartbeat>("heartbeat"),
    Section<&Config::server, kServer>("server"),
    Section<&Config::tls, kTls>("tls"),
    ListOf<&Config::checks, kCustom, &CheckCustom>("checks"),
    ListOf<&Config::notify, kNotify, &CheckNotify>("notify"),
    Int<&Config::notify_after, 1, 1000>("notify_after", "`1`",
                                        "runs a new state must hold before it is announced"),
    ListOf<&Config::maintenance, kMaintenance, &CheckWindow>("maintenance"),
    Checked<&Config::store, &StoreUrl>(
        "store", "`sqlite:readiness/infinity-sync.db`",
        "history store: `sqlite:PATH` or `postgresql://user@host/db`"),
    Section<&Config::history, kHistory>("history"),
    Leaf<&Config::projects>("projects", "`[]`",
                            "`serve` for several projects: the paths of their `infinity-sync.yaml` "
                            "(relative to this file). Each keeps its own repository, status file, "
                            "lock, live loop and history; this file's `server:` section applies to "
                            "all of them. See [server](server.md#several-projects)"),
};

}  // namespace

void ParseInto(Walker& w, const YAML::Node& root, Config* cfg) {
  w.ExpectMap(root, "", Names<kTop>());
  ReadRows(w, kTop, root, "", *cfg);
}

}  // namespace infinity_sync::config_detail

namespace infinity_sync {

using config_detail::kCustomTypes;
using config_detail::kNotifyTypes;
using config_detail::kTargets;
using config_detail::kTop;

const std::vector<ConfigKeyDoc>& ConfigKeys() {
  static const std::vector<ConfigKeyDoc> keys = [] {
    std::vector<ConfigKeyDoc> out;
    config_detail::DescribeRows<kTop>("", out);
    return out;
  }();
  return keys;
}

const std::vector<std::string>& ConfigKeyPaths() {
  static const std::vector<std::string> paths = [] {
    std::vector<std::string> out;
    for (const auto& key : ConfigKeys()) out.push_back(key.path);
    return out;
  }();
  return paths;
}

const std::vector<std::string>& HeartbeatTargetNames() { return config_detail::Names<kTargets>(); }

const std::vector<std::string>& BuiltinCheckNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& row : kTop) {
      if (row.check) out.emplace_back(row.name);
    }
    return out;
  }();
  return names;
}

const CheckSwitch* BuiltinCheckSwitch(const Config& config, std::string_view name) {
  for (const auto& row : kTop) {
    if (row.check && row.name == name) return row.check(config);
  }
  return nullptr;
}

std::span<const CustomCheckType> CustomCheckTypes() { return kCustomTypes; }

const CustomCheckType* FindCustomCheckType(std::string_view name) {
  for (const auto& type : kCustomTypes) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

std::span<const NotifyType> NotifyTypes() { return kNotifyTypes; }

std::optional<NotifyKind> NotifyKindOf(std::string_view type) {
  for (const auto& t : kNotifyTypes) {
    if (t.name == type) return t.kind;
  }
  return std::nullopt;
}

}  // namespace infinity_sync
