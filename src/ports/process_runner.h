#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace infinity_sync {

// One program to run: never through a shell.
struct ProcessRequest {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  std::string cwd;                // empty: the current folder
  // Changes to the inherited environment: a value sets, nullopt unsets.
  std::map<std::string, std::optional<std::string>> env;
  std::chrono::milliseconds timeout{15'000};
  std::size_t max_output = 8 << 20;  // per stream; the rest is dropped
  // Once stop is requested the program's whole process group is killed (and a
  // program not yet started is not started): the caller was told to give up.
  std::stop_token stop;
};

struct ProcessResult {
  bool started = false;    // false: not found or could not start (see error)
  bool not_found = false;  // argv[0] is not on PATH
  bool timed_out = false;  // killed (with its process group) at the timeout
  bool stopped = false;    // killed (or never started) because stop was requested
  int exit_code = -1;      // valid when exited normally
  int signal = 0;          // the signal that ended it, if any
  std::string out;
  std::string err;
  std::string error;  // why it could not start
  std::chrono::milliseconds duration{0};

  bool Succeeded() const { return started && !timed_out && signal == 0 && exit_code == 0; }
  // "git fetch: exit 128: fatal: ...", "gh: not found", "git: timed out after 30s": one line.
  std::string Describe(const std::vector<std::string>& argv) const;
};

// Runs programs. Thread-safe: checks call it from their own threads.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  virtual ProcessResult Run(const ProcessRequest& request) = 0;
  // Whether `program` can be found on PATH (or is an existing path).
  virtual bool Exists(const std::string& program) = 0;
};

// The real thing: posix_spawn in a new process group, stdin from /dev/null,
// the whole group killed (TERM, then KILL) at the timeout or on stop. When the
// program ends, whatever it left running in its group (`sleep 43 &`) is
// killed too: nothing a check starts outlives the call.
class RealProcessRunner : public ProcessRunner {
 public:
  ProcessResult Run(const ProcessRequest& request) override;
  bool Exists(const std::string& program) override;
};

// The last `max_lines` non-empty lines of `text`, joined with " | ".
std::string TailLines(const std::string& text, std::size_t max_lines);

}  // namespace infinity_sync
