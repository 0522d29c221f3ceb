// Custom checks end to end (SPEC section 3.6): the real program against real
// loopback targets: a listening socket, a closed port, an HTTP server, a
// dnsmasq answering A/MX/TXT/CNAME, and real commands.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "lib/cloudflare_world.h"
#include "lib/test_support.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;

struct CustomOutcome {
  int exit_code = -1;
  json doc;
  std::string out;
  double seconds = 0;
};

std::string DetailsOf(const json& check) {
  std::string out;
  for (const auto& d : check["Details"]) out += "\n  " + d.get<std::string>();
  return out;
}

bool HasDetailStartingWith(const json& check, const std::string& prefix) {
  for (const auto& d : check["Details"]) {
    if (d.get<std::string>().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// A TCP socket listening on 127.0.0.1 (port 0: the kernel picks one).
class ListeningSocket {
 public:
  ListeningSocket() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~ListeningSocket() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// True while `pid` is a live process (a zombie counts as gone).
bool Alive(int pid) {
  if (kill(pid, 0) != 0) return false;
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close == std::string::npos || stat.size() < close + 3 || stat[close + 2] != 'Z';
}

class CustomCheckIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dns_ = new Dnsmasq(
        {"--address=/svc.custom.test/127.0.0.1", "--mx-host=custom.test,mail.custom.test,10",
         "--txt-record=custom.test,v=spf1 -all", "--cname=www.custom.test,svc.custom.test"});
  }
  static void TearDownTestSuite() { delete dns_; }

  // Runs `run --only <only> --json` with `checks` as the checks: section.
  CustomOutcome RunWith(const std::string& checks, const std::string& only,
                        const std::string& timeout = "3s", bool json_out = true) {
    std::string config = dir_ / "infinity-sync.yaml";
    WriteFile(config, "status_file: " + (dir_ / "status.json") + "\ntimeout: " + timeout +
                          "\ngit:\n  fetch: false\nchecks:\n" + checks);
    std::vector<std::string> argv = {ProgramPath(), "run", "--only", only, "--config", config};
    if (json_out) argv.push_back("--json");
    auto start = std::chrono::steady_clock::now();
    ProcessResult r = testing::Run(argv, dir_.str(),
                                   {{"http_proxy", std::nullopt},
                                    {"HTTP_PROXY", std::nullopt},
                                    {"all_proxy", std::nullopt},
                                    {"ALL_PROXY", std::nullopt},
                                    {"NO_COLOR", "1"}});
    CustomOutcome o;
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.exit_code = r.exit_code;
    o.out = r.out;
    if (json_out) {
      o.doc = json::parse(r.out, nullptr, false);
      if (o.doc.is_discarded() || !o.doc.contains("status")) {
        ADD_FAILURE() << "no status document; stdout: " << r.out << "\nstderr: " << r.err;
        o.doc = json::object({{"status", json::object()}});
      }
    }
    return o;
  }

  // The document entry of custom check `name`.
  static json Check(const CustomOutcome& o, const std::string& name) {
    const json& status = o.doc["status"];
    std::string key = "CustomCheck:" + name;
    if (!status.contains(key)) {
      ADD_FAILURE() << key << " missing from " << status.dump();
      return json::object({{"Status", ""}, {"Details", json::array()}, {"Data", json::object()}});
    }
    return status[key];
  }

  TempDir dir_;
  static Dnsmasq* dns_;
};

Dnsmasq* CustomCheckIntegration::dns_ = nullptr;

TEST_F(CustomCheckIntegration, TcpListeningSocketIsSynced) {
  ListeningSocket listening;
  std::string address = "127.0.0.1:" + std::to_string(listening.port());
  CustomOutcome o =
      RunWith("  - { name: redis, type: tcp, address: \"" + address + "\" }\n", "redis");
  json c = Check(o, "redis");
  EXPECT_EQ(c["Status"], "Synced") << DetailsOf(c);
  EXPECT_TRUE(HasDetailStartingWith(c, "Connected to " + address + " in ")) << DetailsOf(c);
  EXPECT_EQ(c["Data"]["connectedTo"], "127.0.0.1");
  EXPECT_EQ(c["Data"]["type"], "tcp");
  EXPECT_EQ(o.exit_code, 0);
}

TEST_F(CustomCheckIntegration, TcpClosedPortFailsRefused) {
  std::string address = "127.0.0.1:" + std::to_string(FreePort());
  CustomOutcome o = RunWith("  - { name: db, type: tcp, address: \"" + address + "\" }\n", "db");
  json c = Check(o, "db");
  EXPECT_EQ(c["Status"], "Failed") << DetailsOf(c);
  EXPECT_EQ(c["Details"], json::array({"connect: refused (" + address + ")"}));
  EXPECT_NE(o.exit_code, 0);
}

TEST_F(CustomCheckIntegration, TcpHostNameResolvedThroughDns) {
  ListeningSocket listening;
  std::string port = std::to_string(listening.port());
  CustomOutcome o = RunWith("  - { name: svc, type: tcp, address: \"svc.custom.test:" + port +
                                "\", servers: [\"" + dns_->server() + "\"] }\n" +
                                "  - { name: gone, type: tcp, address: \"gone.custom.test:" + port +
                                "\", servers: [\"" + dns_->server() + "\"] }\n",
                            "svc,gone");
  json svc = Check(o, "svc");
  EXPECT_EQ(svc["Status"], "Synced") << DetailsOf(svc);
  EXPECT_EQ(svc["Data"]["addresses"], json::array({"127.0.0.1"}));
  json gone = Check(o, "gone");
  EXPECT_EQ(gone["Status"], "Failed");
  EXPECT_EQ(gone["Details"], json::array({"dns: NXDOMAIN (gone.custom.test)"}));
}

TEST_F(CustomCheckIntegration, HttpStatusAndBody) {
  json scenario = {
      {"routes",
       json::array(
           {{{"method", "GET"}, {"path", "/health"}, {"status", 200}, {"body", "status: ok"}},
            {{"method", "GET"}, {"path", "/down"}, {"status", 503}, {"body", "maintenance"}}})},
      {"default", {{"status", 404}, {"body", "nope"}}}};
  FakeHttpServer server(scenario);
  std::string base = server.url();
  CustomOutcome o =
      RunWith("  - { name: api, type: http, url: \"" + base +
                  "/health\", expect_status: 200, body_contains: \"ok\" }\n"
                  "  - { name: body, type: http, url: \"" +
                  base +
                  "/health\", body_contains: healthy }\n"
                  "  - { name: down, type: http, url: \"" +
                  base + "/down\", expect_status: 200 }\n  - { name: any, type: http, url: \"" +
                  base + "/down\" }\n",
              "api,body,down,any");
  json api = Check(o, "api");
  EXPECT_EQ(api["Status"], "Synced") << DetailsOf(api);
  EXPECT_TRUE(HasDetailStartingWith(api, "HTTP 200 from " + base + "/health in "))
      << DetailsOf(api);
  EXPECT_EQ(api["Data"]["httpStatus"], 200);
  EXPECT_TRUE(api["Data"]["responseMs"].is_number());
  json body = Check(o, "body");
  EXPECT_EQ(body["Status"], "Failed");
  EXPECT_TRUE(HasDetailStartingWith(body, "Body does not contain \"healthy\"")) << DetailsOf(body);
  json down = Check(o, "down");
  EXPECT_EQ(down["Status"], "Failed");
  EXPECT_TRUE(HasDetailStartingWith(down, "expected status 200, got 503")) << DetailsOf(down);
  json any = Check(o, "any");
  EXPECT_TRUE(HasDetailStartingWith(any, "expected a 2xx or 3xx status, got 503"))
      << DetailsOf(any);
  EXPECT_EQ(server.CountRequests("/health"), 2);
}

TEST_F(CustomCheckIntegration, HttpNothingListeningFails) {
  std::string url = "http://127.0.0.1:" + std::to_string(FreePort()) + "/";
  CustomOutcome o = RunWith("  - { name: api, type: http, url: \"" + url + "\" }\n", "api");
  json c = Check(o, "api");
  EXPECT_EQ(c["Status"], "Failed");
  EXPECT_EQ(c["Details"], json::array({"connect: refused (" + url + ")"}));
}

TEST_F(CustomCheckIntegration, DnsRecordsFromDnsmasq) {
  std::string servers = ", servers: [\"" + dns_->server() + "\"] }\n";
  CustomOutcome o = RunWith(
      "  - { name: a, type: dns, host: svc.custom.test, record: A, expect: 127.0.0.1" + servers +
          "  - { name: mx, type: dns, host: custom.test, record: MX, expect: mail.custom.test" +
          servers + "  - { name: txt, type: dns, host: custom.test, record: TXT, expect: v=spf1" +
          servers + "  - { name: cname, type: dns, host: www.custom.test, record: CNAME" + servers +
          "  - { name: wrong, type: dns, host: custom.test, record: MX, expect: mx.other.test" +
          servers + "  - { name: nx, type: dns, host: gone.custom.test, record: TXT" + servers +
          "  - { name: nocname, type: dns, host: custom.test, record: CNAME" + servers,
      "a,mx,txt,cname,wrong,nx,nocname");
  json a = Check(o, "a");
  EXPECT_EQ(a["Status"], "Synced") << DetailsOf(a);
  EXPECT_EQ(a["Data"]["answers"], json::array({"127.0.0.1"}));
  json mx = Check(o, "mx");
  EXPECT_EQ(mx["Status"], "Synced") << DetailsOf(mx);
  EXPECT_EQ(mx["Data"]["answers"], json::array({"10 mail.custom.test"}));
  json txt = Check(o, "txt");
  EXPECT_EQ(txt["Status"], "Synced") << DetailsOf(txt);
  EXPECT_EQ(txt["Data"]["answers"], json::array({"v=spf1 -all"}));
  json cname = Check(o, "cname");
  EXPECT_EQ(cname["Status"], "Synced") << DetailsOf(cname);
  EXPECT_EQ(cname["Data"]["answers"], json::array({"svc.custom.test"}));
  json wrong = Check(o, "wrong");
  EXPECT_EQ(wrong["Status"], "Failed");
  EXPECT_TRUE(HasDetailStartingWith(wrong, "expected \"mx.other.test\" among the MX answers"))
      << DetailsOf(wrong);
  json nx = Check(o, "nx");
  EXPECT_EQ(nx["Status"], "Failed");
  EXPECT_EQ(nx["Details"], json::array({"dns: NXDOMAIN (TXT gone.custom.test)"}));
  json nocname = Check(o, "nocname");
  EXPECT_EQ(nocname["Status"], "Failed") << DetailsOf(nocname);
  EXPECT_EQ(nocname["Details"], json::array({"dns: no CNAME records (CNAME custom.test)"}));
}

TEST_F(CustomCheckIntegration, CommandSucceedsAndFailsWithItsOutput) {
  WriteFile(dir_ / "marker.txt", "here\n");
  CustomOutcome o = RunWith(
      "  - { name: ok, type: command, run: [cat, marker.txt] }\n"
      "  - { name: lint, type: command, run: [sh, -c, \"for i in 1 2 3 4 5 6 7; do echo line $i; "
      "done; echo broken >&2; exit 3\"] }\n"
      "  - { name: missing, type: command, run: [no-such-program-xyz] }\n",
      "ok,lint,missing");
  json ok = Check(o, "ok");
  EXPECT_EQ(ok["Status"], "Synced") << DetailsOf(ok);
  EXPECT_TRUE(HasDetailStartingWith(ok, "`cat marker.txt` exited 0 in ")) << DetailsOf(ok);
  EXPECT_EQ(ok["Data"]["outputTail"], json::array({"here"}));  // ran in the config's folder
  json lint = Check(o, "lint");
  EXPECT_EQ(lint["Status"], "Failed");
  EXPECT_EQ(lint["Data"]["exitCode"], 3);
  ASSERT_EQ(lint["Details"].size(), 6u) << DetailsOf(lint);
  EXPECT_EQ(lint["Details"][1], "> line 4");
  EXPECT_EQ(lint["Details"][5], "> broken");
  json missing = Check(o, "missing");
  EXPECT_EQ(missing["Details"], json::array({"no-such-program-xyz: program not found"}));
  EXPECT_NE(o.exit_code, 0);
}

TEST_F(CustomCheckIntegration, HangingCommandIsKilledAtItsTimeout) {
  std::string pid_file = dir_ / "child.pid";
  CustomOutcome o = RunWith(
      "  - { name: hang, type: command, timeout: 1s, run: [sh, -c, \"sleep 30 & echo $! > " +
          pid_file + "; wait\"] }\n",
      "hang", "10s");
  json c = Check(o, "hang");
  EXPECT_EQ(c["Status"], "Failed");
  EXPECT_TRUE(HasDetailStartingWith(c, "`sh -c")) << DetailsOf(c);
  EXPECT_NE(DetailsOf(c).find("timed out after 1s (killed)"), std::string::npos) << DetailsOf(c);
  EXPECT_LT(o.seconds, 4.0);
  int child = std::atoi(ReadFile(pid_file).c_str());
  ASSERT_GT(child, 0);
  for (int i = 0; i < 50 && Alive(child); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(Alive(child)) << "sleep " << child << " outlived its check";
}

TEST_F(CustomCheckIntegration, RunInParallelWithBuiltInsAndNumberedAfterThem) {
  std::string checks =
      "  - { name: one, type: command, run: [sleep, \"1\"] }\n"
      "  - { name: two, type: command, run: [sleep, \"1\"] }\n";
  CustomOutcome o = RunWith(checks, "git,one,two");
  EXPECT_TRUE(o.doc["status"].contains("GitSync")) << o.doc.dump();
  EXPECT_EQ(Check(o, "one")["Status"], "Synced");
  EXPECT_EQ(Check(o, "two")["Status"], "Synced");
  // The run's own duration (from the document, so the program's start-up,
  // slow under a sanitizer, does not count): two 1 s checks side by side take
  // less than the 2 s they would take one after the other.
  EXPECT_GE(Check(o, "one")["DurationMs"].get<int>(), 1000) << o.doc.dump();
  EXPECT_LT(o.doc["durationMs"].get<int>(), 1900) << "two 1s checks did not run in parallel";

  CustomOutcome report = RunWith(checks, "one,two", "3s", /*json_out=*/false);
  EXPECT_NE(report.out.find("[6/7: Custom Check: one]"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("[7/7: Custom Check: two]"), std::string::npos) << report.out;
}

}  // namespace
}  // namespace infinity_sync::testing
