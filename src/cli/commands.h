#pragma once

#include <string>
#include <vector>

namespace infinity_sync {

struct GlobalOptions {
  std::string config;  // --config; empty: discovery
};

struct RunFlags {
  bool dry_run = false;
  bool yes = false;
  bool verbose = false;
  bool json = false;
  std::vector<std::string> only;
};

// `infinity-sync run`. Returns the exit code, negated when check threads were
// abandoned (the caller must then leave without unwinding).
int CmdRun(const GlobalOptions& global, const RunFlags& flags);

// `infinity-sync status`.
int CmdStatus(const GlobalOptions& global, bool json);

}  // namespace infinity_sync
