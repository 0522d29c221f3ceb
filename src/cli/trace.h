#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/lineage.h"
#include "core/result.h"
#include "ports/process_runner.h"

namespace infinity_sync {

// Whether commit `descendant` contains commit `ancestor` (equal, or `ancestor`
// is one of its ancestors); nullopt when that cannot be told (a commit not in
// the local repository).
using ContainsFn =
    std::function<std::optional<bool>(const std::string& descendant, const std::string& ancestor)>;

// Where one commit stands along a run's lineage (`trace`).
struct TraceHop {
  std::string hop;
  std::string commit;            // what the hop holds
  std::optional<bool> contains;  // it holds the traced commit (or a descendant)
  std::string state;             // the hop's own state (lineage)
  std::string text;              // one line for people
};
struct TraceReport {
  std::string commit;  // the commit traced, full SHA
  std::vector<TraceHop> hops;
  // true: every revision serving Cloud Run traffic holds the commit (and the
  // edge, when configured); false: some traffic (or the edge) serves code without
  // it; nullopt: cannot tell.
  std::optional<bool> live;
  std::string summary;  // why, one line
  int ExitCode() const { return !live ? 2 : *live ? 0 : 1; }
};

// Traces `commit` along `lineage` (pure, but for `contains`).
TraceReport TraceCommit(const Lineage& lineage, const std::string& commit,
                        const ContainsFn& contains);

// {commit, live, summary, hops: [{hop, commit, contains, detail}]}.
nlohmann::json ToJson(const TraceReport& report);

// The full SHA `name` (a SHA, branch, tag, HEAD) names in `repo`, with
// `git rev-parse --verify NAME^{commit}`; the error says why not.
Result<std::string> ResolveCommit(ProcessRunner& process, const std::string& repo,
                                  const std::string& name);

// ContainsFn through `git merge-base --is-ancestor` in `repo`.
ContainsFn GitContains(ProcessRunner& process, const std::string& repo);

}  // namespace infinity_sync
