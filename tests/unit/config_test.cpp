#include "core/config.h"
#include "cloud/cloudflare_ranges.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "lib/map_env.h"
#include "lib/test_support.h"

namespace infinity_sync {
namespace {

Config MustParse(const std::string& text, EnvLookup env = testing::MapEnv({})) {
  auto parsed = ParseConfig(text, "infinity-sync.yaml", "/repo/my-app", env);
  if (auto* err = std::get_if<ConfigError>(&parsed)) {
    ADD_FAILURE() << err->ToString();
    return Config{};
  }
  return std::get<Config>(parsed);
}

std::string ErrorOf(const std::string& text, EnvLookup env = testing::MapEnv({})) {
  auto parsed = ParseConfig(text, "infinity-sync.yaml", "/repo/my-app", env);
  if (auto* err = std::get_if<ConfigError>(&parsed)) return err->ToString();
  return "(no error)";
}

TEST(ConfigTest, DefaultsWithoutAFile) {
  Config c = MustParse("");
  EXPECT_EQ(c.project, "my-app");
  EXPECT_EQ(c.status_file, "/repo/my-app/readiness/infinity-sync-status.json");
  EXPECT_EQ(c.fresh_for, std::chrono::minutes(5));
  EXPECT_EQ(c.timeout, std::chrono::seconds(15));
  EXPECT_EQ(c.git.repo, "/repo/my-app");
  EXPECT_TRUE(c.git.fetch);
  EXPECT_EQ(c.git.fetch_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.gcp.region, "");  // resolved by the check: gcloud's run/region, else us-central1
  EXPECT_EQ(c.gcp.service, "my-app");
  EXPECT_EQ(c.gcp.api_url, "https://run.googleapis.com");
  EXPECT_EQ(c.gcp.commit_label, "commit-sha");
  EXPECT_TRUE(c.cloudflare.domain.empty());
  EXPECT_TRUE(c.cloudflare.expect_proxied);
  EXPECT_EQ(c.server.listen, "127.0.0.1:3001");
  EXPECT_EQ(c.server.sync_every, std::chrono::minutes(5));
  EXPECT_EQ(c.heartbeat.cache_for, std::chrono::seconds(60));
  EXPECT_EQ(c.heartbeat.targets["github"].url, "https://api.github.com/rate_limit");
  EXPECT_EQ(c.heartbeat.targets["github"].name, "GitHub API");
  EXPECT_EQ(c.heartbeat.targets["gcp"].url, "https://run.googleapis.com/");
  EXPECT_EQ(c.notify_after, 1);
  EXPECT_EQ(c.store, "sqlite:/repo/my-app/readiness/infinity-sync.db");
  EXPECT_EQ(c.history.keep_for, std::chrono::hours(24 * 30));
}

TEST(ConfigTest, ReadsEveryKindOfValue) {
  Config c = MustParse(R"(
project: vizual-x-admin-control-plane
status_file: out/status.json
fresh_for: 10m
timeout: 20s
git: { repo: ./sub, remote: upstream, branch: dev, fetch: false, fetch_timeout: 1m }
docker:
  host: unix:///tmp/docker.sock
  compose_files: [compose.yaml, compose.prod.yaml]
  profiles: [web]
gcp: { project: p1, region: europe-west1, deploy_command: [make, deploy] }
cloudflare: { domain: vizual-x.com, dns_servers: ["127.0.0.1:5353"], expect_proxied: false }
github: { api_url: "https://ghe.example/api/v3" }
heartbeat:
  degraded_after: 500ms
  targets:
    github: { url: "{github.api_url}/zen", timeout: 2s }
server: { listen: "127.0.0.1:0", sync_every: 0 }
tls: { ca_file: certs/ca.pem }
notify_after: 3
)");
  EXPECT_EQ(c.project, "vizual-x-admin-control-plane");
  EXPECT_EQ(c.status_file, "/repo/my-app/out/status.json");
  EXPECT_EQ(c.fresh_for, std::chrono::minutes(10));
  EXPECT_EQ(c.git.repo, "/repo/my-app/sub");
  EXPECT_EQ(c.git.remote, "upstream");
  EXPECT_FALSE(c.git.fetch);
  EXPECT_EQ(c.git.fetch_timeout, std::chrono::minutes(1));
  EXPECT_EQ(c.docker.compose_files, (std::vector<std::string>{"/repo/my-app/compose.yaml",
                                                              "/repo/my-app/compose.prod.yaml"}));
  EXPECT_EQ(c.gcp.service, "vizual-x-admin-control-plane");
  EXPECT_EQ(c.gcp.deploy_command, (std::vector<std::string>{"make", "deploy"}));
  EXPECT_EQ(c.cloudflare.url, "https://vizual-x.com");
  EXPECT_FALSE(c.cloudflare.expect_proxied);
  EXPECT_EQ(c.heartbeat.targets["github"].url, "https://ghe.example/api/v3/zen");
  EXPECT_EQ(c.heartbeat.targets["github"].timeout, std::chrono::seconds(2));
  EXPECT_EQ(c.heartbeat.targets["cloudflare"].name, "Cloudflare (vizual-x.com)");
  EXPECT_EQ(c.heartbeat.targets["cloudflare"].url, "https://vizual-x.com");
  EXPECT_EQ(c.server.sync_every, std::chrono::milliseconds(0));
  EXPECT_EQ(c.tls.ca_file, "/repo/my-app/certs/ca.pem");
  EXPECT_EQ(c.notify_after, 3);
}

TEST(ConfigTest, ExpandsEnvironmentVariables) {
  Config c = MustParse(R"(
project: ${NAME}
server: { token: "${INFINITY_SYNC_TOKEN:-}" }
timeout: ${T:-9s}
gcp: { project: "${UNSET_VAR:-fallback}-x" }
)",
                       testing::MapEnv({{"NAME", "from-env"}, {"INFINITY_SYNC_TOKEN", "s3cret"}}));
  EXPECT_EQ(c.project, "from-env");
  EXPECT_EQ(c.server.token, "s3cret");
  EXPECT_EQ(c.timeout, std::chrono::seconds(9));
  EXPECT_EQ(c.gcp.project, "fallback-x");
}

TEST(ConfigTest, ServerTokenDefaultsToInfinitySyncTokenUnlessTheFileSetsIt) {
  EnvLookup env = testing::MapEnv({{"INFINITY_SYNC_TOKEN", "from-env"}});
  EXPECT_EQ(MustParse("", env).server.token, "from-env");
  EXPECT_EQ(MustParse("server: { listen: \"127.0.0.1:0\" }\n", env).server.token, "from-env");
  EXPECT_EQ(MustParse("server: { token: written }\n", env).server.token, "written");
  // An empty token in the file turns the environment's off, as written.
  EXPECT_EQ(MustParse("server: { token: \"\" }\n", env).server.token, "");
  EXPECT_EQ(MustParse("").server.token, "");
  testing::TempDir dir;
  auto loaded = LoadConfig("", dir.path(), env);
  ASSERT_TRUE(std::holds_alternative<Config>(loaded));
  EXPECT_EQ(std::get<Config>(loaded).server.token, "from-env");
}

TEST(ConfigTest, UnknownKeyNamesPlaceAndSuggests) {
  EXPECT_EQ(
      ErrorOf("git:\n  fetch_timout: 5s\n"),
      "infinity-sync.yaml:2:3: git.fetch_timout: unknown key (did you mean \"fetch_timeout\"?)");
  EXPECT_EQ(ErrorOf("projet: x\n"),
            "infinity-sync.yaml:1:1: projet: unknown key (did you mean \"project\"?)");
  EXPECT_EQ(ErrorOf("zzzzzz: 1\n"), "infinity-sync.yaml:1:1: zzzzzz: unknown key");
}

TEST(ConfigTest, WrongTypesNamePlaceAndExpectation) {
  EXPECT_EQ(ErrorOf("git:\n  fetch: maybe\n"),
            "infinity-sync.yaml:2:10: git.fetch: expected true or false, got \"maybe\"");
  EXPECT_EQ(ErrorOf("git: [1, 2]\n"),
            "infinity-sync.yaml:1:6: git: expected a mapping of keys, got a list");
  EXPECT_EQ(ErrorOf("docker:\n  compose_files: compose.yaml\n"),
            "infinity-sync.yaml:2:18: docker.compose_files: expected a list, got \"compose.yaml\"");
  EXPECT_EQ(ErrorOf("project: {a: 1}\n"),
            "infinity-sync.yaml:1:10: project: expected a single value, got a mapping");
  EXPECT_EQ(ErrorOf("notify_after: lots\n"),
            "infinity-sync.yaml:1:15: notify_after: expected a whole number, got \"lots\"");
  EXPECT_EQ(ErrorOf("- a\n- b\n"),
            "infinity-sync.yaml:1:1: expected a mapping of keys, got a list");
}

TEST(ConfigTest, BadDurations) {
  EXPECT_EQ(ErrorOf("timeout: 15\n"),
            "infinity-sync.yaml:1:10: timeout: expected a duration like 500ms, 30s, 5m, 2h or "
            "30d, got \"15\" (missing unit)");
  EXPECT_EQ(ErrorOf("heartbeat:\n  cache_for: 1 minute\n"),
            "infinity-sync.yaml:2:14: heartbeat.cache_for: expected a duration like 500ms, 30s, "
            "5m, 2h or 30d, got \"1 minute\"");
  EXPECT_EQ(ErrorOf("timeout: 0\n"), "infinity-sync.yaml:1:10: timeout: must be more than 0");
}

TEST(ConfigTest, InvalidYamlNamesPlace) {
  std::string e = ErrorOf("git:\n  fetch: [unclosed\n");
  EXPECT_EQ(e.rfind("infinity-sync.yaml:", 0), 0u) << e;
  EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;
}

TEST(ConfigTest, CustomChecksAreValidated) {
  Config c = MustParse(R"(
checks:
  - { name: redis, type: tcp, address: "127.0.0.1:6379" }
  - { name: api, type: http, url: "http://127.0.0.1:8080/health", expect_status: 200, body_contains: ok }
  - { name: mx, type: dns, host: example.com, record: MX }
  - { name: lint, type: command, run: [make, lint], timeout: 60s }
)");
  ASSERT_EQ(c.checks.size(), 4u);
  EXPECT_EQ(c.checks[1].expect_status, 200);
  EXPECT_EQ(c.checks[3].run, (std::vector<std::string>{"make", "lint"}));
  EXPECT_EQ(c.checks[3].timeout, std::chrono::seconds(60));

  EXPECT_EQ(ErrorOf("checks:\n  - { name: a, type: tcp, address: x }\n  - { name: a, type: tcp, "
                    "address: y }\n"),
            "infinity-sync.yaml:3:13: checks[1].name: duplicate check name \"a\"");
  EXPECT_EQ(ErrorOf("checks:\n  - { name: a, type: ftp }\n"),
            "infinity-sync.yaml:2:22: checks[0].type: unknown check type \"ftp\" (did you mean "
            "\"tcp\"? expected tcp, http, dns or command)");
  EXPECT_EQ(ErrorOf("checks:\n  - { name: a, type: websocket }\n"),
            "infinity-sync.yaml:2:22: checks[0].type: unknown check type \"websocket\" (expected "
            "tcp, http, dns or command)");
  EXPECT_EQ(ErrorOf("checks:\n  - { name: a, type: http }\n"),
            "infinity-sync.yaml:2:5: checks[0].url: missing: a http check needs url");
  EXPECT_EQ(ErrorOf("checks:\n  - { name: git, type: tcp, address: x }\n"),
            "infinity-sync.yaml:2:13: checks[0].name: \"git\" is the name of a built-in check");
}

TEST(ConfigTest, BadAddressListsAreConfigErrorsAtTheirEntry) {
  EXPECT_EQ(
      ErrorOf("cloudflare:\n  domain: x.com\n  ip_ranges: [\"10.0.0.0/8\", \"10.0.0.0/33\"]\n"),
      "infinity-sync.yaml:3:29: cloudflare.ip_ranges[1]: " +
          std::string(ParseCidr("10.0.0.0/33").error()));
  std::string dns = ErrorOf("cloudflare:\n  domain: x.com\n  dns_servers: [dns.example]\n");
  EXPECT_NE(dns.find("infinity-sync.yaml:3:17: cloudflare.dns_servers[0]: "), std::string::npos)
      << dns;
  std::string custom =
      ErrorOf("checks:\n  - { name: a, type: dns, host: x, servers: [\"127.0.0.1:99999\"] }\n");
  EXPECT_NE(custom.find("checks[0].servers[0]: "), std::string::npos) << custom;
}

TEST(ConfigTest, NotifyEntriesAreValidated) {
  Config c = MustParse("notify:\n  - { type: slack, url: \"${HOOK}\", on: [Diverged, Failed] }\n",
                       testing::MapEnv({{"HOOK", "https://hooks.example/x"}}));
  ASSERT_EQ(c.notify.size(), 1u);
  EXPECT_EQ(c.notify[0].url, "https://hooks.example/x");
  EXPECT_EQ(ErrorOf("notify:\n  - { type: slack, url: x, on: [Divergd] }\n"),
            "infinity-sync.yaml:2:33: notify[0].on[0]: unknown status \"Divergd\" (did you mean "
            "\"Diverged\"?)");
  EXPECT_EQ(ErrorOf("notify:\n  - { type: mail, url: x }\n"),
            "infinity-sync.yaml:2:13: notify[0].type: expected slack, webhook, pagerduty, email, "
            "discord, teams or ntfy, got \"mail\"");
}

TEST(ConfigTest, KeyPathsCoverTheSchema) {
  const auto& paths = ConfigKeyPaths();
  for (const char* p :
       {"project", "timeout", "git.fetch_timeout", "docker.compose_files", "gcp.commit_label",
        "cloudflare.dns_servers", "heartbeat.targets.github.url", "server.token", "tls.ca_file",
        "checks[].body_contains", "notify[].on", "history.keep_for", "store", "notify_after"}) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), p), paths.end()) << p;
  }
}

