#pragma once

#include "checks/check.h"
#include "cloud/google_credentials.h"
#include "core/clock.h"
#include "ports/dns_resolver.h"
#include "ports/file_system.h"
#include "ports/http_client.h"
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
  GoogleTokenSource google_tokens;  // shared by the checks: auth and gcp ask once
  Ports ports{process, http, dns, fs, clock, ProcessEnv(), &google_tokens};
};

}  // namespace infinity_sync
