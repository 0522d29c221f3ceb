#include "ports/dns_resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

#include "core/dns_record_types.h"

namespace infinity_sync {
namespace {

using Clock = std::chrono::steady_clock;

DnsOutcome OutcomeOf(int status) {
  switch (status) {
    case ARES_SUCCESS:
      return DnsOutcome::kOk;
    case ARES_ENODATA:
      return DnsOutcome::kNoData;
    case ARES_ENOTFOUND:
      return DnsOutcome::kNxDomain;
    case ARES_ESERVFAIL:
      return DnsOutcome::kServFail;
    case ARES_EREFUSED:
      return DnsOutcome::kRefused;
    case ARES_ETIMEOUT:
    case ARES_ECANCELLED:  // our own deadline
    case ARES_EDESTRUCTION:
      return DnsOutcome::kTimeout;
    case ARES_ECONNREFUSED:
      return DnsOutcome::kUnreachable;
    case ARES_EBADNAME:
      return DnsOutcome::kBadName;
    default:
      return DnsOutcome::kOtherError;
  }
}

// Rank of a failure when two answers disagree: the higher explains more.
int Weight(DnsOutcome o) {
  switch (o) {
    case DnsOutcome::kOk:
      return 9;
    case DnsOutcome::kNxDomain:
      return 8;
    case DnsOutcome::kBadName:
      return 7;
    case DnsOutcome::kServFail:
      return 6;
    case DnsOutcome::kRefused:
      return 5;
    case DnsOutcome::kTimeout:
      return 4;
    case DnsOutcome::kUnreachable:
      return 3;
    case DnsOutcome::kOtherError:
      return 2;
    case DnsOutcome::kNoData:
      return 1;
  }
  return 0;
}

// c-ares server nodes for `servers`, linked in order; the error names a bad one.
std::string ServerNodes(const std::vector<std::string>& servers,
                        std::vector<ares_addr_port_node>* nodes) {
  nodes->assign(servers.size(), ares_addr_port_node{});
  for (std::size_t i = 0; i < servers.size(); ++i) {
    auto parsed = ParseDnsServer(servers[i]);
    if (!parsed) return "bad DNS server " + parsed.error();
    ares_addr_port_node& node = (*nodes)[i];
    std::memset(&node, 0, sizeof node);
    node.next = i + 1 < nodes->size() ? &(*nodes)[i + 1] : nullptr;
    node.family = parsed->v6 ? AF_INET6 : AF_INET;
    inet_pton(node.family, parsed->address.c_str(),
              parsed->v6 ? static_cast<void*>(&node.addr.addr6) : &node.addr.addr4);
    node.udp_port = node.tcp_port = parsed->port;
  }
  return "";
}

// One pending question of any type; the callback parses the answer with the
// c-ares parser for that type.
struct PendingRecords {
  std::string type;
  std::string name;
  DnsRecords* records;
  bool done = false;
};

// The values of a successful answer of `type`, or the parser's failure status.
int ParseRecords(const std::string& type, const std::string& name, const unsigned char* abuf,
                 int alen, std::vector<std::string>* values) {
  if (type == "MX") {
    ares_mx_reply* mx = nullptr;
    int rc = ares_parse_mx_reply(abuf, alen, &mx);
    for (ares_mx_reply* r = mx; rc == ARES_SUCCESS && r != nullptr; r = r->next) {
      values->push_back(std::to_string(r->priority) + " " + r->host);
    }
    if (mx != nullptr) ares_free_data(mx);
    return rc;
  }
  if (type == "TXT") {
    ares_txt_ext* txt = nullptr;
    int rc = ares_parse_txt_reply_ext(abuf, alen, &txt);
    for (ares_txt_ext* r = txt; rc == ARES_SUCCESS && r != nullptr; r = r->next) {
      std::string part(reinterpret_cast<const char*>(r->txt), r->length);
      if (r->record_start || values->empty()) {
        values->push_back(part);
      } else {
        values->back() += part;  // one record of several strings
      }
    }
    if (txt != nullptr) ares_free_data(txt);
    return rc;
  }
  if (type == "CNAME") {
    // c-ares has no CNAME parser of its own: its A parser follows the CNAME
    // chain of the answer and reports the end of it as the canonical name.
    hostent* host = nullptr;
    int rc = ares_parse_a_reply(abuf, alen, &host, nullptr, nullptr);
    if (rc == ARES_SUCCESS && host != nullptr && host->h_name != nullptr) {
      std::string canonical = host->h_name;
      auto same = [](std::string x, std::string y) {
        auto norm = [](std::string& s) {
          if (!s.empty() && s.back() == '.') s.pop_back();
          std::transform(s.begin(), s.end(), s.begin(),
                         [](unsigned char c) { return std::tolower(c); });
        };
        norm(x);
        norm(y);
        return x == y;
      };
      if (!same(canonical, name)) values->push_back(canonical);
    }
    if (host != nullptr) ares_free_hostent(host);
    return rc;
  }
  char text[INET6_ADDRSTRLEN] = {};
  constexpr int kMax = 64;
  int count = kMax;
  if (type == "AAAA") {
    ares_addr6ttl addrs[kMax];
    int rc = ares_parse_aaaa_reply(abuf, alen, nullptr, addrs, &count);
    for (int i = 0; rc == ARES_SUCCESS && i < count; ++i) {
      inet_ntop(AF_INET6, &addrs[i].ip6addr, text, sizeof text);
      values->emplace_back(text);
    }
    return rc;
  }
  ares_addrttl addrs[kMax];
  int rc = ares_parse_a_reply(abuf, alen, nullptr, addrs, &count);
  for (int i = 0; rc == ARES_SUCCESS && i < count; ++i) {
    inet_ntop(AF_INET, &addrs[i].ipaddr, text, sizeof text);
    values->emplace_back(text);
  }
  return rc;
}

void OnRecords(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  auto* p = static_cast<PendingRecords*>(arg);
  p->done = true;
  DnsRecords* out = p->records;
  if (status != ARES_SUCCESS) {
    out->outcome = OutcomeOf(status);
    out->message = ares_strerror(status);
    return;
  }
  int rc = ParseRecords(p->type, p->name, abuf, alen, &out->values);
  if (rc != ARES_SUCCESS && rc != ARES_ENODATA) {
    out->values.clear();
    out->outcome = OutcomeOf(rc);
    out->message = ares_strerror(rc);
    return;
  }
  out->outcome = out->values.empty() ? DnsOutcome::kNoData : DnsOutcome::kOk;
}

// One c-ares channel, destroyed with the object (which answers any question
// still open with ARES_EDESTRUCTION).
class Channel {
 public:
  Channel() = default;
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;
  ~Channel() {
    if (channel_ != nullptr) ares_destroy(channel_);
  }
  // Two tries per server, each twice as long as the one before (c-ares'
  // backoff): t + 2t fits the budget. SERVFAIL and REFUSED come back as
  // answers (NOCHECKRESP) so that they are told apart.
  std::string Open(std::vector<ares_addr_port_node>& servers, std::chrono::milliseconds budget) {
    ares_options options{};
    int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS;
    options.timeout = static_cast<int>(std::max<long>(50, budget.count() / 3));
    options.tries = 2;
    options.flags = ARES_FLAG_NOCHECKRESP;
    int rc = ares_init_options(&channel_, &options, mask);
    if (rc != ARES_SUCCESS) {
      channel_ = nullptr;
      return std::string("cannot start the resolver: ") + ares_strerror(rc);
    }
    if (!servers.empty()) {
      rc = ares_set_servers_ports(channel_, servers.data());
      if (rc != ARES_SUCCESS)
        return std::string("cannot use the DNS servers: ") + ares_strerror(rc);
    }
    return "";
  }
  ares_channel get() const { return channel_; }

