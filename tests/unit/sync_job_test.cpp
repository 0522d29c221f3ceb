// RunSync against a file system that fails on purpose: nothing is lost, and
// the outcome says what went wrong and where.
#include <gtest/gtest.h>

#include "engine/sync_job.h"
#include "lib/fake_file_system.h"
#include "lib/fake_ports.h"

namespace infinity_sync {
namespace {

using testing::FakeFileSystem;

struct World {
  testing::FakeProcessRunner process;
  testing::FakeHttpClient http;
  testing::FakeDnsResolver dns;
  FakeFileSystem fs;
  testing::ShiftedClock clock;
  Ports ports{
      process, http,
      dns,     fs,
      clock,   [](const std::string&) -> std::optional<std::string> { return std::nullopt; }};
  Config config;
  World() {
    config.status_file = "/status/infinity-sync-status.json";
    config.notify.clear();
  }
};

CheckResult Synced() {
  CheckResult r;
  r.status = CheckStatus::kSynced;
  r.Ok("fine");
  return r;
}

std::vector<CheckSpec> OneSyncedCheck() {
  CheckSpec spec;
  spec.name = "probe";
  spec.key = "CustomCheck:probe";
  spec.title = "Custom Check: probe";
  spec.label = "probe";
  spec.budget = [](const Config&) { return std::chrono::milliseconds(2000); };
  spec.run = [](const CheckContext&) { return Synced(); };
  return {spec};
}

TEST(SyncJobTest, AWriteThatFailsKeepsThePreviousDocumentAndSaysWhy) {
  World w;
  w.fs.Put(w.config.status_file, "{\"previous\": true}\n");
  w.fs.write_error = "No space left on device";
  auto outcome = RunSync(w.config, w.ports, OneSyncedCheck(), {}, nullptr);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->write_error,
            "writing /status/infinity-sync-status.json: No space left on device");
  // A synced run whose document could not be written is not a success.
  EXPECT_EQ(outcome->exit_code, kExitFailed);
  EXPECT_EQ(w.fs.Get(w.config.status_file), "{\"previous\": true}\n");
  EXPECT_NE(outcome->document.find("\"CustomCheck:probe\""), std::string::npos);
}

TEST(SyncJobTest, AWrittenRunIsTheDocumentReturned) {
  World w;
  auto outcome = RunSync(w.config, w.ports, OneSyncedCheck(), {}, nullptr);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->write_error, "");
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(w.fs.Get(w.config.status_file), outcome->document);
}

TEST(SyncJobTest, ALockHeldElsewhereRunsNothingAndWritesNothing) {
  World w;
  w.fs.lock_held_by = "4242";
  int ran = 0;
  auto checks = OneSyncedCheck();
  checks[0].run = [&ran](const CheckContext&) {
    ++ran;
    return Synced();
  };
  auto outcome = RunSync(w.config, w.ports, checks, {}, nullptr);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error(),
            "another infinity-sync run holds the lock /status/infinity-sync-status.json.lock "
            "(pid 4242)");
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(w.fs.writes(), 0);
}

}  // namespace
}  // namespace infinity_sync
