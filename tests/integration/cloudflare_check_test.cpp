// The cloudflare check end to end: the real program, a real dnsmasq and a real
// HTTPS server on loopback with certificates from a CA made by openssl.
// Every name resolves to a loopback address; nothing leaves the machine.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "lib/cloudflare_world.h"
#include "lib/test_support.h"

namespace infinity_sync::testing {
namespace {

using nlohmann::json;

struct Outcome {
  int exit_code = -1;
  json doc;
  json check;  // status.CloudflareCheck
  double seconds = 0;
  std::string stderr_text;
};

std::vector<std::string> Details(const Outcome& o) {
  std::vector<std::string> out;
  for (const auto& d : o.check["Details"]) out.push_back(d.get<std::string>());
  return out;
}

bool HasDetail(const Outcome& o, const std::string& text) {
  for (const auto& d : Details(o)) {
    if (d == text) return true;
  }
  return false;
}

std::string AllDetails(const Outcome& o) {
  std::string out;
  for (const auto& d : Details(o)) out += "\n  " + d;
  return out;
}

class CloudflareIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_dir_ = new TempDir();
    ca_ = new TestCa(certs_dir_->str());
    valid_ = new TestCa::Leaf(ca_->Issue("valid", {"name.test", "127.0.0.1"}, 90));
    expired_ = new TestCa::Leaf(ca_->IssueExpired("expired", {"name.test"}));
    wrong_host_ = new TestCa::Leaf(ca_->Issue("wrong", {"other.test"}, 90));
    soon_ = new TestCa::Leaf(ca_->Issue("soon", {"name.test"}, 5));
    dns_ = new Dnsmasq({"--address=/name.test/127.0.0.1"});
  }
  static void TearDownTestSuite() {
    delete dns_;
    delete soon_;
    delete wrong_host_;
    delete expired_;
    delete valid_;
    delete ca_;
    delete certs_dir_;
  }

  // An HTTPS server answering every GET with `status` and `headers`.
  static std::unique_ptr<FakeHttpServer> Https(const TestCa::Leaf& leaf, int status,
                                               const json& headers = json::object()) {
    json scenario = {{"routes", json::array()},
                     {"default", {{"status", status}, {"headers", headers}, {"body", "hello"}}}};
    FakeHttpServer::Options options;
    options.tls_cert = leaf.cert;
    options.tls_key = leaf.key;
    return std::make_unique<FakeHttpServer>(scenario, options);
  }

  // The cloudflare section for `domain` on `port`, resolved by `dns_server`.
  static std::string Section(const std::string& domain, int port, const std::string& dns_server,
                             const std::string& extra = "expect_proxied: false") {
    return "cloudflare:\n  domain: " + domain + "\n  url: https://" + domain + ":" +
           std::to_string(port) + "/\n  dns_servers: [\"" + dns_server + "\"]\n  " + extra + "\n";
  }

  Outcome RunWith(const std::string& yaml, const std::string& timeout = "5s") {
    std::string config = dir_ / "infinity-sync.yaml";
    WriteFile(config, "status_file: " + (dir_ / "status.json") + "\ntimeout: " + timeout +
                          "\ntls:\n  ca_file: " + ca_->ca_file() + "\n" + yaml);
    auto start = std::chrono::steady_clock::now();
    ProcessResult r = testing::Run(
        {ProgramPath(), "run", "--only", "cloudflare", "--json", "--config", config}, dir_.str(),
        {{"https_proxy", std::nullopt},
         {"HTTPS_PROXY", std::nullopt},
         {"http_proxy", std::nullopt},
         {"all_proxy", std::nullopt},
         {"ALL_PROXY", std::nullopt},
         {"NO_COLOR", "1"}});
    Outcome o;
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.exit_code = r.exit_code;
    o.stderr_text = r.err;
    o.doc = json::parse(r.out, nullptr, false);
    if (o.doc.is_discarded() || !o.doc.contains("status")) {
      ADD_FAILURE() << "no status document; stdout: " << r.out << "\nstderr: " << r.err;
      return o;
    }
    o.check = o.doc["status"]["CloudflareCheck"];
    return o;
  }

  TempDir dir_;
  static TempDir* certs_dir_;
  static TestCa* ca_;
  static TestCa::Leaf* valid_;
  static TestCa::Leaf* expired_;
  static TestCa::Leaf* wrong_host_;
  static TestCa::Leaf* soon_;
  static Dnsmasq* dns_;
};

