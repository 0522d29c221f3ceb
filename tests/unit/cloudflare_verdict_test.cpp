#include "checks/cloudflare_verdict.h"

#include <cerrno>

#include <curl/curl.h>
#include <gtest/gtest.h>

namespace infinity_sync {
namespace {

std::vector<std::string> Texts(const CheckResult& r) {
  std::vector<std::string> out;
  for (const auto& n : r.notes) out.push_back(n.text);
  return out;
}

bool HasNote(const CheckResult& r, NoteLevel level, const std::string& text) {
  for (const auto& n : r.notes) {
    if (n.level == level && n.text == text) return true;
  }
  return false;
}

CloudflareFindings Resolved(std::vector<std::string> v4, bool proxied) {
  CloudflareFindings f;
  f.domain = "vizual-x.com";
  f.url = "https://vizual-x.com";
  f.dns.a.outcome = v4.empty() ? DnsOutcome::kNoData : DnsOutcome::kOk;
  f.dns.a.addresses = v4;
  f.dns.aaaa.outcome = DnsOutcome::kNoData;
  f.dns.elapsed_ms = 2;
  f.proxied = proxied;
  if (!proxied) f.outside = v4;
  return f;
}

CloudflareFindings Answered(int status, bool proxied = true) {
  CloudflareFindings f = Resolved({"104.21.32.1"}, proxied);
  f.probed = true;
  f.probe.answered = true;
  f.probe.status = status;
  f.probe.cf_ray = "8C5A7F1E9D3B2A41-fra";
  f.probe.cert_days_left = 80;
  f.probe.timings = {0, 1.5, 3.25, 2, 7};
  return f;
}

TEST(CfRayTest, ParsesIdAndColo) {
  auto ray = ParseCfRay(" 8c5a7f1e9d3b2a41-FRA ");
  ASSERT_TRUE(ray);
  EXPECT_EQ(ray->id, "8c5a7f1e9d3b2a41");
  EXPECT_EQ(ray->colo, "FRA");
  auto mixed = ParseCfRay("8C5A7F1E9D3B2A41-sjc");
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->id, "8c5a7f1e9d3b2a41");
  EXPECT_EQ(mixed->colo, "SJC");
}

TEST(CfRayTest, RejectsOtherShapes) {
  EXPECT_FALSE(ParseCfRay(""));
  EXPECT_FALSE(ParseCfRay("8c5a7f1e9d3b2a41"));
  EXPECT_FALSE(ParseCfRay("-FRA"));
  EXPECT_FALSE(ParseCfRay("8c5a7f1e9d3b2a41-"));
  EXPECT_FALSE(ParseCfRay("zz5a7f1e9d3b2a41-FRA"));
  EXPECT_FALSE(ParseCfRay("8c5a7f1e9d3b2a41-FR1"));
}

TEST(CloudflareVerdictTest, DnsFailureIsUnreachableAndNamesTheReason) {
  CloudflareFindings f;
  f.domain = "nope.test";
  f.dns.a.outcome = DnsOutcome::kNxDomain;
  f.dns.aaaa.outcome = DnsOutcome::kNxDomain;
  CheckResult r = InterpretCloudflare(f, true);
  EXPECT_EQ(r.status, CheckStatus::kUnreachable);
  EXPECT_TRUE(HasNote(r, NoteLevel::kError,
                      "DNS resolution failed for nope.test: NXDOMAIN: the name does not exist"));
  EXPECT_EQ(r.data["dnsError"], "NXDOMAIN");
  EXPECT_TRUE(r.data["httpStatus"].is_null());
  EXPECT_EQ(r.data["ips"], nlohmann::json::array());
  EXPECT_EQ(r.data["proxied"], false);
}

TEST(CloudflareVerdictTest, ServfailWinsOverNoData) {
  CloudflareFindings f;
  f.domain = "x.test";
  f.dns.a.outcome = DnsOutcome::kServFail;
  f.dns.aaaa.outcome = DnsOutcome::kNoData;
  CheckResult r = InterpretCloudflare(f, false);
  EXPECT_EQ(r.status, CheckStatus::kUnreachable);
  EXPECT_EQ(r.data["dnsError"], "SERVFAIL");
}

TEST(CloudflareVerdictTest, ProxiedAnd200IsReachable) {
  CheckResult r = InterpretCloudflare(Answered(200), true);
  EXPECT_EQ(r.status, CheckStatus::kReachable);
  auto texts = Texts(r);
  ASSERT_GE(texts.size(), 4u);
  EXPECT_EQ(texts[0], "DNS resolved");
  EXPECT_EQ(texts[1], "IPs: 104.21.32.1");
  EXPECT_TRUE(
      HasNote(r, NoteLevel::kOk, "Proxied by Cloudflare: yes (cf-ray 8C5A7F1E9D3B2A41-fra)"));
  EXPECT_TRUE(HasNote(r, NoteLevel::kOk, "HTTPS connectivity successful (Status: 200)"));
  EXPECT_TRUE(HasNote(r, NoteLevel::kInfo, "Certificate expires in 80 days"));
  EXPECT_EQ(r.data["httpStatus"], 200);
  EXPECT_EQ(r.data["cfRay"], "8C5A7F1E9D3B2A41-fra");
  EXPECT_EQ(r.data["cfColo"], "FRA");
  EXPECT_EQ(r.data["certDaysLeft"], 80);
  EXPECT_EQ(r.data["proxied"], true);
  EXPECT_DOUBLE_EQ(r.data["timingsMs"]["dns"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(r.data["timingsMs"]["tls"].get<double>(), 3.3);
  EXPECT_DOUBLE_EQ(r.data["timingsMs"]["total"].get<double>(), 9.0);
}

TEST(CloudflareVerdictTest, RedirectIsReachableAndNotFollowed) {
  CloudflareFindings f = Answered(301);
  f.probe.location = "https://www.vizual-x.com/";
  CheckResult r = InterpretCloudflare(f, true);
  EXPECT_EQ(r.status, CheckStatus::kReachable);
  EXPECT_TRUE(HasNote(r, NoteLevel::kOk,
                      "HTTPS connectivity successful (Status: 301, redirect to "
                      "https://www.vizual-x.com/ not followed)"));
}

TEST(CloudflareVerdictTest, NotProxiedIsPartialOnlyWhenExpected) {
  CloudflareFindings f = Answered(200, false);
  f.probe.cf_ray.clear();
  CheckResult expected = InterpretCloudflare(f, true);
  EXPECT_EQ(expected.status, CheckStatus::kPartiallyReachable);
  EXPECT_TRUE(HasNote(expected, NoteLevel::kWarn,
                      "Proxied by Cloudflare: no (104.21.32.1 outside Cloudflare's ranges; no "
                      "cf-ray header)"));
  CheckResult relaxed = InterpretCloudflare(f, false);
  EXPECT_EQ(relaxed.status, CheckStatus::kReachable);
  EXPECT_EQ(relaxed.data["proxied"], false);
  EXPECT_TRUE(relaxed.data["cfRay"].is_null());
}

TEST(CloudflareVerdictTest, ServerErrorsArePartial) {
  CheckResult r503 = InterpretCloudflare(Answered(503), true);
  EXPECT_EQ(r503.status, CheckStatus::kPartiallyReachable);
  EXPECT_TRUE(HasNote(r503, NoteLevel::kError, "HTTPS answered with Status: 503"));
  EXPECT_EQ(r503.data["httpError"], "HTTP 503");
  CheckResult r522 = InterpretCloudflare(Answered(522), true);
  EXPECT_EQ(r522.status, CheckStatus::kPartiallyReachable);
  EXPECT_TRUE(HasNote(r522, NoteLevel::kError,
                      "HTTPS answered with Status: 522: Cloudflare cannot reach the origin "
                      "(connection to the origin timed out)"));
  // 4xx is not "2xx/3xx": the site answers, but not with the page.
  EXPECT_EQ(InterpretCloudflare(Answered(404), true).status, CheckStatus::kPartiallyReachable);
}

TEST(CloudflareVerdictTest, TransportFailureIsPartial) {
  CloudflareFindings f = Resolved({"104.21.32.1"}, true);
  f.probed = true;
  f.probe.error = "tls: certificate has expired";
  CheckResult r = InterpretCloudflare(f, true);
  EXPECT_EQ(r.status, CheckStatus::kPartiallyReachable);
  EXPECT_TRUE(HasNote(r, NoteLevel::kError,
                      "HTTPS connectivity failed for https://vizual-x.com: tls: certificate has "
                      "expired"));
  EXPECT_EQ(r.data["httpError"], "tls: certificate has expired");
}

TEST(CloudflareVerdictTest, CertificateCloseToExpiryWarnsWithoutChangingStatus) {
  CloudflareFindings f = Answered(200);
  f.probe.cert_days_left = 5;
  CheckResult r = InterpretCloudflare(f, true);
  EXPECT_EQ(r.status, CheckStatus::kReachable);
  EXPECT_TRUE(HasNote(r, NoteLevel::kWarn, "Certificate expires in 5 days"));
  f.probe.cert_days_left = 14;
  EXPECT_TRUE(
      HasNote(InterpretCloudflare(f, true), NoteLevel::kInfo, "Certificate expires in 14 days"));
}

TEST(CloudflareVerdictTest, OneFamilyFailingIsAWarningWhenTheOtherAnswered) {
  CloudflareFindings f = Answered(200);
  f.dns.aaaa.outcome = DnsOutcome::kTimeout;
  CheckResult r = InterpretCloudflare(f, true);
  EXPECT_EQ(r.status, CheckStatus::kReachable);
  EXPECT_TRUE(HasNote(r, NoteLevel::kWarn, "AAAA lookup failed: timeout"));
}

TEST(Explain52xTest, OnlyCloudflareOriginCodes) {
  EXPECT_EQ(Explain52x(521),
            "Cloudflare cannot reach the origin (the origin web server refused the connection)");
  EXPECT_EQ(Explain52x(527), "");  // Railgun's code; Cloudflare retired it
  EXPECT_EQ(Explain52x(519), "");
  EXPECT_EQ(Explain52x(528), "");
  EXPECT_EQ(Explain52x(503), "");
}

HttpResponse Failed(int code, const std::string& text, int os_errno = 0) {
  HttpResponse r;
  r.error_code = code;
  r.error = text;
  r.os_errno = os_errno;
  r.timed_out = code == CURLE_OPERATION_TIMEDOUT;
  return r;
}

TEST(ShortTransportErrorTest, HeartbeatSizedReasons) {
  EXPECT_EQ(ShortTransportError(Failed(CURLE_COULDNT_CONNECT,
                                       "Failed to connect to a port 1 after 0 ms: Couldn't "
                                       "connect to server",
                                       ECONNREFUSED)),
            "connect: refused");
  EXPECT_EQ(ShortTransportError(Failed(CURLE_OPERATION_TIMEDOUT, "Operation timed out")),
            "timeout");
  EXPECT_EQ(ShortTransportError(Failed(CURLE_PEER_FAILED_VERIFICATION,
                                       "SSL certificate problem: certificate has expired")),
            "tls: certificate has expired");
  EXPECT_EQ(ShortTransportError(Failed(CURLE_PEER_FAILED_VERIFICATION,
                                       "SSL: no alternative certificate subject name matches "
                                       "target host name 'name.test'")),
            "tls: certificate does not match host name");
  EXPECT_EQ(ShortTransportError(Failed(CURLE_PEER_FAILED_VERIFICATION,
                                       "SSL certificate problem: unable to get local issuer "
                                       "certificate")),
            "tls: certificate issuer not trusted");
  EXPECT_EQ(ShortTransportError(Failed(CURLE_GOT_NOTHING, "Empty reply from server")),
            "empty reply");
  HttpResponse ok;
  ok.answered = true;
  ok.status = 503;
  EXPECT_EQ(ShortTransportError(ok), "");
}

TEST(ProbeTargetTest, UrlParts) {
  auto a = ParseProbeTarget("https://Name.Test:8443/x?y=1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->scheme, "https");
  EXPECT_EQ(a->port, 8443);
  auto b = ParseProbeTarget("https://[::1]/");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 443);
  EXPECT_FALSE(ParseProbeTarget("ftp://x.test/").ok());
  EXPECT_FALSE(ParseProbeTarget("not a url").ok());
}

TEST(DaysLeftTest, RoundsDown) {
  auto now = std::chrono::system_clock::now();
  EXPECT_EQ(DaysLeft(now + std::chrono::hours(24 * 5 - 1), now), 4);
  EXPECT_EQ(DaysLeft(now + std::chrono::hours(24 * 5 + 1), now), 5);
  EXPECT_EQ(DaysLeft(now - std::chrono::hours(1), now), -1);
}

}  // namespace
}  // namespace infinity_sync
