#include "core/config.h"

#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/duration.h"
#include "core/host_name.h"
#include "core/maintenance.h"
#include "core/net_address.h"
#include "core/redact.h"
#include "core/regular_file.h"
#include "core/suggest.h"
#include "core/time_format.h"

namespace infinity_sync {
namespace {

namespace fs = std::filesystem;

// Thrown inside this file only, caught by ParseConfig.
struct ConfigFailure {
  ConfigError error;
};

// Walks the YAML tree against the schema, one typed read per key.
class Walker {
 public:
  Walker(std::string file, const EnvLookup& env) : file_(std::move(file)), env_(env) {}

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& path, std::string message) {
    ConfigError e;
    e.file = file_;
    if (node.IsDefined()) {
      YAML::Mark mark = node.Mark();
      if (mark.line >= 0) {
        e.line = mark.line + 1;
        e.column = mark.column + 1;
      }
    }
    e.key_path = path;
    e.message = QuoteAsWritten(node, std::move(message));
    throw ConfigFailure{std::move(e)};
  }

  // A message quotes a value as written in the file ("${SECRET}"), never its
  // expansion, which may be a secret from the environment.
  std::string QuoteAsWritten(const YAML::Node& node, std::string message) const {
    if (!node.IsDefined() || !node.IsScalar()) return message;
    const std::string& raw = node.Scalar();
    auto expanded = ExpandEnv(raw, env_);
    if (!expanded || *expanded == raw || expanded->empty()) return message;
    const std::string from = "\"" + *expanded + "\"";
    const std::string to = "\"" + raw + "\"";
    for (auto pos = message.find(from); pos != std::string::npos;
         pos = message.find(from, pos + to.size())) {
      message.replace(pos, from.size(), to);
    }
    return message;
  }

  // Checks that `node` is a map whose keys are all in `allowed`.
  void ExpectMap(const YAML::Node& node, const std::string& path,
                 const std::vector<std::string>& allowed) {
    if (!node.IsMap()) Fail(node, path, "expected a mapping of keys, got " + Describe(node));
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string key = it->first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string full = path.empty() ? key : path + "." + key;
      std::string hint = ClosestMatch(key, allowed);
      Fail(it->first, full,
           "unknown key" + (hint.empty() ? std::string() : " (did you mean \"" + hint + "\"?)"));
    }
  }

  static bool Present(const YAML::Node& node) { return node.IsDefined() && !node.IsNull(); }

  static std::string Describe(const YAML::Node& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a list";
    if (node.IsNull()) return "nothing";
    return "\"" + node.Scalar() + "\"";
  }

