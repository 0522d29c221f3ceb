// ParseServerRequest: the parser, limits and conversion every connection uses.
#include <gtest/gtest.h>

#include "server/request_reader.h"

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

// RFC 9112 framing the parser leaves to its user: unknown transfer codings,
// "chunked" not last, two Hosts and folded header lines.
TEST(ServerParse, StrictFramingAndHost) {
  ServerOptions options;
  auto te = [&](const std::string& codings) {
    return ParseServerRequest("POST /api/sync/run HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " +
                                  codings + "\r\n\r\n0\r\n\r\n",
                              options);
  };
  EXPECT_EQ(te("xchunked").error_status, 501);
  EXPECT_EQ(te("xchunked").error, "transfer coding \"xchunked\" is not supported (only chunked)");
  EXPECT_EQ(te("chunked, identity").error_status, 400) << "chunked must come last";
  EXPECT_EQ(te("identity").error_status, 501);
  EXPECT_EQ(te("gzip, chunked").error_status, 501);
  auto ok = te("Chunked");
  ASSERT_TRUE(ok.request.has_value()) << ok.error;
  EXPECT_EQ(ok.request->body, "");

  auto two_hosts =
      ParseServerRequest("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", options);
  EXPECT_EQ(two_hosts.error_status, 400);
  EXPECT_EQ(two_hosts.error, "bad request: more than one Host header");
  auto folded = ParseServerRequest(
      "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n", options);
  EXPECT_EQ(folded.error_status, 400);
  EXPECT_NE(folded.error.find("obs-fold"), std::string::npos) << folded.error;
  auto tab_folded = ParseServerRequest(
      "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n", options);
  EXPECT_EQ(tab_folded.error_status, 400);
  // Spaces inside values and bodies that hold "\n " are fine.
  auto body = ParseServerRequest(
      "POST /x HTTP/1.1\r\nHost: a\r\nX-A: b c\r\nContent-Length: 4\r\n\r\n\n \n ", options);
  ASSERT_TRUE(body.request.has_value()) << body.error;
  EXPECT_EQ(body.request->body, "\n \n ");
}

}  // namespace
}  // namespace infinity_sync
