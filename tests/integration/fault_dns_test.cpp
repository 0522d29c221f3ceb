// Fault injection, DNS that never answers (issue 9): a UDP socket on loopback
// that reads every question and never replies, used as the resolver of the
// Cloudflare probe and of custom dns, http and tcp checks in one run, and a
// heartbeat round whose targets never answer. Everything ends within its
// deadline and names the timeout; a local check in the same run is intact.
#include <chrono>

#include <gtest/gtest.h>

#include "lib/cloudflare_world.h"
#include "lib/git_world.h"
#include "lib/program.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;

std::string Joined(const json& check) {
  std::string out;
  for (const auto& d : check["Details"]) out += "\n  " + d.get<std::string>();
  return out;
}

TEST(FaultDns, SilentResolverEndsEveryCheckWithinItsDeadline) {
  TempDir dir;
  GitWorld world;
  SilentDnsServer silent;
  std::string servers = "[\"" + silent.server() + "\"]";
  std::string cfg = WriteConfig(
      dir / "infinity-sync.yaml",
      "status_file: " + (dir / "status.json") + "\ntimeout: 2s\ngit:\n  repo: " + world.work() +
          "\n  fetch: false\ncloudflare:\n  domain: edge.test\n  dns_servers: " + servers +
          "\nchecks:\n"
          "  - { name: mx, type: dns, host: mail.test, record: MX, servers: " +
          servers +
          " }\n"
          "  - { name: api, type: http, url: \"http://api.test:8080/health\", servers: " +
          servers +
          " }\n"
          "  - { name: db, type: tcp, address: \"db.test:5432\", servers: " +
          servers + " }\n");
  auto start = std::chrono::steady_clock::now();
  ProgramRun run =
      RunProgram({"run", "--json", "--only", "git,cloudflare,mx,api,db", "--config", cfg},
                 world.work(), HermeticEnv(dir / "home"));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(run.doc.is_object()) << run.proc.out << run.proc.err;
  EXPECT_LT(seconds, 2 + 3.0);
  EXPECT_GT(silent.Received(), 0);
  const json& st = run.doc["status"];
  EXPECT_EQ(st["GitSync"]["Status"], "Synced");
  EXPECT_EQ(st["CloudflareCheck"]["Status"], "Unreachable") << Joined(st["CloudflareCheck"]);
  EXPECT_EQ(st["CloudflareCheck"]["Data"]["dnsError"], "timeout");
  for (const char* key : {"CustomCheck:mx", "CustomCheck:api", "CustomCheck:db"}) {
    EXPECT_EQ(st[key]["Status"], "Failed") << key << Joined(st[key]);
    EXPECT_NE(Joined(st[key]).find("timeout"), std::string::npos) << key << Joined(st[key]);
    EXPECT_LE(st[key]["DurationMs"].get<long>(), 2'500) << key;
  }
  EXPECT_EQ(run.code(), 2);  // a custom check Failed
  EXPECT_EQ(json::parse(ReadFile(dir / "status.json"), nullptr, false), run.doc);
}

TEST(FaultDns, HeartbeatOfTargetsThatNeverAnswerIsDownWithinItsTimeout) {
  TempDir dir;
  SilentTcpServer silent;
  std::string url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/";
  std::string cfg = WriteConfig(dir / "infinity-sync.yaml",
                                "heartbeat:\n  timeout: 1s\n  targets:\n"
                                "    github: { url: \"" +
                                    url +
                                    "\" }\n"
                                    "    gcp: { url: \"" +
                                    url +
                                    "\" }\n"
                                    "    cloudflare: { name: Edge, url: \"" +
                                    url + "\" }\n");
  auto start = std::chrono::steady_clock::now();
  ProgramRun run =
      RunProgram({"heartbeat", "--json", "--config", cfg}, dir.str(), HermeticEnv(dir / "home"));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(run.doc.is_object()) << run.proc.out << run.proc.err;
  EXPECT_LT(seconds, 1 + 3.0);
  ASSERT_EQ(run.doc["heartbeats"].size(), 3u) << run.doc.dump(2);
  for (const auto& h : run.doc["heartbeats"]) {
    EXPECT_EQ(h["status"], "down") << h.dump();
    EXPECT_EQ(h["error"], "timeout") << h.dump();
    EXPECT_GE(h["responseTime"].get<long>(), 0);
  }
}

}  // namespace
}  // namespace infinity_sync::testing
