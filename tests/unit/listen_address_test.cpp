#include "server/listen_address.h"

#include <gtest/gtest.h>

#include "server/sse_hub.h"

namespace infinity_sync {
namespace {

TEST(ListenAddress, ParsesHostAndPortForms) {
  auto a = ParseListenAddress("127.0.0.1:3001");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 3001);
  auto b = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 0);
  auto c = ParseListenAddress(":8080");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "");
}

TEST(ListenAddress, RejectsBadFormsWithAReason) {
  EXPECT_NE(ParseListenAddress("localhost").error().find("expected HOST:PORT"), std::string::npos);
  EXPECT_NE(ParseListenAddress("1.2.3.4:http").error().find("bad port"), std::string::npos);
  EXPECT_NE(ParseListenAddress("1.2.3.4:70000").error().find("bad port"), std::string::npos);
  EXPECT_NE(ParseListenAddress("::1:80").error().find("brackets"), std::string::npos);
}

TEST(ListenAddress, KnowsLoopback) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.5.0.9"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost(""));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("192.168.1.2"));
  EXPECT_FALSE(IsLoopbackHost("example.com"));
}

class RecordingSink : public SseSink {
 public:
  explicit RecordingSink(std::size_t limit) : limit_(limit) {}
  bool Push(const std::string& frame) override {
    if (frames.size() >= limit_) return false;
    frames.push_back(frame);
    return true;
  }
  void Close() override { closed = true; }
  std::vector<std::string> frames;
  bool closed = false;

 private:
  std::size_t limit_;
};

TEST(SseHub, FramesEventsOneDataLinePerLine) {
  EXPECT_EQ(SseHub::Frame("status", "{\"a\":1}"), "event: status\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(SseHub::Frame("x", "a\nb"), "event: x\ndata: a\ndata: b\n\n");
}

TEST(SseHub, DropsAndClosesAClientWhoseQueueIsFull) {
  SseHub hub;
  auto fast = std::make_shared<RecordingSink>(100);
  auto slow = std::make_shared<RecordingSink>(1);
  ASSERT_TRUE(hub.Add(fast));
  ASSERT_TRUE(hub.Add(slow));
  hub.Publish("status", "1");
  hub.Publish("status", "2");
  EXPECT_EQ(fast->frames.size(), 2u);
  EXPECT_EQ(slow->frames.size(), 1u);
  EXPECT_TRUE(slow->closed);
  EXPECT_FALSE(fast->closed);
  EXPECT_EQ(hub.ClientCount(), 1u);
}

TEST(SseHub, ForgetsGoneClientsAndRefusesPastItsLimit) {
  SseHub hub(1);
  {
    auto gone = std::make_shared<RecordingSink>(10);
    ASSERT_TRUE(hub.Add(gone));
    EXPECT_FALSE(hub.Add(std::make_shared<RecordingSink>(10)));
  }
  auto next = std::make_shared<RecordingSink>(10);
  EXPECT_TRUE(hub.Add(next));
  hub.CloseAll();
  EXPECT_TRUE(next->closed);
  EXPECT_FALSE(hub.Add(std::make_shared<RecordingSink>(10)));
}

TEST(SseHub, AChannelsEventsReachOnlyItsClientsAndEventsForAllReachEveryone) {
  SseHub hub;
  auto alpha = std::make_shared<RecordingSink>(10);
  auto beta = std::make_shared<RecordingSink>(10);
  auto single = std::make_shared<RecordingSink>(10);
  ASSERT_TRUE(hub.Add(alpha, "alpha"));
  ASSERT_TRUE(hub.Add(beta, "beta"));
  ASSERT_TRUE(hub.Add(single));
  hub.PublishTo("beta", "status", "{\"b\":1}");
  EXPECT_TRUE(alpha->frames.empty());
  ASSERT_EQ(beta->frames.size(), 1u);
  EXPECT_EQ(beta->frames[0], SseHub::Frame("status", "{\"b\":1}"));
  EXPECT_TRUE(single->frames.empty()) << "the channel \"\" is a channel of its own";
  hub.PublishTo("", "status", "{}");
  EXPECT_EQ(single->frames.size(), 1u);
  EXPECT_TRUE(alpha->frames.empty());
  hub.Publish("fleet", "{}");
  EXPECT_EQ(alpha->frames.size(), 1u);
  EXPECT_EQ(beta->frames.size(), 2u);
  EXPECT_EQ(single->frames.size(), 2u);
  EXPECT_EQ(hub.ClientCount(), 3u);
}

}  // namespace
}  // namespace infinity_sync