  std::string Scalar(const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar()) Fail(node, path, "expected a single value, got " + Describe(node));
    auto expanded = ExpandEnv(node.Scalar(), env_);
    if (!expanded) Fail(node, path, expanded.error());
    return *expanded;
  }

  void Str(const YAML::Node& parent, const std::string& key, const std::string& path,
           std::string* out) {
    YAML::Node node = parent[key];
    if (Present(node)) *out = Scalar(node, Join(path, key));
  }

  void Bool(const YAML::Node& parent, const std::string& key, const std::string& path, bool* out) {
    YAML::Node node = parent[key];
    if (!Present(node)) return;
    std::string v = Scalar(node, Join(path, key));
    if (v == "true" || v == "yes" || v == "on") {
      *out = true;
    } else if (v == "false" || v == "no" || v == "off") {
      *out = false;
    } else {
      Fail(node, Join(path, key), "expected true or false, got \"" + v + "\"");
    }
  }

  void Int(const YAML::Node& parent, const std::string& key, const std::string& path, int lo,
           int hi, int* out) {
    YAML::Node node = parent[key];
    if (!Present(node)) return;
    std::string v = Scalar(node, Join(path, key));
    try {
      std::size_t used = 0;
      long n = std::stol(v, &used);
      if (used != v.size()) throw std::invalid_argument(v);
      if (n < lo || n > hi) {
        Fail(node, Join(path, key),
             fmt::format("expected a number from {} to {}, got \"{}\"", lo, hi, v));
      }
      *out = static_cast<int>(n);
    } catch (const std::logic_error&) {
      Fail(node, Join(path, key), "expected a whole number, got \"" + v + "\"");
    }
  }

  void Duration(const YAML::Node& parent, const std::string& key, const std::string& path,
                Millis* out) {
    YAML::Node node = parent[key];
    if (!Present(node)) return;
    std::string v = Scalar(node, Join(path, key));
    auto d = ParseDuration(v);
    if (!d) Fail(node, Join(path, key), d.error());
    *out = *d;
  }

  void OptDuration(const YAML::Node& parent, const std::string& key, const std::string& path,
                   std::optional<Millis>* out) {
    if (!Present(parent[key])) return;
    Millis d{0};
    Duration(parent, key, path, &d);
    *out = d;
  }

  void List(const YAML::Node& parent, const std::string& key, const std::string& path,
            std::vector<std::string>* out) {
    YAML::Node node = parent[key];
    if (!Present(node)) return;
    std::string full = Join(path, key);
    if (!node.IsSequence()) Fail(node, full, "expected a list, got " + Describe(node));
    out->clear();
    for (std::size_t i = 0; i < node.size(); ++i) {
      out->push_back(Scalar(node[i], fmt::format("{}[{}]", full, i)));
    }
  }

  // Runs `parse` (returning a Result) on each entry of the list at `key`, so a bad entry is
  // a config error pointing at that entry rather than a check failing at run time.
  template <typename Parse>
  void EachValid(const YAML::Node& parent, const std::string& key, const std::string& path,
                 const std::vector<std::string>& values, Parse parse) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      auto parsed = parse(values[i]);
      if (!parsed) Fail(parent[key][i], fmt::format("{}[{}]", Join(path, key), i), parsed.error());
    }
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

 private:
  std::string file_;
  const EnvLookup& env_;
};

const std::vector<std::string> kTopKeys = {
    "project", "environment", "status_file",  "fresh_for",   "timeout",   "auth",    "git",
    "docker",  "gcp",         "cloudflare",   "github",      "heartbeat", "server",  "tls",
    "checks",  "notify",      "notify_after", "maintenance", "store",     "history", "projects"};
const std::vector<std::string> kAuthKeys = {"enabled", "required", "github", "google"};
const std::vector<std::string> kGitKeys = {"enabled", "required", "repo",          "remote",
                                           "branch",  "fetch",    "fetch_timeout", "deploy_branch"};
const std::vector<std::string> kDockerKeys = {"enabled",       "required",     "host",
                                              "compose_files", "project_name", "profiles"};
const std::vector<std::string> kGcpKeys = {"enabled", "required", "project",        "region",
                                           "service", "api_url",  "deploy_command", "commit_label"};
const std::vector<std::string> kCloudflareKeys = {"enabled",   "required",    "domain",
                                                  "url",       "dns_servers", "expect_proxied",
                                                  "ip_ranges", "version"};
const std::vector<std::string> kCloudflareVersionKeys = {"url", "header", "json_pointer"};
const std::vector<std::string> kGithubKeys = {"api_url"};
const std::vector<std::string> kHeartbeatKeys = {"cache_for", "degraded_after", "timeout",
                                                 "targets"};
const std::vector<std::string>& kTargetNames = HeartbeatTargetNames();
const std::vector<std::string> kTargetKeys = {"name", "url", "degraded_after", "timeout"};
const std::vector<std::string> kServerKeys = {"listen",       "token",         "sync_every",
                                              "cors_origins", "allowed_hosts", "max_connections",
                                              "public_badges"};
const std::vector<std::string> kTlsKeys = {"ca_file"};
const std::vector<std::string> kHistoryKeys = {"keep_for"};
const std::vector<std::string> kCheckKeys = {
    "name",          "type", "enabled", "required", "address", "url",     "expect_status",
    "body_contains", "host", "record",  "expect",   "run",     "timeout", "servers"};
const std::vector<std::string> kCheckTypes = {"tcp", "http", "dns", "command"};
const std::vector<std::string> kDnsRecords = {"A", "AAAA", "MX", "TXT", "CNAME"};
const std::vector<std::string> kNotifyKeys = {
    "type",     "url",  "on", "repeat_every", "send_resolved", "routing_key",
    "smtp_url", "from", "to", "username",     "password"};
const std::vector<std::string> kNotifyTypes = {"slack",   "webhook", "pagerduty", "email",
                                               "discord", "teams",   "ntfy"};
