// libFuzzer target: Docker Engine container lists and host addresses.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cloud/docker_engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)infinity_sync::ParseContainerList(text);
  (void)infinity_sync::ParseDockerHost(text);
  return 0;
}
