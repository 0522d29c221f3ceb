#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <unordered_map>

#include "core/own_folders.h"

namespace infinity_sync {
namespace {

constexpr int kBusyTimeoutMs = 10'000;

class SqliteConnection : public SqlConnection {
 public:
  explicit SqliteConnection(std::string path) : path_(std::move(path)) {}
  ~SqliteConnection() override { Close(); }

  Status Open() override {
    if (db_ != nullptr) return Ok{};
    if (auto made = CreateFoldersFor(path_); !made) return made;
    int rc =
        sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      Close();
      return Error{message};
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // The last connection to close does not checkpoint the WAL into the
    // database (two more fsyncs at the end of every one-shot run); the WAL is
    // checkpointed by the writes instead, every 1000 pages (SQLite's default).
    sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    // WAL with synchronous=NORMAL: a commit is not fsynced. Safe against a
    // crash of the program (nothing is lost or corrupted); a power loss or OS
    // crash may lose the last commits, never corrupt the database.
    for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"}) {
      if (auto s = Exec(pragma, {}, nullptr); !s) {
        Close();
        return s;
      }
    }
    return Ok{};
  }

  Status Exec(const std::string& sql, const std::vector<SqlParam>& params,
              std::vector<SqlRow>* rows) override {
    if (db_ == nullptr) return Error{"not open"};
    sqlite3_stmt* stmt = Prepared(sql);
    if (stmt == nullptr) return Error{sqlite3_errmsg(db_)};
    for (std::size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
        sqlite3_bind_int64(stmt, index, *n);
      } else {
        const auto& s = std::get<std::string>(params[i]);
        sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (rows == nullptr) continue;
      SqlRow row;
      int columns = sqlite3_column_count(stmt);
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(
              std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
      rows->push_back(std::move(row));
    }
    Status result = rc == SQLITE_DONE ? Status(Ok{}) : Status(Error{sqlite3_errmsg(db_)});
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return result;
  }

  Status BeginWrite() override { return Exec("BEGIN IMMEDIATE", {}, nullptr); }
  bool Exists() const override {
    std::error_code ec;
    return std::filesystem::exists(path_, ec);
  }
  bool CreatableInPlace() const override {
    std::error_code ec;
    auto parent = std::filesystem::path(path_).parent_path();
    return parent.empty() || std::filesystem::is_directory(parent, ec);
  }
  std::string IdColumn() const override { return "INTEGER PRIMARY KEY"; }
  std::string Describe() const override { return "sqlite:" + path_; }

 private:
  sqlite3_stmt* Prepared(const std::string& sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK) {
      return nullptr;
    }
    // Statements with a variable IN list are many; keep only the fixed ones.
    if (cache_.size() < 64)
      cache_[sql] = stmt;
    else
      temporary_.reset(stmt);
    return stmt;
  }

  void Close() {
    temporary_.reset();
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    cache_.clear();
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = nullptr;
  }

  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  std::unique_ptr<sqlite3_stmt, Finalize> temporary_;
};

}  // namespace

std::unique_ptr<SqlConnection> MakeSqliteConnection(const std::string& path) {
  return std::make_unique<SqliteConnection>(path);
}

std::unique_ptr<SqlHistoryStore> OpenSqliteStore(const std::string& path,
                                                 std::chrono::milliseconds keep_for) {
  return std::make_unique<SqlHistoryStore>(MakeSqliteConnection(path), keep_for);
}

}  // namespace infinity_sync
