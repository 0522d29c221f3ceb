// The DnsResolver and HttpProbe ports against a real dnsmasq and a loopback
// HTTPS server: what the heartbeats will reuse.
#include <chrono>

#include <gtest/gtest.h>

#include "lib/cloudflare_world.h"
#include "lib/test_support.h"
#include "ports/dns_resolver.h"
#include "ports/http_probe.h"

namespace infinity_sync::testing {
namespace {

using std::chrono::milliseconds;

DnsResult Ask(const std::string& name, const std::vector<std::string>& servers,
              milliseconds timeout = milliseconds(2'000)) {
  CaresDnsResolver resolver;
  DnsQuery query;
  query.name = name;
  query.servers = servers;
  query.timeout = timeout;
  return resolver.Resolve(query);
}

TEST(DnsResolverIntegration, AandAaaaInOneQuestion) {
  Dnsmasq dns(
      {"--address=/both.test/127.0.0.1", "--address=/both.test/::1", "--address=/v6.test/::1"});
  DnsResult both = Ask("both.test", {dns.server()});
  EXPECT_TRUE(both.ok());
  EXPECT_EQ(both.a.addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(both.aaaa.addresses, std::vector<std::string>{"::1"});
  EXPECT_EQ(both.Addresses(), (std::vector<std::string>{"127.0.0.1", "::1"}));

  DnsResult v6 = Ask("v6.test", {dns.server()});
  EXPECT_TRUE(v6.ok());
  EXPECT_EQ(v6.Addresses(), std::vector<std::string>{"::1"});
  EXPECT_EQ(v6.Outcome(), DnsOutcome::kOk);
}

TEST(DnsResolverIntegration, ServerOnIpv6Loopback) {
  Dnsmasq dns({"--address=/name.test/127.0.0.1"}, "::1");
  ASSERT_EQ(dns.server().rfind("[::1]:", 0), 0u);
  DnsResult r = Ask("name.test", {dns.server()});
  EXPECT_TRUE(r.ok()) << r.Reason();
  EXPECT_EQ(r.a.addresses, std::vector<std::string>{"127.0.0.1"});
}

TEST(DnsResolverIntegration, FailuresStayApart) {
  Dnsmasq dns({"--address=/name.test/127.0.0.1"});
  DnsResult nx = Ask("nope.test", {dns.server()});
  EXPECT_FALSE(nx.ok());
  EXPECT_EQ(nx.Reason(), "NXDOMAIN");
  DnsResult refused = Ask("name.invalid", {dns.server()});
  EXPECT_EQ(refused.Reason(), "REFUSED");
  EXPECT_EQ(Ask("bad..name", {dns.server()}).Outcome(), DnsOutcome::kBadName);
}

TEST(DnsResolverIntegration, NextServerIsAskedAfterRefused) {
  Dnsmasq refusing({});  // knows nothing outside .test, refuses name.invalid
  Dnsmasq knowing({"--address=/name.invalid/127.0.0.2"}, "127.0.0.1", /*local_test=*/false);
  DnsResult r = Ask("name.invalid", {refusing.server(), knowing.server()});
  EXPECT_TRUE(r.ok()) << r.Reason();
  EXPECT_EQ(r.a.addresses, std::vector<std::string>{"127.0.0.2"});
}

TEST(DnsResolverIntegration, SilentServerEndsAtTheDeadline) {
  SilentDnsServer silent;
  auto start = std::chrono::steady_clock::now();
  DnsResult r = Ask("name.test", {silent.server()}, milliseconds(600));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.Outcome(), DnsOutcome::kTimeout);
  EXPECT_EQ(r.Reason(), "timeout");
  EXPECT_LT(took, milliseconds(900));
  EXPECT_GE(r.elapsed_ms, 500);
  EXPECT_GT(silent.Received(), 0);
}

TEST(DnsResolverIntegration, ClosedPortIsUnreachable) {
  // Nobody listens on this UDP port: the kernel answers "port unreachable".
  DnsResult r = Ask("name.test", {"127.0.0.1:" + std::to_string(FreePort())}, milliseconds(1'000));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.Outcome(), DnsOutcome::kUnreachable) << r.Reason();
  EXPECT_EQ(r.Reason(), "server unreachable");
  EXPECT_LT(r.elapsed_ms, 500);
}

TEST(DnsResolverIntegration, BadServerIsNamedAndNothingIsAsked) {
  DnsResult r = Ask("name.test", {"127.0.0.1:53", "resolver.example"});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.Reason(),
            "bad DNS server \"resolver.example\" is not an IP address (use IP, IP:PORT or "
            "[IPv6]:PORT)");
}

class HttpProbeIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = std::make_unique<TestCa>(dir_.str());
    leaf_ = ca_->Issue("leaf", {"name.test", "127.0.0.1"}, 30);
  }
  std::unique_ptr<FakeHttpServer> Serve(int status) {
    nlohmann::json scenario = {
        {"routes", nlohmann::json::array()},
        {"default",
         {{"status", status}, {"headers", {{"CF-Cache-Status", "HIT"}}}, {"body", "x"}}}};
    FakeHttpServer::Options options;
    options.tls_cert = leaf_.cert;
    options.tls_key = leaf_.key;
    return std::make_unique<FakeHttpServer>(scenario, options);
  }
  TempDir dir_;
  std::unique_ptr<TestCa> ca_;
  TestCa::Leaf leaf_;
  CurlHttpClient http_;
  CaresDnsResolver dns_;
};

TEST_F(HttpProbeIntegration, ResolvesThenConnectsToTheAddressFound) {
  Dnsmasq dns({"--address=/name.test/127.0.0.1"});
  auto server = Serve(200);
  ProbeRequest req;
  req.url = "https://name.test:" + std::to_string(server->port()) + "/health";
  req.dns_servers = {dns.server()};
  req.ca_file = ca_->ca_file();
  ProbeResult r = HttpProbe(http_, dns_).Probe(req);
  EXPECT_TRUE(r.answered) << r.error << " " << r.error_detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.cf_cache_status, "HIT");
  EXPECT_EQ(r.remote_ip, "127.0.0.1");
  EXPECT_EQ(r.addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(r.cert_days_left, 29);
  EXPECT_GT(r.timings.dns_ms, 0);
  EXPECT_GT(r.timings.tls_ms, 0);
  EXPECT_GE(r.timings.total_ms, r.timings.dns_ms + r.timings.tls_ms);
  EXPECT_EQ(server->CountRequests("/health"), 1);
}

TEST_F(HttpProbeIntegration, AnIpUrlNeedsNoDns) {
  auto server = Serve(204);
  SilentDnsServer silent;
  ProbeRequest req;
  req.url = "https://127.0.0.1:" + std::to_string(server->port()) + "/";
  req.dns_servers = {silent.server()};
  req.ca_file = ca_->ca_file();
  ProbeResult r = HttpProbe(http_, dns_).Probe(req);
  EXPECT_EQ(r.status, 204) << r.error;
  EXPECT_EQ(r.timings.dns_ms, 0);
  EXPECT_EQ(silent.Received(), 0);
}

TEST_F(HttpProbeIntegration, DnsFailureIsTheShortError) {
  Dnsmasq dns({});
  ProbeRequest req;
  req.url = "https://nope.test/";
  req.dns_servers = {dns.server()};
  ProbeResult r = HttpProbe(http_, dns_).Probe(req);
  EXPECT_FALSE(r.answered);
  EXPECT_EQ(r.error, "dns: NXDOMAIN");
}

TEST_F(HttpProbeIntegration, PinsIpv6Addresses) {
  // v6.test exists only in this dnsmasq, as ::1, where nothing listens: the
  // connection is refused at [::1] rather than the name failing to resolve.
  Dnsmasq dns({"--address=/v6.test/::1"});
  ProbeRequest req;
  req.url = "https://v6.test:" + std::to_string(FreePort()) + "/";
  req.dns_servers = {dns.server()};
  ProbeResult r = HttpProbe(http_, dns_).Probe(req);
  EXPECT_EQ(r.addresses, std::vector<std::string>{"::1"});
  EXPECT_EQ(r.error, "connect: refused") << r.error_detail;
}

TEST_F(HttpProbeIntegration, HeadForHeartbeats) {
  auto server = Serve(503);
  ProbeRequest req;
  req.url = "https://127.0.0.1:" + std::to_string(server->port()) + "/";
  req.ca_file = ca_->ca_file();
  req.method = "HEAD";
  ProbeResult r = HttpProbe(http_, dns_).Probe(req);
  EXPECT_TRUE(r.answered);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(server->Requests().size(), 1u);
  EXPECT_EQ(server->Requests()[0]["method"], "HEAD");
}

}  // namespace
}  // namespace infinity_sync::testing
