#include <gtest/gtest.h>

#include "checks/auth_check.h"
#include "core/check_status.h"
#include "core/status_json.h"
#include "core/time_format.h"

namespace infinity_sync {
namespace {

TEST(CheckStatusTest, NamesRoundTrip) {
  for (const char* name :
       {"Success", "Partial", "Failed", "Synced", "Diverged", "OutOfSync", "NoManifest",
        "NotDeployed", "NotConfigured", "Reachable", "PartiallyReachable", "Unreachable"}) {
    auto s = ParseCheckStatus(name);
    ASSERT_TRUE(s.has_value()) << name;
    EXPECT_EQ(ToString(*s), name);
  }
  EXPECT_FALSE(ParseCheckStatus("synced").has_value());
}

TEST(CheckStatusTest, ExitCodesFollowTheWorstVerdict) {
  auto code = [](std::initializer_list<CheckStatus> statuses) {
    std::vector<Verdict> v;
    for (auto s : statuses) v.push_back(VerdictOf(s));
    return ExitCodeFor(v);
  };
  EXPECT_EQ(code({}), 0);
  EXPECT_EQ(code({CheckStatus::kSuccess, CheckStatus::kSynced, CheckStatus::kReachable}), 0);
  EXPECT_EQ(code({CheckStatus::kSynced, CheckStatus::kNotConfigured, CheckStatus::kNoManifest}), 0);
  for (auto drift :
       {CheckStatus::kPartial, CheckStatus::kDiverged, CheckStatus::kOutOfSync,
        CheckStatus::kNotDeployed, CheckStatus::kPartiallyReachable, CheckStatus::kUnreachable}) {
    EXPECT_EQ(code({CheckStatus::kSynced, drift}), 1) << ToString(drift);
  }
  EXPECT_EQ(code({CheckStatus::kDiverged, CheckStatus::kFailed}), 2);
  EXPECT_EQ(VerdictOfName("SomethingNew"), Verdict::kFailed);
}

TEST(AuthCombineTest, SuccessPartialFailed) {
  AuthSide gh_ok{true, "octocat", "GH_TOKEN", "", ""};
  AuthSide gh_no{false, "", "", "gh is not installed and neither GH_TOKEN nor GITHUB_TOKEN is set",
                 ""};
  AuthSide g_ok{true, "dev@example.com", "gcloud", "", "", true};
  AuthSide g_no{false, "", "gcloud", "gcloud has no active account", ""};

  CheckResult both = CombineAuth(gh_ok, g_ok);
  EXPECT_EQ(both.status, CheckStatus::kSuccess);
  EXPECT_EQ(both.details_object["GitHubCLI"], true);
  EXPECT_EQ(both.details_object["GCloudCLI"], true);
  EXPECT_EQ(both.details_object["GitHubAccount"], "octocat");
  EXPECT_EQ(both.details_object["GCloudMethod"], "gcloud");
  EXPECT_EQ(both.notes[0].text, "GitHub authenticated as octocat (via GH_TOKEN)");

  CheckResult one = CombineAuth(gh_no, g_ok);
  EXPECT_EQ(one.status, CheckStatus::kPartial);
  EXPECT_EQ(one.details_object["GitHubCLI"], false);
  EXPECT_EQ(one.notes[0].level, NoteLevel::kError);

  CheckResult none = CombineAuth(gh_no, g_no);
  EXPECT_EQ(none.status, CheckStatus::kFailed);
  EXPECT_EQ(none.data["google"]["problem"], "gcloud has no active account");

  // auth.github: false: only Google counts, and GitHub is neither in Details nor Data.
  AuthSide off;
  off.checked = false;
  CheckResult google_only = CombineAuth(off, g_ok);
  EXPECT_EQ(google_only.status, CheckStatus::kSuccess);
  EXPECT_FALSE(google_only.details_object.contains("GitHubCLI"));
  EXPECT_FALSE(google_only.data.contains("github"));
  EXPECT_EQ(google_only.notes[0].text, "GitHub not checked (auth.github: false)");
  EXPECT_EQ(CombineAuth(off, g_no).status, CheckStatus::kFailed);
}

TEST(StatusJsonTest, DocumentHasTheSeedShapePlusMore) {
  SyncStatus s;
  s.timestamp = *ParseIso8601("2026-02-18T00:50:37.123Z");
  s.dry_run = true;
  s.duration_ms = 812;
  s.version = "1.0.0";
  CheckResult git;
  git.status = CheckStatus::kSynced;
  git.Info("Current branch: main");
  git.data = {{"branch", "main"}, {"ahead", 0}, {"behind", 0}};
  git.duration_ms = 40;
  CheckResult auth = CombineAuth({true, "a", "gh", "", ""}, {true, "b", "gcloud", "", "", true});
  s.results = {{"AuthCheck", auth}, {"GitSync", git}};
  s.actions = {{"GitSync", "git rebase @{u}", false, "dry run"}};

  nlohmann::json doc = ToJson(s);
  EXPECT_EQ(doc["timestamp"], "2026-02-18T00:50:37.123Z");
  EXPECT_EQ(doc["dryRun"], true);
  EXPECT_EQ(doc["durationMs"], 812);
  EXPECT_EQ(doc["version"], "1.0.0");
  EXPECT_EQ(doc["status"]["GitSync"]["Status"], "Synced");
  EXPECT_EQ(doc["status"]["GitSync"]["Details"], nlohmann::json::array({"Current branch: main"}));
  EXPECT_EQ(doc["status"]["GitSync"]["Data"]["branch"], "main");
  EXPECT_EQ(doc["status"]["GitSync"]["DurationMs"], 40);
  EXPECT_EQ(doc["status"]["AuthCheck"]["Details"]["GitHubCLI"], true);
  EXPECT_EQ(doc["status"]["AuthCheck"]["Details"]["GCloudCLI"], true);
  EXPECT_EQ(doc["actions"][0], (nlohmann::json{{"check", "GitSync"},
                                               {"action", "git rebase @{u}"},
                                               {"applied", false},
                                               {"reason", "dry run"}}));

  auto back = ParseStatusDocument(doc.dump());
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->exit_code, 0);
  EXPECT_EQ(back->timestamp, s.timestamp);
  EXPECT_FALSE(doc["status"]["GitSync"].contains("FixWithheld"));
}

TEST(StatusJsonTest, AWithheldFixSaysWhy) {
  CheckResult git;
  git.status = CheckStatus::kDiverged;
  git.fix_withheld = "ahead and behind: rebase or merge by hand";
  EXPECT_EQ(ToJson(git)["FixWithheld"], "ahead and behind: rebase or merge by hand");
}

TEST(StatusJsonTest, ReadsTheSeedsDocumentAndRejectsBrokenOnes) {
  // As the seed's PowerShell script writes it: fewer fields.
  auto seed = ParseStatusDocument(R"({
    "timestamp": "2026-02-18T00:50:37.123Z",
    "status": {
      "GitSync": { "Status": "Diverged", "Details": [] },
      "AuthCheck": { "Status": "Success", "Details": { "GitHubCLI": true, "GCloudCLI": true } }
    },
    "dryRun": false })");
  ASSERT_TRUE(seed.ok()) << seed.error();
  EXPECT_EQ(seed->exit_code, 1);

