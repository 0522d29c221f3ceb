#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace infinity_sync {

// One hop of the lineage "my commit -> GitHub -> CI -> Cloud Run -> edge"
// (SPEC section 6b).
struct LineageHop {
  std::string hop;     // local | remote | ci | cloudrun | edge
  std::string commit;  // the commit this hop holds; empty: unknown
  // local: clean | dirty | unknown; remote: pushed | unpushed | unknown;
  // ci: success | failure | pending | none | skipped | unknown;
  // cloudrun: live | partial | stale | unknown | notConfigured;
  // edge: live | stale | unknown.
  std::string state;
  std::string detail;  // one line for people
  std::string branch;  // local: the checked-out branch; empty when detached or unknown
  std::optional<std::chrono::system_clock::time_point> at;  // when the fact dates from
  // cloudrun: the revisions serving traffic.
  struct Serving {
    std::string revision;
    int percent = 0;
    std::string commit;  // empty: unknown
  };
  std::vector<Serving> serving;
};

// The lineage of one run: the deploy branch's commit and where it stands.
struct Lineage {
  std::string commit;         // the deploy branch's tip; empty when unknown
  std::string deploy_branch;  // "origin/main"
  std::vector<LineageHop> hops;
  // true: the commit serves 100% of Cloud Run traffic (and the edge names it,
  // when configured); false: another commit does; nullopt: cannot tell.
  std::optional<bool> live;

  const LineageHop* Find(const std::string& hop) const {
    for (const auto& h : hops) {
      if (h.hop == hop) return &h;
    }
    return nullptr;
  }
};

// The one JSON mapping: {commit, deployBranch, hops: [{hop, commit, state,
// detail, at, serving?}], live} with null for what is unknown.
nlohmann::json ToJson(const Lineage& lineage);
// Reads it back (a status document's "lineage"); the error names the field.
Result<Lineage> LineageFromJson(const nlohmann::json& json);

}  // namespace infinity_sync
