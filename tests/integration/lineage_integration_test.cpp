// The lineage end to end: the real program, real git, the Cloud Run stand-in,
// a GitHub stand-in for check runs and combined status, and an HTTPS edge
// with a test CA behind a real dnsmasq. `trace` and `wait` exit codes.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>

#include "lib/cloudflare_world.h"
#include "lib/google_world.h"

extern char** environ;

namespace infinity_sync::testing {
namespace {

using nlohmann::json;

std::string Details(const json& check) {
  std::string all;
  for (const auto& d : check["Details"]) all += d.get<std::string>() + "\n";
  return all;
}

// A checkout whose HEAD is origin/main, one commit after `old`; a Cloud Run
// service "web" serving ({revision: percent}) web-00002-abc built from `old`
// and web-00003-xk2 from HEAD. `sequence` serves the service documents in turn.
struct World {
  explicit World(const std::vector<std::vector<std::pair<std::string, int>>>& sequence,
                 const std::string& extra = "")
      : old(w.git.Head(w.git.work())), head(Advance()), fake(Config(sequence)) {
    WriteServiceAccountFile(w.dir / "sa.json", fake.token_uri());
    w.env["GOOGLE_APPLICATION_CREDENTIALS"] = w.dir / "sa.json";
    Configure(extra);
  }
  void Configure(const std::string& extra) {
    w.WriteConfig("  project: demo-project\n  service: web\n  api_url: " + fake.url(),
                  "docker:\n  host: unix://" + (w.dir / "no-docker.sock") + "\n" + extra);
  }
  std::string Advance() {
    std::string next = w.git.Commit(w.git.work(), "app.txt", "v2\n");
    w.git.Push(w.git.work());
    return next;
  }
  json Config(const std::vector<std::vector<std::pair<std::string, int>>>& sequence) {
    json answers = json::array();
    for (std::size_t i = 0; i < sequence.size(); ++i) {
      std::string path = w.dir / ("service" + std::to_string(i) + ".json");
      WriteServiceWithTraffic(path, "ready.json", sequence[i], "web-00003-xk2");
      answers.push_back({{"body_file", path}});
    }
    WriteRevisionDoc(w.dir / "rev2.json", "web-00002-abc", old);
    WriteRevisionDoc(w.dir / "rev3.json", "web-00003-xk2", head);
    return FakeConfig({{ServicePath(), {{"sequence", answers}}},
                       {RevisionPath("web-00002-abc"), {{"body_file", w.dir / "rev2.json"}}},
                       {RevisionPath("web-00003-xk2"), {{"body_file", w.dir / "rev3.json"}}}});
  }
  ProcessResult Program(std::vector<std::string> args) const {
    std::vector<std::string> argv = {ProgramPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--config", w.config_path()});
    return testing::Run(argv, w.git.work(), w.env, std::chrono::milliseconds(60'000));
  }
  GcpWorld w;
  std::string old;
  std::string head;
  GoogleFake fake;
};

const std::vector<std::pair<std::string, int>> kOnHead = {{"web-00003-xk2", 100}};
const std::vector<std::pair<std::string, int>> kOnOld = {{"web-00002-abc", 100}};

TEST(TraceCommand, ExitZeroWhenLiveOneWhenNotTwoWhenUnknown) {
  {
    World live({kOnHead});
    ProcessResult res = live.Program({"trace"});
    EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
    EXPECT_NE(
        res.out.find("live: " + live.head.substr(0, 7) + " is live: 100% of Cloud Run traffic"),
        std::string::npos)
        << res.out;
    EXPECT_NE(res.out.find("[OK] cloudrun  Cloud Run: 100% web-00003-xk2"), std::string::npos)
        << res.out;
    // The sync behind it is a dry run whose document holds the lineage.
    json doc = json::parse(ReadFile(live.w.status_path()));
    EXPECT_EQ(doc["dryRun"], true);
    EXPECT_EQ(doc["lineage"]["live"], true);
  }
  {
    World old({kOnOld});
    ProcessResult res = old.Program({"trace", "--json"});
    EXPECT_EQ(res.exit_code, 1) << res.out << res.err;
    json out = json::parse(res.out, nullptr, false);
    ASSERT_FALSE(out.is_discarded()) << res.out;
    EXPECT_EQ(out["commit"], old.head);
    EXPECT_EQ(out["live"], false);
    EXPECT_EQ(out["lineage"]["live"], false);
    EXPECT_EQ(out["hops"][3]["hop"], "cloudrun");
    EXPECT_EQ(out["hops"][3]["contains"], false);
    // The older commit that serves is live: HEAD's parent is in what serves.
    res = old.Program({"trace", old.old});
    EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
    res = old.Program({"trace", kFixtureCommit});
    EXPECT_EQ(res.exit_code, 2) << "a commit this repository does not have: " << res.err;
  }
  {
    GcpWorld w;
    w.WriteConfig("  service: web");
    ProcessResult res =
        testing::Run({ProgramPath(), "trace", "--config", w.config_path()}, w.git.work(), w.env);
    EXPECT_EQ(res.exit_code, 2) << res.out << res.err;
    EXPECT_NE(res.out.find("unknown: cannot tell"), std::string::npos) << res.out;
    res = testing::Run({ProgramPath(), "trace", "no-such-ref", "--config", w.config_path()},
                       w.git.work(), w.env);
    EXPECT_EQ(res.exit_code, 2);
    EXPECT_NE(res.err.find("\"no-such-ref\" names no commit"), std::string::npos) << res.err;
  }
}

TEST(WaitCommand, ReachesLiveWhenTrafficSwitchesMidWait) {
  World world({kOnOld, kOnOld, kOnHead});
  ProcessResult res = world.Program({"wait", "--interval", "100ms", "--timeout", "60s"});
  EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
  EXPECT_NE(res.out.find("try 1: not live: " + world.head.substr(0, 7) + " is not live (yet)"),
            std::string::npos)
      << res.out;
  EXPECT_NE(res.out.find("try 3: live: "), std::string::npos) << res.out;
  EXPECT_EQ(res.out.find("try 4"), std::string::npos) << "stops once live: " << res.out;
}

TEST(WaitCommand, TimesOutSayingWhatIsMissing) {
  World world({kOnOld});
  auto start = std::chrono::steady_clock::now();
  ProcessResult res = world.Program({"wait", "--interval", "200ms", "--timeout", "3s"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_EQ(res.exit_code, 1) << res.out << res.err;
  EXPECT_NE(res.err.find("timed out after 3s; still missing: " + world.head.substr(0, 7) +
                         " is not live (yet): Cloud Run: 100% web-00002-abc"),
            std::string::npos)
      << res.err;
  EXPECT_NE(res.out.find("try 2:"), std::string::npos) << "more than one try: " << res.out;

  // --for synced: every check good, GCPSync is not.
  res = world.Program({"wait", "--for", "synced", "--interval", "200ms", "--timeout", "500ms"});
  EXPECT_EQ(res.exit_code, 1);
  EXPECT_NE(res.err.find("GCPSync=OutOfSync"), std::string::npos) << res.err;
  // Bad flags are usage errors.
  EXPECT_EQ(world.Program({"wait", "--timeout", "soon"}).exit_code, 64);
  EXPECT_EQ(world.Program({"wait", "--for", "ready"}).exit_code, 64);
  EXPECT_EQ(world.Program({"wait", "--for", "synced", "HEAD"}).exit_code, 64);
}

TEST(WaitCommand, CtrlCBetweenTriesEndsPromptlyWith130) {
  World world({kOnOld});
  std::vector<std::string> args = {ProgramPath(), "wait", "--interval", "60s",
                                   "--timeout",   "10m",  "--config",   world.w.config_path()};
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    env[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
  }
  for (const auto& [k, v] : world.w.env) {
    if (v)
      env[k] = *v;
    else
      env.erase(k);
  }
  std::vector<std::string> env_text;
  for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
  std::vector<char*> envp, argv;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string out_path = world.w.dir / "wait.out";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, world.w.git.work().c_str());
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  bool tried = false;
  for (int i = 0; i < 600 && !tried; ++i) {
    tried = ReadFile(out_path).find("try 1:") != std::string::npos;
    if (!tried) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(tried) << "no first try within 30 s";
  auto start = std::chrono::steady_clock::now();
  kill(pid, SIGINT);
  int status = 0;
  bool ended = false;
  for (int i = 0; i < 200 && !ended; ++i) {
    ended = waitpid(pid, &status, WNOHANG) == pid;
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!ended) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  EXPECT_TRUE(ended) << "still running 10 s after Ctrl-C";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
}

// GitHub's check runs and combined status of the deploy branch's commit.
struct CiCase {
  const char* name;
  int status;  // of both answers
  json check_runs;
  json combined;
  const char* state;
};

TEST(CommitCi, CheckRunsAndCombinedStatusFromGitHub) {
  json no_statuses = {{"state", "pending"}, {"statuses", json::array()}, {"total_count", 0}};
  json run_ok = {{"name", "build"}, {"status", "completed"}, {"conclusion", "success"}};
  json run_bad = {{"name", "test"}, {"status", "completed"}, {"conclusion", "failure"}};
  json run_busy = {{"name", "e2e"}, {"status", "in_progress"}, {"conclusion", nullptr}};
  std::vector<CiCase> cases = {
      {"success", 200, {{"total_count", 1}, {"check_runs", {run_ok}}}, no_statuses, "success"},
      {"failure",
       200,
       {{"total_count", 2}, {"check_runs", {run_ok, run_bad}}},
       no_statuses,
       "failure"},
      {"pending",
       200,
       {{"total_count", 2}, {"check_runs", {run_ok, run_busy}}},
       no_statuses,
       "pending"},
      {"none", 200, {{"total_count", 0}, {"check_runs", json::array()}}, no_statuses, "none"},
      {"404", 404, {{"message", "Not Found"}}, {{"message", "Not Found"}}, "unknown"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    World world({kOnHead});
    std::string prefix = "/api/v3/repos/octo/app/commits/" + world.head;
    json bearer = {{"Authorization", "Bearer ghe-test-token"}};
    json denied = {{"status", 401}, {"body", {{"message", "Bad credentials"}}}};
    FakeHttpServer github({{"routes",
                            {{{"method", "GET"},
                              {"path", prefix + "/check-runs"},
                              {"require_headers", bearer},
                              {"otherwise", denied},
                              {"status", c.status},
                              {"body", c.check_runs}},
                             {{"method", "GET"},
                              {"path", prefix + "/status"},
                              {"require_headers", bearer},
                              {"otherwise", denied},
                              {"status", c.status},
                              {"body", c.combined}}}},
                           {"default", {{"status", 404}, {"body", {{"message", "Not Found"}}}}}});
    MustRun({"git", "remote", "set-url", "origin", "git@127.0.0.1:octo/app.git"},
            world.w.git.work(), GitWorld::Env());
    world.w.env["GH_ENTERPRISE_TOKEN"] = "ghe-test-token";
    world.Configure("github:\n  api_url: " + github.url() + "/api/v3\n");
    ProcessResult res = world.Program({"run", "--only", "gcp", "--json"});
    json doc = json::parse(res.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << res.out << res.err;
    json gcp = doc["status"]["GCPSync"];
    EXPECT_EQ(gcp["Data"]["ci"]["state"], c.state) << gcp["Data"]["ci"].dump();
    EXPECT_EQ(gcp["Status"], "Synced") << "CI never changes the status";
    EXPECT_EQ(doc["lineage"]["hops"][2]["hop"], "ci");
    EXPECT_EQ(doc["lineage"]["hops"][2]["state"], c.state);
    EXPECT_EQ(github.CountRequests(prefix + "/check-runs"), 1);
    EXPECT_EQ(res.out.find("ghe-test-token"), std::string::npos);
    if (std::string(c.name) == "404") {
      EXPECT_NE(Details(gcp).find("not pushed, or no access"), std::string::npos) << Details(gcp);
    }
  }
  // No token: skipped with the reason, nothing asked.
  World world({kOnHead});
  MustRun({"git", "remote", "set-url", "origin", "https://github.com/octo/app.git"},
          world.w.git.work(), GitWorld::Env());
  json doc;
  world.w.Run({"--only", "gcp"}, &doc);
  EXPECT_EQ(doc["status"]["GCPSync"]["Data"]["ci"]["state"], "skipped");
  EXPECT_NE(doc["status"]["GCPSync"]["Data"]["ci"]["detail"].get<std::string>().find(
                "no GitHub token for github.com"),
            std::string::npos)
      << doc["status"]["GCPSync"]["Data"]["ci"].dump();
}

// The edge: an HTTPS server with a certificate from a test CA, named by dnsmasq.
class EdgeLineage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new TempDir();
    ca_ = new TestCa(certs_->str());
    leaf_ = new TestCa::Leaf(ca_->Issue("edge", {"edge.test"}, 90));
    dns_ = new Dnsmasq({"--address=/edge.test/127.0.0.1"});
  }
  static void TearDownTestSuite() {
    delete dns_;
    delete leaf_;
    delete ca_;
    delete certs_;
  }
  static std::unique_ptr<FakeHttpServer> Edge(const json& scenario) {
    FakeHttpServer::Options options;
    options.tls_cert = leaf_->cert;
    options.tls_key = leaf_->key;
    return std::make_unique<FakeHttpServer>(scenario, options);
  }
  static std::string Cloudflare(int port, const std::string& version) {
    return "tls:\n  ca_file: " + ca_->ca_file() +
           "\ncloudflare:\n  domain: edge.test\n  url: "
           "https://edge.test:" +
           std::to_string(port) + "/\n  dns_servers: [\"" + dns_->server() +
           "\"]\n  expect_proxied: false\n  version: " + version + "\n";
  }
  static TempDir* certs_;
  static TestCa* ca_;
  static TestCa::Leaf* leaf_;
  static Dnsmasq* dns_;
};
TempDir* EdgeLineage::certs_ = nullptr;
TestCa* EdgeLineage::ca_ = nullptr;
TestCa::Leaf* EdgeLineage::leaf_ = nullptr;
Dnsmasq* EdgeLineage::dns_ = nullptr;

TEST_F(EdgeLineage, HeaderNamingTheLiveCommitMakesItLiveAtTheEdge) {
  World world({kOnHead});
  auto edge = Edge(
      {{"routes", json::array()},
       {"default", {{"status", 200}, {"headers", {{"X-Commit", world.head}}}, {"body", "hello"}}}});
  world.Configure(Cloudflare(edge->port(), "{header: x-commit}"));
  ProcessResult res = world.Program({"trace", "--json"});
  EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
  json doc = json::parse(ReadFile(world.w.status_path()));
  EXPECT_EQ(doc["status"]["CloudflareCheck"]["Data"]["edgeCommit"], world.head);
  EXPECT_NE(Details(doc["status"]["CloudflareCheck"])
                .find("Edge serves " + world.head.substr(0, 7) + ", the commit Cloud Run serves"),
            std::string::npos)
      << Details(doc["status"]["CloudflareCheck"]);
  EXPECT_EQ(doc["lineage"]["hops"][4]["hop"], "edge");
  EXPECT_EQ(doc["lineage"]["hops"][4]["state"], "live");
  EXPECT_EQ(doc["lineage"]["live"], true);
}

TEST_F(EdgeLineage, StaleEdgeFromAJsonVersionIsNotLive) {
  World world({kOnHead});
  auto edge = Edge({{"routes",
                     {{{"method", "GET"},
                       {"path", "/version"},
                       {"status", 200},
                       {"body", {{"build", {{"commit", world.old}}}}}}}},
                    {"default", {{"status", 200}, {"body", "hello"}}}});
  world.Configure(
      Cloudflare(edge->port(), "{url: \"https://edge.test:" + std::to_string(edge->port()) +
                                   "/version\", json_pointer: /build/commit}"));
  ProcessResult res = world.Program({"trace"});
  EXPECT_EQ(res.exit_code, 1) << res.out << res.err;
  EXPECT_NE(res.out.find("but not at the edge"), std::string::npos) << res.out;
  json doc = json::parse(ReadFile(world.w.status_path()));
  json cf = doc["status"]["CloudflareCheck"];
  EXPECT_EQ(cf["Status"], "Reachable") << "a stale edge is shown, not a status";
  EXPECT_EQ(cf["Data"]["edgeCommit"], world.old);
  EXPECT_NE(Details(cf).find("Edge serves " + world.old.substr(0, 7) + ", Cloud Run serves " +
                             world.head.substr(0, 7) + ": stale cache or another origin"),
            std::string::npos)
      << Details(cf);
  EXPECT_EQ(doc["lineage"]["hops"][4]["state"], "stale");
  EXPECT_EQ(doc["lineage"]["live"], false);
  EXPECT_EQ(edge->CountRequests("/version"), 1);
}

TEST_F(EdgeLineage, TunnelDownIsExplainedWith1033) {
  World world({kOnHead});
  auto edge =
      Edge({{"routes", json::array()},
            {"default",
             {{"status", 530},
              {"headers", {{"Content-Type", "text/html"}, {"CF-RAY", "8c5a7f1e9d3b2a41-FRA"}}},
              {"body",
               "<html><title>edge.test | 1033: Cloudflare Tunnel error</title>"
               "<span class=\"cf-error-code\">1033</span></html>"}}}});
  world.Configure(Cloudflare(edge->port(), "{header: x-commit}"));
  ProcessResult res = world.Program({"run", "--only", "cloudflare", "--json"});
  json doc = json::parse(res.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << res.out << res.err;
  json cf = doc["status"]["CloudflareCheck"];
  EXPECT_EQ(cf["Status"], "PartiallyReachable");
  EXPECT_NE(Details(cf).find("HTTPS answered with Status: 530: Cloudflare error 1033: the "
                             "Cloudflare Tunnel is down"),
            std::string::npos)
      << Details(cf);
  EXPECT_EQ(cf["Data"]["cfErrorCode"], 1033);
  EXPECT_TRUE(cf["Data"]["edgeCommit"].is_null());
}

}  // namespace
}  // namespace infinity_sync::testing
