#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace infinity_sync {

// What `git status --porcelain=v2 --branch -z` says about a work tree.
struct GitStatusInfo {
  std::string oid;       // HEAD's commit; empty before the first commit
  bool initial = false;  // "(initial)": no commits yet
  std::string head;      // branch name; empty when detached
  bool detached = false;
  std::string upstream;  // "origin/main"; empty when none is set
  bool has_ab = false;   // the upstream resolves (ahead/behind known)
  int ahead = 0;
  int behind = 0;
  int staged = 0;    // tracked entries changed in the index
  int unstaged = 0;  // tracked entries changed in the work tree
  int dirty = 0;     // tracked entries changed in either
  int unmerged = 0;
  int untracked = 0;
  std::vector<std::string> dirty_paths;  // the first few, for the report
};

// Parses porcelain v2 output, NUL-separated (-z) or newline-separated.
// Errors name the record that could not be read.
Result<GitStatusInfo> ParseGitPorcelainV2(std::string_view text);

}  // namespace infinity_sync
