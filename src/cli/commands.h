#pragma once

#include <string>
#include <vector>

#include "cli/interrupt.h"

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
  std::vector<std::string> skip;  // --skip: every check but these
  bool watch = false;             // --watch: run, wait `interval`, run again until Ctrl-C
  std::string interval;           // --interval (a duration, default 5m); only with --watch
  bool explain = false;           // --explain: why each check got its status
};

// `infinity-sync run`. A signal (through `stop`) ends the run with 128 + signal,
// its children killed and nothing written.
CommandOutcome CmdRun(const GlobalOptions& global, const RunFlags& flags, const SignalStop& stop);

// `infinity-sync run --watch`: runs until SIGINT/SIGTERM/SIGHUP, then exits
// 128 + signal as `run` does. Exit 64 on a bad --interval, 78 on a bad config.
CommandOutcome CmdWatch(const GlobalOptions& global, const RunFlags& flags, const SignalStop& stop);

// Exit codes of `init` (sysexits.h): not inside a repository, and a file that
// exists (without --force) or cannot be written.
inline constexpr int kExitNotRepo = 66;
inline constexpr int kExitCantCreate = 73;

// `infinity-sync init [--force]`: writes a starter infinity-sync.yaml in the
// repository root (or at --config) from what it finds there.
int CmdInit(const GlobalOptions& global, bool force);

// `infinity-sync status`.
int CmdStatus(const GlobalOptions& global, bool json);

struct ServeFlags {
  std::string listen;  // --listen; empty: server.listen
};

// `infinity-sync serve`: the REST API, dashboard, /metrics and live loop until
// SIGINT/SIGTERM. Exits 78 on a bad config or a non-loopback address without a token.
int CmdServe(const GlobalOptions& global, const ServeFlags& flags);

// `infinity-sync heartbeat [target] [--json]`: one live heartbeat round.
// Exit 0 all healthy, 1 something degraded, 2 something down, 64 unknown target.
int CmdHeartbeat(const GlobalOptions& global, const std::string& target, bool json);

struct HistoryFlags {
  bool json = false;
  std::string limit;        // --limit; empty: 20
  std::string check;        // --check GitSync; empty: every check
  std::string since;        // --since ISO-8601; empty: no bound
  bool heartbeats = false;  // --heartbeats: heartbeat samples instead of runs
  std::string target;       // --target github (with --heartbeats); empty: every target
};

// `infinity-sync history`: runs newest first and transitions from the store;
// with --heartbeats, heartbeat samples newest first.
// Exit 0; 64 bad flags; 78 bad config or no store; 2 the store cannot be read.
int CmdHistory(const GlobalOptions& global, const HistoryFlags& flags);

// `infinity-sync fleet [--json]`: the latest run of every (project,
// environment) in the store, with its age; stale when older than its fresh_for.
// Exit 0; 78 bad config or no store; 2 the store cannot be read.
int CmdFleet(const GlobalOptions& global, bool json);

// `infinity-sync notify test [--sender N]`: a test message through each sender of
// `notify` (or the one with index or type N), printing each answer.
// Exit 0 all sent, 2 one failed, 64 no such sender, 78 bad config or no sender.
int CmdNotifyTest(const GlobalOptions& global, const std::string& sender);

struct TraceFlags {
  std::string commit;  // empty: HEAD
  bool json = false;
};

// `infinity-sync trace [COMMIT] [--json]`: a dry-run sync, then where COMMIT
// stands along its lineage. Exit 0 live, 1 not (yet) live, 2 cannot tell;
// 78 bad config; 75 another run holds the lock; 128+signal when interrupted.
CommandOutcome CmdTrace(const GlobalOptions& global, const TraceFlags& flags,
                        const SignalStop& stop);

struct WaitFlags {
  std::string commit;           // empty: HEAD
  std::string target = "live";  // live | synced
  std::string timeout;          // a duration; empty: 10m
  std::string interval;         // a duration; empty: 10s
};

// `infinity-sync wait`: dry-run syncs every --interval until COMMIT is live
// (--for live) or every check is good (--for synced), one line per try.
// Exit 0 reached, 1 timed out (saying what is still missing), 64 bad flags,
// 78 bad config, 128+signal when interrupted (promptly, also between tries).
CommandOutcome CmdWait(const GlobalOptions& global, const WaitFlags& flags, const SignalStop& stop);

// `infinity-sync run --list-checks`: the checks of the configuration, one a
// line, "NAME  KEY" (auth  AuthCheck). Exit 0; 78 bad config.
int CmdListChecks(const GlobalOptions& global);

}  // namespace infinity_sync
