// libFuzzer target: raw bytes as a client would send them to `serve`: the
// server's request parser with its limits and its checks of the head
// (ParseServerRequest: the Feed a connection uses, with transfer codings,
// Host and obs-fold), then every parsed request (pipelined ones too) through
// the API's routing (Api::Handle), alternately with a token and without one
// (then the Host and Origin allow-list decide), CORS origins, a status file
// and the run lock. No sockets; heartbeat targets answer at once from memory.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string>
#include <string_view>

#include <unistd.h>

#include "core/clock.h"
#include "core/config.h"
#include "ports/file_system.h"
#include "ports/http_client.h"
#include "server/heartbeat.h"
#include "server/live_loop.h"
#include "server/metrics.h"
#include "server/request_reader.h"
#include "server/routes.h"
#include "server/server.h"
#include "server/sse_hub.h"
#include "server/status_cache.h"

namespace {

using namespace infinity_sync;

class InstantHttp : public HttpClient {
 public:
  HttpResponse Send(const HttpRequest& request) override {
    HttpResponse r;
    r.status = request.url.find("gcp") != std::string::npos ? 503 : 200;
    return r;
  }
};

struct FuzzWorld {
  Config config;
  RealClock clock;
  InstantHttp http;
  RealFileSystem fs;
  SseHub hub;
  RequestMetrics metrics;
  ServerOptions limits;
  std::unique_ptr<StatusCache> status;
  std::unique_ptr<HeartbeatService> heartbeats;
  std::unique_ptr<LiveLoop> loop;
  std::unique_ptr<Api> api;
  Config open_config;  // no token: the DNS-rebinding guard
  std::unique_ptr<Api> open_api;

  FuzzWorld() {
    auto dir = std::filesystem::temp_directory_path() /
               ("infinity-sync-fuzz-http-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    config.status_file = (dir / "status.json").string();
    std::FILE* f = std::fopen(config.status_file.c_str(), "w");
    if (f != nullptr) {
      std::fputs(
          R"({"timestamp":"2026-02-18T00:50:37.123Z","dryRun":false,"status":{"GitSync":{"Status":"Synced","Details":[]}}})",
          f);
      std::fclose(f);
    }
    config.server.token = "fuzz-token";
    config.server.cors_origins = {"https://ops.example"};
    config.heartbeat.cache_for = std::chrono::hours(1);
    config.heartbeat.targets["github"] = {"GitHub API", "http://gh.test/rate_limit", {}, {}};
    config.heartbeat.targets["gcp"] = {"Google Cloud API", "http://gcp.test/", {}, {}};
    config.heartbeat.targets["cloudflare"] = {"Cloudflare (x.test)", "https://x.test", {}, {}};
    status = std::make_unique<StatusCache>(config.status_file, fs);
    heartbeats = std::make_unique<HeartbeatService>(config, http, clock);
    // A triggered run is accepted and never runs (then 409 while "running").
    loop = std::make_unique<LiveLoop>(
        std::chrono::milliseconds(0), clock, [] {}, [](std::function<void()>) {}, nullptr);
    api = std::make_unique<Api>(
        ApiDeps{config, clock, *status, *heartbeats, *loop, hub, metrics, nullptr, &fs});
    open_config = config;
    open_config.server.token.clear();
    open_config.server.allowed_hosts = {"dash.example"};
    open_api = std::make_unique<Api>(
        ApiDeps{open_config, clock, *status, *heartbeats, *loop, hub, metrics, nullptr, &fs});
  }
};

FuzzWorld& World() {
  static FuzzWorld* world = new FuzzWorld();  // lives for the process
  return *world;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzWorld& w = World();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 8 && !bytes.empty(); ++i) {
    ParsedServerRequest parsed = ParseServerRequest(bytes, w.limits);
    if (parsed.error_status != 0) {
      if (parsed.error_status != 400 && parsed.error_status != 413 && parsed.error_status != 431 &&
          parsed.error_status != 501) {
        __builtin_trap();
      }
      (void)JsonError(parsed.error_status, parsed.error);
      break;
    }
    if (!parsed.request) break;
    if (parsed.consumed == 0 || parsed.consumed > bytes.size()) __builtin_trap();
    bytes.remove_prefix(parsed.consumed);
    // Prefer the token half of the time, so routing past the auth check is
    // reached; a third of the requests go to the server without a token.
    bool open = parsed.request->path.size() % 3 == 0;
    if (!open && !parsed.request->path.empty() && (parsed.request->path.size() & 1) == 0) {
      parsed.request->headers.emplace_back("authorization", "Bearer fuzz-token");
    }
    auto promise = std::make_shared<std::promise<ServerResponse>>();
    auto answer = promise->get_future();
    (open ? w.open_api : w.api)->Handle(std::move(*parsed.request), [promise](ServerResponse r) {
      promise->set_value(std::move(r));
    });
    ServerResponse r = answer.get();
    if (r.status < 100 || r.status > 599) __builtin_trap();
  }
  return 0;
}
