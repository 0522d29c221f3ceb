// `infinity-sync run --list-checks`: the checks of the configuration, one a
// line: the name --only takes, then the key of the status document and of
// `history --check`. The shell completions read it.
#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "checks/check.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "core/check_status.h"

namespace infinity_sync {

int CmdListChecks(const GlobalOptions& global) {
  auto config = LoadConfigOrReport(global.config);
  if (!config) return kExitConfig;
  std::vector<CheckSpec> table = CheckTable(*config);
  std::size_t width = 0;
  for (const auto& spec : table) width = std::max(width, spec.name.size());
  for (const auto& spec : table)
    std::cout << fmt::format("{:<{}}  {}\n", spec.name, width, spec.key);
  return kExitOk;
}

}  // namespace infinity_sync