  EXPECT_EQ(ParseStatusDocument("{").error(), "not valid JSON");
  EXPECT_EQ(ParseStatusDocument("[]").error(), "not a JSON object");
  EXPECT_EQ(ParseStatusDocument(R"({"timestamp": 5, "status": {}})").error(),
            "\"timestamp\" is not a string");
  EXPECT_EQ(ParseStatusDocument(R"({"timestamp": "yesterday", "status": {}})").error(),
            "\"timestamp\" is not an ISO-8601 time: yesterday");
  EXPECT_EQ(ParseStatusDocument(R"({"status": {"GitSync": {}}})").error(),
            "status.GitSync has no \"Status\" string");
  EXPECT_EQ(ParseStatusDocument(R"({"timestamp": "2026-02-18T00:50:37Z"})").error(),
            "no \"status\" object");
}

TEST(TimeFormatTest, IsoRoundTripAndOffsets) {
  auto t = ParseIso8601("2026-02-18T00:50:37.123Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatIso8601(*t), "2026-02-18T00:50:37.123Z");
  auto offset = ParseIso8601("2026-02-18T02:50:37+02:00");
  ASSERT_TRUE(offset.has_value());
  EXPECT_EQ(FormatIso8601(*offset), "2026-02-18T00:50:37.000Z");
  EXPECT_FALSE(ParseIso8601("2026-02-18 00:50:37").has_value());
  EXPECT_FALSE(ParseIso8601("2026-02-18T00:50:37").has_value());
}

TEST(TimeFormatTest, IsoRejectsOutOfRangeFieldsInsteadOfNormalising) {
  EXPECT_FALSE(ParseIso8601("2026-13-01T00:00:00Z").has_value());
  EXPECT_FALSE(ParseIso8601("2026-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(ParseIso8601("2026-02-18T24:00:00Z").has_value());
  EXPECT_FALSE(ParseIso8601("2026-02-18T00:60:00Z").has_value());
  EXPECT_FALSE(ParseIso8601("2026-02-18T00:00:00+24:00").has_value());
  EXPECT_FALSE(ParseIso8601("+026-02-18T00:00:00Z").has_value());
  EXPECT_FALSE(ParseIso8601("2026-02-18T00:00:00.Z").has_value());
  EXPECT_FALSE(ParseIso8601("2026-2-18T00:00:00Z").has_value());
  EXPECT_TRUE(ParseIso8601("2024-02-29T23:59:59.999999999Z").has_value());
  EXPECT_FALSE(ParseIso8601("2023-02-29T00:00:00Z").has_value());
}

TEST(TimeFormatTest, IsoRejectsYearsATimePointCannotHold) {
  EXPECT_FALSE(ParseIso8601("2999-01-01T00:00:00Z").has_value());
  EXPECT_FALSE(ParseIso8601("0001-01-01T00:00:00Z").has_value());
  auto late = ParseIso8601("2261-12-31T23:59:59Z");
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(FormatIso8601(*late), "2261-12-31T23:59:59.000Z");
  auto early = ParseIso8601("1900-01-01T00:00:00Z");
  ASSERT_TRUE(early.has_value());
  EXPECT_EQ(FormatIso8601(*early), "1900-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace infinity_sync