TEST(ConfigTest, DeployBranchAndEdgeVersion) {
  Config c = MustParse(
      "git:\n  deploy_branch: release\ncloudflare:\n  domain: example.test\n"
      "  version: {url: \"https://example.test/version\", json_pointer: /commit}\n");
  EXPECT_EQ(c.git.deploy_branch, "release");
  EXPECT_EQ(c.cloudflare.version.url, "https://example.test/version");
  EXPECT_EQ(c.cloudflare.version.json_pointer, "/commit");
  EXPECT_TRUE(c.cloudflare.version.enabled());
  Config off = MustParse("");
  EXPECT_EQ(off.git.deploy_branch, "");
  EXPECT_FALSE(off.cloudflare.version.enabled());
  EXPECT_EQ(ErrorOf("cloudflare:\n  version: {json_pointer: commit}\n"),
            "infinity-sync.yaml:2:27: cloudflare.version.json_pointer: \"commit\" is not a JSON "
            "pointer (it starts with /)");
  EXPECT_EQ(ErrorOf("cloudflare:\n  version: {header: x-commit, json_pointer: /c}\n"),
            "infinity-sync.yaml:2:12: cloudflare.version: set header or json_pointer, not both");
  EXPECT_EQ(ErrorOf("cloudflare:\n  version: {url: \"https://x.test/v\"}\n"),
            "infinity-sync.yaml:2:12: cloudflare.version: url needs a header or a json_pointer "
            "to read");
  EXPECT_NE(ErrorOf("cloudflare:\n  version: {headr: x}\n").find("cloudflare.version.headr"),
            std::string::npos);
}

}  // namespace
// A value from the environment may be a secret: an error quotes the text as
// written in the file, never what it expanded to.
TEST(ConfigTest, TypeErrorsQuoteTheValueAsWrittenNotItsExpansion) {
  auto env = testing::MapEnv({{"SECRET", "hunter2-very-secret"}});
  for (const std::string yaml :
       {"timeout: ${SECRET}\n", "server:\n  max_connections: ${SECRET}\n",
        "git:\n  fetch: ${SECRET}\n", "checks:\n  - name: a\n    type: ${SECRET}\n"}) {
    std::string err = ErrorOf(yaml, env);
    EXPECT_EQ(err.find("hunter2"), std::string::npos) << err;
    EXPECT_NE(err.find("\"${SECRET}\""), std::string::npos) << err;
  }
}

