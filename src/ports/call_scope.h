#pragma once

#include <chrono>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "core/result.h"
#include "ports/ports.h"

namespace infinity_sync {

struct ProbeRequest;  // ports/http_probe.h
struct ProbeResult;

// What a piece of work asked of the outside world, one line per call, in the
// order the calls ended ("git fetch --quiet -> exit 0 (20 ms)"). Thread-safe.
class Evidence {
 public:
  void Add(std::string line);
  // The lines so far, in order; leaves them in place.
  std::vector<std::string> Lines() const;
  // The lines so far, removed.
  std::vector<std::string> Take();

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// The only way checks and the cloud clients reach the outside: the ports under
// one deadline and one stop token. Every call
//   - gets a timeout clamped to [1 ms, Remaining()] (a port is never asked for
//     an unbounded or zero-length call, whatever the caller computed),
//   - carries the stop token, so that a stopped scope kills its processes,
//     aborts its transfers and cancels its DNS questions,
//   - appends its own evidence line (URLs redacted, never a body or a token).
// Copyable and cheap; the ports and the evidence must outlive it.
class CallScope {
 public:
  CallScope(Ports& ports, std::chrono::steady_clock::time_point deadline, std::stop_token stop = {},
            Evidence* evidence = nullptr)
      : ports(ports), deadline(deadline), stop(std::move(stop)), evidence_(evidence) {}

  Ports& ports;
  std::chrono::steady_clock::time_point deadline;
  std::stop_token stop;

  // Time left before the deadline, never negative.
  std::chrono::milliseconds Remaining() const;
  // `want` cut to the time left, and at least 1 ms: the timeout to give a port.
  std::chrono::milliseconds Clamp(std::chrono::milliseconds want) const;
  // True once the scope's stop was requested (the deadline passed plus grace,
  // or the program is stopping): the caller should give up at once.
  bool Stopped() const { return stop.stop_requested(); }
  // An environment variable, or "" when unset.
  std::string Env(const std::string& name) const { return ports.env(name).value_or(""); }
  // Is `program` on PATH? Nothing is started and no evidence line is left.
  bool Installed(const std::string& program) const { return ports.process.Exists(program); }

  // The port calls. The request's own timeout is an upper bound.
  ProcessResult Run(ProcessRequest request) const;
  HttpResponse Send(HttpRequest request) const;
  DnsResult Resolve(DnsQuery query) const;
  DnsRecords Ask(DnsRecordQuery query) const;
  // The shared HTTP probe (DNS step, then one pinned exchange).
  ProbeResult Probe(ProbeRequest request) const;
  // A file's text under ReadRegularFile's rule (a FIFO, a device or a file
  // over `max_bytes` is an error that says so, never a wait), or why not. No
  // evidence line: the caller says what the file meant.
  Result<std::string> ReadFile(const std::string& path,
                               std::size_t max_bytes = kDefaultReadLimit) const;
  // Is there a file at `path`?
  bool Exists(const std::string& path) const { return ports.fs.Stat(path).has_value(); }

  // Waits `pause` (cut to the time left), or less when the scope is stopped
  // first: a retry's back-off that never outlives the check. False when the
  // scope was stopped.
  bool Pause(std::chrono::milliseconds pause) const;

  // One evidence line of the caller's own (a compared value, a decision).
  void Note(std::string line) const;

 private:
  Evidence* evidence_;
};

// "git fetch --quiet origin": argv as one line for evidence and errors.
std::string CommandLine(const std::vector<std::string>& argv);

}  // namespace infinity_sync
