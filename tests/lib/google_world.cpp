#include "lib/google_world.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

extern char** environ;

namespace infinity_sync::testing {

namespace fs = std::filesystem;

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
         {"GCE_METADATA_IP", std::nullopt},
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
