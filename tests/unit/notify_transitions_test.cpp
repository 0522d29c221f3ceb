// Which runs announce what: the pure transition logic of notifications.
#include <gtest/gtest.h>

#include "notify/transitions.h"

namespace infinity_sync {
namespace {

// Feeds one status per run for GitSync; returns every change announced to a
// sender with `on`, as "from>to".
std::vector<std::string> Announced(const std::vector<std::string>& runs, int notify_after,
                                   const std::vector<std::string>& on = {},
                                   NotifyMemory* kept = nullptr) {
  NotifyMemory local;
  NotifyMemory* memory = kept ? kept : &local;
  std::vector<std::string> out;
  for (const auto& status : runs) {
    for (const auto& c : Advance(memory, {{"GitSync", status, {"why"}, ""}}, notify_after)) {
      if (ShouldAnnounce(c, on)) out.push_back(c.from + ">" + c.to);
    }
  }
  return out;
}

using Lines = std::vector<std::string>;

TEST(NotifyTransitions, SyncedDivergedDivergedSyncedGivesTwo) {
  EXPECT_EQ(Announced({"Synced", "Diverged", "Diverged", "Synced"}, 1),
            (Lines{"Synced>Diverged", "Diverged>Synced"}));
}

TEST(NotifyTransitions, SteadyStatesAnnounceNothing) {
  EXPECT_TRUE(Announced({"Synced", "Synced", "Synced"}, 1).empty());
  // A steady bad state is announced once, not on every run.
  EXPECT_EQ(Announced({"Synced", "Failed", "Failed", "Failed"}, 1), (Lines{"Synced>Failed"}));
}

TEST(NotifyTransitions, FirstSightingIsAnnouncedOnlyWhenListed) {
  EXPECT_TRUE(Announced({"Synced"}, 1).empty());
  EXPECT_EQ(Announced({"Diverged"}, 1), (Lines{">Diverged"}));
}

TEST(NotifyTransitions, NotifyAfterTwoWaitsForTheSecondRun) {
  NotifyMemory memory;
  EXPECT_TRUE(Announced({"Synced", "Diverged"}, 2, {}, &memory).empty());
  EXPECT_EQ(memory.checks["GitSync"].candidate, "Diverged");
  EXPECT_EQ(memory.checks["GitSync"].runs, 1);
  EXPECT_EQ(Announced({"Diverged"}, 2, {}, &memory), (Lines{"Synced>Diverged"}));
  EXPECT_TRUE(Announced({"Synced"}, 2, {}, &memory).empty());
  EXPECT_EQ(Announced({"Synced"}, 2, {}, &memory), (Lines{"Diverged>Synced"}));
}

TEST(NotifyTransitions, FlappingAnnouncesNothing) {
  EXPECT_TRUE(
      Announced({"Synced", "Diverged", "Synced", "Diverged", "Synced", "Diverged", "Synced"}, 2)
          .empty());
  // A different bad status starts the count again.
  EXPECT_TRUE(Announced({"Synced", "Diverged", "Failed", "Diverged"}, 2).empty());
}

TEST(NotifyTransitions, OnFilterLimitsWhatIsAnnounced) {
  std::vector<std::string> on = {"Failed"};
  EXPECT_TRUE(Announced({"Synced", "Diverged", "Synced"}, 1, on).empty());
  EXPECT_EQ(Announced({"Synced", "Failed", "Synced"}, 1, on),
            (Lines{"Synced>Failed", "Failed>Synced"}));
  // Leaving the listed state for an unlisted bad one is still a way out of it.
  EXPECT_EQ(Announced({"Synced", "Failed", "Diverged"}, 1, on),
            (Lines{"Synced>Failed", "Failed>Diverged"}));
}

TEST(NotifyTransitions, EmptyOnListsEveryDriftAndFailure) {
  EXPECT_TRUE(IsListed("Diverged", {}));
  EXPECT_TRUE(IsListed("Failed", {}));
  EXPECT_TRUE(IsListed("Unreachable", {}));
  EXPECT_FALSE(IsListed("Synced", {}));
  EXPECT_FALSE(IsListed("NotConfigured", {}));
  EXPECT_FALSE(IsListed("NoManifest", {}));
  EXPECT_FALSE(IsListed("", {}));
}

TEST(NotifyTransitions, RecoveryIsOutOfAListedState) {
  StatusChange back{"GitSync", "Diverged", "Synced", {}, ""};
  StatusChange worse{"GitSync", "Diverged", "Failed", {}, ""};
  EXPECT_TRUE(IsRecovery(back, {}));
  EXPECT_FALSE(IsRecovery(worse, {}));
  EXPECT_TRUE(ShouldAnnounce(worse, {}));
}

TEST(NotifyTransitions, ChecksNotRunKeepTheirMemory) {
  NotifyMemory memory;
  Advance(&memory, {{"GitSync", "Diverged", {}, ""}, {"DockerSync", "Synced", {}, ""}}, 1);
  auto changes = Advance(&memory, {{"DockerSync", "Synced", {}, ""}}, 1);
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(memory.checks["GitSync"].status, "Diverged");
}

TEST(NotifyTransitions, MemoryRoundTripsThroughJson) {
  NotifyMemory memory;
  memory.checks["GitSync"] = {"Synced", "Diverged", 1};
  memory.checks["DockerSync"] = {"Failed", "", 0};
  auto parsed = ParseNotifyMemory(NotifyMemoryToJson(memory).dump());
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->checks["GitSync"].candidate, "Diverged");
  EXPECT_EQ(parsed->checks["GitSync"].runs, 1);
  EXPECT_EQ(parsed->checks["DockerSync"].status, "Failed");
}

TEST(NotifyTransitions, DamagedMemoryIsAnError) {
  EXPECT_FALSE(ParseNotifyMemory("{"));
  EXPECT_EQ(ParseNotifyMemory("[]").error(), "expected an object with \"checks\"");
  EXPECT_EQ(ParseNotifyMemory(R"({"version":3,"checks":{}})").error(),
            "unknown version (expected 1 or 2)");
  EXPECT_EQ(ParseNotifyMemory(R"({"version":2,"checks":{},"senders":{"0:slack":{"GitSync":{}}}})")
                .error(),
            "senders.0:slack.GitSync: expected {\"told\": string}");
  EXPECT_EQ(
      ParseNotifyMemory(
          R"({"version":2,"checks":{},"senders":{"0:slack":{"GitSync":{"told":"Synced","lastSent":"x"}}}})")
          .error(),
      "senders.0:slack.GitSync.lastSent: expected milliseconds since the epoch");
  EXPECT_EQ(ParseNotifyMemory(R"({"version":1,"checks":{"GitSync":3}})").error(),
            "checks.GitSync: expected {\"status\": string}");
}

TEST(NotifyTransitions, SenderMemoryRoundTripsThroughJson) {
  NotifyMemory memory;
  memory.checks["GitSync"] = {"Diverged", "", 0};
  memory.senders["0:slack"]["GitSync"] = {"Synced", 1771375837123, true};
  auto parsed = ParseNotifyMemory(NotifyMemoryToJson(memory).dump());
  ASSERT_TRUE(parsed) << parsed.error();
  const SenderCheckMemory& m = parsed->senders["0:slack"]["GitSync"];
  EXPECT_EQ(m.told, "Synced");
  EXPECT_EQ(m.last_sent, 1771375837123);
  EXPECT_TRUE(m.held);
  // A version 1 file (before senders were remembered) still loads.
  auto v1 = ParseNotifyMemory(R"({"version":1,"checks":{"GitSync":{"status":"Synced"}}})");
  ASSERT_TRUE(v1) << v1.error();
  EXPECT_TRUE(v1->senders.empty());
}

TEST(NotifyTransitions, StateFileSitsBesideTheStatusFile) {
  EXPECT_EQ(NotifyStatePath("/r/readiness/infinity-sync-status.json"),
            "/r/readiness/infinity-sync-notify.json");
}

}  // namespace
}  // namespace infinity_sync
