// What each sender is told run after run: changes, recoveries, reminders at
// repeat_every, maintenance windows, and failures folded under their cause.
// Time is a value handed in, never the machine's clock.
#include <gtest/gtest.h>

#include "notify/transitions.h"

namespace infinity_sync {
namespace {

using namespace std::chrono_literals;
using Kind = PlannedMessage::Kind;
using Lines = std::vector<std::string>;

// One sender followed over runs of GitSync (and other checks).
class SenderPlan {
 public:
  explicit SenderPlan(SenderRules rules) : rules_(std::move(rules)) {}
  // One run at `at` (from the start) in which each check has `statuses`;
  // returns what the sender is told, as "GitSync:Synced>Diverged",
  // "GitSync:still Diverged" or "GitSync:Diverged>Synced (resolved)".
  Lines Run(std::chrono::minutes at, const std::map<std::string, std::string>& statuses,
            bool held = false) {
    std::map<std::string, std::string> before;
    for (const auto& [k, m] : memory_.checks) before[k] = m.status;
    std::vector<Observation> observations;
    std::vector<std::string> observed;
    for (const auto& [check, status] : statuses) {
      observations.push_back({check, status, {}, ""});
      observed.push_back(check);
    }
    Advance(&memory_, observations, 1);
    Lines out;
    for (const auto& m : PlanSender(&told_, memory_, before, observed, rules_, start_ + at, held)) {
      std::string s = m.check + ":";
      if (m.kind == Kind::kReminder) {
        s += "still " + m.to;
      } else {
        s += m.from + ">" + m.to + (m.kind == Kind::kRecovery ? " (resolved)" : "");
      }
      out.push_back(s);
    }
    return out;
  }
  Lines Git(std::chrono::minutes at, const std::string& status, bool held = false) {
    return Run(at, {{"GitSync", status}}, held);
  }
  const std::map<std::string, SenderCheckMemory>& told() const { return told_; }

