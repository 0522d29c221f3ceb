// The auth check's GitHub half against a loopback server that answers GET /user
// like GitHub, and against stand-in `gh` programs.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "lib/google_world.h"
#include "lib/program.h"

namespace infinity_sync {
namespace {

using namespace testing;

class AuthIntegrationTest : public ::testing::Test {
 public:
  TempDir home;
  std::string bin = home / "bin";  // PATH: only what a test puts here
  EnvChanges env = HermeticEnv(home.str());

  void SetUp() override {
    std::filesystem::create_directories(bin);
    env["PATH"] = bin;
  }
  void WriteStatusText(const std::string& text) { WriteFile(bin + "/gh-status.txt", text); }
  void Script(const std::string& name, const std::string& body) {
    std::string path = bin + "/" + name;
    WriteFile(path, "#!/bin/sh\n" + body);
    chmod(path.c_str(), 0755);
  }
  std::string Config(const std::string& api_url) {
    return WriteConfig(home / "c.yaml", "github: { api_url: \"" + api_url +
                                            "\" }\nstatus_file: " + (home / "status.json") + "\n");
  }
  ProgramRun Auth(const std::string& cfg) {
    return RunProgram({"run", "--only", "auth", "--json", "--config", cfg}, home.str(), env);
  }
};

constexpr const char* kGood = "ghp_good_token_123";
constexpr const char* kStored = "gho_stored_by_gh_456";
constexpr const char* kInstallation = "ghs_installation_token_789";

// GET /user as GitHub answers it: a user for the good tokens, the integration
// 403 for an installation token, 401 for anything else.
nlohmann::json GitHubUser() {
  nlohmann::json user = {{"login", "octocat"}, {"id", 1}, {"type", "User"}};
  auto route = [&](const std::string& token, int status, const nlohmann::json& body) {
    return nlohmann::json{{"method", "GET"},
                          {"path", "/user"},
                          {"match_headers", {{"Authorization", "Bearer " + token}}},
                          {"status", status},
                          {"body", body}};
  };
  return {{"routes",
           {route(kGood, 200, user),
            route(kStored, 200, user),
            route(kInstallation, 403,
                  {{"message", "Resource not accessible by integration"},
                   {"documentation_url",
                    "https://docs.github.com/rest/users/users#get-the-authenticated-user"},
                   {"status", "403"}}),
            {{"method", "GET"},
             {"path", "/user"},
             {"status", 401},
             {"body",
              {{"message", "Bad credentials"},
               {"documentation_url", "https://docs.github.com/rest"},
               {"status", "401"}}}}}}};
}

// The host gh is asked about for a loopback API: "127.0.0.1:PORT".
std::string HostOf(const FakeHttpServer& server) {
  return "127.0.0.1:" + std::to_string(server.port());
}

TEST_F(AuthIntegrationTest, EnterpriseTokenVerifiedAgainstUserEndpoint) {
  FakeHttpServer github(GitHubUser());
  env["GH_ENTERPRISE_TOKEN"] = kGood;
  ProgramRun run = Auth(Config(github.url()));
  auto auth = run.doc["status"]["AuthCheck"];
  EXPECT_EQ(auth["Details"]["GitHubCLI"], true) << run.proc.out << run.proc.err;
  EXPECT_EQ(auth["Details"]["GitHubAccount"], "octocat");
  EXPECT_EQ(auth["Details"]["GitHubMethod"], "GH_ENTERPRISE_TOKEN");
  // Google has no source in this sealed environment: one side only.
  EXPECT_EQ(auth["Details"]["GCloudCLI"], false);
  EXPECT_EQ(auth["Status"], "Partial");
  EXPECT_EQ(run.code(), 1);
  auto requests = github.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["headers"]["User-Agent"], "infinity-sync/0.1.0");
  EXPECT_EQ(requests[0]["headers"]["Accept"], "application/vnd.github+json");
  // The token never leaves the request.
  for (const std::string& text : {run.proc.out, run.proc.err, ReadFile(home / "status.json")}) {
    EXPECT_EQ(text.find(kGood), std::string::npos);
  }
}

TEST_F(AuthIntegrationTest, TokenVariablesFollowTheHostAsInGh) {
  FakeHttpServer github(GitHubUser());
  env["GITHUB_ENTERPRISE_TOKEN"] = kGood;
  ProgramRun second = Auth(Config(github.url()));
  EXPECT_EQ(second.doc["status"]["AuthCheck"]["Details"]["GitHubMethod"],
            "GITHUB_ENTERPRISE_TOKEN");
  EXPECT_EQ(second.doc["status"]["AuthCheck"]["Details"]["GitHubCLI"], true);

  // GH_TOKEN and GITHUB_TOKEN are github.com's: gh does not send them to an
  // Enterprise Server host, and neither does this.
  env["GITHUB_ENTERPRISE_TOKEN"] = std::nullopt;
  env["GH_TOKEN"] = kGood;
  env["GITHUB_TOKEN"] = kGood;
  ProgramRun dotcom_only = Auth(Config(github.url()));
  EXPECT_EQ(dotcom_only.doc["status"]["AuthCheck"]["Data"]["github"]["problem"],
            "gh is not installed and neither GH_ENTERPRISE_TOKEN nor GITHUB_ENTERPRISE_TOKEN is "
            "set (" +
                HostOf(github) + " is a GitHub Enterprise Server host)");
  EXPECT_EQ(github.Requests().size(), 1u);
}

TEST_F(AuthIntegrationTest, RejectedTokenShowsGitHubsMessage) {
  FakeHttpServer github(GitHubUser());
  env["GH_ENTERPRISE_TOKEN"] = "ghp_revoked";
  ProgramRun run = Auth(Config(github.url()));
  auto auth = run.doc["status"]["AuthCheck"];
  EXPECT_EQ(auth["Status"], "Failed");
  EXPECT_EQ(run.code(), 2);
  EXPECT_EQ(auth["Details"]["GitHubCLI"], false);
  EXPECT_EQ(auth["Data"]["github"]["problem"],
            "GitHub rejected the token in GH_ENTERPRISE_TOKEN: Bad credentials (HTTP 401)");
  EXPECT_EQ(run.proc.out.find("ghp_revoked"), std::string::npos);
}

TEST_F(AuthIntegrationTest, InstallationTokenIsValidThoughUserIsRefused) {
  FakeHttpServer github(GitHubUser());
  env["GH_ENTERPRISE_TOKEN"] = kInstallation;
  ProgramRun run = Auth(Config(github.url()));
  auto auth = run.doc["status"]["AuthCheck"];
  EXPECT_EQ(auth["Details"]["GitHubCLI"], true) << auth.dump(2);
  EXPECT_EQ(auth["Details"]["GitHubMethod"], "GitHub App installation token");
  EXPECT_FALSE(auth["Details"].contains("GitHubAccount"));
  EXPECT_EQ(auth["Data"]["github"]["authenticated"], true);
}

TEST_F(AuthIntegrationTest, UnreachableApiAndNoCredentialsSayWhy) {
  env["GH_ENTERPRISE_TOKEN"] = "ghp_x";
  ProgramRun down = Auth(Config("http://127.0.0.1:" + std::to_string(FreePort())));
  std::string problem = down.doc["status"]["AuthCheck"]["Data"]["github"]["problem"];
  EXPECT_EQ(problem.rfind("cannot reach http://127.0.0.1:", 0), 0u) << problem;

  env["GH_ENTERPRISE_TOKEN"] = std::nullopt;
  ProgramRun none = Auth(Config("https://api.github.com"));
  EXPECT_EQ(none.doc["status"]["AuthCheck"]["Data"]["github"]["problem"],
            "gh is not installed and neither GH_TOKEN nor GITHUB_TOKEN is set");
  EXPECT_EQ(none.doc["status"]["AuthCheck"]["Status"], "Failed");
}

// A gh stand-in: logs its arguments, answers `auth token` and `auth status`
// the way the gh version `version` does for a machine logged in to `host` as
// octocat with `token`, plus a second host whose token went stale.
void GhStandIn(AuthIntegrationTest* t, const std::string& version, const std::string& host,
               const std::string& token) {
  std::string stale =
      "ghe.stale.example\n"
      "  X Failed to log in to ghe.stale.example account octocat (keyring)\n"
      "  - Active account: true\n"
      "  - The token in keyring is invalid.\n"
      "  - To re-authenticate, run: gh auth login -h ghe.stale.example\n"
      "  - To forget about this account, run: gh auth logout -h ghe.stale.example -u octocat\n";
  std::string modern_status = host + "\n  ✓ Logged in to " + host +
                              " account octocat (keyring)\n  - Active account: true\n"
                              "  - Git operations protocol: https\n"
                              "  - Token: gho_************************************\n"
                              "  - Token scopes: 'gist', 'read:org', 'repo', 'workflow'\n" +
                              "  ✓ Logged in to " + host +
                              " account octo-work (keyring)\n  - Active account: false\n\n" + stale;
  std::string body = "echo \"$*\" >> '" + t->bin + "/gh-calls.log'\n";
  if (version == "2.14") {
    body +=
        "if [ \"$2\" = token ]; then\n"
        "  printf 'unknown command \"token\" for \"gh auth\"\\n\\nUsage:  gh auth <command> "
        "[flags]\\n\\nAvailable commands:\\n  login\\n  logout\\n  refresh\\n  setup-git\\n  "
        "status\\n\\n' >&2\n  exit 1\nfi\n"
        "if [ \"$2\" = status ] && [ \"$4\" = '" +
        host +
        "' ]; then\n"
        "  printf '%s\\n' '" +
        host + "' '  ✓ Logged in to " + host +
        " as octocat (/home/u/.config/gh/hosts.yml)' '  ✓ Git operations for " + host +
        " configured to use https protocol.' '  ✓ Token: *******************' >&2\n  exit 0\nfi\n"
        "echo 'You are not logged into any GitHub hosts. Run gh auth login to authenticate.' "
        ">&2\nexit 1\n";
  } else {
    // 2.45 exits 0 from `auth status` whatever the tokens; 2.63 exits 1 for the stale host.
    std::string status_exit = version == "2.45" ? "0" : "1";
    std::string status_text =
        version == "2.45" ? host + "\n  ✓ Logged in to " + host + " account octocat (keyring)\n"
                          : modern_status;
    t->WriteStatusText(status_text);
    body +=
        "if [ \"$2\" = token ]; then\n"
        "  if [ \"$4\" = '" +
        host + "' ] && [ -n '" + token + "' ]; then echo '" + token +
        "'; exit 0; fi\n"
        "  echo \"no oauth token found for $4\" >&2\n  exit 1\nfi\n"
        "cat '" +
        t->bin + "/gh-status.txt' >&2\nexit " + status_exit + "\n";
  }
  t->Script("gh", body);
}

TEST_F(AuthIntegrationTest, GhIsAskedForTheHostsTokenNotForItsOverallStatus) {
  FakeHttpServer github(GitHubUser());
  GhStandIn(this, "2.63", HostOf(github), kStored);
  ProgramRun run = Auth(Config(github.url()));
  auto auth = run.doc["status"]["AuthCheck"];
  EXPECT_EQ(auth["Details"]["GitHubCLI"], true) << auth.dump(2);
  EXPECT_EQ(auth["Details"]["GitHubMethod"], "gh");
  EXPECT_EQ(auth["Details"]["GitHubAccount"], "octocat");
  EXPECT_EQ(ReadFile(bin + "/gh-calls.log"), "auth token --hostname " + HostOf(github) + "\n");
  ASSERT_EQ(github.Requests().size(), 1u);
  EXPECT_EQ(github.Requests()[0]["headers"]["Authorization"], std::string("Bearer ") + kStored);
  for (const std::string& text : {run.proc.out, run.proc.err, ReadFile(home / "status.json")}) {
    EXPECT_EQ(text.find(kStored), std::string::npos);
  }
}

TEST_F(AuthIntegrationTest, AnInvalidStoredTokenFailsEvenWhereGhStatusSaysYes) {
  FakeHttpServer github(GitHubUser());
  GhStandIn(this, "2.45", HostOf(github), "gho_revoked_by_github");
  ProgramRun run = Auth(Config(github.url()));
  auto auth = run.doc["status"]["AuthCheck"];
  EXPECT_EQ(auth["Details"]["GitHubCLI"], false);
  EXPECT_EQ(auth["Data"]["github"]["problem"],
            "GitHub rejected gh's token for " + HostOf(github) +
                ": Bad credentials (HTTP 401) (run: gh auth login --hostname " + HostOf(github) +
                ")");
}

TEST_F(AuthIntegrationTest, GhWithoutATokenForTheHost) {
  FakeHttpServer github(GitHubUser());
  GhStandIn(this, "2.63", "github.com", kStored);  // logged in elsewhere only
  ProgramRun run = Auth(Config(github.url()));
  EXPECT_EQ(run.doc["status"]["AuthCheck"]["Data"]["github"]["problem"],
            "gh has no token for " + HostOf(github) +
                " and neither GH_ENTERPRISE_TOKEN nor GITHUB_ENTERPRISE_TOKEN is set (run: gh auth "
                "login --hostname " +
                HostOf(github) + ")");
  EXPECT_TRUE(github.Requests().empty());
}

TEST_F(AuthIntegrationTest, OldGhWithoutAuthTokenFallsBackToStatusForTheHost) {
  FakeHttpServer github(GitHubUser());
  GhStandIn(this, "2.14", HostOf(github), "");
  ProgramRun run = Auth(Config(github.url()));
  auto auth = run.doc["status"]["AuthCheck"];
  EXPECT_EQ(auth["Details"]["GitHubCLI"], true) << auth.dump(2);
  EXPECT_EQ(auth["Details"]["GitHubAccount"], "octocat");
  EXPECT_EQ(ReadFile(bin + "/gh-calls.log"), "auth token --hostname " + HostOf(github) +
                                                 "\nauth status --hostname " + HostOf(github) +
                                                 "\n");
  EXPECT_NE(auth["Data"]["github"]["note"].get<std::string>().find("predates `gh auth token`"),
            std::string::npos);
  EXPECT_TRUE(github.Requests().empty());
}

TEST_F(AuthIntegrationTest, EnvironmentTokenWinsOverGhsAndGhHostPicksTheHost) {
  FakeHttpServer github(GitHubUser());
  GhStandIn(this, "2.63", HostOf(github), kStored);
  env["GH_ENTERPRISE_TOKEN"] = kGood;
  ProgramRun run = Auth(Config(github.url()));
  EXPECT_EQ(run.doc["status"]["AuthCheck"]["Details"]["GitHubMethod"], "GH_ENTERPRISE_TOKEN");
  EXPECT_EQ(ReadFile(bin + "/gh-calls.log"), "")
      << "gh was asked although the environment had a token";

  // With github.api_url at its default, GH_HOST names the host gh is asked about.
  env["GH_ENTERPRISE_TOKEN"] = std::nullopt;
  env["GH_HOST"] = "ghe.example.test";
  ProgramRun by_host = Auth(Config("https://api.github.com"));
  EXPECT_EQ(ReadFile(bin + "/gh-calls.log"), "auth token --hostname ghe.example.test\n");
  EXPECT_NE(by_host.doc["status"]["AuthCheck"]["Data"]["github"]["problem"].get<std::string>().find(
                "gh has no token for ghe.example.test and neither GH_ENTERPRISE_TOKEN"),
            std::string::npos);
}

TEST_F(AuthIntegrationTest, GcloudFilesCountForGoogleWithoutStartingGcloud) {
  FakeHttpServer github(GitHubUser());
  GhStandIn(this, "2.63", HostOf(github), kStored);
  WriteSlowGcloud(bin, home / "gcloud-calls.log");
  std::string gcloud = home / "gcloud";
  WriteGcloudConfiguration(gcloud, "default", "[core]\naccount = dev@example.com\n");
  WriteGcloudAccount(gcloud, "dev@example.com",
                     R"({"type":"authorized_user","client_id":"c","client_secret":"s",)"
                     R"("refresh_token":"r"})",
                     "ya29.cached-token", GcloudExpiry(std::chrono::seconds(3000)));
  ProgramRun run = Auth(Config(github.url()));
  auto auth = run.doc["status"]["AuthCheck"];
  EXPECT_EQ(auth["Status"], "Success") << run.proc.out;
  EXPECT_EQ(auth["Details"]["GCloudCLI"], true);
  EXPECT_EQ(auth["Details"]["GCloudAccount"], "dev@example.com");
  EXPECT_EQ(run.code(), 0);
  EXPECT_EQ(ReadFile(home / "gcloud-calls.log"), "");
}

}  // namespace
}  // namespace infinity_sync
