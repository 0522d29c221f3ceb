// ParseServerRequest: the parser, limits and conversion every connection uses.
#include <gtest/gtest.h>

#include "server/server.h"

namespace infinity_sync {
namespace {

TEST(ServerParse, ARequestBecomesAServerRequestWithLowercaseHeaders) {
  ServerOptions options;
  std::string bytes =
      "POST /api/sync/run?x=1&y=2 HTTP/1.1\r\nHost: h\r\nX-Mixed-Case: V\r\nContent-Length: 2\r\n"
      "\r\n{}GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n";
  auto first = ParseServerRequest(bytes, options);
  ASSERT_TRUE(first.request.has_value()) << first.error;
  EXPECT_EQ(first.request->method, "POST");
  EXPECT_EQ(first.request->path, "/api/sync/run");
  EXPECT_EQ(first.request->query, "x=1&y=2");
  EXPECT_EQ(first.request->Header("x-mixed-case"), "V");
  EXPECT_EQ(first.request->body, "{}");
  auto second = ParseServerRequest(std::string_view(bytes).substr(first.consumed), options);
  ASSERT_TRUE(second.request.has_value());
  EXPECT_EQ(second.request->path, "/healthz");
  EXPECT_EQ(first.consumed + second.consumed, bytes.size());
}

TEST(ServerParse, LimitsAndGarbageGiveTheConnectionsAnswers) {
  ServerOptions options;
  auto big_header = ParseServerRequest(
      "GET / HTTP/1.1\r\nX: " + std::string(options.header_limit + 10, 'a') + "\r\n\r\n", options);
  EXPECT_EQ(big_header.error_status, 431);
  auto big_body = ParseServerRequest(
      "POST / HTTP/1.1\r\nContent-Length: " + std::to_string(options.body_limit + 1) + "\r\n\r\n",
      options);
  EXPECT_EQ(big_body.error_status, 413);
  auto junk = ParseServerRequest("\x16\x03\x01 nope\r\n\r\n", options);
  EXPECT_EQ(junk.error_status, 400);
  EXPECT_NE(junk.error.find("bad request"), std::string::npos);
  auto partial = ParseServerRequest("GET /healthz HTTP/1.1\r\nHost:", options);
  EXPECT_FALSE(partial.request.has_value());
  EXPECT_EQ(partial.error_status, 0);
}

}  // namespace
}  // namespace infinity_sync
