// libFuzzer target: status documents as the server and the status command read them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/status_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)infinity_sync::ParseStatusDocument(text);
  return 0;
}
