// bench/history_bench: writes N runs (five checks each) to a fresh SQLite
// history store and reports the write time per run, the database size per
// run, and the time of the history?limit=100 query (runs + transitions) at
// that size. Usage: history_bench [N] [DB_PATH]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "store/history_json.h"
#include "store/sqlite_store.h"

using namespace infinity_sync;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int n = argc > 1 ? std::stoi(argv[1]) : 10'000;
  std::string path = argc > 2 ? argv[2] : "/tmp/infinity-sync-history-bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto store = OpenSqliteStore(path, std::chrono::milliseconds(0));
  auto t0 = std::chrono::system_clock::now() - std::chrono::minutes(n);
  const char* keys[] = {"AuthCheck", "GitSync", "DockerSync", "GCPSync", "CloudflareCheck"};
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    SyncStatus s;
    s.timestamp = t0 + std::chrono::minutes(i);
    s.duration_ms = 900 + i % 300;
    s.dry_run = true;
    s.version = "0.1.0";
    s.project = "vizual-x-admin-control-plane";
    s.host = "laptop";
    for (int k = 0; k < 5; ++k) {
      CheckResult r;
      r.status = (k == 1 && i % 10 == 0) ? CheckStatus::kDiverged : CheckStatus::kSynced;
      r.Info("Branch: main");
      r.Info("Upstream: origin/main");
      r.data = {{"branch", "main"}, {"ahead", 0}, {"behind", i % 10 == 0 ? 2 : 0}};
      r.duration_ms = 20 + k;
      s.results.push_back({keys[k], r});
    }
    if (auto w = store->Record(s); !w) {
      std::fprintf(stderr, "write %d failed: %s\n", i, w.error().c_str());
      return 2;
    }
  }
  double write_s = std::chrono::duration<double>(Clock::now() - start).count();
  store.reset();
  {
    // Closing does not checkpoint (see sqlite_store.cpp): do it, so that the
    // file size is the data's.
    auto db = MakeSqliteConnection(path);
    if (!db->Open() || !db->Exec("PRAGMA wal_checkpoint(TRUNCATE)")) {
      std::fprintf(stderr, "checkpoint failed\n");
      return 2;
    }
  }
  auto reopened = OpenSqliteStore(path, std::chrono::milliseconds(0));
  HistoryQuery q;
  q.limit = 100;
  (void)HistoryDocumentText(*reopened, q);  // warm: schema check, page cache
  constexpr int kQueries = 200;
  std::size_t bytes = 0;
  start = Clock::now();
  for (int i = 0; i < kQueries; ++i) {
    auto doc = HistoryDocumentText(*reopened, q);  // what the route answers
    if (!doc) {
      std::fprintf(stderr, "query failed: %s\n", doc.error().c_str());
      return 2;
    }
    bytes = doc->size();
  }
  double query_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count() / kQueries;
  start = Clock::now();
  for (int i = 0; i < kQueries; ++i) (void)reopened->ListRuns(q);
  double runs_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count() / kQueries;
  start = Clock::now();
  for (int i = 0; i < kQueries; ++i) (void)HistoryDocument(*reopened, q)->dump();
  double tree_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count() / kQueries;
  auto size = std::filesystem::file_size(path);
  std::printf("runs written:            %d (5 checks each)\n", n);
  std::printf("write time per run:      %.3f ms\n", write_s * 1000 / n);
  std::printf("database size:           %.1f MiB (%.0f bytes per run)\n", size / 1048576.0,
              static_cast<double>(size) / n);
  std::printf("history?limit=100:       %.3f ms per query (runs + transitions, %zu bytes JSON)\n",
              query_ms, bytes);
  std::printf("  of which ListRuns:       %.3f ms\n", runs_ms);
  std::printf("  (through nlohmann::json: %.3f ms)\n", tree_ms);
  std::printf("FIGURE|history write per run (%d runs)|%.3f ms, %.0f bytes|-|-|-\n", n,
              write_s * 1000 / n, static_cast<double>(size) / n);
  std::printf("FIGURE|history?limit=100 at %d runs|%.3f ms|nlohmann::json path %.3f ms|< 5 ms|%s\n",
              n, query_ms, tree_ms, query_ms < 5.0 ? "met" : "MISSED");
  return query_ms < 5.0 ? 0 : 1;
}
