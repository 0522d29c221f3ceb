// The pure parts of the custom checks (SPEC section 3.6), and their wiring
// through fake ports: config entries, address parsing, the judgement of an
// HTTP probe, of DNS records and of a finished command.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "checks/custom_check.h"
#include "checks/custom_types.h"
#include "core/config.h"
#include "lib/fake_ports.h"

namespace infinity_sync {
namespace {

using testing::FakeWorld;

Config ParseOk(const std::string& text) {
  auto parsed = ParseConfig(text, "infinity-sync.yaml", "/repo/app",
                            [](const std::string&) { return std::nullopt; });
  if (auto* err = std::get_if<ConfigError>(&parsed)) {
    ADD_FAILURE() << err->ToString();
    return Config{};
  }
  return std::get<Config>(parsed);
}

std::string ParseError(const std::string& text) {
  auto parsed = ParseConfig(text, "infinity-sync.yaml", "/repo/app",
                            [](const std::string&) { return std::nullopt; });
  if (auto* err = std::get_if<ConfigError>(&parsed)) return err->ToString();
  return "(no error)";
}

std::vector<std::string> Texts(const CheckResult& r) {
  std::vector<std::string> out;
  for (const auto& n : r.notes) out.push_back(n.text);
  return out;
}

bool Has(const CheckResult& r, const std::string& text) {
  for (const auto& n : r.notes) {
    if (n.text == text) return true;
  }
  return false;
}

std::string All(const CheckResult& r) {
  std::string out;
  for (const auto& t : Texts(r)) out += "\n  " + t;
  return out;
}

CustomCheckConfig Entry(const std::string& type) {
  CustomCheckConfig c;
  c.name = "x";
  c.type = type;
  return c;
}

TEST(CustomCheckConfigTest, ServersKeyIsAListOfStrings) {
  Config c = ParseOk(
      "checks:\n  - { name: mx, type: dns, host: a.test, record: MX, servers: "
      "[\"127.0.0.1:5353\", \"[::1]:53\"] }\n");
  ASSERT_EQ(c.checks.size(), 1u);
  EXPECT_EQ(c.checks[0].servers, (std::vector<std::string>{"127.0.0.1:5353", "[::1]:53"}));
  EXPECT_EQ(ParseError("checks:\n  - { name: a, type: tcp, address: \"x:1\", server: [] }\n"),
            "infinity-sync.yaml:2:43: checks[0].server: unknown key (did you mean \"servers\"?)");
  std::string e = ParseError("checks:\n  - { name: a, type: dns, host: h, servers: 5 }\n");
  EXPECT_NE(e.find("infinity-sync.yaml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("checks[0].servers"), std::string::npos) << e;
}

TEST(CustomCheckTcpTest, ParsesAddresses) {
  auto a = ParseTcpAddress("127.0.0.1:6379");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6379);
  auto b = ParseTcpAddress("[::1]:80");
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 80);
  auto c = ParseTcpAddress("db.internal:5432");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->host, "db.internal");

  EXPECT_EQ(ParseTcpAddress("redis").error(), "\"redis\": expected HOST:PORT");
  EXPECT_EQ(ParseTcpAddress("redis:99999").error(),
            "\"redis:99999\": port \"99999\" is not a number from 1 to 65535");
  EXPECT_EQ(ParseTcpAddress("redis:").error(),
            "\"redis:\": port \"\" is not a number from 1 to 65535");
  EXPECT_EQ(ParseTcpAddress(":80").error(), "\":80\": no host before the port");
  EXPECT_EQ(ParseTcpAddress("::1:80").error(),
            "\"::1:80\": write IPv6 addresses as [ADDRESS]:PORT");
  EXPECT_EQ(ParseTcpAddress("[::1]").error(), "\"[::1]\": expected [IPv6]:PORT");
  EXPECT_EQ(ParseTcpAddress("[1.2.3.4]:80").error(),
            "\"[1.2.3.4]:80\": brackets are for IPv6 addresses");
}

TEST(CustomCheckTcpTest, NameThatDoesNotResolveFailsWithTheReason) {
  FakeWorld world;  // the fake resolver answers NXDOMAIN
  Config config;
  CheckContext ctx{config, world.ports, std::chrono::steady_clock::now() + std::chrono::seconds(2)};
  CustomCheckConfig c = Entry("tcp");
  c.address = "db.example.test:5432";
  c.servers = {"127.0.0.1:5353"};
  CheckResult r = RunCustomTcp(c, ctx);
  EXPECT_EQ(r.status, CheckStatus::kFailed);
  EXPECT_TRUE(Has(r, "dns: NXDOMAIN (db.example.test)")) << All(r);
  ASSERT_EQ(world.dns.queries().size(), 1u);
  EXPECT_EQ(world.dns.queries()[0].servers, c.servers);
}

TEST(CustomCheckTcpTest, ResolvedNameIsConnectedTo) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);

  FakeWorld world;
  world.dns.answer = [](const DnsQuery&) {
    DnsResult r;
    r.a.outcome = DnsOutcome::kOk;
    r.a.addresses = {"127.0.0.1"};
    r.aaaa.outcome = DnsOutcome::kNoData;
    return r;
  };
  Config config;
  CheckContext ctx{config, world.ports, std::chrono::steady_clock::now() + std::chrono::seconds(2)};
  CustomCheckConfig c = Entry("tcp");
  c.address = "db.example.test:" + std::to_string(port);
  CheckResult r = RunCustomTcp(c, ctx);
  close(fd);
  EXPECT_EQ(r.status, CheckStatus::kSynced) << All(r);
  EXPECT_EQ(r.data["connectedTo"], "127.0.0.1");
  EXPECT_EQ(r.data["port"], port);
}

