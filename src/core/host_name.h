#pragma once

#include <string>

namespace infinity_sync {

// This machine's name, as runs and heartbeat samples record it ("" if unknown).
std::string HostName();

}  // namespace infinity_sync
