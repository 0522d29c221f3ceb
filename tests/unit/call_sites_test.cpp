// The call sites converted to CallScope (issue 13), each through its real
// function with the fake ports and a spent deadline: every port call gets a
// 1 ms timeout (never 0, never unbounded), carries the check's stop token and
// leaves no token in the evidence. Plus: a token endpoint's retry back-off
// ends when the check is stopped, and the auth check's two sides keep their
// evidence apart.
#include <thread>

#include <gtest/gtest.h>

#include "checks/auth_check.h"
#include "checks/docker_check.h"
#include "checks/gcp_ci.h"
#include "checks/gcp_project.h"
#include "checks/git_deploy.h"
#include "checks/google_credentials.h"
#include "checks/google_token_exchange.h"
#include "cloud/docker_engine.h"
#include "lib/fake_ports.h"
#include "lib/test_support.h"

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;

HttpResponse Answer(int status, const std::string& body,
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.answered = true;
  r.status = status;
  r.body = body;
  r.headers = std::move(headers);
  return r;
}

ProcessResult Exit(int code, std::string out = "", std::string err = "") {
  ProcessResult r;
  r.started = true;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

// A check context whose deadline passed five seconds ago, with a stop of its own.
struct SpentWorld {
  testing::FakeWorld w;
  Config config;
  std::stop_source stop;
  testing::TempDir dir;
  std::unique_ptr<CheckContext> ctx;

  SpentWorld() { w.env["HOME"] = dir.str(); }
  const CheckContext& Ctx() {
    if (!ctx) {
      ctx = std::make_unique<CheckContext>(
          config, w.ports, std::chrono::steady_clock::now() - std::chrono::seconds(5),
          stop.get_token());
    }
    return *ctx;
  }

  // Every request the fakes saw had 1 ms and the stop token; at least one was made.
  void ExpectBoundedAndStoppable(const std::string& what) {
    auto processes = w.process.requests();
    auto https = w.http.requests();
    EXPECT_FALSE(processes.empty() && https.empty()) << what << ": no port call at all";
    stop.request_stop();
    for (const auto& r : processes) {
      EXPECT_EQ(r.timeout, milliseconds(1)) << what << ": " << CommandLine(r.argv);
      EXPECT_TRUE(r.stop.stop_requested()) << what << ": " << CommandLine(r.argv);
    }
    for (const auto& r : https) {
      EXPECT_EQ(r.timeout, milliseconds(1)) << what << ": " << r.url;
      EXPECT_TRUE(r.stop.stop_requested()) << what << ": " << r.url;
    }
  }

  // The evidence lines so far; none may hold `secret`.
  std::vector<std::string> Evidence(const std::string& secret) {
    auto lines = Ctx().TakeEvidence();
    for (const auto& l : lines) EXPECT_EQ(l.find(secret), std::string::npos) << l;
    return lines;
  }
};

bool HasLineStartingWith(const std::vector<std::string>& lines, const std::string& start) {
  for (const auto& l : lines) {
    if (l.rfind(start, 0) == 0) return true;
  }
  return false;
}

TEST(CallSites, GhAuthTokenWithNoTimeLeft) {
  SpentWorld s;
  s.w.process.installed = {"gh"};
  s.w.process.answer = [](const ProcessRequest&) { return Exit(0, "gho_secret\n"); };
  CheckGitHubAuth(s.Ctx());
  ASSERT_EQ(s.w.process.requests().size(), 1u);
  EXPECT_EQ(CommandLine(s.w.process.requests()[0].argv), "gh auth token --hostname github.com");
  s.ExpectBoundedAndStoppable("gh auth token");
  auto lines = s.Evidence("gho_secret");
  EXPECT_TRUE(HasLineStartingWith(lines, "gh auth token --hostname github.com -> exit 0 ("))
      << lines.size();
}

TEST(CallSites, GhAuthStatusOfAnOldGhWithNoTimeLeft) {
  SpentWorld s;
  s.w.process.installed = {"gh"};
  s.w.process.answer = [](const ProcessRequest& r) {
    if (r.argv.at(2) == "token") return Exit(1, "", "unknown command \"token\" for \"gh auth\"");
    return Exit(0, "", "Logged in to github.com as octocat (oauth_token)");
  };
  AuthSide side = CheckGitHubAuth(s.Ctx());
  EXPECT_TRUE(side.authenticated);
  EXPECT_EQ(side.account, "octocat");
  ASSERT_EQ(s.w.process.requests().size(), 2u);
  EXPECT_EQ(CommandLine(s.w.process.requests()[1].argv), "gh auth status --hostname github.com");
  s.ExpectBoundedAndStoppable("gh auth status");
  auto lines = s.Evidence("oauth_token");
  EXPECT_TRUE(HasLineStartingWith(lines, "gh auth status --hostname github.com -> exit 0 ("));
}

TEST(CallSites, CiLookupsGhTokenWithNoTimeLeft) {
  SpentWorld s;
  s.w.process.installed = {"gh"};
  s.w.process.answer = [](const ProcessRequest&) { return Exit(0, "gho_secret\n"); };
  FetchCommitCi(s.Ctx(), "https://github.com/acme/app.git", std::string(40, 'a'));
  ASSERT_GE(s.w.process.requests().size(), 1u);
  EXPECT_EQ(CommandLine(s.w.process.requests()[0].argv), "gh auth token --hostname github.com");
  ASSERT_GE(s.w.http.requests().size(), 1u) << "the CI lookup itself";
  s.ExpectBoundedAndStoppable("gcp CI");
  s.Evidence("gho_secret");
}

TEST(CallSites, DeployBranchGitWithNoTimeLeft) {
  SpentWorld s;
  s.config.git.repo = s.dir.str();
  s.w.process.answer = [](const ProcessRequest& r) {
    if (r.argv.at(1) == "status") {
      std::string out = "# branch.oid " + std::string(40, 'a') + '\0' + "# branch.head main" +
                        '\0' + "# branch.upstream origin/main" + '\0';
      return Exit(0, out);
    }
    if (r.argv.at(1) == "for-each-ref") {
      return Exit(0, "refs/remotes/origin/main " + std::string(40, 'b') + " \n");
    }
    return Exit(0, "0 1\n");
  };
  DeployBranchFacts f = ReadDeployBranch(s.Ctx());
  EXPECT_EQ(f.tip, std::string(40, 'b'));
  ASSERT_GE(s.w.process.requests().size(), 3u);
  for (const auto& r : s.w.process.requests()) EXPECT_EQ(r.cwd, s.dir.str());
  s.ExpectBoundedAndStoppable("deploy branch git");
  auto lines = s.Evidence("no secret here");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "git runs in " + s.dir.str()) << "the folder is said once, first";
  EXPECT_TRUE(HasLineStartingWith(
      lines, "git status --porcelain=v2 --branch -z --untracked-files=no -> exit 0 ("));
}

