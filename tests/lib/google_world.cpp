#include "lib/google_world.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

extern char** environ;

namespace infinity_sync::testing {

namespace fs = std::filesystem;

namespace {

// No test may ping the link-local metadata address (169.254.169.254) by
// default: every program a test starts inherits a loopback one instead.
[[maybe_unused]] const bool kMetadataIpSealed = [] {
  setenv("GCE_METADATA_IP", "127.0.0.1:1", 0);
  return true;
}();

void Sql(const std::string& path, const std::string& sql, const std::vector<std::string>& args) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK) << path;
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  for (std::size_t i = 0; i < args.size(); ++i) {
    sqlite3_bind_text(stmt, static_cast<int>(i + 1), args[i].c_str(), -1, SQLITE_TRANSIENT);
  }
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace

void WriteGcloudConfiguration(const std::string& dir, const std::string& name,
                              const std::string& ini, bool make_active) {
  fs::create_directories(fs::path(dir) / "configurations");
  WriteFile(dir + "/configurations/config_" + name, ini);
  if (make_active) WriteFile(dir + "/active_config", name);
}

void WriteGcloudAccount(const std::string& dir, const std::string& account,
                        const std::string& credential, const std::string& access_token,
                        const std::string& token_expiry) {
  fs::create_directories(dir);
  Sql(dir + "/credentials.db",
      "CREATE TABLE IF NOT EXISTS credentials (account_id TEXT PRIMARY KEY, value BLOB)", {});
  Sql(dir + "/credentials.db", "INSERT OR REPLACE INTO credentials VALUES (?, ?)",
      {account, credential});
  Sql(dir + "/access_tokens.db",
      "CREATE TABLE IF NOT EXISTS access_tokens (account_id TEXT PRIMARY KEY, access_token TEXT, "
      "token_expiry TIMESTAMP, rapt_token TEXT, id_token TEXT)",
      {});
  if (!access_token.empty()) {
    Sql(dir + "/access_tokens.db",
        "INSERT OR REPLACE INTO access_tokens VALUES (?, ?, ?, NULL, NULL)",
        {account, access_token, token_expiry});
  }
}

std::string GcloudExpiry(std::chrono::seconds from_now) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S.000000", &tm);
  return text;
}

void WriteSlowGcloud(const std::string& bin, const std::string& calls_file,
                     const std::string& prints, int sleep_seconds) {
  fs::create_directories(bin);
  WriteFile(calls_file, "");
  std::string path = bin + "/gcloud";
  WriteFile(path, "#!/bin/sh\necho \"$*\" >> '" + calls_file + "'\n/bin/sleep " +
                      std::to_string(sleep_seconds) + "\n" +
                      (prints.empty() ? "" : "printf '%s\\n' '" + prints + "'\n"));
  chmod(path.c_str(), 0755);
}

GoogleFake::GoogleFake(const nlohmann::json& config) {
  std::string config_path = dir_ / "config.json";
  std::string ready_path = dir_ / "ready";
  WriteFile(config_path, config.dump());
  WriteFile(dir_ / "requests.log", "");
  std::string script = std::string(INFINITY_SYNC_FIXTURES) + "/../fakes/google_fake.py";
  std::vector<std::string> args = {PythonPath(), script, config_path, dir_ / "requests.log"};
  FakeProcess started = StartFakeProcess(args, ready_path, "google_fake.py");
  pid_ = started.pid;
  if (pid_ > 0) port_ = std::stoi(started.where);
}

GoogleFake::~GoogleFake() { StopFakeProcess(pid_); }

std::vector<nlohmann::json> GoogleFake::Requests() const {
  return ReadRequestLog(dir_ / "requests.log");
}

int GoogleFake::Count(const std::string& path_prefix) const {
  int n = 0;
  for (const auto& r : Requests()) {
    n += r["path"].get<std::string>().rfind(path_prefix, 0) == 0 ? 1 : 0;
  }
  return n;
}

nlohmann::json FakeConfig(const nlohmann::json& services) {
  return {{"public_key", FixturePath("google/test_sa_key.pub.pem")},
          {"client_email", kTestSaEmail},
          {"kid", kTestSaKid},
          {"services", services}};
}

void WriteServiceAccountFile(const std::string& path, const std::string& token_uri,
                             const std::string& project_id, const std::string& key_fixture) {
  nlohmann::json sa = {{"type", "service_account"},
                       {"project_id", project_id},
                       {"private_key_id", kTestSaKid},
                       {"private_key", ReadFile(FixturePath(key_fixture))},
                       {"client_email", kTestSaEmail},
                       {"client_id", "100000000000000000001"},
                       {"auth_uri", "https://accounts.google.com/o/oauth2/auth"},
                       {"token_uri", token_uri},
                       {"universe_domain", "googleapis.com"}};
  if (project_id.empty()) sa.erase("project_id");
  WriteFile(path, sa.dump(2));
}

