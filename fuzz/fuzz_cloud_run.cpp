// libFuzzer target: Cloud Run v2 Service resources and google.rpc.Status error bodies.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cloud/cloud_run.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)infinity_sync::ParseCloudRunService(text);
  (void)infinity_sync::ParseGoogleRpcError(text);
  return 0;
}