TEST(CallSites, TokenEndpointWithNoTimeLeft) {
  SpentWorld s;
  testing::WriteFile(s.dir / "adc.json",
                     R"({"type":"authorized_user","client_id":"c","client_secret":"s",
                         "refresh_token":"r","token_uri":"http://127.0.0.1:9/token"})");
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.dir / "adc.json";
  s.w.http.answer = [](const HttpRequest&) {
    return Answer(200, R"({"access_token":"ya29.secret","expires_in":3599})");
  };
  GoogleTokenSource source;
  GoogleAuthOutcome out = source.Get(s.Ctx());
  EXPECT_TRUE(out.ok) << out.problem;
  ASSERT_EQ(s.w.http.requests().size(), 1u);
  EXPECT_EQ(s.w.http.requests()[0].method, "POST");
  s.ExpectBoundedAndStoppable("token endpoint");
  auto lines = s.Evidence("ya29.secret");
  EXPECT_TRUE(HasLineStartingWith(lines, "POST http://127.0.0.1:9/token -> HTTP 200 ("));
  EXPECT_TRUE(HasLineStartingWith(lines, "Google token: from authorized user file"));
}

TEST(CallSites, SubjectTokenUrlAndStsWithNoTimeLeft) {
  SpentWorld s;
  testing::WriteFile(s.dir / "wif.json", R"({"type":"external_account","audience":"aud",
      "subject_token_type":"urn:ietf:params:oauth:token-type:jwt",
      "token_url":"http://127.0.0.1:9/sts",
      "credential_source":{"url":"http://127.0.0.1:9/subject"}})");
  s.w.env["GOOGLE_APPLICATION_CREDENTIALS"] = s.dir / "wif.json";
  s.w.http.answer = [](const HttpRequest& r) {
    if (r.url.find("/subject") != std::string::npos) return Answer(200, "subject-secret");
    return Answer(200, R"({"access_token":"ya29.secret","expires_in":3599})");
  };
  GoogleTokenSource source;
  EXPECT_TRUE(source.Get(s.Ctx()).ok);
  ASSERT_EQ(s.w.http.requests().size(), 2u);
  s.ExpectBoundedAndStoppable("subject token and STS");
  auto lines = s.Evidence("secret");
  EXPECT_TRUE(HasLineStartingWith(lines, "GET http://127.0.0.1:9/subject -> HTTP 200 ("));
  EXPECT_TRUE(HasLineStartingWith(lines, "POST http://127.0.0.1:9/sts -> HTTP 200 ("));
}

