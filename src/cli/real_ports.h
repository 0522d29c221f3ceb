#pragma once

#include "core/clock.h"
#include "ports/dns_resolver.h"
#include "ports/file_system.h"
#include "ports/http_client.h"
#include "ports/ports.h"
#include "ports/process_runner.h"

namespace infinity_sync {

// The real implementation of every port, owned in one place and wired into
// `ports`. Commands build one; nothing else builds real ports.
struct RealPorts {
  RealFileSystem fs;
  RealProcessRunner process;
  CurlHttpClient http;
  CaresDnsResolver dns;
  RealClock clock;
  Ports ports{process, http, dns, fs, clock, ProcessEnv()};
};

}  // namespace infinity_sync
