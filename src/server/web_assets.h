#pragma once

#include <string_view>
#include <vector>

namespace infinity_sync {

// One file of the dashboard (web/), embedded at build time.
struct WebAsset {
  std::string_view path;     // "/index.html"
  std::string_view content;  // the file's bytes
};

// Every embedded dashboard file. Defined in a generated source.
const std::vector<WebAsset>& WebAssets();

}  // namespace infinity_sync
