#include "server/badge.h"

#include <gtest/gtest.h>

#include "server/timeline.h"

namespace infinity_sync {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

nlohmann::json Doc(nlohmann::json status) { return {{"status", std::move(status)}}; }
nlohmann::json Entry(const std::string& status) { return {{"Status", status}, {"Details", {}}}; }

TEST(BadgeSvg, EscapesTextAndDropsControlCharacters) {
  std::string svg = BadgeSvg({"a<b>&\"'", "x\x01y\nz", BadgeColour::kRed});
  EXPECT_NE(svg.find("a&lt;b&gt;&amp;&quot;&apos;"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("a<b"), std::string::npos) << svg;
  EXPECT_NE(svg.find("x y z"), std::string::npos) << svg;
  EXPECT_EQ(svg.find('\x01'), std::string::npos);
  EXPECT_NE(svg.find("#d9453d"), std::string::npos) << svg;
  // Invalid UTF-8 is replaced, so the document stays well-formed.
  std::string bad = BadgeSvg({"\xff\xfe", "ok", BadgeColour::kGreen});
  EXPECT_NE(bad.find("\xEF\xBF\xBD"), std::string::npos) << bad;
  EXPECT_EQ(bad.find('\xff'), std::string::npos);
}

TEST(BadgeSvg, WidthFollowsTheTextAndLongTextIsShortened) {
  auto width = [](const std::string& svg) {
    auto at = svg.find("width=\"");
    return std::stoi(svg.substr(at + 7));
  };
  int narrow = width(BadgeSvg({"git", "in sync", BadgeColour::kGreen}));
  int wide = width(BadgeSvg({"git", "partially reachable", BadgeColour::kYellow}));
  EXPECT_GT(narrow, 40);
  EXPECT_GT(wide, narrow + 50);
  std::string long_svg = BadgeSvg({std::string(500, 'w'), "x", BadgeColour::kGrey});
  EXPECT_LT(width(long_svg), 700);
  EXPECT_NE(long_svg.find("\xE2\x80\xA6"), std::string::npos);  // …
}

TEST(BadgeFor, OverallIsTheWorstRequiredCheck) {
  Config config;
  nlohmann::json doc = Doc({{"GitSync", Entry("Synced")},
                            {"DockerSync", Entry("NoManifest")},
                            {"GCPSync", Entry("OutOfSync")}});
  auto b = BadgeFor(&doc, true, "overall", config);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->label, "sync");
  EXPECT_EQ(b->message, "drift");
  EXPECT_EQ(b->colour, BadgeColour::kYellow);

  doc["status"]["CloudflareCheck"] = {{"Status", "Failed"}, {"required", false}};
  EXPECT_EQ(BadgeFor(&doc, true, "overall", config)->message, "drift");
  doc["status"]["CloudflareCheck"]["required"] = true;
  EXPECT_EQ(BadgeFor(&doc, true, "overall", config)->message, "failing");
  EXPECT_EQ(BadgeFor(&doc, true, "overall", config)->colour, BadgeColour::kRed);

  nlohmann::json calm =
      Doc({{"GitSync", Entry("Synced")}, {"GCPSync", {{"Status", "Failed"}, {"required", false}}}});
  EXPECT_EQ(BadgeFor(&calm, true, "overall", config)->message, "in sync");
  EXPECT_EQ(BadgeFor(&calm, true, "overall", config)->colour, BadgeColour::kGreen);
  EXPECT_EQ(BadgeFor(&calm, false, "overall", config)->message, "in sync (stale)");
  // A check that is not required still has its own badge.
  EXPECT_EQ(BadgeFor(&calm, true, "gcp", config)->message, "failing");

  auto none = BadgeFor(nullptr, false, "overall", config);
  EXPECT_EQ(none->message, "unknown");
  EXPECT_EQ(none->colour, BadgeColour::kGrey);
}

TEST(BadgeFor, ChecksByKeySectionOrCustomName) {
  Config config;
  config.checks.push_back({});
  config.checks.back().name = "redis";
  nlohmann::json doc = Doc({{"GitSync", Entry("Diverged")},
                            {"CloudflareCheck", Entry("PartiallyReachable")},
                            {"GCPSync", Entry("NotConfigured")}});
  EXPECT_EQ(BadgeFor(&doc, true, "git", config)->message, "diverged");
  EXPECT_EQ(BadgeFor(&doc, true, "GitSync", config)->label, "git");
  EXPECT_EQ(BadgeFor(&doc, true, "cloudflare", config)->message, "partially reachable");
  auto gcp = BadgeFor(&doc, true, "gcp", config);
  EXPECT_EQ(gcp->message, "not configured");
  EXPECT_EQ(gcp->colour, BadgeColour::kGrey);
  EXPECT_EQ(BadgeFor(&doc, true, "docker", config)->message, "not run");
  // Configured but not in this document; and no document at all.
  EXPECT_EQ(BadgeFor(&doc, true, "redis", config)->message, "not run");
  EXPECT_EQ(BadgeFor(nullptr, false, "CustomCheck:redis", config)->message, "unknown");
  EXPECT_EQ(BadgeFor(nullptr, false, "git", config)->label, "git");
  EXPECT_FALSE(BadgeFor(&doc, true, "mongo", config));
  EXPECT_FALSE(BadgeFor(nullptr, false, "mongo", config));
  EXPECT_FALSE(BadgeFor(&doc, true, "", config));
}

StoredRun StoredAt(std::chrono::system_clock::time_point at,
                   std::vector<std::pair<std::string, std::string>> checks) {
  StoredRun r;
  r.timestamp = at;
  for (auto& [k, s] : checks) r.checks.push_back({k, s, "[]", "{}", 0});
  return r;
}
HeartbeatSample Sample(std::chrono::system_clock::time_point at, const std::string& state,
                       std::int64_t latency) {
  HeartbeatSample s;
  s.timestamp = at;
  s.target = "github";
  s.state = state;
  s.latency_ms = latency;
  return s;
}

TEST(Timeline, BucketsHoldTheWorstStatusAndTheUptime) {
  auto until = std::chrono::system_clock::time_point(hours(1000));
  TimelineWindow w{until - hours(24), until, 24};
  std::vector<StoredRun> runs = {
      StoredAt(until - minutes(30), {{"GitSync", "Synced"}}),
      StoredAt(until - minutes(40), {{"GitSync", "Failed"}}),
      StoredAt(until - minutes(50), {{"GitSync", "Diverged"}}),
      StoredAt(until - hours(5) - minutes(10),
               {{"GitSync", "Synced"}, {"DockerSync", "NoManifest"}}),
      StoredAt(until - hours(30), {{"GitSync", "Failed"}}),  // before the window
  };
  std::vector<HeartbeatSample> samples = {
      Sample(until - minutes(10), "healthy", 100), Sample(until - minutes(20), "degraded", 300),
      Sample(until - minutes(25), "down", 0),      Sample(until - minutes(26), "unknown", 0),
      Sample(until - hours(3), "healthy", 50),     Sample(until - hours(48), "down", 0)};
  auto doc = TimelineDocument(runs, samples, w);
  EXPECT_EQ(doc["bucketMs"], 3'600'000);
  const auto& git = doc["checks"]["GitSync"];
  ASSERT_EQ(git.size(), 24u);
  EXPECT_EQ(git[23], (nlohmann::json{{"status", "Failed"}, {"last", "Synced"}, {"runs", 3}}));
  EXPECT_EQ(git[18]["status"], "Synced");
  EXPECT_TRUE(git[0].is_null());
  EXPECT_TRUE(git[22].is_null());
  EXPECT_EQ(doc["checks"]["DockerSync"][18]["status"], "NoManifest");

  const auto& gh = doc["heartbeats"]["github"];
  EXPECT_EQ(gh["samples"], 4);  // "unknown" and the one before the window left out
  EXPECT_EQ(gh["up"], 3);
  EXPECT_EQ(gh["uptimePercent"], 75.0);
  EXPECT_EQ(gh["buckets"][23], (nlohmann::json{{"samples", 3}, {"up", 2}, {"latencyMs", 200}}));
  EXPECT_EQ(gh["buckets"][21]["latencyMs"], 50);
  EXPECT_TRUE(gh["buckets"][0].is_null());
  EXPECT_EQ(gh["latencyMs"], (nlohmann::json{{"avg", 150}, {"max", 200}}));

  auto empty = TimelineDocument({}, {}, w);
  EXPECT_TRUE(empty["checks"].empty());
  EXPECT_TRUE(empty["heartbeats"].empty());
}

}  // namespace
}  // namespace infinity_sync
