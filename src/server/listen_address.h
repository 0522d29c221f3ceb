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

// The host name of a Host header value or an authority ("Example.COM:3001",
// "[::1]:80", "localhost."): lowercased, without port, brackets or a final
// dot. Empty when the value is not a host[:port].
std::string HostNameOf(const std::string& authority);

// The host name of an Origin ("http://localhost:3001"), as HostNameOf; empty
// for "null" or anything that is not scheme://host[:port].
std::string OriginHostName(const std::string& origin);

}  // namespace infinity_sync
