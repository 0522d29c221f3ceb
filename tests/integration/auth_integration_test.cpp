// The auth check's GitHub half against a loopback server that answers GET /user
// like GitHub, and against stand-in `gh` programs.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "lib/program.h"

namespace infinity_sync {
namespace {

using namespace testing;

class AuthIntegrationTest : public ::testing::Test {
 protected:
  TempDir home;
  std::string bin = home / "bin";  // PATH: only what a test puts here
  EnvChanges env = HermeticEnv(home.str());

  void SetUp() override {
    std::filesystem::create_directories(bin);
    env["PATH"] = bin;
  }
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

nlohmann::json GitHubUser() {
  return {{"routes",
           {{{"method", "GET"},
             {"path", "/user"},
             {"require_headers", {{"Authorization", "Bearer ghp_good_token_123"}}},
             {"otherwise",
              {{"status", 401},
               {"body",
                {{"message", "Bad credentials"},
                 {"documentation_url", "https://docs.github.com/rest"},
                 {"status", "401"}}}}},
             {"status", 200},
             {"body", {{"login", "octocat"}, {"id", 1}, {"type", "User"}}}}}}};
}

TEST_F(AuthIntegrationTest, TokenVerifiedAgainstUserEndpoint) {
  FakeHttpServer github(GitHubUser());
  env["GH_TOKEN"] = "ghp_good_token_123";
  ProgramRun run = Auth(Config(github.url()));
  auto auth = run.doc["status"]["AuthCheck"];
  EXPECT_EQ(auth["Details"]["GitHubCLI"], true) << run.proc.out << run.proc.err;
  EXPECT_EQ(auth["Details"]["GitHubAccount"], "octocat");
  EXPECT_EQ(auth["Details"]["GitHubMethod"], "GH_TOKEN");
  // Google has no source on this PATH: one side only.
  EXPECT_EQ(auth["Details"]["GCloudCLI"], false);
  EXPECT_EQ(auth["Status"], "Partial");
  EXPECT_EQ(run.code(), 1);
  auto requests = github.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["headers"]["User-Agent"], "infinity-sync/0.1.0");
  EXPECT_EQ(requests[0]["headers"]["Accept"], "application/vnd.github+json");
  // The token never leaves the request.
  for (const std::string& text : {run.proc.out, run.proc.err, ReadFile(home / "status.json")}) {
    EXPECT_EQ(text.find("ghp_good_token_123"), std::string::npos);
  }
}

TEST_F(AuthIntegrationTest, GithubTokenIsUsedWhenGhTokenIsNot) {
  FakeHttpServer github(GitHubUser());
  env["GITHUB_TOKEN"] = "ghp_good_token_123";
  ProgramRun run = Auth(Config(github.url()));
  EXPECT_EQ(run.doc["status"]["AuthCheck"]["Details"]["GitHubMethod"], "GITHUB_TOKEN");
  EXPECT_EQ(run.doc["status"]["AuthCheck"]["Details"]["GitHubCLI"], true);
}

TEST_F(AuthIntegrationTest, RejectedTokenShowsGitHubsMessage) {
  FakeHttpServer github(GitHubUser());
  env["GH_TOKEN"] = "ghp_revoked";
  ProgramRun run = Auth(Config(github.url()));
  auto auth = run.doc["status"]["AuthCheck"];
  EXPECT_EQ(auth["Status"], "Failed");
  EXPECT_EQ(run.code(), 2);
  EXPECT_EQ(auth["Details"]["GitHubCLI"], false);
  EXPECT_EQ(auth["Data"]["github"]["problem"],
            "GitHub rejected the token in GH_TOKEN: Bad credentials (HTTP 401)");
  EXPECT_EQ(run.proc.out.find("ghp_revoked"), std::string::npos);
}

TEST_F(AuthIntegrationTest, UnreachableApiAndNoCredentialsSayWhy) {
  env["GH_TOKEN"] = "ghp_x";
  ProgramRun down = Auth(Config("http://127.0.0.1:" + std::to_string(FreePort())));
  std::string problem = down.doc["status"]["AuthCheck"]["Data"]["github"]["problem"];
  EXPECT_EQ(problem.rfind("cannot reach http://127.0.0.1:", 0), 0u) << problem;

  env["GH_TOKEN"] = std::nullopt;
  ProgramRun none = Auth(Config("http://127.0.0.1:1"));
  EXPECT_EQ(none.doc["status"]["AuthCheck"]["Data"]["github"]["problem"],
            "gh is not installed and neither GH_TOKEN nor GITHUB_TOKEN is set");
  EXPECT_EQ(none.doc["status"]["AuthCheck"]["Status"], "Failed");
}

TEST_F(AuthIntegrationTest, GhProgramDecidesByItsExitCode) {
  Script("gh",
         "echo 'github.com' >&2\necho '  ✓ Logged in to github.com account octocat (keyring)' "
         ">&2\nexit 0\n");
  ProgramRun ok = Auth(Config("http://127.0.0.1:1"));
  EXPECT_EQ(ok.doc["status"]["AuthCheck"]["Details"]["GitHubCLI"], true);
  EXPECT_EQ(ok.doc["status"]["AuthCheck"]["Details"]["GitHubMethod"], "gh");
  EXPECT_EQ(ok.doc["status"]["AuthCheck"]["Details"]["GitHubAccount"], "octocat");

  Script("gh",
         "echo 'You are not logged into any GitHub hosts. To log in, run: gh auth login' >&2\nexit "
         "1\n");
  ProgramRun no = Auth(Config("http://127.0.0.1:1"));
  EXPECT_EQ(no.doc["status"]["AuthCheck"]["Details"]["GitHubCLI"], false);
  EXPECT_EQ(no.doc["status"]["AuthCheck"]["Data"]["github"]["problem"],
            "gh is not logged in (run: gh auth login)");
}

TEST_F(AuthIntegrationTest, GcloudActiveAccountCountsForGoogle) {
  Script("gcloud", "echo '[{\"account\": \"dev@example.com\", \"status\": \"ACTIVE\"}]'\n");
  Script("gh", "exit 0\n");
  ProgramRun run = Auth(Config("http://127.0.0.1:1"));
  auto auth = run.doc["status"]["AuthCheck"];
  EXPECT_EQ(auth["Status"], "Success") << run.proc.out;
  EXPECT_EQ(auth["Details"]["GCloudCLI"], true);
  EXPECT_EQ(auth["Details"]["GCloudAccount"], "dev@example.com");
  EXPECT_EQ(run.code(), 0);
}

}  // namespace
}  // namespace infinity_sync
