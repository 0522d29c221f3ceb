#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace infinity_sync {

// The candidate closest to `word` by edit distance, if it is close enough to
// be a likely typo (ninja's "did you mean"); empty otherwise.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace infinity_sync