const std::vector<std::string> kMaintenanceKeys = {"from", "to", "every", "timezone"};
const std::vector<std::string> kStatusNames = {
    "Success",    "Partial",     "Failed",        "Synced",    "Diverged",           "OutOfSync",
    "NoManifest", "NotDeployed", "NotConfigured", "Reachable", "PartiallyReachable", "Unreachable"};

std::string ResolvePath(const fs::path& base, const std::string& p) {
  if (p.empty()) return p;
  fs::path path(p);
  if (path.is_relative()) path = base / path;
  std::string out = path.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// `enabled` and `required` of a check's section (or custom check entry).
void ParseSwitch(Walker& w, const YAML::Node& n, const std::string& path, CheckSwitch* sw) {
  w.Bool(n, "enabled", path, &sw->enabled);
  w.Bool(n, "required", path, &sw->required);
}

void ParseCustomChecks(Walker& w, const YAML::Node& node, Config* cfg) {
  if (!Walker::Present(node)) return;
  if (!node.IsSequence()) w.Fail(node, "checks", "expected a list, got " + Walker::Describe(node));
  std::set<std::string> names;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& item = node[i];
    std::string path = fmt::format("checks[{}]", i);
    w.ExpectMap(item, path, kCheckKeys);
    CustomCheckConfig c;
    w.Str(item, "name", path, &c.name);
    w.Str(item, "type", path, &c.type);
    ParseSwitch(w, item, path, &c.check);
    if (c.name.empty()) w.Fail(item, path + ".name", "missing: every check needs a name");
    for (char ch : c.name) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') {
        w.Fail(item["name"], path + ".name",
               "\"" + c.name + "\" may hold only letters, digits, '-', '_' and '.'");
      }
    }
    for (const char* builtin : {"auth", "git", "docker", "gcp", "cloudflare"}) {
      if (c.name == builtin) {
        w.Fail(item["name"], path + ".name", "\"" + c.name + "\" is the name of a built-in check");
      }
    }
    if (!names.insert(c.name).second) {
      w.Fail(item["name"], path + ".name", "duplicate check name \"" + c.name + "\"");
    }
    if (c.type.empty()) w.Fail(item, path + ".type", "missing: one of tcp, http, dns, command");
    if (std::find(kCheckTypes.begin(), kCheckTypes.end(), c.type) == kCheckTypes.end()) {
      w.Fail(item["type"], path + ".type",
             "unknown check type \"" + c.type + "\" (expected tcp, http, dns or command)");
    }
    w.Str(item, "address", path, &c.address);
    w.Str(item, "url", path, &c.url);
    int status = 0;
    if (Walker::Present(item["expect_status"])) {
      w.Int(item, "expect_status", path, 100, 599, &status);
      c.expect_status = status;
    }
    w.Str(item, "body_contains", path, &c.body_contains);
    w.Str(item, "host", path, &c.host);
    w.Str(item, "record", path, &c.record);
    w.Str(item, "expect", path, &c.expect);
    w.List(item, "run", path, &c.run);
    w.List(item, "servers", path, &c.servers);
    w.EachValid(item, "servers", path, c.servers, ParseDnsServer);
    w.OptDuration(item, "timeout", path, &c.timeout);
    auto require = [&](const std::string& key, bool present) {
      if (!present) w.Fail(item, path + "." + key, "missing: a " + c.type + " check needs " + key);
    };
    if (c.type == "tcp") require("address", !c.address.empty());
    if (c.type == "http") require("url", !c.url.empty());
    if (c.type == "dns") {
      require("host", !c.host.empty());
      if (std::find(kDnsRecords.begin(), kDnsRecords.end(), c.record) == kDnsRecords.end()) {
        w.Fail(item["record"], path + ".record",
               "unknown record type \"" + c.record + "\" (expected A, AAAA, MX, TXT or CNAME)");
      }
    }
    if (c.type == "command") require("run", !c.run.empty());
    cfg->checks.push_back(std::move(c));
  }
}

