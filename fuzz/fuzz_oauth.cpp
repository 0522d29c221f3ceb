// libFuzzer target: OAuth token answers and credentials files.
#include <cstddef>
#include <cstdint>
#include <string>

#include "checks/google_credentials.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  int status = size > 0 ? 200 + (data[0] % 4) * 100 : 200;
  (void)infinity_sync::ParseTokenResponse(status, text);
  (void)infinity_sync::ParseCredentialsFile(text, "/tmp/adc.json");
  return 0;
}