TempDir* CloudflareIntegration::certs_dir_ = nullptr;
TestCa* CloudflareIntegration::ca_ = nullptr;
TestCa::Leaf* CloudflareIntegration::valid_ = nullptr;
TestCa::Leaf* CloudflareIntegration::expired_ = nullptr;
TestCa::Leaf* CloudflareIntegration::wrong_host_ = nullptr;
TestCa::Leaf* CloudflareIntegration::soon_ = nullptr;
Dnsmasq* CloudflareIntegration::dns_ = nullptr;

TEST_F(CloudflareIntegration, ValidCertificateAnd200IsReachable) {
  auto server = Https(*valid_, 200, {{"CF-RAY", "8c5a7f1e9d3b2a41-FRA"}});
  Outcome o = RunWith(Section("name.test", server->port(), dns_->server()));
  EXPECT_EQ(o.check["Status"], "Reachable") << AllDetails(o);
  EXPECT_EQ(o.exit_code, 0) << o.stderr_text;
  EXPECT_TRUE(HasDetail(o, "DNS resolved")) << AllDetails(o);
  EXPECT_TRUE(HasDetail(o, "IPs: 127.0.0.1")) << AllDetails(o);
  EXPECT_TRUE(HasDetail(o, "HTTPS connectivity successful (Status: 200)")) << AllDetails(o);
  EXPECT_TRUE(HasDetail(o, "Certificate expires in 89 days")) << AllDetails(o);
  const json& data = o.check["Data"];
  EXPECT_EQ(data["ips"], json::array({"127.0.0.1"}));
  EXPECT_EQ(data["proxied"], false);
  EXPECT_EQ(data["httpStatus"], 200);
  EXPECT_EQ(data["cfRay"], "8c5a7f1e9d3b2a41-FRA");
  EXPECT_EQ(data["server"].get<std::string>().rfind("BaseHTTP", 0), 0u);  // the first one sent
  EXPECT_EQ(data["certDaysLeft"], 89);
  for (const char* key : {"dns", "connect", "tls", "firstByte", "total"}) {
    ASSERT_TRUE(data["timingsMs"][key].is_number()) << key;
    EXPECT_GE(data["timingsMs"][key].get<double>(), 0) << key;
  }
  EXPECT_GT(data["timingsMs"]["total"].get<double>(), 0);
  EXPECT_EQ(server->CountRequests("/"), 1);
}

TEST_F(CloudflareIntegration, LoopbackIsNotProxiedWhenProxyingIsExpected) {
  auto server = Https(*valid_, 200);
  Outcome o = RunWith(Section("name.test", server->port(), dns_->server(), "expect_proxied: true"));
  EXPECT_EQ(o.check["Status"], "PartiallyReachable") << AllDetails(o);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_TRUE(HasDetail(
      o, "Proxied by Cloudflare: no (127.0.0.1 outside Cloudflare's ranges; no cf-ray header)"))
      << AllDetails(o);
  EXPECT_TRUE(HasDetail(o, "HTTPS connectivity successful (Status: 200)")) << AllDetails(o);
}

TEST_F(CloudflareIntegration, ConfiguredRangesDecideWhatIsProxied) {
  auto server = Https(*valid_, 200, {{"CF-RAY", "8c5a7f1e9d3b2a41-AMS"}});
  Outcome o = RunWith(Section("name.test", server->port(), dns_->server(),
                              "ip_ranges: [\"127.0.0.0/8\", \"::1/128\"]"));
  EXPECT_EQ(o.check["Status"], "Reachable") << AllDetails(o);
  EXPECT_EQ(o.check["Data"]["proxied"], true);
  EXPECT_TRUE(HasDetail(o, "Proxied by Cloudflare: yes (cf-ray 8c5a7f1e9d3b2a41-AMS)"))
      << AllDetails(o);
}

TEST_F(CloudflareIntegration, RedirectIsReachableAndNotFollowed) {
  auto server = Https(*valid_, 301, {{"Location", "/elsewhere"}});
  Outcome o = RunWith(Section("name.test", server->port(), dns_->server()));
  EXPECT_EQ(o.check["Status"], "Reachable") << AllDetails(o);
  EXPECT_TRUE(HasDetail(
      o, "HTTPS connectivity successful (Status: 301, redirect to /elsewhere not followed)"))
      << AllDetails(o);
  EXPECT_EQ(server->CountRequests("/"), 1);
  EXPECT_EQ(server->CountRequests("/elsewhere"), 0);
}

TEST_F(CloudflareIntegration, ServiceUnavailableIsPartiallyReachable) {
  auto server = Https(*valid_, 503);
  Outcome o = RunWith(Section("name.test", server->port(), dns_->server()));
  EXPECT_EQ(o.check["Status"], "PartiallyReachable") << AllDetails(o);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_TRUE(HasDetail(o, "HTTPS answered with Status: 503")) << AllDetails(o);
  EXPECT_EQ(o.check["Data"]["httpStatus"], 503);
}

