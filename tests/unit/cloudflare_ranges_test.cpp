#include "cloud/cloudflare_ranges.h"

#include <gtest/gtest.h>

#include "ports/dns_resolver.h"

namespace infinity_sync {
namespace {

IpRanges MustParse(const std::vector<std::string>& texts) {
  auto r = IpRanges::Parse(texts);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? *r : IpRanges();
}

TEST(CidrTest, Ipv4EdgesOfARange) {
  IpRanges r = MustParse({"104.16.0.0/13"});
  EXPECT_TRUE(r.Contains("104.16.0.0"));
  EXPECT_TRUE(r.Contains("104.23.255.255"));
  EXPECT_FALSE(r.Contains("104.24.0.0"));
  EXPECT_FALSE(r.Contains("104.15.255.255"));
}

TEST(CidrTest, Ipv4PrefixNotOnAByteBoundary) {
  IpRanges r = MustParse({"198.41.128.0/17", "10.0.0.1/32"});
  EXPECT_TRUE(r.Contains("198.41.255.1"));
  EXPECT_FALSE(r.Contains("198.41.127.255"));
  EXPECT_TRUE(r.Contains("10.0.0.1"));
  EXPECT_FALSE(r.Contains("10.0.0.2"));
}

TEST(CidrTest, ZeroPrefixMatchesItsWholeFamilyOnly) {
  IpRanges v4 = MustParse({"0.0.0.0/0"});
  EXPECT_TRUE(v4.Contains("255.255.255.255"));
  EXPECT_FALSE(v4.Contains("::1"));
  IpRanges v6 = MustParse({"::/0"});
  EXPECT_TRUE(v6.Contains("2001:db8::1"));
  EXPECT_FALSE(v6.Contains("127.0.0.1"));
}

TEST(CidrTest, Ipv6EdgesOfARange) {
  IpRanges r = MustParse({"2a06:98c0::/29"});
  EXPECT_TRUE(r.Contains("2a06:98c0::"));
  EXPECT_TRUE(r.Contains("2a06:98c7:ffff:ffff:ffff:ffff:ffff:ffff"));
  EXPECT_FALSE(r.Contains("2a06:98c8::"));
  EXPECT_FALSE(r.Contains("2a06:98bf:ffff::1"));
}

TEST(CidrTest, Ipv6HostRangeAndMappedIpv4) {
  IpRanges r = MustParse({"::1/128", "127.0.0.0/8"});
  EXPECT_TRUE(r.Contains("::1"));
  EXPECT_FALSE(r.Contains("::2"));
  // An IPv4-mapped IPv6 address is the IPv4 address it carries.
  EXPECT_TRUE(r.Contains("::ffff:127.0.0.5"));
}

TEST(CidrTest, BareAddressIsAHostRange) {
  auto r = ParseCidr("192.0.2.7");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->prefix, 32);
  auto v6 = ParseCidr("2001:db8::7");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->prefix, 128);
}

TEST(CidrTest, ClearErrors) {
  EXPECT_EQ(ParseCidr("10.0.0.0/33").error(),
            "\"10.0.0.0/33\": prefix length 33 is longer than 32");
  EXPECT_EQ(ParseCidr("2400:cb00::/129").error(),
            "\"2400:cb00::/129\": prefix length 129 is longer than 128");
  EXPECT_EQ(ParseCidr("10.0.0.1/8").error(),
            "\"10.0.0.1/8\": host bits set: did you mean 10.0.0.0/8?");
  EXPECT_EQ(ParseCidr("cloudflare/8").error(),
            "\"cloudflare/8\": \"cloudflare\" is not an IPv4 or IPv6 address");
  EXPECT_EQ(ParseCidr("10.0.0.0/").error(), "\"10.0.0.0/\": prefix length \"\" is not a number");
  EXPECT_EQ(ParseCidr("10.0.0.0/-1").error(),
            "\"10.0.0.0/-1\": prefix length \"-1\" is not a number");
  EXPECT_FALSE(ParseCidr("").ok());
  auto list = IpRanges::Parse({"10.0.0.0/8", "300.0.0.0/8"});
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error(), "[1] \"300.0.0.0/8\": \"300.0.0.0\" is not an IPv4 or IPv6 address");
}

TEST(CidrTest, NotAnAddressNeverMatches) {
  IpRanges r = MustParse({"0.0.0.0/0", "::/0"});
  EXPECT_FALSE(r.Contains("example.com"));
  EXPECT_FALSE(r.Contains(""));
}

TEST(CloudflareRangesTest, PublishedRangesParseAndMatchKnownEdgeAddresses) {
  auto r = CloudflareRanges({});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->ranges().size(), 22u);
  EXPECT_TRUE(r->Contains("104.21.32.1"));
  EXPECT_TRUE(r->Contains("172.67.10.10"));
  EXPECT_TRUE(r->Contains("2606:4700:3030::6815:1"));
  EXPECT_FALSE(r->Contains("127.0.0.1"));
  EXPECT_FALSE(r->Contains("::1"));
  EXPECT_FALSE(r->Contains("8.8.8.8"));
}

TEST(CloudflareRangesTest, ConfiguredRangesReplaceThePublishedOnes) {
  auto r = CloudflareRanges({"127.0.0.0/8"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Contains("127.0.0.1"));
  EXPECT_FALSE(r->Contains("104.21.32.1"));
}

TEST(DnsServerTest, AcceptedForms) {
  auto a = ParseDnsServer("127.0.0.1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->address, "127.0.0.1");
  EXPECT_EQ(a->port, 53);
  auto b = ParseDnsServer("127.0.0.1:5353");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, 5353);
  auto c = ParseDnsServer("::1");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->v6);
  EXPECT_EQ(c->port, 53);
  auto d = ParseDnsServer("[::1]:5300");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->address, "::1");
  EXPECT_EQ(d->port, 5300);
}

TEST(DnsServerTest, RejectedFormsSayWhy) {
  EXPECT_EQ(ParseDnsServer("dns.google").error(),
            "\"dns.google\" is not an IP address (use IP, IP:PORT or [IPv6]:PORT)");
  EXPECT_EQ(ParseDnsServer("127.0.0.1:0").error(),
            "\"127.0.0.1:0\": port \"0\" is not a number from 1 to 65535");
  EXPECT_EQ(ParseDnsServer("127.0.0.1:99999").error(),
            "\"127.0.0.1:99999\": port \"99999\" is not a number from 1 to 65535");
  EXPECT_EQ(ParseDnsServer("[::1").error(), "\"[::1\": missing ']'");
  EXPECT_EQ(ParseDnsServer("[127.0.0.1]:53").error(),
            "\"[127.0.0.1]:53\": brackets are for IPv6 addresses");
}

}  // namespace
}  // namespace infinity_sync
