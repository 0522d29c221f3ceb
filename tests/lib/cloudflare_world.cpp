#include "lib/cloudflare_world.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace infinity_sync::testing {
namespace {

bool CanConnect(const std::string& host, int port) {
  bool v6 = host.find(':') != std::string::npos;
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  int rc = -1;
  if (v6) {
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, host.c_str(), &addr.sin6_addr);
    rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } else {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  close(fd);
  return rc == 0;
}

int BoundPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

int LoopbackSocket(int type) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ADD_FAILURE() << "cannot bind a loopback socket";
  }
  return fd;
}

}  // namespace

Dnsmasq::Dnsmasq(const std::vector<std::string>& extra, const std::string& listen, bool local_test)
    : listen_(listen) {
  port_ = FreePort();
  std::vector<std::string> args = {"/usr/sbin/dnsmasq",
                                   "--no-daemon",
                                   "--conf-file=/dev/null",
                                   "--no-resolv",
                                   "--no-hosts",
                                   "--no-poll",
                                   "--pid-file=",
                                   "--bind-interfaces",
                                   "--listen-address=" + listen,
                                   "--port=" + std::to_string(port_),
                                   "--log-facility=" + (dir_ / "dnsmasq.log")};
  if (local_test) args.push_back("--local=/test/");
  args.insert(args.end(), extra.begin(), extra.end());
  std::string log = dir_ / "stderr";
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // Dies with the test even when the test is killed before its teardown.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) dup2(fd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  if (pid < 0) {
    ADD_FAILURE() << "cannot start /usr/sbin/dnsmasq";
    return;
  }
  pid_ = pid;
  for (int i = 0; i < 500; ++i) {
    if (CanConnect(listen, port_)) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "dnsmasq exited: " << ReadFile(log) << ReadFile(dir_ / "dnsmasq.log");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "dnsmasq did not start: " << ReadFile(log);
}

Dnsmasq::~Dnsmasq() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
}

std::string Dnsmasq::server() const {
  if (listen_.find(':') != std::string::npos) return "[" + listen_ + "]:" + std::to_string(port_);
  return listen_ + ":" + std::to_string(port_);
}

SilentDnsServer::SilentDnsServer() {
  fd_ = LoopbackSocket(SOCK_DGRAM);
  port_ = BoundPort(fd_);
}

SilentDnsServer::~SilentDnsServer() { close(fd_); }

int SilentDnsServer::Received() {
  char buf[4096];
  while (recv(fd_, buf, sizeof buf, MSG_DONTWAIT) >= 0) ++received_;
  return received_;
}

SilentTcpServer::SilentTcpServer() {
  fd_ = LoopbackSocket(SOCK_STREAM);
  listen(fd_, 64);  // never accepted: the kernel's backlog completes the handshake
  port_ = BoundPort(fd_);
}

SilentTcpServer::~SilentTcpServer() { close(fd_); }

TestCa::TestCa(const std::string& dir) : dir_(dir) {
  ca_file_ = dir_ + "/ca.pem";
  ca_key_ = dir_ + "/ca.key";
  MustRun({"openssl",
           "req",
           "-x509",
           "-newkey",
           "ec",
           "-pkeyopt",
           "ec_paramgen_curve:prime256v1",
           "-nodes",
           "-keyout",
           ca_key_,
           "-out",
           ca_file_,
           "-days",
           "30",
           "-subj",
           "/CN=infinity-sync test CA",
           "-addext",
           "basicConstraints=critical,CA:TRUE",
           "-addext",
           "keyUsage=critical,keyCertSign,cRLSign"});
  WriteFile(dir_ + "/index.txt", "");
  WriteFile(dir_ + "/serial", "1000\n");
  WriteFile(dir_ + "/ca.cnf",
            "[ca]\ndefault_ca = test_ca\n"
            "[test_ca]\n"
            "database = " +
                dir_ +
                "/index.txt\n"
                "new_certs_dir = " +
                dir_ +
                "\n"
                "serial = " +
                dir_ +
                "/serial\n"
                "default_md = sha256\npolicy = any\nunique_subject = no\ncopy_extensions = none\n"
                "[any]\ncommonName = supplied\n");
}

TestCa::Leaf TestCa::Issue(const std::string& id, const std::vector<std::string>& names, int days) {
  return Sign(id, names, {"-days", std::to_string(days)});
}

TestCa::Leaf TestCa::IssueExpired(const std::string& id, const std::vector<std::string>& names) {
  return Sign(id, names, {"-startdate", "20200101000000Z", "-enddate", "20200301000000Z"});
}

TestCa::Leaf TestCa::Sign(const std::string& id, const std::vector<std::string>& names,
                          const std::vector<std::string>& validity) {
  Leaf leaf{dir_ + "/" + id + ".pem", dir_ + "/" + id + ".key"};
  std::string csr = dir_ + "/" + id + ".csr";
  std::string ext = dir_ + "/" + id + ".ext";
  std::string san;
  for (const auto& n : names) {
    bool ip =
        n.find_first_not_of("0123456789.") == std::string::npos || n.find(':') != std::string::npos;
    san += (san.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + n;
  }
  WriteFile(ext,
            "[leaf]\nbasicConstraints = CA:FALSE\nkeyUsage = digitalSignature\n"
            "extendedKeyUsage = serverAuth\nsubjectAltName = " +
                san + "\n");
  MustRun({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-keyout", leaf.key, "-out", csr, "-subj", "/CN=" + names.front()});
  std::vector<std::string> argv = {
      "openssl",     "ca",      "-config", dir_ + "/ca.cnf", "-batch",   "-notext", "-in",      csr,
      "-out",        leaf.cert, "-cert",   ca_file_,         "-keyfile", ca_key_,   "-extfile", ext,
      "-extensions", "leaf"};
  argv.insert(argv.end(), validity.begin(), validity.end());
  MustRun(argv);
  return leaf;
}

}  // namespace infinity_sync::testing