TEST_F(CloudflareIntegration, Cloudflare522IsExplained) {
  auto server = Https(*valid_, 522, {{"Server", "cloudflare"}, {"CF-RAY", "8c5a7f1e9d3b2a41-FRA"}});
  Outcome o = RunWith(Section("name.test", server->port(), dns_->server()));
  EXPECT_EQ(o.check["Status"], "PartiallyReachable") << AllDetails(o);
  EXPECT_TRUE(HasDetail(o,
                        "HTTPS answered with Status: 522: Cloudflare cannot reach the origin "
                        "(connection to the origin timed out)"))
      << AllDetails(o);
}

TEST_F(CloudflareIntegration, ExpiredCertificateFailsTls) {
  auto server = Https(*expired_, 200);
  Outcome o = RunWith(Section("name.test", server->port(), dns_->server()));
  EXPECT_EQ(o.check["Status"], "PartiallyReachable") << AllDetails(o);
  EXPECT_TRUE(HasDetail(o, "HTTPS connectivity failed for https://name.test:" +
                               std::to_string(server->port()) + "/: tls: certificate has expired"))
      << AllDetails(o);
  EXPECT_TRUE(o.check["Data"]["httpStatus"].is_null());
  EXPECT_EQ(server->CountRequests("/"), 0);
}

TEST_F(CloudflareIntegration, CertificateForAnotherNameFailsTls) {
  auto server = Https(*wrong_host_, 200);
  Outcome o = RunWith(Section("name.test", server->port(), dns_->server()));
  EXPECT_EQ(o.check["Status"], "PartiallyReachable") << AllDetails(o);
  EXPECT_EQ(o.check["Data"]["httpError"], "tls: certificate does not match host name")
      << AllDetails(o);
}

TEST_F(CloudflareIntegration, UntrustedCaFailsTlsWithoutTheCaFile) {
  auto server = Https(*valid_, 200);
  std::string config = dir_ / "infinity-sync.yaml";
  WriteFile(config, "status_file: " + (dir_ / "status.json") + "\n" +
                        Section("name.test", server->port(), dns_->server()));
  ProcessResult r =
      testing::Run({ProgramPath(), "run", "--only", "cloudflare", "--json", "--config", config});
  json check = json::parse(r.out)["status"]["CloudflareCheck"];
  EXPECT_EQ(check["Status"], "PartiallyReachable");
  EXPECT_EQ(check["Data"]["httpError"], "tls: certificate issuer not trusted");
}