void WriteServiceDoc(const std::string& path, const std::string& fixture,
                     const std::string& commit) {
  std::string text = ReadFile(FixturePath("cloud_run/" + fixture));
  for (auto at = text.find(kFixtureCommit); at != std::string::npos;
       at = text.find(kFixtureCommit, at + commit.size())) {
    text.replace(at, std::string(kFixtureCommit).size(), commit);
  }
  WriteFile(path, text);
}

void WriteRevisionDoc(const std::string& path, const std::string& name, const std::string& commit) {
  nlohmann::json doc = nlohmann::json::parse(ReadFile(FixturePath("cloud_run/revision.json")));
  doc["name"] = "projects/demo-project/locations/us-central1/services/web/revisions/" + name;
  if (commit.empty()) {
    doc["labels"].erase("commit-sha");
  } else {
    doc["labels"]["commit-sha"] = commit;
  }
  WriteFile(path, doc.dump(2));
}

std::string RevisionPath(const std::string& name) { return ServicePath() + "/revisions/" + name; }

void WriteServiceWithTraffic(const std::string& path, const std::string& fixture,
                             const std::vector<std::pair<std::string, int>>& traffic,
                             const std::string& latest_ready) {
  nlohmann::json doc = nlohmann::json::parse(ReadFile(FixturePath("cloud_run/" + fixture)));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [revision, percent] : traffic) {
    nlohmann::json t = {{"type", "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"},
                        {"revision", revision}};
    if (percent != 0) t["percent"] = percent;  // v2 omits a 0
    list.push_back(t);
  }
  doc["traffic"] = list;
  doc["trafficStatuses"] = list;
  doc["latestReadyRevision"] = doc["latestCreatedRevision"] =
      "projects/demo-project/locations/us-central1/services/web/revisions/" + latest_ready;
  WriteFile(path, doc.dump(2));
}

std::string ServicePath(const std::string& project, const std::string& region,
                        const std::string& service) {
  return "/v2/projects/" + project + "/locations/" + region + "/services/" + service;
}

GcpWorld::GcpWorld(bool with_gcloud) {
  fs::create_directories(dir / "home");
  fs::create_directories(dir / "gcloud-config");
  fs::create_directories(dir / "bin");
  fs::create_symlink("/usr/bin/git", dir / "bin/git");
  std::string path = dir / "bin";
  if (with_gcloud) path += ":/usr/local/bin:/usr/bin:/bin";
  env = {{"HOME", dir / "home"},
         {"CLOUDSDK_CONFIG", dir / "gcloud-config"},
         {"GCE_METADATA_ROOT", "127.0.0.1:1"},
         {"GCE_METADATA_HOST", std::nullopt},
         {"GCE_METADATA_IP", "127.0.0.1:1"},
         {"CLOUDSDK_ACTIVE_CONFIG_NAME", std::nullopt},
         {"GOOGLE_CLOUD_QUOTA_PROJECT", std::nullopt},
         {"http_proxy", std::nullopt},
         {"HTTP_PROXY", std::nullopt},
         {"no_proxy", std::nullopt},
         {"NO_PROXY", std::nullopt},
         {"GOOGLE_APPLICATION_CREDENTIALS", std::nullopt},
         {"GOOGLE_OAUTH_ACCESS_TOKEN", std::nullopt},
         {"CLOUDSDK_CORE_PROJECT", std::nullopt},
         {"GOOGLE_CLOUD_PROJECT", std::nullopt},
         {"GCLOUD_PROJECT", std::nullopt},
         {"CLOUDSDK_CORE_ACCOUNT", std::nullopt},
         {"CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", std::nullopt},
         {"GH_TOKEN", std::nullopt},
         {"GITHUB_TOKEN", std::nullopt},
         {"GH_ENTERPRISE_TOKEN", std::nullopt},
         {"GITHUB_ENTERPRISE_TOKEN", std::nullopt},
         {"GH_HOST", std::nullopt},
         {"GIT_CONFIG_NOSYSTEM", "1"},
         {"NO_COLOR", "1"},
         {"PATH", path}};
}

void GcpWorld::WriteConfig(const std::string& gcp_yaml, const std::string& extra) const {
  WriteFile(config_path(), "project: web\nstatus_file: " + status_path() +
                               "\ntimeout: 10s\ngit:\n  repo: " + git.work() +
                               "\n  fetch: false\ngcp:\n" + gcp_yaml + "\n" + extra);
}

ProcessResult GcpWorld::Run(const std::vector<std::string>& args, nlohmann::json* doc) const {
  std::vector<std::string> argv = {ProgramPath(), "run"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--json", "--config", config_path()});
  ProcessResult res = testing::Run(argv, git.work(), env, std::chrono::milliseconds(60'000));
  *doc = nlohmann::json::parse(res.out, nullptr, false);
  EXPECT_FALSE(doc->is_discarded()) << "stdout is not JSON: " << res.out << "\nstderr: " << res.err;
  return res;
}

}  // namespace infinity_sync::testing
