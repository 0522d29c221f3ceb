#include "lib/history_postgres.h"

#include <unistd.h>

#include <filesystem>

#include "store/postgres_store.h"

namespace infinity_sync::testing {

std::string PostgresServer::BinDir() {
  for (const char* dir :
       {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"}) {
    if (std::filesystem::exists(std::string(dir) + "/pg_ctl")) return dir;
  }
  return "";
}

std::vector<std::string> PostgresServer::AsServerUser(std::vector<std::string> argv) const {
  if (geteuid() != 0) return argv;
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return argv;
}

PostgresServer::PostgresServer() {
  std::string bin = BinDir();
  if (bin.empty()) {
    error_ = "PostgreSQL server binaries not found (install Debian's postgresql package)";
    return;
  }
  std::filesystem::create_directories(dir_ / "sock");
  if (geteuid() == 0) {
    // initdb refuses to run as root: the folder belongs to the postgres user.
    auto r = Run({"chown", "-R", "postgres:postgres", dir_.str()});
    if (r.exit_code != 0) {
      error_ = "chown to postgres failed: " + r.err;
      return;
    }
  }
  auto init = Run(AsServerUser({bin + "/initdb", "-D", dir_ / "data", "-U", "postgres",
                                "--auth=trust", "--no-sync", "-E", "UTF8", "--no-instructions"}));
  if (init.exit_code != 0) {
    error_ = "initdb failed: " + init.out + init.err;
    return;
  }
  port_ = FreePort();
  if (!Start()) return;
}

PostgresServer::~PostgresServer() { Stop(); }

bool PostgresServer::Start() {
  std::string options = "-p " + std::to_string(port_) + " -k " + (dir_ / "sock") +
                        " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off";
  auto r = Run(AsServerUser({BinDir() + "/pg_ctl", "start", "-w", "-t", "30", "-D", dir_ / "data",
                             "-l", dir_ / "server.log", "-o", options}));
  running_ = r.exit_code == 0;
  if (!running_) error_ = "pg_ctl start failed: " + r.out + r.err + ReadFile(dir_ / "server.log");
  return running_;
}

bool PostgresServer::Stop() {
  if (!running_) return true;
  auto r =
      Run(AsServerUser({BinDir() + "/pg_ctl", "stop", "-w", "-m", "fast", "-D", dir_ / "data"}));
  running_ = r.exit_code != 0;
  return !running_;
}

std::string PostgresServer::Url(const std::string& db) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

std::string PostgresServer::CreateDatabase(const std::string& name) {
  auto admin = MakePostgresConnection(Url());
  if (auto s = admin->Open(); !s)
    throw std::runtime_error("connecting to PostgreSQL: " + s.error());
  admin->Exec("DROP DATABASE IF EXISTS " + name);
  if (auto s = admin->Exec("CREATE DATABASE " + name); !s) {
    throw std::runtime_error("CREATE DATABASE " + name + ": " + s.error());
  }
  return Url(name);
}

}  // namespace infinity_sync::testing