ProbeResult Answer(int status, const std::string& body) {
  ProbeResult p;
  p.answered = true;
  p.status = status;
  p.body = body;
  p.timings.total_ms = 12.4;
  return p;
}

TEST(CustomCheckHttpTest, DefaultAcceptsAny2xxOr3xx) {
  CustomCheckConfig c = Entry("http");
  c.url = "http://127.0.0.1:1/health";
  CheckResult ok = InterpretHttpProbe(c, Answer(204, ""));
  EXPECT_EQ(ok.status, CheckStatus::kSynced);
  EXPECT_TRUE(Has(ok, "HTTP 204 from http://127.0.0.1:1/health in 12 ms")) << All(ok);
  EXPECT_EQ(ok.data["httpStatus"], 204);
  EXPECT_EQ(ok.data["responseMs"], 12);
  EXPECT_EQ(InterpretHttpProbe(c, Answer(302, "")).status, CheckStatus::kSynced);
  CheckResult bad = InterpretHttpProbe(c, Answer(503, ""));
  EXPECT_EQ(bad.status, CheckStatus::kFailed);
  EXPECT_TRUE(Has(bad, "expected a 2xx or 3xx status, got 503")) << All(bad);
}

TEST(CustomCheckHttpTest, ExpectedStatusAndBody) {
  CustomCheckConfig c = Entry("http");
  c.url = "http://127.0.0.1:1/";
  c.expect_status = 418;
  c.body_contains = "teapot";
  EXPECT_EQ(InterpretHttpProbe(c, Answer(418, "I am a teapot")).status, CheckStatus::kSynced);
  CheckResult wrong_status = InterpretHttpProbe(c, Answer(200, "teapot"));
  EXPECT_EQ(wrong_status.status, CheckStatus::kFailed);
  EXPECT_TRUE(Has(wrong_status, "expected status 418, got 200")) << All(wrong_status);
  CheckResult wrong_body = InterpretHttpProbe(c, Answer(418, "coffee"));
  EXPECT_EQ(wrong_body.status, CheckStatus::kFailed);
  EXPECT_TRUE(Has(wrong_body, "Body does not contain \"teapot\" (6 bytes read)"))
      << All(wrong_body);
  EXPECT_EQ(wrong_body.data["bodyMatched"], false);
}

TEST(CustomCheckHttpTest, NoAnswerGivesTheProbeReason) {
  CustomCheckConfig c = Entry("http");
  c.url = "http://127.0.0.1:1/";
  ProbeResult p;
  p.error = "connect: refused";
  CheckResult r = InterpretHttpProbe(c, p);
  EXPECT_EQ(r.status, CheckStatus::kFailed);
  EXPECT_TRUE(Has(r, "connect: refused (http://127.0.0.1:1/)")) << All(r);
  EXPECT_EQ(r.data["error"], "connect: refused");
}

TEST(CustomCheckDnsTest, ValuesMatchByType) {
  EXPECT_TRUE(DnsValueMatches("MX", "10 mail.example.test", "mail.example.test."));
  EXPECT_TRUE(DnsValueMatches("MX", "10 mail.example.test", "10 Mail.Example.Test"));
  EXPECT_FALSE(DnsValueMatches("MX", "10 mail.example.test", "mx.example.test"));
  EXPECT_TRUE(DnsValueMatches("CNAME", "target.example.test", "TARGET.example.test."));
  EXPECT_TRUE(DnsValueMatches("TXT", "v=spf1 -all", "v=spf1"));
  EXPECT_FALSE(DnsValueMatches("TXT", "v=spf1 -all", "V=SPF1"));
  EXPECT_TRUE(DnsValueMatches("AAAA", "::1", "0:0:0:0:0:0:0:1"));
  EXPECT_TRUE(DnsValueMatches("A", "10.0.0.1", "10.0.0.1"));
  EXPECT_FALSE(DnsValueMatches("A", "10.0.0.1", "10.0.0.10"));
}

