#include "store/postgres_store.h"

#include <libpq-fe.h>

#include "store/fleet_watch.h"

namespace infinity_sync {
namespace {

// Any fixed number: serializes writers of one database (runs, migrations).
constexpr const char* kWriteLock = "SELECT pg_advisory_xact_lock(727001)";

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// `?` placeholders become $1, $2, ... (no SQL of ours has a literal '?').
std::string Numbered(const std::string& sql) {
  std::string out;
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PostgresConnection : public SqlConnection {
 public:
  explicit PostgresConnection(std::string url) : url_(std::move(url)) {}
  ~PostgresConnection() override {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  Status Open() override {
    if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return Ok{};
    if (conn_ != nullptr) PQfinish(conn_);
    // connect_timeout first: settings in the URL override it.
    const char* keys[] = {"connect_timeout", "dbname", "application_name", nullptr};
    const char* values[] = {"5", url_.c_str(), "infinity-sync", nullptr};
    conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (conn_ == nullptr) return Error{"out of memory"};
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string message = Trimmed(PQerrorMessage(conn_));
      PQfinish(conn_);
      conn_ = nullptr;
      return Error{message};
    }
    // Notices (e.g. a ROLLBACK after a failed BEGIN) are not for the terminal.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    return Ok{};
  }

  Status Exec(const std::string& sql, const std::vector<SqlParam>& params,
              std::vector<SqlRow>* rows) override {
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      return Error{conn_ == nullptr ? "not connected" : Trimmed(PQerrorMessage(conn_))};
    }
    std::vector<std::string> texts;
    texts.reserve(params.size());
    for (const auto& p : params) {
      if (const auto* n = std::get_if<std::int64_t>(&p)) {
        texts.push_back(std::to_string(*n));
      } else {
        texts.push_back(std::get<std::string>(p));
      }
    }
    std::vector<const char*> values;
    for (const auto& t : texts) values.push_back(t.c_str());
    PGresult* res = PQexecParams(conn_, Numbered(sql).c_str(), static_cast<int>(values.size()),
                                 nullptr, values.data(), nullptr, nullptr, 0);
    ExecStatusType st = PQresultStatus(res);
    Status result = Ok{};
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      const char* msg = PQresultErrorMessage(res);
      result = Error{Trimmed(msg != nullptr && *msg != '\0' ? msg : PQerrorMessage(conn_))};
    } else if (rows != nullptr) {
      int n_rows = PQntuples(res), n_cols = PQnfields(res);
      for (int r = 0; r < n_rows; ++r) {
        SqlRow row;
        for (int c = 0; c < n_cols; ++c) {
          if (PQgetisnull(res, r, c)) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(std::string(PQgetvalue(res, r, c),
                                         static_cast<std::size_t>(PQgetlength(res, r, c))));
          }
        }
        rows->push_back(std::move(row));
      }
    }
    PQclear(res);
    return result;
  }

  Status BeginWrite() override {
    if (auto s = Exec("BEGIN", {}, nullptr); !s) return s;
    return Exec(kWriteLock, {}, nullptr);
  }
  std::string NotifySql() const override {
    return std::string("SELECT pg_notify('") + kFleetChannel + "', ?)";
  }
  std::string IdColumn() const override { return "BIGSERIAL PRIMARY KEY"; }
  std::string Describe() const override { return RedactDatabaseUrl(url_); }

 private:
  std::string url_;
  PGconn* conn_ = nullptr;
};

}  // namespace

std::string RedactDatabaseUrl(const std::string& url) {
  std::string out = url;
  auto scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  auto at = out.find('@', scheme + 3);
  auto colon = out.find(':', scheme + 3);
  if (at != std::string::npos && colon != std::string::npos && colon < at) {
    out.replace(colon + 1, at - colon - 1, "***");
  }
  // ...?password=secret&...
  for (std::size_t p = out.find("password="); p != std::string::npos;
       p = out.find("password=", p + 1)) {
    std::size_t start = p + 9, end = out.find('&', start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
  }
  return out;
}

std::unique_ptr<SqlConnection> MakePostgresConnection(const std::string& url) {
  return std::make_unique<PostgresConnection>(url);
}

std::unique_ptr<SqlHistoryStore> OpenPostgresStore(const std::string& url,
                                                   std::chrono::milliseconds keep_for) {
  return std::make_unique<SqlHistoryStore>(MakePostgresConnection(url), keep_for);
}

}  // namespace infinity_sync
