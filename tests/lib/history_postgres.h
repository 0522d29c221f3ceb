#pragma once

#include <memory>
#include <string>

#include "lib/test_support.h"

namespace infinity_sync::testing {

// A real PostgreSQL server from Debian's package, in a temp folder, on a free
// loopback port with its socket folder inside the temp folder. Started as
// the `postgres` user when the tests run as root. Stopped by the destructor.
class PostgresServer {
 public:
  // The server binaries, or "" when the package is not installed.
  static std::string BinDir();

  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // "" when it runs, else why not.
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  // postgresql://postgres@127.0.0.1:PORT/<db>
  std::string Url(const std::string& db = "postgres") const;
  // Creates an empty database; returns its URL.
  std::string CreateDatabase(const std::string& name);

  bool Stop();   // fast shutdown; true when stopped
  bool Start();  // (re)start on the same port; true when accepting connections

 private:
  std::vector<std::string> AsServerUser(std::vector<std::string> argv) const;

  TempDir dir_;
  int port_ = 0;
  bool running_ = false;
  std::string error_;
};

}  // namespace infinity_sync::testing
