#pragma once

#include <string>
#include <vector>

#include "lib/test_support.h"

namespace infinity_sync::testing {

// A real dnsmasq on a free loopback port that answers only from its own
// configuration: no /etc/resolv.conf, no hosts file, no config file, and every
// name under .test is local (unknown ones are NXDOMAIN). Names elsewhere get
// REFUSED, because it has no upstream unless `extra` adds a loopback one.
class Dnsmasq {
 public:
  // `extra`: more dnsmasq options, e.g. "--address=/name.test/127.0.0.1".
  // `local_test` false: .test is not made local (for a forwarding instance
  // whose only upstream is another loopback dnsmasq).
  explicit Dnsmasq(const std::vector<std::string>& extra, const std::string& listen = "127.0.0.1",
                   bool local_test = true);
  ~Dnsmasq();
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;
  int port() const { return port_; }
  // "127.0.0.1:PORT" (or "[::1]:PORT"), as in cloudflare.dns_servers.
  std::string server() const;

 private:
  TempDir dir_;
  std::string listen_;
  int pid_ = -1;
  int port_ = 0;
};

// A UDP socket on loopback that reads questions and never answers.
class SilentDnsServer {
 public:
  SilentDnsServer();
  ~SilentDnsServer();
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }
  // Datagrams received so far (drains the socket).
  int Received();

 private:
  int fd_ = -1;
  int port_ = 0;
  int received_ = 0;
};

// A TCP port on loopback that accepts connections (the kernel completes the
// handshake) and never says a word.
class SilentTcpServer {
 public:
  SilentTcpServer();
  ~SilentTcpServer();
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A certificate authority made with the openssl program, and leaf
// certificates it signs.
class TestCa {
 public:
  explicit TestCa(const std::string& dir);
  const std::string& ca_file() const { return ca_file_; }
  struct Leaf {
    std::string cert;
    std::string key;
  };
  // A leaf for `names` (DNS names or IP addresses) valid for `days` from now.
  Leaf Issue(const std::string& id, const std::vector<std::string>& names, int days);
  // A leaf whose validity ended in the past.
  Leaf IssueExpired(const std::string& id, const std::vector<std::string>& names);

 private:
  Leaf Sign(const std::string& id, const std::vector<std::string>& names,
            const std::vector<std::string>& validity);
  std::string dir_;
  std::string ca_file_;
  std::string ca_key_;
};

}  // namespace infinity_sync::testing