TEST(CallSites, GcloudPrintAccessTokenWithNoTimeLeft) {
  SpentWorld s;
  std::string gcloud = s.dir / ".config/gcloud";
  testing::WriteFile(gcloud + "/configurations/config_default", "[core]\naccount = me@x.com\n");
  testing::WriteFile(gcloud + "/credentials.db", "this is not a database");
  s.w.process.installed = {"gcloud"};
  s.w.process.answer = [](const ProcessRequest&) { return Exit(0, "ya29.secret\n"); };
  GoogleTokenSource source;
  GoogleAuthOutcome out = source.Get(s.Ctx());
  EXPECT_TRUE(out.ok) << out.problem;
  EXPECT_EQ(out.method, "gcloud");
  ASSERT_EQ(s.w.process.requests().size(), 1u);
  EXPECT_EQ(CommandLine(s.w.process.requests()[0].argv), "gcloud auth print-access-token");
  s.ExpectBoundedAndStoppable("gcloud auth print-access-token");
  auto lines = s.Evidence("ya29.secret");
  EXPECT_TRUE(HasLineStartingWith(lines, "gcloud's files cannot be read ("));
  EXPECT_TRUE(HasLineStartingWith(lines, "gcloud auth print-access-token -> exit 0 ("));
}

TEST(CallSites, MetadataPingTokenAndProjectWithNoTimeLeft) {
  const std::vector<std::pair<std::string, std::string>> flavor = {{"metadata-flavor", "Google"}};
  SpentWorld s;
  s.w.env.erase("HOME");
  s.w.env["GCE_METADATA_HOST"] = "127.0.0.1:1";
  s.w.http.answer = [&](const HttpRequest& r) {
    if (r.url.find("/token") != std::string::npos) {
      return Answer(200, R"({"access_token":"ya29.secret","expires_in":3599})", flavor);
    }
    if (r.url.find("/project-id") != std::string::npos) return Answer(200, "proj-1\n", flavor);
    return Answer(200, r.url.find("/email") != std::string::npos ? "vm@p.iam" : "ok", flavor);
  };
  GoogleTokenSource source;
  s.ctx = std::make_unique<CheckContext>(s.config, s.w.ports,
                                         std::chrono::steady_clock::now() - std::chrono::seconds(5),
                                         s.stop.get_token(), &source);
  GoogleAuthOutcome out = source.Get(s.Ctx());
  EXPECT_TRUE(out.ok) << out.problem;
  EXPECT_EQ(out.method, "metadata server");
  GcpProject project = DiscoverGcpProject(s.Ctx());
  EXPECT_EQ(project.id, "proj-1");
  EXPECT_EQ(project.source, "metadata server");
  // ping, token, email, project-id (the ping is remembered by the shared source).
  ASSERT_EQ(s.w.http.requests().size(), 4u);
  for (const auto& r : s.w.http.requests()) EXPECT_TRUE(r.no_proxy) << r.url;
  s.ExpectBoundedAndStoppable("metadata server");
  auto lines = s.Evidence("ya29.secret");
  EXPECT_TRUE(HasLineStartingWith(lines, "GET http://127.0.0.1:1/ -> HTTP 200 ("));
  EXPECT_TRUE(HasLineStartingWith(lines, "metadata ping 127.0.0.1:1: a metadata server answers"));
}

TEST(CallSites, MetadataPingWithoutTheFlavorHeaderSaysSo) {
  SpentWorld s;
  s.w.env.erase("HOME");
  s.w.env["GCE_METADATA_HOST"] = "127.0.0.1:1";
  s.w.http.answer = [](const HttpRequest&) { return Answer(200, "<html>portal</html>"); };
  GoogleTokenSource source;
  EXPECT_FALSE(source.MetadataServerPresent(s.Ctx()));
  auto lines = s.Evidence("portal");
  EXPECT_TRUE(HasLineStartingWith(
      lines,
      "metadata ping 127.0.0.1:1: no metadata server (HTTP 200 without Metadata-Flavor: Google)"));
}

TEST(CallSites, DockerEngineClientOverItsSocketWithNoTimeLeft) {
  SpentWorld s;
  s.w.http.answer = [](const HttpRequest& r) {
    if (r.url.find("/_ping") != std::string::npos) {
      return Answer(200, "OK", {{"api-version", "1.45"}});
    }
    if (r.url.find("/images/") != std::string::npos) return Answer(200, R"({"Id":"sha256:abc"})");
    return Answer(200, "[]");
  };
  DockerEngineClient client(s.Ctx(), *ParseDockerHost("unix:///run/test-docker.sock"));
  PingOutcome ping = client.Ping();
  EXPECT_EQ(ping.error, "");
  EXPECT_EQ(client.ListProjectContainers("shop", ping.api_version).error, "");
  EXPECT_TRUE(client.InspectImage("nginx:1.27", ping.api_version).found);
  ASSERT_EQ(s.w.http.requests().size(), 3u);
  for (const auto& r : s.w.http.requests()) {
    EXPECT_EQ(r.unix_socket, "/run/test-docker.sock") << r.url;
  }
  s.ExpectBoundedAndStoppable("docker engine");
  auto lines = s.Evidence("no secret here");
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("HEAD http://docker/_ping via /run/test-docker.sock -> HTTP 200 (", 0),
            0u)
      << lines[0];
  EXPECT_TRUE(HasLineStartingWith(lines, "  0 containers of project shop"));
  EXPECT_TRUE(HasLineStartingWith(lines, "  image nginx:1.27 is sha256:abc"));
}