TEST(ConfigTest, ServerHostsAndConnectionLimit) {
  Config d = MustParse("project: x\n");
  EXPECT_TRUE(d.server.allowed_hosts.empty());
  EXPECT_EQ(d.server.max_connections, 1024);
  Config c =
      MustParse("server:\n  allowed_hosts: [dash.example, box.lan]\n  max_connections: 64\n");
  EXPECT_EQ(c.server.allowed_hosts, (std::vector<std::string>{"dash.example", "box.lan"}));
  EXPECT_EQ(c.server.max_connections, 64);
  EXPECT_NE(ErrorOf("server: { max_connections: 0 }\n").find("server.max_connections"),
            std::string::npos);
}

TEST(ConfigTest, PublicBadgesIsABooleanOffByDefault) {
  EXPECT_FALSE(MustParse("project: x\n").server.public_badges);
  EXPECT_TRUE(MustParse("server: { public_badges: true }\n").server.public_badges);
  std::string error = ErrorOf("server: { public_badges: sometimes }\n");
  EXPECT_NE(error.find("server.public_badges"), std::string::npos) << error;
  EXPECT_NE(error.find("expected true or false"), std::string::npos) << error;
}

// `--config` naming something that is not a regular file: a clear error, not
// a hang (FIFO, device) and not the defaults (a directory).
TEST(ConfigTest, AConfigThatIsNotARegularFileIsAnError) {
  testing::TempDir dir;
  std::string fifo = dir / "fifo.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto message = [&](const std::string& path) {
    auto loaded = LoadConfig(path, dir.str(), testing::MapEnv({}));
    auto* err = std::get_if<ConfigError>(&loaded);
    return err == nullptr ? std::string("(loaded)") : err->ToString();
  };
  EXPECT_EQ(message(fifo), fifo +
                               ": cannot read the configuration file: it is a FIFO, not a "
                               "regular file");
  EXPECT_EQ(message(dir.str()),
            dir.str() +
                ": cannot read the configuration file: it is a directory, not a "
                "regular file");
  EXPECT_EQ(message("/dev/zero"),
            "/dev/zero: cannot read the configuration file: it is a character device, not a "
            "regular file");
  std::string big = dir / "big.yaml";
  testing::WriteFile(big, "# " + std::string(2 * 1024 * 1024, 'x') + "\n");
  EXPECT_EQ(message(big), big + ": cannot read the configuration file: it is larger than 1 MiB");
}

}  // namespace infinity_sync