TEST(CustomCheckDnsTest, RecordsAndExpect) {
  CustomCheckConfig c = Entry("dns");
  c.host = "example.test";
  c.record = "MX";
  DnsRecords records;
  records.outcome = DnsOutcome::kOk;
  records.values = {"10 mail.example.test", "20 backup.example.test"};
  CheckResult r = InterpretDnsRecords(c, records);
  EXPECT_EQ(r.status, CheckStatus::kSynced);
  EXPECT_TRUE(Has(r, "MX example.test: 10 mail.example.test, 20 backup.example.test")) << All(r);
  c.expect = "backup.example.test";
  EXPECT_EQ(InterpretDnsRecords(c, records).status, CheckStatus::kSynced);
  c.expect = "other.example.test";
  CheckResult miss = InterpretDnsRecords(c, records);
  EXPECT_EQ(miss.status, CheckStatus::kFailed);
  EXPECT_TRUE(Has(miss, "expected \"other.example.test\" among the MX answers")) << All(miss);
  EXPECT_EQ(miss.data["matched"], false);
}

TEST(CustomCheckDnsTest, FailuresNameTheOutcome) {
  CustomCheckConfig c = Entry("dns");
  c.host = "gone.test";
  c.record = "TXT";
  DnsRecords none;
  none.outcome = DnsOutcome::kNxDomain;
  EXPECT_TRUE(Has(InterpretDnsRecords(c, none), "dns: NXDOMAIN (TXT gone.test)"));
  none.outcome = DnsOutcome::kNoData;
  EXPECT_TRUE(Has(InterpretDnsRecords(c, none), "dns: no TXT records (TXT gone.test)"));
}

TEST(CustomCheckDnsTest, AddressOnlyResolverRefusesOtherTypes) {
  testing::FakeDnsResolver fake;
  DnsRecordQuery q;
  q.name = "example.test";
  q.type = "MX";
  DnsRecords r = fake.ResolveRecords(q);
  EXPECT_EQ(r.outcome, DnsOutcome::kOtherError);
  EXPECT_EQ(r.Reason("MX"), "this resolver cannot ask for MX records");
  q.type = "A";
  EXPECT_EQ(fake.ResolveRecords(q).outcome, DnsOutcome::kNxDomain);
}

TEST(CustomCheckCommandTest, ExitZeroIsSynced) {
  CustomCheckConfig c = Entry("command");
  c.run = {"make", "lint"};
  ProcessResult run;
  run.started = true;
  run.exit_code = 0;
  run.out = "all good\n";
  run.duration = std::chrono::milliseconds(40);
  CheckResult r = InterpretCommand(c, run, std::chrono::seconds(5));
  EXPECT_EQ(r.status, CheckStatus::kSynced);
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"`make lint` exited 0 in 40 ms", "> all good"}));
  EXPECT_EQ(r.data["exitCode"], 0);
}

TEST(CustomCheckCommandTest, FailureKeepsTheLastFiveLines) {
  CustomCheckConfig c = Entry("command");
  c.run = {"make", "lint"};
  ProcessResult run;
  run.started = true;
  run.exit_code = 2;
  run.out = "one\ntwo\nthree\nfour";
  run.err = "\nfive\nsix\n";
  CheckResult r = InterpretCommand(c, run, std::chrono::seconds(5));
  EXPECT_EQ(r.status, CheckStatus::kFailed);
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"`make lint` exited 2 in 0 ms", "> two", "> three",
                                                "> four", "> five", "> six"}));
  EXPECT_EQ(r.data["exitCode"], 2);
}

TEST(CustomCheckCommandTest, TimeoutAndMissingProgram) {
  CustomCheckConfig c = Entry("command");
  c.run = {"sleep", "10"};
  ProcessResult hung;
  hung.started = true;
  hung.timed_out = true;
  hung.signal = 15;
  CheckResult r = InterpretCommand(c, hung, std::chrono::milliseconds(1500));
  EXPECT_EQ(r.status, CheckStatus::kFailed);
  EXPECT_TRUE(Has(r, "`sleep 10` timed out after 1500ms (killed)")) << All(r);
  ProcessResult missing;
  missing.not_found = true;
  CheckResult m = InterpretCommand(c, missing, std::chrono::seconds(1));
  EXPECT_TRUE(Has(m, "sleep: program not found")) << All(m);
}

TEST(CustomCheckCommandTest, RunsInTheConfigFolderWithTheBudget) {
  FakeWorld world;
  Config config;
  config.base_dir = "/repo/app";
  CheckContext ctx{config, world.ports, std::chrono::steady_clock::now() + std::chrono::seconds(3)};
  CustomCheckConfig c = Entry("command");
  c.run = {"make", "lint"};
  CheckSpec spec = CustomCheckSpec(c);
  CheckResult r = spec.run(ctx);
  EXPECT_EQ(r.status, CheckStatus::kSynced) << All(r);
  EXPECT_EQ(r.data["type"], "command");
  auto requests = world.process.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].argv, c.run);
  EXPECT_EQ(requests[0].cwd, "/repo/app");
  EXPECT_GT(requests[0].timeout, std::chrono::milliseconds(2500));
  EXPECT_LE(requests[0].timeout, std::chrono::milliseconds(3000));
}

}  // namespace
}  // namespace infinity_sync