TEST(CallSites, DockerCheckWithNoTimeLeft) {
  SpentWorld s;
  testing::WriteFile(s.dir / "compose.yaml", "services:\n  web:\n    image: nginx:1.27\n");
  s.config.git.repo = s.dir.str();
  s.config.docker.host = "unix://" + (s.dir / "docker.sock");
  CheckResult r = RunDockerCheck(s.Ctx());
  EXPECT_EQ(r.status, CheckStatus::kFailed);  // the fake daemon does not answer
  ASSERT_GE(s.w.http.requests().size(), 1u);
  s.ExpectBoundedAndStoppable("docker check");
  auto lines = s.Evidence("no secret here");
  ASSERT_GE(lines.size(), 3u);
  // The check's own notes and the daemon's calls, in the order they happened.
  EXPECT_EQ(lines[0].rfind("compose files (", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("project ", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("HEAD http://docker/_ping via ", 0), 0u) << lines[2];
}

// A token endpoint answering 503 is retried after a pause; a check stopped
// during that pause leaves at once instead of sleeping it out.
TEST(CallSites, TokenEndpointBackOffEndsWhenTheCheckIsStopped) {
  testing::FakeWorld w;
  testing::TempDir dir;
  testing::WriteFile(dir / "adc.json",
                     R"({"type":"authorized_user","client_id":"c","client_secret":"s",
                         "refresh_token":"r","token_uri":"http://127.0.0.1:9/token"})");
  w.env["GOOGLE_APPLICATION_CREDENTIALS"] = dir / "adc.json";
  w.http.answer = [](const HttpRequest&) { return Answer(503, "busy"); };
  Config config;
  std::stop_source stop;
  CheckContext ctx(config, w.ports, std::chrono::steady_clock::now() + std::chrono::seconds(60),
                   stop.get_token());
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(50));
    stop.request_stop();
  });
  auto t0 = std::chrono::steady_clock::now();
  GoogleTokenSource source;
  GoogleAuthOutcome out = source.Get(ctx);
  auto took = std::chrono::steady_clock::now() - t0;
  stopper.join();
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(w.http.requests().size(), 1u) << "no retry after the stop";
  // The first pause is 500 ms (then 1 s): woken by the stop well before it ends.
  EXPECT_LT(took, milliseconds(490));

  // Without a stop the same answer is tried three times.
  testing::FakeWorld again;
  again.env = w.env;
  again.http.answer = w.http.answer;
  CheckContext patient(config, again.ports,
                       std::chrono::steady_clock::now() + std::chrono::seconds(60));
  HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:9/token";
  EXPECT_EQ(SendToTokenEndpoint(patient, req).status, 503);
  EXPECT_EQ(again.http.requests().size(), 3u);
}

// The auth check's sides run side by side, each in a strand of its own: the
// GitHub lines come together, then the Google ones, and nothing is left in
// the context.
TEST(CallSites, AuthCheckKeepsEachSidesEvidenceTogether) {
  SpentWorld s;
  s.w.process.installed = {"gh"};
  s.w.process.answer = [](const ProcessRequest&) { return Exit(0, "gho_secret\n"); };
  s.w.env["GOOGLE_OAUTH_ACCESS_TOKEN"] = "ya29.secret";
  CheckResult r = RunAuthCheck(s.Ctx());
  EXPECT_TRUE(s.Ctx().TakeEvidence().empty());
  ASSERT_GE(r.evidence.size(), 3u);
  EXPECT_EQ(r.evidence.front().rfind("gh auth token --hostname github.com -> exit 0", 0), 0u)
      << r.evidence.front();
  EXPECT_EQ(r.evidence[1].rfind("GET https://api.github.com/user -> ", 0), 0u) << r.evidence[1];
  EXPECT_EQ(r.evidence.back(), "Google token: from GOOGLE_OAUTH_ACCESS_TOKEN");
  for (const auto& l : r.evidence) {
    EXPECT_EQ(l.find("gho_secret"), std::string::npos) << l;
    EXPECT_EQ(l.find("ya29.secret"), std::string::npos) << l;
  }
  s.ExpectBoundedAndStoppable("auth check");
}

}  // namespace
}  // namespace infinity_sync
