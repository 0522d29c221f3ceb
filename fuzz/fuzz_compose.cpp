// libFuzzer target: compose files: YAML, anchors, merge keys, interpolation, overrides.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cloud/compose.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  infinity_sync::EnvLookup env = [](const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  // Half the input as the base file, half as an override, to reach the merge.
  std::size_t half = text.size() / 2;
  std::vector<infinity_sync::ComposeSource> files = {{"compose.yaml", text.substr(0, half)},
                                                     {"compose.override.yaml", text.substr(half)}};
  infinity_sync::ComposeOptions options;
  options.working_dir = "/srv/fuzz";
  (void)infinity_sync::LoadComposeProject(files, options, env);
  (void)infinity_sync::LoadComposeProject({{"compose.yaml", text}}, options, env);
  return 0;
}
