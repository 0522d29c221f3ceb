// libFuzzer target: git status --porcelain=v2 --branch output.
#include <cstddef>
#include <cstdint>
#include <string>

#include "checks/git_porcelain.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)infinity_sync::ParseGitPorcelainV2(text);
  return 0;
}
