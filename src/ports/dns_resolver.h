#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

#include "core/net_address.h"
#include "core/result.h"

namespace infinity_sync {

// How one DNS question ended. The reasons stay apart so that a report can say
// "the name does not exist" rather than "DNS failed".
enum class DnsOutcome {
  kOk,           // at least one address
  kNoData,       // the name exists but has no record of that type (NOERROR, empty)
  kNxDomain,     // the name does not exist
  kServFail,     // the server failed (SERVFAIL; also DNSSEC validation failures)
  kRefused,      // the server refused to answer (REFUSED)
  kTimeout,      // no answer before the deadline
  kUnreachable,  // the server could not be contacted (connection refused)
  kBadName,      // not a valid DNS name
  kOtherError,   // anything else (FORMERR, NOTIMP, bad reply, out of memory)
};

// "NXDOMAIN", "SERVFAIL", "REFUSED", "timeout", "no records", ...
std::string ToString(DnsOutcome outcome);

// The answer to one record type.
struct DnsAnswer {
  DnsOutcome outcome = DnsOutcome::kTimeout;
  std::vector<std::string> addresses;  // textual, in the server's order
  std::string message;                 // resolver's text for failures, else empty
};

// A and AAAA for one name, asked in parallel.
struct DnsResult {
  DnsAnswer a;
  DnsAnswer aaaa;
  double elapsed_ms = 0;
  std::string error;  // set when the question could not be asked (bad server list)

  // IPv4 addresses first, then IPv6.
  std::vector<std::string> Addresses() const;
  // True when at least one address came back.
  bool ok() const { return !a.addresses.empty() || !aaaa.addresses.empty(); }
  // The outcome that explains the whole result: kOk when ok(), otherwise the
  // most telling failure of the two (NXDOMAIN over SERVFAIL over REFUSED over
  // timeout over unreachable over no data).
  DnsOutcome Outcome() const;
  // One line for a report or heartbeat: "NXDOMAIN", "timeout", "no A or AAAA records".
  std::string Reason() const;
};

struct DnsQuery {
  std::string name;
  // "host", "host:port" or "[v6]:port" with IP addresses; empty: the system
  // resolver (/etc/resolv.conf).
  std::vector<std::string> servers;
  std::chrono::milliseconds timeout{5'000};  // the whole question, retries included
  std::stop_token stop;                      // once requested, the question is cancelled
};

// One question for one record type (custom dns checks, SPEC section 3.6).
struct DnsRecordQuery {
  std::string name;
  std::string type = "A";            // A, AAAA, MX, TXT or CNAME
  std::vector<std::string> servers;  // as in DnsQuery
  std::chrono::milliseconds timeout{5'000};
  std::stop_token stop;
};

// The records of one type, as text: addresses for A/AAAA, "10 mail.example.com"
// for MX, each TXT record's strings joined, the target name for CNAME.
struct DnsRecords {
  DnsOutcome outcome = DnsOutcome::kTimeout;
  std::vector<std::string> values;
  std::string message;  // resolver's text for failures, else empty
  std::string error;    // set when the question could not be asked (bad server, bad type)
  double elapsed_ms = 0;
  // "NXDOMAIN", "no MX records", "timeout", the error.
  std::string Reason(const std::string& type) const;
};

// DNS, behind a port. Thread-safe: each call uses its own resolver state.
class DnsResolver {
 public:
  virtual ~DnsResolver() = default;
  // Never throws and never takes longer than query.timeout (plus a few ms).
  virtual DnsResult Resolve(const DnsQuery& query) = 0;
  // The records of query.type; same promises as Resolve. The default answers
  // A and AAAA through Resolve and refuses the other types (for resolvers that
  // only know addresses).
  virtual DnsRecords ResolveRecords(const DnsRecordQuery& query);
};

// c-ares. Queries the DNS only (no hosts file), A and AAAA at once.
class CaresDnsResolver : public DnsResolver {
 public:
  CaresDnsResolver();
  DnsResult Resolve(const DnsQuery& query) override;
  DnsRecords ResolveRecords(const DnsRecordQuery& query) override;
};

}  // namespace infinity_sync
