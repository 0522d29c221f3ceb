#pragma once

#include "core/clock.h"
#include "core/env_expand.h"
#include "ports/dns_resolver.h"
#include "ports/file_system.h"
#include "ports/http_client.h"
#include "ports/process_runner.h"

namespace infinity_sync {

// The outside world: one reference per port. Built once by the command that
// runs (cli/real_ports.h) or by a test (tests/lib/fake_ports.h); everything
// else receives it. Holds no per-run state.
struct Ports {
  ProcessRunner& process;
  HttpClient& http;
  DnsResolver& dns;
  FileSystem& fs;
  Clock& clock;
  EnvLookup env;
};

}  // namespace infinity_sync