 private:
  SenderRules rules_;
  NotifyMemory memory_;
  std::map<std::string, SenderCheckMemory> told_;
  std::chrono::system_clock::time_point start_{std::chrono::seconds(1'771'375'837)};
};

TEST(NotifyPlan, TriggerThenResolve) {
  SenderPlan plan({});
  EXPECT_TRUE(plan.Git(0min, "Synced").empty());
  EXPECT_EQ(plan.Git(5min, "Diverged"), (Lines{"GitSync:Synced>Diverged"}));
  EXPECT_TRUE(plan.Git(10min, "Diverged").empty());
  EXPECT_EQ(plan.Git(15min, "Synced"), (Lines{"GitSync:Diverged>Synced (resolved)"}));
}

TEST(NotifyPlan, TwoTransitionsOfOneRunAreOnePlan) {
  SenderPlan plan({});
  plan.Run(0min, {{"GitSync", "Synced"}, {"DockerSync", "Synced"}});
  EXPECT_EQ(plan.Run(5min, {{"GitSync", "Diverged"}, {"DockerSync", "OutOfSync"}}),
            (Lines{"DockerSync:Synced>OutOfSync", "GitSync:Synced>Diverged"}));
}

TEST(NotifyPlan, SendResolvedFalseSaysNothingOnTheWayOut) {
  SenderPlan plan({{}, 0ms, /*send_resolved=*/false});
  plan.Git(0min, "Synced");
  EXPECT_EQ(plan.Git(5min, "Failed"), (Lines{"GitSync:Synced>Failed"}));
  EXPECT_TRUE(plan.Git(10min, "Synced").empty());
  // ... and the next failure is news again.
  EXPECT_EQ(plan.Git(15min, "Failed"), (Lines{"GitSync:Synced>Failed"}));
}

TEST(NotifyPlan, RemindersAtRepeatEvery) {
  SenderPlan plan({{}, 4h, true});
  plan.Git(0min, "Synced");
  EXPECT_EQ(plan.Git(10min, "Failed"), (Lines{"GitSync:Synced>Failed"}));
  EXPECT_TRUE(plan.Git(10min + 3h, "Failed").empty());
  EXPECT_TRUE(plan.Git(10min + 4h - 1min, "Failed").empty());
  EXPECT_EQ(plan.Git(10min + 4h, "Failed"), (Lines{"GitSync:still Failed"}));
  EXPECT_TRUE(plan.Git(10min + 6h, "Failed").empty());
  EXPECT_EQ(plan.Git(10min + 8h + 5min, "Failed"), (Lines{"GitSync:still Failed"}));
  EXPECT_EQ(plan.Git(10min + 9h, "Synced"), (Lines{"GitSync:Failed>Synced (resolved)"}));
  EXPECT_TRUE(plan.Git(10min + 20h, "Synced").empty());  // no reminder of a good state
}

TEST(NotifyPlan, NoRemindersWithoutRepeatEvery) {
  SenderPlan plan({});
  plan.Git(0min, "Failed");
  EXPECT_TRUE(plan.Git(1000h, "Failed").empty());
}

TEST(NotifyPlan, NothingInsideAWindowAndTheHeldChangeAfterIt) {
  SenderPlan plan({});
  plan.Git(0min, "Synced");
  EXPECT_TRUE(plan.Git(5min, "Diverged", /*held=*/true).empty());
  EXPECT_TRUE(plan.told().at("GitSync").held);
  EXPECT_TRUE(plan.Git(10min, "Diverged", true).empty());
  // The window is over and the change still holds: it is said now.
  EXPECT_EQ(plan.Git(15min, "Diverged"), (Lines{"GitSync:Synced>Diverged"}));
  EXPECT_FALSE(plan.told().at("GitSync").held);
  EXPECT_TRUE(plan.Git(20min, "Diverged").empty());
}

TEST(NotifyPlan, WhatWentBackInsideTheWindowIsNeverSaid) {
  SenderPlan plan({});
  plan.Git(0min, "Synced");
  EXPECT_TRUE(plan.Git(5min, "Failed", true).empty());
  EXPECT_TRUE(plan.Git(10min, "Synced", true).empty());
  EXPECT_TRUE(plan.Git(15min, "Synced").empty());
}

TEST(NotifyPlan, RemindersWaitForTheWindowToEnd) {
  SenderPlan plan({{}, 1h, true});
  plan.Git(0min, "Failed");
  EXPECT_TRUE(plan.Git(90min, "Failed", true).empty());
  EXPECT_EQ(plan.Git(100min, "Failed"), (Lines{"GitSync:still Failed"}));
}

TEST(NotifyPlan, ANewSenderDoesNotAnnounceOldNews) {
  // The check's memory says Diverged before this sender ever ran.
  NotifyMemory memory;
  memory.checks["GitSync"] = {"Diverged", "", 0};
  std::map<std::string, SenderCheckMemory> told;
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'771'375'837));
  Advance(&memory, {{"GitSync", "Diverged", {}, ""}}, 1);
  EXPECT_TRUE(
      PlanSender(&told, memory, {{"GitSync", "Diverged"}}, {"GitSync"}, {}, now, false).empty());
  EXPECT_EQ(told["GitSync"].told, "Diverged");
}

TEST(NotifyPlan, OnListLimitsTheSender) {
  SenderPlan plan({{"Failed"}, 0ms, true});
  plan.Git(0min, "Synced");
  EXPECT_TRUE(plan.Git(5min, "Diverged").empty());
  EXPECT_EQ(plan.Git(10min, "Failed"), (Lines{"GitSync:Diverged>Failed"}));
  EXPECT_EQ(plan.Git(15min, "Diverged"), (Lines{"GitSync:Failed>Diverged (resolved)"}));
}

Observation Auth(bool google_ok) {
  Observation o{"AuthCheck", google_ok ? "Success" : "Partial", {}, ""};
  o.data = {{"github", {{"authenticated", true}}}, {"google", {{"authenticated", google_ok}}}};
  return o;
}

TEST(NotifyFold, GcpFailureUnderGoogleAuthFailure) {
  std::vector<Observation> run = {Auth(false), {"GCPSync", "Failed", {}, ""}};
  auto folded = FoldCauses(run, "", {});
  ASSERT_EQ(folded.count("GCPSync"), 1u);
  EXPECT_EQ(folded["GCPSync"].cause, "AuthCheck");
  EXPECT_EQ(folded["GCPSync"].text, "GCP Cloud Run: not checked, Google credentials failed");
}

TEST(NotifyFold, NoFoldWhenGoogleAuthWorkedOrGcpIsFine) {
  EXPECT_TRUE(FoldCauses({Auth(true), {"GCPSync", "Failed", {}, ""}}, "", {}).empty());
  EXPECT_TRUE(FoldCauses({Auth(false), {"GCPSync", "Synced", {}, ""}}, "", {}).empty());
  // Only the GitHub half failing says nothing about GCP.
  Observation github_only{"AuthCheck", "Partial", {}, ""};
  github_only.data = {{"github", {{"authenticated", false}}},
                      {"google", {{"authenticated", true}}}};
  EXPECT_TRUE(FoldCauses({github_only, {"GCPSync", "Failed", {}, ""}}, "", {}).empty());
}

TEST(NotifyFold, CloudflareUnderDnsOfTheDomain) {
  std::vector<Observation> run = {{"CustomCheck:dns-www", "Failed", {}, ""},
                                  {"CloudflareCheck", "Unreachable", {}, ""}};
  auto folded = FoldCauses(run, "example.com", {{"dns-www", "example.com"}});
  ASSERT_EQ(folded.count("CloudflareCheck"), 1u);
  EXPECT_EQ(folded["CloudflareCheck"].cause, "CustomCheck:dns-www");
  // A DNS check of another name explains nothing.
  EXPECT_TRUE(FoldCauses(run, "example.com", {{"dns-www", "other.example"}}).empty());
}

}  // namespace
}  // namespace infinity_sync