namespace infinity_sync {
namespace {

// The custom check types are one table: each row's type is accepted, and
// without the key it needs, the error names that key.
TEST(ConfigTest, EveryCustomTypeRowIsAcceptedAndNeedsItsKey) {
  ASSERT_EQ(CustomCheckTypes().size(), 4u);
  for (const auto& type : CustomCheckTypes()) {
    std::string name(type.name);
    std::string needs(type.needs);
    EXPECT_EQ(FindCustomCheckType(name), &type);
    EXPECT_EQ(ErrorOf("checks:\n  - { name: a, type: " + name + " }\n"),
              "infinity-sync.yaml:2:5: checks[0]." + needs + ": missing: a " + name +
                  " check needs " + needs);
    std::string value = needs == "run" ? "[\"true\"]" : "x";
    Config c =
        MustParse("checks:\n  - { name: a, type: " + name + ", " + needs + ": " + value + " }\n");
    ASSERT_EQ(c.checks.size(), 1u);
    EXPECT_EQ(c.checks[0].type, name);
  }
  EXPECT_EQ(FindCustomCheckType("ftp"), nullptr);
  EXPECT_EQ(ErrorOf("checks:\n  - { name: a, type: htp, url: x }\n"),
            "infinity-sync.yaml:2:22: checks[0].type: unknown check type \"htp\" (did you mean "
            "\"http\"? expected tcp, http, dns or command)");
}

}  // namespace
}  // namespace infinity_sync
