// Fault injection, hostile input (issue 14), each case with the real program:
// files that are not what they claim (a FIFO, /dev/zero, a directory, a file
// far too large) where the status document, the configuration or the lock
// file should be; secrets in URLs and upstream answers that must not be
// written anywhere; a status document dated in the future; a POSTed run
// while another process holds the lock; and a history that cannot be kept.
//
// Suites are named Fault*, so `ctest -L faults` runs them with the rest.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "core/check_status.h"
#include "lib/git_world.h"
#include "lib/program.h"
#include "lib/server_process.h"
#include "ports/file_system.h"
#include "ports/http_client.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

HttpResponse Get(const std::string& url, const std::string& method = "GET") {
  CurlHttpClient http;
  HttpRequest r;
  r.method = method;
  r.url = url;
  r.timeout = 10s;
  return http.Send(r);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class FaultHostile : public ::testing::Test {
 protected:
  void SetUp() override { env_ = HermeticEnv(dir_ / "home"); }

  // A config with only a local git check (fast) and `status_file`.
  std::string Config(const std::string& status_file, const std::string& extra = "") {
    return WriteConfig(dir_ / "infinity-sync.yaml",
                       "status_file: " + status_file +
                           "\ntimeout: 3s\ngit:\n  repo: " + world_.work() + "\n  fetch: false\n" +
                           "github: { api_url: \"http://127.0.0.1:9\" }\n"
                           "gcp: { api_url: \"http://127.0.0.1:9\" }\n"
                           "heartbeat: { timeout: 1s }\nserver: { sync_every: 0 }\n" +
                           extra);
  }
  ProgramRun Program(const std::vector<std::string>& args, milliseconds limit = 20s) {
    return RunProgram(args, world_.work(), env_, limit);
  }

  TempDir dir_;
  GitWorld world_;
  EnvChanges env_;
};

// Before: `status` with /dev/zero behind the status path grew to 3.4 GB in
// 6 s, and a FIFO there blocked it forever. Now each is an error naming the
// file and what it is, at once.
TEST_F(FaultHostile, StatusRefusesAFifoADeviceADirectoryAndAHugeFile) {
  std::string status = dir_ / "status.json";
  std::string cfg = Config(status);
  struct Case {
    const char* name;
    std::function<void()> make;
    std::string said;
  };
  std::vector<Case> cases = {
      {"FIFO", [&] { ASSERT_EQ(mkfifo(status.c_str(), 0600), 0); },
       "reading " + status + ": it is a FIFO, not a regular file"},
      {"/dev/zero", [&] { ASSERT_EQ(symlink("/dev/zero", status.c_str()), 0); },
       "reading " + status + ": it is a character device, not a regular file"},
      {"directory", [&] { fs::create_directory(status); },
       "reading " + status + ": it is a directory, not a regular file"},
      {"17 MiB", [&] { WriteFile(status, std::string(17 * kMiB, ' ')); },
       "reading " + status + ": it is larger than 16 MiB"},
  };
  for (const auto& c : cases) {
    fs::remove_all(status);
    c.make();
    auto start = std::chrono::steady_clock::now();
    ProgramRun run = Program({"status", "--config", cfg}, 10s);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(run.code(), kExitFailed) << c.name << "\n" << run.proc.err;
    EXPECT_NE(run.proc.err.find(c.said), std::string::npos) << c.name << "\n" << run.proc.err;
    EXPECT_LT(took, 5s) << c.name;
  }
}

// Before: `--config /dev/zero` or a FIFO hung, and `--config DIR` silently ran
// with the defaults. Now: exit 78 saying what the path is.
TEST_F(FaultHostile, ConfigThatIsAFifoADeviceOrADirectoryExits78) {
  std::string fifo = dir_ / "fifo.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string big = dir_ / "big.yaml";
  WriteFile(big, "# " + std::string(2 * kMiB, 'x') + "\n");
  struct Case {
    std::string path;
    std::string said;
  };
  for (const auto& c : std::vector<Case>{{fifo, "it is a FIFO, not a regular file"},
                                         {"/dev/zero", "it is a character device"},
                                         {dir_.str(), "it is a directory, not a regular file"},
                                         {big, "it is larger than 1 MiB"}}) {
    for (const char* command : {"run", "status", "serve"}) {
      ProgramRun run = Program({command, "--config", c.path}, 10s);
      EXPECT_EQ(run.code(), kExitConfig) << command << " " << c.path << "\n" << run.proc.err;
      EXPECT_NE(run.proc.err.find(c.path + ": cannot read the configuration file: " + c.said),
                std::string::npos)
          << command << " " << c.path << "\n"
          << run.proc.err;
    }
  }
}

// Before: a FIFO at the status path froze `serve` (both I/O threads blocked
// in open; /healthz silent; SIGTERM ignored), and a GET of /dev/zero behind
// it took the process to 8.9 GB. Now the status route says what the file is,
// everything else answers, and SIGTERM stops it.
TEST_F(FaultHostile, ServeKeepsAnsweringWithAFifoOrDevZeroAtTheStatusPath) {
  std::string status = dir_ / "status.json";
  for (bool fifo : {true, false}) {
    fs::remove_all(status);
    if (fifo) {
      ASSERT_EQ(mkfifo(status.c_str(), 0600), 0);
    } else {
      ASSERT_EQ(symlink("/dev/zero", status.c_str()), 0);
    }
    ServeProcess serve({"serve", "--config", Config(status), "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(serve.ready()) << serve.Stderr();
    for (int i = 0; i < 3; ++i) {
      auto s = Get(serve.url("/api/sync/status"));
      EXPECT_EQ(s.status, 500) << s.body;
      EXPECT_NE(s.body.find(fifo ? "is a FIFO" : "is a character device"), std::string::npos)
          << s.body;
      EXPECT_EQ(Get(serve.url("/healthz")).status, 200);
      EXPECT_EQ(Get(serve.url("/api/sync/overview")).status, 200);
    }
    milliseconds took{0};
    EXPECT_EQ(serve.Terminate(5s, &took), 0) << (fifo ? "FIFO" : "/dev/zero");
  }
}

// Before: the lock file followed a symlink and truncated its target (as
// root: any file). Now the run refuses, naming the link, and the target
// keeps its content.
TEST_F(FaultHostile, ASymlinkAtTheLockPathIsRefusedAndItsTargetUntouched) {
  std::string status = dir_ / "status.json";
  std::string cfg = Config(status);
  std::string victim = dir_ / "victim.conf";
  WriteFile(victim, "do not truncate me\n");
  ASSERT_EQ(symlink(victim.c_str(), (status + ".lock").c_str()), 0);
  ProgramRun run = Program({"run", "--only", "git", "--config", cfg});
  EXPECT_EQ(run.code(), kExitFailed) << run.proc.out << run.proc.err;
  EXPECT_NE((run.proc.out + run.proc.err)
                .find("lock file " + status + ".lock is a symbolic link; refusing to follow it"),
            std::string::npos)
      << run.proc.out << run.proc.err;
  EXPECT_EQ(ReadFile(victim), "do not truncate me\n");
}

// Before: a custom check's http://user:PASS@host/x?api_key=KEY and a git remote
// with ?token=T appeared verbatim in stdout, --verbose/--explain, the status
// file, the history and so the API; and a notification carried them on.
TEST_F(FaultHostile, SecretsInUrlsAreRedactedEverywhereTheProgramWritesThem) {
  auto api = std::make_unique<FakeHttpServer>(
      json{{"routes", {{{"path", "/x"}, {"status", 200}, {"body", "ok"}}}}});
  FakeHttpServer hook(json{{"routes", {{{"method", "POST"}, {"path", "/hook"}, {"status", 200}}}}});
  const std::string secret_url =
      "http://user:PASS_S3CRET@127.0.0.1:" + std::to_string(api->port()) +
      "/x?api_key=KEY_S3CRET&page=2";
  MustRun({"git", "remote", "set-url", "origin",
           "http://bob:GIT_PASS_S3CRET@127.0.0.1:9/x.git?token=TOK_S3CRET"},
          world_.work(), GitWorld::Env());
  std::string status = dir_ / "status.json";
  std::string db = dir_ / "h.db";
  std::string cfg = WriteConfig(dir_ / "infinity-sync.yaml",
                                "status_file: " + status + "\ntimeout: 5s\nstore: sqlite:" + db +
                                    "\ngit:\n  repo: " + world_.work() +
                                    "\n  fetch: true\n  fetch_timeout: 3s\n"
                                    "checks:\n  - { name: api, type: http, url: \"" +
                                    secret_url + "\" }\nnotify:\n  - { type: webhook, url: \"" +
                                    hook.url() + "/hook\" }\nserver: { sync_every: 0 }\n");
  auto no_secret = [](const std::string& where, const std::string& text) {
    for (const char* s : {"PASS_S3CRET", "KEY_S3CRET", "TOK_S3CRET", "GIT_PASS_S3CRET"}) {
      EXPECT_EQ(text.find(s), std::string::npos) << s << " in " << where << ":\n" << text;
    }
  };
  ProgramRun json_run = Program({"run", "--only", "git,api", "--json", "--config", cfg});
  ASSERT_FALSE(json_run.doc.is_null()) << json_run.proc.out << json_run.proc.err;
  no_secret("run --json", json_run.proc.out + json_run.proc.err);
  std::string details = json_run.doc["status"]["CustomCheck:api"].dump();
  EXPECT_NE(
      details.find("http://***@127.0.0.1:" + std::to_string(api->port()) + "/x?api_key=***&page=2"),
      std::string::npos)
      << details;
  ProgramRun verbose =
      Program({"run", "--only", "git,api", "--verbose", "--explain", "--config", cfg});
  no_secret("run --verbose --explain", verbose.proc.out + verbose.proc.err);
  EXPECT_NE(verbose.proc.out.find("api_key=***"), std::string::npos) << verbose.proc.out;

  api.reset();  // the check now fails, quoting its URL: a transition, so a notification
  ProgramRun failed = Program({"run", "--only", "git,api", "--config", cfg});
  no_secret("run (failing)", failed.proc.out + failed.proc.err);
  ASSERT_GE(hook.Requests().size(), 1u) << failed.proc.out << failed.proc.err;
  for (const auto& r : hook.Requests()) no_secret("the notification", r.dump());
  no_secret("the status file", ReadAll(status));
  no_secret("the history database", ReadAll(db));

  ServeProcess serve({"serve", "--config", cfg, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  for (const char* route : {"/api/sync/status", "/api/sync/overview", "/api/sync/history"}) {
    auto r = Get(serve.url(route));
    EXPECT_EQ(r.status, 200) << route << r.body;
    no_secret(route, r.body);
  }
  EXPECT_EQ(serve.Terminate(5s, nullptr), 0);
  no_secret("serve's log", serve.Stderr());
}

// Before: a config type error printed the expanded value of ${SECRET}.
TEST_F(FaultHostile, ConfigErrorsQuoteTheTextAsWrittenNotItsExpansion) {
  env_["SECRET"] = "hunter2-s3cret";
  std::string cfg = WriteConfig(dir_ / "bad.yaml", "timeout: ${SECRET}\n");
  ProgramRun run = Program({"run", "--config", cfg});
  EXPECT_EQ(run.code(), kExitConfig);
  EXPECT_EQ(run.proc.err.find("hunter2"), std::string::npos) << run.proc.err;
  EXPECT_NE(run.proc.err.find("\"${SECRET}\""), std::string::npos) << run.proc.err;
}

// Before: an upstream error body that echoes the Authorization header reached
// the status file. Now the token the program sent is "***" wherever the
// answer is quoted.
TEST_F(FaultHostile, AnUpstreamAnswerEchoingTheTokenSentIsRedacted) {
  const std::string token = "ghp_Echoed_S3cret_Token_123";
  FakeHttpServer github(
      json{{"routes",
            {{{"method", "GET"},
              {"path", "/user"},
              {"status", 401},
              {"body", {{"message", "Bad credentials for Authorization: Bearer " + token}}}}}}});
  // A loopback api_url is an Enterprise Server host to gh: its token variable.
  env_["GH_ENTERPRISE_TOKEN"] = token;
  env_["PATH"] = (dir_ / "empty-bin");  // no gh: the token is used
  fs::create_directories(dir_ / "empty-bin");
  std::string status = dir_ / "status.json";
  std::string cfg =
      WriteConfig(dir_ / "infinity-sync.yaml",
                  "status_file: " + status + "\ngithub: { api_url: \"" + github.url() + "\" }\n");
  ProgramRun run = Program({"run", "--only", "auth", "--json", "--config", cfg});
  ASSERT_EQ(github.CountRequests("/user"), 1) << run.proc.err;
  std::string file = ReadFile(status);
  EXPECT_NE(file.find("Bad credentials for Authorization: ***"), std::string::npos) << file;
  for (const std::string& text : {run.proc.out, run.proc.err, file}) {
    EXPECT_EQ(text.find(token), std::string::npos) << text;
  }
}

std::string IsoIn(std::chrono::seconds from_now) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", std::gmtime(&t));
  return buf;
}

// Before: a document dated in the future counted as fresh ("0 seconds ago").
TEST_F(FaultHostile, AStatusDatedMoreThanAMinuteInTheFutureIsNotFresh) {
  std::string status = dir_ / "status.json";
  std::string cfg = Config(status);
  auto write = [&](std::chrono::seconds ahead) {
    WriteFile(status, "{\"timestamp\": \"" + IsoIn(ahead) +
                          "\", \"dryRun\": false, \"status\": {\"GitSync\": {\"Status\": "
                          "\"Synced\", \"Details\": []}}}");
  };
  write(std::chrono::hours(3));
  ProgramRun text = Program({"status", "--config", cfg});
  EXPECT_NE(text.proc.out.find("in the future (clock skew?)), STALE"), std::string::npos)
      << text.proc.out;
  ProgramRun as_json = Program({"status", "--json", "--config", cfg});
  EXPECT_EQ(as_json.doc["fresh"], false) << as_json.proc.out;
  EXPECT_NE(as_json.doc.value("freshDetail", "").find("hours in the future"), std::string::npos)
      << as_json.proc.out;

  ServeProcess serve({"serve", "--config", cfg, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  auto body = json::parse(Get(serve.url("/api/sync/status")).body);
  EXPECT_EQ(body["fresh"], false);
  EXPECT_NE(body.value("freshDetail", "").find("in the future"), std::string::npos) << body;
  EXPECT_EQ(json::parse(Get(serve.url("/api/sync/overview")).body)["syncStatusFresh"], false);

  write(std::chrono::seconds(20));      // a clock a little off
  std::this_thread::sleep_for(1100ms);  // a new mtime for the cache
  body = json::parse(Get(serve.url("/api/sync/status")).body);
  EXPECT_EQ(body["fresh"], true) << body;
  EXPECT_EQ(serve.Terminate(5s, nullptr), 0);
}

// Before: POST /api/sync/run answered 202 while a CLI run held the lock, and
// the sync was then silently skipped.
TEST_F(FaultHostile, PostRunWhileAnotherProcessHoldsTheLockIs409WithItsPid) {
  std::string status = dir_ / "status.json";
  std::string cfg = Config(status);
  ServeProcess serve({"serve", "--config", cfg, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(serve.ready()) << serve.Stderr();
  {
    RealFileSystem files;  // this test process is the other process holding the lock
    auto lock = files.TryLock(status + ".lock");
    ASSERT_TRUE(lock.ok()) << lock.error;
    auto r = Get(serve.url("/api/sync/run"), "POST");
    EXPECT_EQ(r.status, 409) << r.body;
    auto body = json::parse(r.body);
    EXPECT_EQ(body["pid"], getpid()) << r.body;
    EXPECT_NE(body["error"].get<std::string>().find("(pid " + std::to_string(getpid()) + ")"),
              std::string::npos);
  }
  auto r = Get(serve.url("/api/sync/run"), "POST");
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(serve.Terminate(5s, nullptr), 0);
}

// Before: when the history could not be written, `run` said the run "waits
// in ...pending.jsonl" even when writing that file had failed too. Here the
// store is down and the pending file cannot be written (a folder is in its
// way, as good as a full disk): the message says the run is lost.
TEST_F(FaultHostile, AHistoryThatCannotBeKeptAnywhereIsSaidToBeLost) {
  std::string status = dir_ / "state/status.json";
  fs::create_directories(dir_ / "state");
  std::string pending = dir_ / "state/infinity-sync-history-pending.jsonl";
  std::string cfg = Config(status, "store: postgresql://nobody@127.0.0.1:9/none\n");
  ProgramRun kept = Program({"run", "--only", "git", "--config", cfg});
  EXPECT_NE(kept.proc.err.find("(it waits in " + pending + " for the next run)"), std::string::npos)
      << kept.proc.err;
  ASSERT_TRUE(fs::exists(pending));
  fs::remove(pending);
  fs::create_directories(pending + "/in-the-way");
  ProgramRun lost = Program({"run", "--only", "git", "--config", cfg});
  EXPECT_EQ(lost.proc.err.find("waits in"), std::string::npos) << lost.proc.err;
  EXPECT_NE(lost.proc.err.find("and could not be kept in " + pending +
                               " either: it is lost when this command exits"),
            std::string::npos)
      << lost.proc.err;
}

}  // namespace
}  // namespace infinity_sync::testing
