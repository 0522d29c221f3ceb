#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/git_world.h"
#include "lib/test_support.h"

namespace infinity_sync::testing {

// The loopback Google stand-in (tests/fakes/google_fake.py): token endpoint,
// metadata server and Cloud Run v2, from a JSON config (see the script).
class GoogleFake {
 public:
  explicit GoogleFake(const nlohmann::json& config);
  ~GoogleFake();
  GoogleFake(const GoogleFake&) = delete;
  GoogleFake& operator=(const GoogleFake&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string token_uri() const { return url() + "/token"; }
  // Requests so far: {method, path, body, headers}.
  std::vector<nlohmann::json> Requests() const;
  int Count(const std::string& path_prefix) const;

 private:
  TempDir dir_;
  int pid_ = -1;
  int port_ = 0;
};

// The fixture service account ("sa@demo-project.iam.gserviceaccount.com", kid "k1").
inline constexpr const char* kTestSaEmail = "sa@demo-project.iam.gserviceaccount.com";
inline constexpr const char* kTestSaKid = "k1";
// The commit the saved Service documents carry in their commit-sha label.
inline constexpr const char* kFixtureCommit = "3f9a2c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";

// A fake config that verifies the fixture service account and knows `services`
// ({api path: {status, body_file}}).
nlohmann::json FakeConfig(const nlohmann::json& services = nlohmann::json::object());

// Writes a service-account credentials file signed with `key_fixture`
// (tests/fixtures/google/...) and pointing at `token_uri`.
void WriteServiceAccountFile(const std::string& path, const std::string& token_uri,
                             const std::string& project_id = "demo-project",
                             const std::string& key_fixture = "google/test_sa_key.pem");

// A saved Service document with its commit label set to `commit`, written to `path`.
void WriteServiceDoc(const std::string& path, const std::string& fixture,
                     const std::string& commit);

// The saved Revision document as revision `name` of service "web", its
// commit-sha label set to `commit` (none when empty), written to `path`.
void WriteRevisionDoc(const std::string& path, const std::string& name, const std::string& commit);

// "/v2/projects/demo-project/locations/us-central1/services/web/revisions/NAME".
std::string RevisionPath(const std::string& name);

// A Service document from `fixture` with its trafficStatuses (and desired
// traffic) replaced: {revision: percent} in that order, each by name;
// `latest_ready` becomes latestReadyRevision and latestCreatedRevision.
void WriteServiceWithTraffic(const std::string& path, const std::string& fixture,
                             const std::vector<std::pair<std::string, int>>& traffic,
                             const std::string& latest_ready);

// "/v2/projects/P/locations/R/services/S".
std::string ServicePath(const std::string& project = "demo-project",
                        const std::string& region = "us-central1",
                        const std::string& service = "web");

// gcloud's configuration folder as gcloud writes it: configurations/config_NAME
// with `ini`, active_config naming NAME (when `make_active`).
void WriteGcloudConfiguration(const std::string& dir, const std::string& name,
                              const std::string& ini, bool make_active = true);

// A row for `account` in dir/credentials.db (value `credential`, a JSON text)
// and, when `access_token` is not empty, in dir/access_tokens.db with
// `token_expiry` ("2026-01-02 03:04:05.000000", UTC), both made with SQLite in
// gcloud's layout.
void WriteGcloudAccount(const std::string& dir, const std::string& account,
                        const std::string& credential, const std::string& access_token = "",
                        const std::string& token_expiry = "");

// token_expiry text for `from_now` from now, as gcloud writes it.
std::string GcloudExpiry(std::chrono::seconds from_now);

// A `gcloud` stand-in in `bin` that appends its arguments to `calls_file` and
// sleeps 5 s (as slow as the real one is to start, and more): a test asserts
// the file stays empty.
void WriteSlowGcloud(const std::string& bin, const std::string& calls_file,
                     const std::string& prints = "", int sleep_seconds = 5);

// A git world plus a sealed environment: HOME and CLOUDSDK_CONFIG are empty
// temp folders, no Google/GitHub variables, the metadata server refused, and
// PATH holds only git (and gcloud's folder when `with_gcloud`).
class GcpWorld {
 public:
  explicit GcpWorld(bool with_gcloud = false);
  GitWorld git;
  TempDir dir;
  std::map<std::string, std::optional<std::string>> env;
  std::string config_path() const { return dir / "infinity-sync.yaml"; }
  std::string status_path() const { return dir / "status.json"; }
  // Writes the config: git repo = the work clone, no fetch, and `gcp_yaml`
  // (lines under "gcp:", already indented by two spaces) plus `extra` at top level.
  void WriteConfig(const std::string& gcp_yaml, const std::string& extra = "") const;
  // Runs the program with `args` + --json --config; parses stdout.
  ProcessResult Run(const std::vector<std::string>& args, nlohmann::json* doc) const;
};

}  // namespace infinity_sync::testing
