#pragma once

#include <string>

#include "core/result.h"

namespace infinity_sync {

// `server.listen` split: "127.0.0.1:3001", "[::1]:0", "localhost:8080", ":3001".
struct ListenAddress {
  std::string host;  // "" for ":3001" (every address)
  int port = 0;
};

// Parses a listen address; the Error says what is wrong with it.
Result<ListenAddress> ParseListenAddress(const std::string& text);

// True when `host` only reaches this machine: 127.0.0.0/8, ::1, "localhost".
bool IsLoopbackHost(const std::string& host);

}  // namespace infinity_sync
