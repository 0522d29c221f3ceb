#include "server/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace infinity_sync {
namespace {

TEST(Metrics, EscapesLabelValuesPerTheFormat) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue("a\"b"), "a\\\"b");
  EXPECT_EQ(EscapeLabelValue("a\\b"), "a\\\\b");
  EXPECT_EQ(EscapeLabelValue("a\nb"), "a\\nb");
  EXPECT_EQ(EscapeHelp("x \\ y\nz \"q\""), "x \\\\ y\\nz \"q\"");
}

TEST(Metrics, FormatsValues) {
  EXPECT_EQ(FormatMetricValue(1), "1");
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(0.25), "0.25");
  EXPECT_EQ(FormatMetricValue(1795621714.989), "1795621714.989");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
}

TEST(Metrics, FormatsFamiliesWithHelpTypeAndLabels) {
  std::vector<MetricFamily> families = {
      {"infinity_sync_check_status",
       "Status of each check.",
       "gauge",
       {{"", {{"check", "GitSync"}, {"status", "Diverged"}}, 1},
        {"", {{"check", "CustomCheck:\"odd\""}, {"status", "Failed"}}, 1}}},
      {"up", "No labels.", "gauge", {{"", {}, 0}}}};
  EXPECT_EQ(FormatPrometheus(families),
            "# HELP infinity_sync_check_status Status of each check.\n"
            "# TYPE infinity_sync_check_status gauge\n"
            "infinity_sync_check_status{check=\"GitSync\",status=\"Diverged\"} 1\n"
            "infinity_sync_check_status{check=\"CustomCheck:\\\"odd\\\"\",status=\"Failed\"} 1\n"
            "# HELP up No labels.\n"
            "# TYPE up gauge\n"
            "up 0\n");
}

TEST(Metrics, RequestHistogramIsCumulativeWithInfSumAndCount) {
  RequestMetrics m;
  m.Record("/healthz", 200, std::chrono::microseconds(300));         // <= 0.0005
  m.Record("/healthz", 200, std::chrono::microseconds(3'000));       // <= 0.005
  m.Record("/healthz", 404, std::chrono::microseconds(20'000'000));  // > 10 s: only +Inf
  std::vector<MetricFamily> families;
  m.AppendTo(&families);
  std::string text = FormatPrometheus(families);
  EXPECT_NE(text.find("infinity_sync_http_requests_total{route=\"/healthz\",code=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("infinity_sync_http_requests_total{route=\"/healthz\",code=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE infinity_sync_http_request_duration_seconds histogram\n"),
            std::string::npos);
  auto has = [&](const std::string& line) { return text.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has(
      "infinity_sync_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.0005\"} 1"));
  EXPECT_TRUE(has(
      "infinity_sync_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.0025\"} 1"));
  EXPECT_TRUE(
      has("infinity_sync_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.005\"} 2"));
  EXPECT_TRUE(
      has("infinity_sync_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"10\"} 2"));
  EXPECT_TRUE(
      has("infinity_sync_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 3"));
  EXPECT_TRUE(has("infinity_sync_http_request_duration_seconds_count{route=\"/healthz\"} 3"));
  EXPECT_TRUE(has("infinity_sync_http_request_duration_seconds_sum{route=\"/healthz\"} 20.0033"));
}

}  // namespace
}  // namespace infinity_sync