  // Runs the channel until `done` says so, the deadline passes or stop is
  // requested; then cancels what is open (callbacks run with ARES_ECANCELLED).
  template <typename Done>
  void DriveUntil(Clock::time_point deadline, const std::stop_token& stop, Done done) {
    while (!done()) {
      auto now = Clock::now();
      if (now >= deadline || stop.stop_requested()) {
        ares_cancel(channel_);
        return;
      }
      ares_socket_t socks[ARES_GETSOCK_MAXNUM];
      int bits = ares_getsock(channel_, socks, ARES_GETSOCK_MAXNUM);
      pollfd fds[ARES_GETSOCK_MAXNUM];
      int n = 0;
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        short events = 0;
        if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
        if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
        if (events == 0) continue;
        fds[n++] = pollfd{socks[i], events, 0};
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      timeval max{static_cast<time_t>(left.count() / 1000),
                  static_cast<suseconds_t>((left.count() % 1000) * 1000)};
      timeval tv{};
      timeval* next = ares_timeout(channel_, &max, &tv);
      int wait_ms = static_cast<int>(next->tv_sec * 1000 + (next->tv_usec + 999) / 1000);
      // Short polls, so that a stop is seen within 50 ms.
      int ready = poll(fds, static_cast<nfds_t>(n), std::clamp(wait_ms, 1, 50));
      if (ready <= 0) {
        ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts, retries
        continue;
      }
      for (int i = 0; i < n; ++i) {
        ares_socket_t r =
            (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD;
        ares_socket_t w = (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD;
        if (r != ARES_SOCKET_BAD || w != ARES_SOCKET_BAD) ares_process_fd(channel_, r, w);
      }
    }
  }

 private:
  ares_channel channel_ = nullptr;
};

// The one DNS pipeline: asks every type of `types` for `name`, together, on
// one channel through `servers` (empty: the system resolver). When the
// answers are SERVFAIL or REFUSED (and none is an answer) the next configured
// server is asked first while time is left, as c-ares itself would have done.
// One DnsRecords per type, in order; `error` is set on each when the question
// could not be asked (a bad server, the resolver would not start).
std::vector<DnsRecords> AskAll(const std::string& name, const std::vector<std::string>& types,
                               const std::vector<std::string>& servers, Clock::time_point deadline,
                               const std::stop_token& stop) {
  std::vector<DnsRecords> out(types.size());
  auto fail = [&](const std::string& why) {
    for (auto& r : out) {
      r = DnsRecords{};
      r.outcome = DnsOutcome::kOtherError;
      r.error = why;
    }
    return out;
  };
  // Validate every server first, so that a typo is named instead of ignored.
  std::vector<ares_addr_port_node> nodes;
  std::string bad = ServerNodes(servers, &nodes);
  if (!bad.empty()) return fail(bad);

  std::size_t rounds = std::max<std::size_t>(1, nodes.size());
  for (std::size_t first = 0; first < rounds; ++first) {
    std::vector<ares_addr_port_node> order;
    for (std::size_t i = 0; i < nodes.size(); ++i)
      order.push_back(nodes[(first + i) % nodes.size()]);
    for (std::size_t i = 0; i < order.size(); ++i) {
      order[i].next = i + 1 < order.size() ? &order[i + 1] : nullptr;
    }
    Channel channel;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    std::string failure = channel.Open(order, left);
    if (!failure.empty()) return fail(failure);
    std::vector<PendingRecords> pending;
    pending.reserve(types.size());
    for (std::size_t i = 0; i < types.size(); ++i) {
      out[i] = DnsRecords{};
      pending.push_back(PendingRecords{types[i], name, &out[i]});
    }
    for (auto& p : pending) {
      ares_query(channel.get(), name.c_str(), 1 /* C_IN */, DnsTypeNumber(p.type), OnRecords, &p);
    }
    channel.DriveUntil(deadline, stop, [&] {
      return std::all_of(pending.begin(), pending.end(), [](const auto& p) { return p.done; });
    });
    if (stop.stop_requested()) {
      for (auto& r : out) {
        if (r.outcome != DnsOutcome::kOk) r.message = "stopped";
      }
      break;
    }
    DnsOutcome best = DnsOutcome::kNoData;
    for (const auto& r : out) {
      if (Weight(r.outcome) > Weight(best)) best = r.outcome;
    }
    if (best != DnsOutcome::kServFail && best != DnsOutcome::kRefused) break;
    if (Clock::now() >= deadline) break;
  }
  return out;
}

}  // namespace

std::string DnsRecords::Reason(const std::string& type) const {
  if (!error.empty()) return error;
  if (outcome == DnsOutcome::kNoData) return "no " + type + " records";
  if (outcome == DnsOutcome::kOtherError) return "error: " + message;
  return ToString(outcome);
}

DnsRecords DnsResolver::ResolveRecords(const DnsRecordQuery& query) {
  DnsRecords records;
  if (query.type != "A" && query.type != "AAAA") {
    records.outcome = DnsOutcome::kOtherError;
    records.error = "this resolver cannot ask for " + query.type + " records";
    return records;
  }
  DnsResult result = Resolve(DnsQuery{query.name, query.servers, query.timeout, query.stop});
  const DnsAnswer& answer = query.type == "A" ? result.a : result.aaaa;
  records.outcome = answer.outcome;
  records.values = answer.addresses;
  records.message = answer.message;
  records.error = result.error;
  records.elapsed_ms = result.elapsed_ms;
  return records;
}

std::string ToString(DnsOutcome outcome) {
  switch (outcome) {
    case DnsOutcome::kOk:
      return "ok";
    case DnsOutcome::kNoData:
      return "no records";
    case DnsOutcome::kNxDomain:
      return "NXDOMAIN";
    case DnsOutcome::kServFail:
      return "SERVFAIL";
    case DnsOutcome::kRefused:
      return "REFUSED";
    case DnsOutcome::kTimeout:
      return "timeout";
    case DnsOutcome::kUnreachable:
      return "server unreachable";
    case DnsOutcome::kBadName:
      return "bad name";
    case DnsOutcome::kOtherError:
      return "error";
  }
  return "error";
}

std::vector<std::string> DnsResult::Addresses() const {
  std::vector<std::string> all = a.addresses;
  all.insert(all.end(), aaaa.addresses.begin(), aaaa.addresses.end());
  return all;
}

DnsOutcome DnsResult::Outcome() const {
  if (ok()) return DnsOutcome::kOk;
  return Weight(a.outcome) >= Weight(aaaa.outcome) ? a.outcome : aaaa.outcome;
}

std::string DnsResult::Reason() const {
  if (!error.empty()) return error;
  DnsOutcome o = Outcome();
  if (o == DnsOutcome::kNoData) return "no A or AAAA records";
  if (o == DnsOutcome::kOtherError) {
    const DnsAnswer& bad = a.outcome == DnsOutcome::kOtherError ? a : aaaa;
    return "error: " + bad.message;
  }
  return ToString(o);
}

CaresDnsResolver::CaresDnsResolver() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

DnsResult CaresDnsResolver::Resolve(const DnsQuery& query) {
  auto start = Clock::now();
  std::vector<DnsRecords> answers =
      AskAll(query.name, {"A", "AAAA"}, query.servers, start + query.timeout, query.stop);
  DnsResult result;
  auto fill = [](DnsAnswer* to, DnsRecords& from) {
    to->outcome = from.outcome;
    to->addresses = std::move(from.values);
    to->message = std::move(from.message);
  };
  fill(&result.a, answers[0]);
  fill(&result.aaaa, answers[1]);
  result.error = answers[0].error;
  result.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

DnsRecords CaresDnsResolver::ResolveRecords(const DnsRecordQuery& query) {
  auto start = Clock::now();
  DnsRecords records;
  if (DnsTypeNumber(query.type) == 0) {
    records.outcome = DnsOutcome::kOtherError;
    records.error = "unknown record type \"" + query.type + "\"";
  } else {
    records = std::move(
        AskAll(query.name, {query.type}, query.servers, start + query.timeout, query.stop)[0]);
  }
  records.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return records;
}

}  // namespace infinity_sync
