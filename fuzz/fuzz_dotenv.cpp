// libFuzzer target: .env files and compose interpolation.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cloud/compose.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  infinity_sync::EnvLookup env = [](const std::string&) -> std::optional<std::string> {
    return std::string("v");
  };
  (void)infinity_sync::ParseDotEnv(text, ".env", env);
  (void)infinity_sync::InterpolateCompose(text, env);
  return 0;
}
