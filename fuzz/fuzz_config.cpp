// libFuzzer target: the configuration file (YAML, env expansion, durations, custom checks).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  infinity_sync::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOME") return std::string("/home/x");
    return std::nullopt;
  };
  auto parsed = infinity_sync::ParseConfig(text, "fuzz.yaml", "/repo", env);
  if (auto* err = std::get_if<infinity_sync::ConfigError>(&parsed)) (void)err->ToString();
  return 0;
}
