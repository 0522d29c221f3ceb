#pragma once

#include <ostream>
#include <string>

namespace infinity_sync {

// `infinity-sync help config [KEY]`: the configuration keys with their defaults
// and meanings, read from the key rows the parser uses. With KEY, the keys it
// names or that sit below it ("git", "checks[].type"); an unknown KEY prints
// "did you mean" to `err` and returns kExitUsage.
int PrintConfigHelp(const std::string& key, std::ostream& out, std::ostream& err);

}  // namespace infinity_sync
