#include "store/fleet_watch.h"

#include <libpq-fe.h>
#include <poll.h>

#include <thread>

namespace infinity_sync {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// PostgreSQL: a connection of its own that LISTENs; a notification is a
// recorded run (writers NOTIFY in the transaction that records it, so it
// arrives when the run is there to read).
class PostgresFleetWatch : public FleetWatch {
 public:
  explicit PostgresFleetWatch(std::string url) : url_(std::move(url)) {}
  ~PostgresFleetWatch() override { Close(); }

  bool Wait(milliseconds timeout) override {
    auto until = steady_clock::now() + timeout;
    if (conn_ == nullptr && !Connect()) {
      // Down: try again on the next call, not in a tight loop.
      std::this_thread::sleep_until(until);
      return false;
    }
    bool seen = Drain();
    while (!seen) {
      auto left = std::chrono::duration_cast<milliseconds>(until - steady_clock::now());
      if (left.count() <= 0) break;
      pollfd fd{PQsocket(conn_), POLLIN, 0};
      int n = poll(&fd, 1, static_cast<int>(left.count()));
      if (n <= 0) break;  // the time is up (or poll failed: the next call tries again)
      if (PQconsumeInput(conn_) == 0) {
        error_ = PQerrorMessage(conn_);
        Close();
        // What was missed while the connection was down: say "changed" once
        // it is back, so the reader reads the fleet again.
        missed_ = true;
        break;
      }
      seen = Drain();
    }
    return seen;
  }

  std::string LastError() const override { return error_; }

 private:
  bool Connect() {
    const char* keys[] = {"connect_timeout", "dbname", "application_name", nullptr};
    const char* values[] = {"2", url_.c_str(), "infinity-sync fleet", nullptr};
    conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      error_ = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
      Close();
      return false;
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    PGresult* res = PQexec(conn_, (std::string("LISTEN ") + kFleetChannel).c_str());
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
      error_ = PQerrorMessage(conn_);
      Close();
      return false;
    }
    error_.clear();
    return true;
  }

  // Takes every notification that arrived; true when there was one.
  bool Drain() {
    bool seen = missed_;
    missed_ = false;
    while (PGnotify* n = PQnotifies(conn_)) {
      seen = true;
      PQfreemem(n);
    }
    return seen;
  }

  void Close() {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

  std::string url_;
  PGconn* conn_ = nullptr;
  std::string error_;
  bool missed_ = false;
};

// SQLite: the store's newest fleet row, looked at once a second at most.
class PollingFleetWatch : public FleetWatch {
 public:
  explicit PollingFleetWatch(HistoryStore& store) : store_(store) { last_ = Version(); }

  bool Wait(milliseconds timeout) override {
    auto until = steady_clock::now() + timeout;
    while (true) {
      // The next look is a second after the last, however short the waits.
      std::this_thread::sleep_until(std::min(until, next_look_));
      if (steady_clock::now() < next_look_) return false;  // `timeout` ended first
      next_look_ = steady_clock::now() + milliseconds(1'000);
      std::int64_t version = Version();
      if (version != last_) {
        last_ = version;
        return true;
      }
      if (steady_clock::now() >= until) return false;
    }
  }
  std::string LastError() const override { return error_; }

 private:
  std::int64_t Version() {
    auto v = store_.FleetVersion();
    if (!v) {
      error_ = v.error();
      return last_;
    }
    error_.clear();
    return *v;
  }

  HistoryStore& store_;
  std::int64_t last_ = 0;
  steady_clock::time_point next_look_ = steady_clock::now() + milliseconds(1'000);
  std::string error_;
};

}  // namespace

std::unique_ptr<FleetWatch> OpenFleetWatch(const std::string& store_url, HistoryStore& store) {
  if (store_url.rfind("postgresql://", 0) == 0 || store_url.rfind("postgres://", 0) == 0) {
    return std::make_unique<PostgresFleetWatch>(store_url);
  }
  if (store_url.rfind("sqlite:", 0) == 0) return std::make_unique<PollingFleetWatch>(store);
  return nullptr;
}

}  // namespace infinity_sync