TEST_F(CloudflareIntegration, CertificateCloseToExpiryWarns) {
  auto server = Https(*soon_, 200);
  Outcome o = RunWith(Section("name.test", server->port(), dns_->server()));
  EXPECT_EQ(o.check["Status"], "Reachable") << AllDetails(o);
  EXPECT_EQ(o.check["Data"]["certDaysLeft"], 4);
  EXPECT_TRUE(HasDetail(o, "Certificate expires in 4 days")) << AllDetails(o);
  // The terminal report marks it as a warning.
  std::string config = dir_ / "infinity-sync.yaml";
  ProcessResult text =
      testing::Run({ProgramPath(), "run", "--only", "cloudflare", "--config", config}, dir_.str(),
                   {{"NO_COLOR", "1"}});
  EXPECT_NE(text.out.find("[5/5: Cloudflare Reachability Check]"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("[WARN] Certificate expires in 4 days"), std::string::npos) << text.out;
}

TEST_F(CloudflareIntegration, ServerThatNeverAnswersEndsWithinTheDeadline) {
  SilentTcpServer silent;
  Outcome o = RunWith(Section("name.test", silent.port(), dns_->server()), "2s");
  EXPECT_EQ(o.check["Status"], "PartiallyReachable") << AllDetails(o);
  EXPECT_EQ(o.check["Data"]["httpError"], "timeout") << AllDetails(o);
  EXPECT_LT(o.seconds, 4.0);
}

TEST_F(CloudflareIntegration, ClosedPortIsConnectRefused) {
  int port = FreePort();
  Outcome o = RunWith(Section("name.test", port, dns_->server()));
  EXPECT_EQ(o.check["Status"], "PartiallyReachable") << AllDetails(o);
  EXPECT_TRUE(HasDetail(o, "HTTPS connectivity failed for https://name.test:" +
                               std::to_string(port) + "/: connect: refused"))
      << AllDetails(o);
}

TEST_F(CloudflareIntegration, UnknownNameIsUnreachableAndNothingIsFetched) {
  auto server = Https(*valid_, 200);
  Outcome o = RunWith(Section("nope.test", server->port(), dns_->server()));
  EXPECT_EQ(o.check["Status"], "Unreachable") << AllDetails(o);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_TRUE(
      HasDetail(o, "DNS resolution failed for nope.test: NXDOMAIN: the name does not exist"))
      << AllDetails(o);
  EXPECT_EQ(o.check["Data"]["dnsError"], "NXDOMAIN");
  EXPECT_EQ(o.check["Data"]["ips"], json::array());
  EXPECT_EQ(server->CountRequests("/"), 0);
}

TEST_F(CloudflareIntegration, RefusedQuestionIsKeptApart) {
  // Outside .test this dnsmasq has no upstream, so it refuses.
  Outcome o = RunWith(Section("name.invalid", FreePort(), dns_->server()));
  EXPECT_EQ(o.check["Status"], "Unreachable") << AllDetails(o);
  EXPECT_EQ(o.check["Data"]["dnsError"], "REFUSED") << AllDetails(o);
}

TEST_F(CloudflareIntegration, ServfailIsKeptApart) {
  // A validating dnsmasq in front of an unsigned one: the answer is bogus,
  // and the client gets SERVFAIL.
  Dnsmasq unsigned_zone({"--address=/sec.test/127.0.0.1"});
  Dnsmasq validating({"--dnssec",
                      "--trust-anchor=.,20326,8,2,"
                      "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
                      "--server=127.0.0.1#" + std::to_string(unsigned_zone.port())},
                     "127.0.0.1", /*local_test=*/false);
  Outcome o = RunWith(Section("sec.test", FreePort(), validating.server()));
  EXPECT_EQ(o.check["Status"], "Unreachable") << AllDetails(o);
  EXPECT_EQ(o.check["Data"]["dnsError"], "SERVFAIL") << AllDetails(o);
}

TEST_F(CloudflareIntegration, SilentDnsServerEndsWithinTheDeadline) {
  SilentDnsServer silent;
  Outcome o = RunWith(Section("name.test", FreePort(), silent.server()), "2s");
  EXPECT_EQ(o.check["Status"], "Unreachable") << AllDetails(o);
  EXPECT_EQ(o.check["Data"]["dnsError"], "timeout") << AllDetails(o);
  EXPECT_TRUE(
      HasDetail(o, "DNS resolution failed for name.test: timeout: no answer from the DNS server"))
      << AllDetails(o);
  EXPECT_GT(silent.Received(), 0);
  EXPECT_LT(o.seconds, 4.0);
  EXPECT_LE(o.check["DurationMs"].get<int>(), 2100);
}

TEST_F(CloudflareIntegration, NoDomainIsNotConfiguredAndAsksNothing) {
  SilentDnsServer silent;
  auto server = Https(*valid_, 200);
  Outcome o = RunWith("cloudflare:\n  url: https://name.test:" + std::to_string(server->port()) +
                      "/\n  dns_servers: [\"" + silent.server() + "\"]\n");
  EXPECT_EQ(o.check["Status"], "NotConfigured") << AllDetails(o);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(silent.Received(), 0);
  EXPECT_EQ(server->CountRequests("/"), 0);
}

TEST_F(CloudflareIntegration, BadSettingsAreConfigErrorsBeforeAnyCheckRuns) {
  auto run = [&](const std::string& yaml) {
    std::string config = dir_ / "infinity-sync.yaml";
    WriteFile(config, "status_file: " + (dir_ / "status.json") + "\n" + yaml);
    return testing::Run({ProgramPath(), "run", "--only", "cloudflare", "--config", config},
                        dir_.str(), {{"NO_COLOR", "1"}});
  };
  ProcessResult ranges = run(Section("name.test", FreePort(), dns_->server(),
                                     "ip_ranges: [\"127.0.0.0/8\", \"10.0.0.0/33\"]"));
  EXPECT_EQ(ranges.exit_code, 78) << ranges.err;
  EXPECT_NE(ranges.err.find("cloudflare.ip_ranges[1]: \"10.0.0.0/33\": prefix length 33 is "
                            "longer than 32"),
            std::string::npos)
      << ranges.err;
  ProcessResult servers = run(Section("name.test", FreePort(), "dns.google"));
  EXPECT_EQ(servers.exit_code, 78) << servers.err;
  EXPECT_NE(servers.err.find("cloudflare.dns_servers[0]: \"dns.google\" is not an IP address "
                             "(use IP, IP:PORT or [IPv6]:PORT)"),
            std::string::npos)
      << servers.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "status.json"));
}

}  // namespace
}  // namespace infinity_sync::testing