void ParseNotify(Walker& w, const YAML::Node& node, Config* cfg) {
  if (!Walker::Present(node)) return;
  if (!node.IsSequence()) w.Fail(node, "notify", "expected a list, got " + Walker::Describe(node));
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& item = node[i];
    std::string path = fmt::format("notify[{}]", i);
    w.ExpectMap(item, path, kNotifyKeys);
    NotifyConfig n;
    w.Str(item, "type", path, &n.type);
    w.Str(item, "url", path, &n.url);
    w.List(item, "on", path, &n.on);
    w.Duration(item, "repeat_every", path, &n.repeat_every);
    w.Bool(item, "send_resolved", path, &n.send_resolved);
    w.Str(item, "routing_key", path, &n.routing_key);
    w.Str(item, "smtp_url", path, &n.smtp_url);
    w.Str(item, "from", path, &n.from);
    w.List(item, "to", path, &n.to);
    w.Str(item, "username", path, &n.username);
    w.Str(item, "password", path, &n.password);
    if (std::find(kNotifyTypes.begin(), kNotifyTypes.end(), n.type) == kNotifyTypes.end()) {
      w.Fail(Walker::Present(item["type"]) ? item["type"] : item, path + ".type",
             "expected slack, webhook, pagerduty, email, discord, teams or ntfy, got \"" + n.type +
                 "\"");
    }
    auto require = [&](const std::string& key, bool present, const std::string& why) {
      if (!present) w.Fail(item, path + "." + key, "missing: " + why);
    };
    if (n.type == "pagerduty") {
      require("routing_key", !n.routing_key.empty(), "the PagerDuty integration's routing key");
      if (n.url.empty()) n.url = "https://events.pagerduty.com/v2/enqueue";
    } else if (n.type == "email") {
      require("smtp_url", !n.smtp_url.empty(), "the mail server, smtp://HOST:PORT or smtps://");
      if (n.smtp_url.rfind("smtp://", 0) != 0 && n.smtp_url.rfind("smtps://", 0) != 0) {
        w.Fail(item["smtp_url"], path + ".smtp_url",
               "expected smtp://HOST[:PORT] or smtps://HOST[:PORT], got \"" +
                   RedactUrl(n.smtp_url) + "\"");
      }
      require("from", !n.from.empty(), "the sender address");
      require("to", !n.to.empty(), "at least one recipient");
      for (std::size_t j = 0; j < n.to.size(); ++j) {
        if (n.to[j].find('@') == std::string::npos ||
            n.to[j].find_first_of("\r\n<>, ") != std::string::npos) {
          w.Fail(item["to"][j], fmt::format("{}.to[{}]", path, j),
                 "expected an address like ops@example.com, got \"" + n.to[j] + "\"");
        }
      }
      if (n.from.find('@') == std::string::npos ||
          n.from.find_first_of("\r\n") != std::string::npos) {
        w.Fail(item["from"], path + ".from",
               "expected an address like infinity-sync@example.com, got \"" + n.from + "\"");
      }
    } else {
      require("url", !n.url.empty(), "where to send the notification");
    }
    for (std::size_t j = 0; j < n.on.size(); ++j) {
      if (std::find(kStatusNames.begin(), kStatusNames.end(), n.on[j]) == kStatusNames.end()) {
        std::string hint = ClosestMatch(n.on[j], kStatusNames);
        w.Fail(item["on"][j], fmt::format("{}.on[{}]", path, j),
               "unknown status \"" + n.on[j] + "\"" +
                   (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
      }
    }
    cfg->notify.push_back(std::move(n));
  }
}

void ParseMaintenance(Walker& w, const YAML::Node& node, Config* cfg) {
  if (!Walker::Present(node)) return;
  if (!node.IsSequence()) {
    w.Fail(node, "maintenance", "expected a list, got " + Walker::Describe(node));
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& item = node[i];
    std::string path = fmt::format("maintenance[{}]", i);
    w.ExpectMap(item, path, kMaintenanceKeys);
    MaintenanceWindowConfig m;
    for (const char* key : {"from", "to"}) {
      std::string text;
      w.Str(item, key, path, &text);
      if (text.empty()) continue;
      auto t = ParseIso8601(text);
      if (!t) {
        w.Fail(
            item[key], path + "." + key,
            "expected an ISO-8601 time with a zone (2026-12-05T02:00:00Z), got \"" + text + "\"");
      }
      (std::string(key) == "from" ? m.from : m.to) = *t;
    }
    w.Str(item, "every", path, &m.every);
    w.Str(item, "timezone", path, &m.timezone);
    bool fixed = m.from || m.to;
    if (fixed && !m.every.empty()) {
      w.Fail(item, path, "either from and to, or every (with timezone), not both");
    }
    if (fixed) {
      if (!m.from) w.Fail(item, path + ".from", "missing: a window with `to` needs `from`");
      if (!m.to) w.Fail(item, path + ".to", "missing: a window with `from` needs `to`");
      if (*m.to <= *m.from) w.Fail(item["to"], path + ".to", "must be after `from`");
      if (!m.timezone.empty()) {
        w.Fail(item["timezone"], path + ".timezone",
               "only for `every`: from and to carry their own offset");
      }
    } else {
      if (m.every.empty()) {
        w.Fail(item, path, "missing: from and to, or every (as in \"sat 02:00-04:00\")");
      }
      auto weekly = ParseWeeklyWindow(m.every);
      if (!weekly) w.Fail(item["every"], path + ".every", weekly.error());
      if (std::string bad = CheckTimeZone(m.timezone.empty() ? "UTC" : m.timezone); !bad.empty()) {
        w.Fail(item["timezone"], path + ".timezone", bad);
      }
    }
    cfg->maintenance.push_back(std::move(m));
  }
}

void ParseHeartbeat(Walker& w, const YAML::Node& hb, Config* cfg) {
  if (!Walker::Present(hb)) return;
  w.ExpectMap(hb, "heartbeat", kHeartbeatKeys);
  w.Duration(hb, "cache_for", "heartbeat", &cfg->heartbeat.cache_for);
  w.Duration(hb, "degraded_after", "heartbeat", &cfg->heartbeat.degraded_after);
  w.Duration(hb, "timeout", "heartbeat", &cfg->heartbeat.timeout);
  YAML::Node targets = hb["targets"];
  if (!Walker::Present(targets)) return;
  w.ExpectMap(targets, "heartbeat.targets", kTargetNames);
  for (const auto& name : kTargetNames) {
    YAML::Node t = targets[name];
    if (!Walker::Present(t)) continue;
    std::string path = "heartbeat.targets." + name;
    w.ExpectMap(t, path, kTargetKeys);
    HeartbeatTarget& target = cfg->heartbeat.targets[name];
    w.Str(t, "name", path, &target.name);
    w.Str(t, "url", path, &target.url);
    w.OptDuration(t, "degraded_after", path, &target.degraded_after);
    w.OptDuration(t, "timeout", path, &target.timeout);
  }
}

// Fills what defaults to other settings, once every key is read.
// Defaults written in SPEC as ${VAR:-}: they hold before the file is read, so
// a key the file sets wins and an absent one still follows the environment.
void ApplyEnvironmentDefaults(const EnvLookup& env, Config* cfg) {
  cfg->server.token = env("INFINITY_SYNC_TOKEN").value_or("");
}

void ApplyDerivedDefaults(Config* cfg) {
  if (cfg->project.empty()) cfg->project = cfg->base_dir.filename().string();
  if (cfg->environment.empty()) cfg->environment = HostName();
  cfg->status_file = ResolvePath(cfg->base_dir, cfg->status_file);
  cfg->git.repo = ResolvePath(cfg->base_dir, cfg->git.repo);
  cfg->tls.ca_file = ResolvePath(cfg->base_dir, cfg->tls.ca_file);
  for (auto& f : cfg->docker.compose_files) f = ResolvePath(cfg->base_dir, f);
  for (auto& f : cfg->projects) f = ResolvePath(cfg->base_dir, f);
  if (cfg->gcp.service.empty()) cfg->gcp.service = cfg->project;
  if (cfg->cloudflare.url.empty() && !cfg->cloudflare.domain.empty()) {
    cfg->cloudflare.url = "https://" + cfg->cloudflare.domain;
  }
  auto& t = cfg->heartbeat.targets;
  if (t["github"].name.empty()) t["github"].name = "GitHub API";
  if (t["github"].url.empty()) t["github"].url = "{github.api_url}/rate_limit";
  if (t["gcp"].name.empty()) t["gcp"].name = "Google Cloud API";
  if (t["gcp"].url.empty()) t["gcp"].url = "{gcp.api_url}/";
  if (t["cloudflare"].name.empty()) t["cloudflare"].name = "Cloudflare ({cloudflare.domain})";
  if (t["cloudflare"].url.empty()) t["cloudflare"].url = "{cloudflare.url}";
  for (auto& [key, target] : t) {
    for (std::string* s : {&target.name, &target.url}) {
      *s = ReplaceAll(*s, "{github.api_url}", cfg->github.api_url);
      *s = ReplaceAll(*s, "{gcp.api_url}", cfg->gcp.api_url);
      *s = ReplaceAll(*s, "{cloudflare.domain}", cfg->cloudflare.domain);
      *s = ReplaceAll(*s, "{cloudflare.url}", cfg->cloudflare.url);
    }
  }
  if (!cfg->store.empty() && cfg->store.rfind("sqlite:", 0) == 0) {
    cfg->store = "sqlite:" + ResolvePath(cfg->base_dir, cfg->store.substr(7));
  }
}

void ParseInto(Walker& w, const YAML::Node& root, Config* cfg) {
  w.ExpectMap(root, "", kTopKeys);
  w.Str(root, "project", "", &cfg->project);
  w.Str(root, "environment", "", &cfg->environment);
  w.List(root, "projects", "", &cfg->projects);
  w.Str(root, "status_file", "", &cfg->status_file);
  if (Walker::Present(root["status_file"]) && cfg->status_file.empty()) {
    w.Fail(root["status_file"], "status_file", "must not be empty");
  }
  w.Duration(root, "fresh_for", "", &cfg->fresh_for);
  w.Duration(root, "timeout", "", &cfg->timeout);
  if (cfg->timeout.count() <= 0) w.Fail(root["timeout"], "timeout", "must be more than 0");

  if (YAML::Node n = root["auth"]; Walker::Present(n)) {
    w.ExpectMap(n, "auth", kAuthKeys);
    ParseSwitch(w, n, "auth", &cfg->auth.check);
    w.Bool(n, "github", "auth", &cfg->auth.github);
    w.Bool(n, "google", "auth", &cfg->auth.google);
    if (!cfg->auth.github && !cfg->auth.google && cfg->auth.check.enabled) {
      w.Fail(n, "auth", "github and google are both false: set auth.enabled: false instead");
    }
  }
  if (YAML::Node n = root["git"]; Walker::Present(n)) {
    w.ExpectMap(n, "git", kGitKeys);
    ParseSwitch(w, n, "git", &cfg->git.check);
    w.Str(n, "repo", "git", &cfg->git.repo);
    w.Str(n, "remote", "git", &cfg->git.remote);
    w.Str(n, "branch", "git", &cfg->git.branch);
    w.Bool(n, "fetch", "git", &cfg->git.fetch);
    w.Duration(n, "fetch_timeout", "git", &cfg->git.fetch_timeout);
    w.Str(n, "deploy_branch", "git", &cfg->git.deploy_branch);
  }
  if (YAML::Node n = root["docker"]; Walker::Present(n)) {
    w.ExpectMap(n, "docker", kDockerKeys);
    ParseSwitch(w, n, "docker", &cfg->docker.check);
    w.Str(n, "host", "docker", &cfg->docker.host);
    w.List(n, "compose_files", "docker", &cfg->docker.compose_files);
    w.Str(n, "project_name", "docker", &cfg->docker.project_name);
    w.List(n, "profiles", "docker", &cfg->docker.profiles);
  }
  if (YAML::Node n = root["gcp"]; Walker::Present(n)) {
    w.ExpectMap(n, "gcp", kGcpKeys);
    ParseSwitch(w, n, "gcp", &cfg->gcp.check);
    w.Str(n, "project", "gcp", &cfg->gcp.project);
    w.Str(n, "region", "gcp", &cfg->gcp.region);
    w.Str(n, "service", "gcp", &cfg->gcp.service);
    w.Str(n, "api_url", "gcp", &cfg->gcp.api_url);
    w.List(n, "deploy_command", "gcp", &cfg->gcp.deploy_command);
    w.Str(n, "commit_label", "gcp", &cfg->gcp.commit_label);
  }
  if (YAML::Node n = root["cloudflare"]; Walker::Present(n)) {
    w.ExpectMap(n, "cloudflare", kCloudflareKeys);
    ParseSwitch(w, n, "cloudflare", &cfg->cloudflare.check);
    w.Str(n, "domain", "cloudflare", &cfg->cloudflare.domain);
    w.Str(n, "url", "cloudflare", &cfg->cloudflare.url);
    w.List(n, "dns_servers", "cloudflare", &cfg->cloudflare.dns_servers);
    w.EachValid(n, "dns_servers", "cloudflare", cfg->cloudflare.dns_servers, ParseDnsServer);
    w.Bool(n, "expect_proxied", "cloudflare", &cfg->cloudflare.expect_proxied);
    w.List(n, "ip_ranges", "cloudflare", &cfg->cloudflare.ip_ranges);
    w.EachValid(n, "ip_ranges", "cloudflare", cfg->cloudflare.ip_ranges, ParseCidr);
    if (YAML::Node v = n["version"]; Walker::Present(v)) {
      auto& version = cfg->cloudflare.version;
      w.ExpectMap(v, "cloudflare.version", kCloudflareVersionKeys);
      w.Str(v, "url", "cloudflare.version", &version.url);
      w.Str(v, "header", "cloudflare.version", &version.header);
      w.Str(v, "json_pointer", "cloudflare.version", &version.json_pointer);
      if (!version.json_pointer.empty() && version.json_pointer.front() != '/') {
        w.Fail(v["json_pointer"], "cloudflare.version.json_pointer",
               "\"" + version.json_pointer + "\" is not a JSON pointer (it starts with /)");
      }
      if (!version.header.empty() && !version.json_pointer.empty()) {
        w.Fail(v, "cloudflare.version", "set header or json_pointer, not both");
      }
      if (!version.url.empty() && !version.enabled()) {
        w.Fail(v, "cloudflare.version", "url needs a header or a json_pointer to read");
      }
    }
  }
  if (YAML::Node n = root["github"]; Walker::Present(n)) {
    w.ExpectMap(n, "github", kGithubKeys);
    w.Str(n, "api_url", "github", &cfg->github.api_url);
  }
  ParseHeartbeat(w, root["heartbeat"], cfg);
  if (YAML::Node n = root["server"]; Walker::Present(n)) {
    w.ExpectMap(n, "server", kServerKeys);
    w.Str(n, "listen", "server", &cfg->server.listen);
    w.Str(n, "token", "server", &cfg->server.token);
    w.Duration(n, "sync_every", "server", &cfg->server.sync_every);
    w.List(n, "cors_origins", "server", &cfg->server.cors_origins);
    w.List(n, "allowed_hosts", "server", &cfg->server.allowed_hosts);
    w.Int(n, "max_connections", "server", 1, 1'000'000, &cfg->server.max_connections);
    w.Bool(n, "public_badges", "server", &cfg->server.public_badges);
  }
  if (YAML::Node n = root["tls"]; Walker::Present(n)) {
    w.ExpectMap(n, "tls", kTlsKeys);
    w.Str(n, "ca_file", "tls", &cfg->tls.ca_file);
  }
  ParseCustomChecks(w, root["checks"], cfg);
  ParseNotify(w, root["notify"], cfg);
  w.Int(root, "notify_after", "", 1, 1000, &cfg->notify_after);
  ParseMaintenance(w, root["maintenance"], cfg);
  w.Str(root, "store", "", &cfg->store);
  if (!cfg->store.empty() && cfg->store.rfind("sqlite:", 0) != 0 &&
      cfg->store.rfind("postgresql://", 0) != 0 && cfg->store.rfind("postgres://", 0) != 0 &&
      cfg->store != "none") {
    w.Fail(root["store"], "store",
           "expected sqlite:PATH, postgresql://... or none, got \"" + cfg->store + "\"");
  }
  if (YAML::Node n = root["history"]; Walker::Present(n)) {
    w.ExpectMap(n, "history", kHistoryKeys);
    w.Duration(n, "keep_for", "history", &cfg->history.keep_for);
  }
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string where = file;
  if (line > 0) where += fmt::format(":{}:{}", line, column);
  std::string out = where + ": ";
  if (!key_path.empty()) out += key_path + ": ";
  return out + message;
}

const std::vector<std::string>& HeartbeatTargetNames() {
  static const std::vector<std::string> names = {"github", "gcp", "cloudflare"};
  return names;
}

std::variant<Config, ConfigError> ParseConfig(const std::string& text, const std::string& file,
                                              const fs::path& base_dir, const EnvLookup& env) {
  Config cfg;
  cfg.source = file;
  cfg.base_dir = base_dir;
  ApplyEnvironmentDefaults(env, &cfg);
  Walker w(file, env);
  try {
    YAML::Node root = YAML::Load(text);
    if (Walker::Present(root)) ParseInto(w, root, &cfg);
  } catch (const ConfigFailure& f) {
    return f.error;
  } catch (const YAML::Exception& e) {
    ConfigError err;
    err.file = file;
    if (e.mark.line >= 0) {
      err.line = e.mark.line + 1;
      err.column = e.mark.column + 1;
    }
    err.message = "invalid YAML: " + e.msg;
    return err;
  }
  ApplyDerivedDefaults(&cfg);
  return cfg;
}

std::optional<fs::path> FindRepoRoot(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec).lexically_normal();
  while (true) {
    if (fs::exists(dir / ".git", ec)) return dir;
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

std::variant<Config, ConfigError> LoadConfig(const std::string& explicit_file, const fs::path& cwd,
                                             const EnvLookup& env) {
  std::error_code ec;
  fs::path file;
  fs::path base;
  if (!explicit_file.empty()) {
    file = fs::path(explicit_file);
    if (file.is_relative()) file = cwd / file;
    base = file.parent_path();
  } else {
    base = FindRepoRoot(cwd).value_or(fs::absolute(cwd, ec).lexically_normal());
    for (const char* name : {"infinity-sync.yaml", "infinity-sync.yml"}) {
      if (fs::exists(base / name, ec)) {
        file = base / name;
        break;
      }
    }
  }
  if (file.empty()) {
    Config cfg;
    cfg.base_dir = base;
    ApplyEnvironmentDefaults(env, &cfg);
    ApplyDerivedDefaults(&cfg);
    return cfg;
  }
  std::string shown = explicit_file.empty() ? file.lexically_relative(cwd).string() : explicit_file;
  if (shown.empty() || shown.rfind("..", 0) == 0) shown = file.string();
  std::string reason;
  auto text = ReadRegularFile(file.string(), kConfigFileLimit, &reason);
  if (!text) {
    ConfigError err;
    err.file = shown;
    err.message = !fs::exists(file, ec) ? "no such configuration file"
                                        : "cannot read the configuration file: " + reason;
    return err;
  }
  return ParseConfig(*text, shown, base.lexically_normal(), env);
}

const std::vector<std::string>& ConfigKeyPaths() {
  static const std::vector<std::string> paths = [] {
    std::vector<std::string> out;
    auto add = [&](const std::string& prefix, const std::vector<std::string>& keys) {
      for (const auto& k : keys) out.push_back(prefix + k);
    };
    for (const auto& k : kTopKeys) {
      if (k == "auth" || k == "git" || k == "docker" || k == "gcp" || k == "cloudflare" ||
          k == "github" || k == "heartbeat" || k == "server" || k == "tls" || k == "history" ||
          k == "checks" || k == "notify" || k == "maintenance") {
        continue;
      }
      out.push_back(k);
    }
    add("auth.", kAuthKeys);
    add("git.", kGitKeys);
    add("docker.", kDockerKeys);
    add("gcp.", kGcpKeys);
    for (const auto& k : kCloudflareKeys) {
      if (k != "version") out.push_back("cloudflare." + k);
    }
    add("cloudflare.version.", kCloudflareVersionKeys);
    add("github.", kGithubKeys);
    add("heartbeat.", {"cache_for", "degraded_after", "timeout"});
    for (const auto& t : kTargetNames) add("heartbeat.targets." + t + ".", kTargetKeys);
    add("server.", kServerKeys);
    add("tls.", kTlsKeys);
    add("checks[].", kCheckKeys);
    add("notify[].", kNotifyKeys);
    add("maintenance[].", kMaintenanceKeys);
    add("history.", kHistoryKeys);
    return out;
  }();
  return paths;
}

}  // namespace infinity_sync
