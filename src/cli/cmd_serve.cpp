#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <variant>

#include <fmt/format.h>

#include "checks/check.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/heartbeat_history.h"
#include "cli/real_ports.h"
#include "cli/serve_projects.h"
#include "cli/serve_reload.h"
#include "cli/serve_state.h"
#include "core/check_status.h"
#include "engine/sync_job.h"
#include "ports/process_runner.h"
#include "server/fleet_events.h"
#include "server/heartbeat.h"
#include "server/listen_address.h"
#include "server/live_loop.h"
#include "server/metrics.h"
#include "server/routes.h"
#include "server/server.h"
#include "server/sse_hub.h"
#include "server/status_cache.h"
#include "store/open_store.h"

namespace infinity_sync {

namespace {

// server.listen must parse, and a non-loopback address needs a token.
Status CheckListen(const Config& config) {
  auto address = ParseListenAddress(config.server.listen);
  if (!address) return Error{"server.listen: " + address.error()};
  if (!IsLoopbackHost(address->host) && config.server.token.empty()) {
    return Error{"refusing to listen on " + config.server.listen +
                 " without a token: anyone on the network could read the status and trigger "
                 "runs. Set server.token (e.g. token: ${INFINITY_SYNC_TOKEN}) or listen on "
                 "127.0.0.1."};
  }
  return Ok{};
}

std::string Source(const Config& config) {
  return config.source.empty() ? "the embedded defaults" : config.source;
}

// The configuration of `global`, as serve reads it (--listen applied, the
// address checked). `single`: a reload of a serve of one project, where
// adding projects: needs a restart.
Result<Config> LoadServeConfig(const GlobalOptions& global, const ServeFlags& flags, bool single) {
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  auto loaded = LoadConfig(global.config, cwd, ProcessEnv());
  if (auto* err = std::get_if<ConfigError>(&loaded)) {
    return Error{"configuration error: " + err->ToString()};
  }
  Config next = std::get<Config>(std::move(loaded));
  if (!flags.listen.empty()) next.server.listen = flags.listen;
  if (auto ok = CheckListen(next); !ok) return Error{ok.error()};
  if (single && !next.projects.empty()) {
    return Error{"projects: was added: restart serve to serve several projects"};
  }
  return next;
}

}  // namespace

int CmdServe(const GlobalOptions& global, const ServeFlags& flags) {
  // A bad --listen is a usage error (64), told before the configuration is read.
  if (!flags.listen.empty()) {
    if (auto address = ParseListenAddress(flags.listen); !address) {
      std::cerr << "infinity-sync: --listen: " << address.error() << "\n"
                << "Run 'infinity-sync help serve' for usage.\n";
      return kExitUsage;
    }
  }
  auto loaded = LoadConfigOrReport(global.config);
  if (!loaded) return kExitConfig;
  Config config = std::move(*loaded);
  if (!flags.listen.empty()) config.server.listen = flags.listen;
  if (auto ok = CheckListen(config); !ok) {
    std::cerr << "infinity-sync: " << ok.error() << "\n";
    return kExitConfig;
  }
  if (!config.projects.empty()) {
    return ServeProjects(config, [&global, &flags]() -> Result<Config> {
      return LoadServeConfig(global, flags, /*single=*/false);
    });
  }

  RealPorts real;
  SseHub hub;
  RequestMetrics request_metrics;
  ConfigReloads reloads(real.clock.Now());
  // Opened once for the process: the live loop and the heartbeat probes
  // write, the API reads. What cannot be written is kept until the store is
  // back (runs also in the pending file). Declared before the states, so it
  // outlives the probe threads that record into it.
  std::unique_ptr<HistoryRecorder> history;
  if (auto recorder = OpenHistoryRecorder(config); !recorder) {
    std::cerr << "infinity-sync: " << recorder.error() << "; history is off\n";
  } else {
    history = std::move(*recorder);
  }
  ServeShared shared{real, hub, request_metrics, history.get(), reloads};
  // A `fleet` event whenever any writer (this server, a laptop, a CI job)
  // records a run in the store. Declared after the hub it publishes to.
  auto fleet_events = FleetEvents::For(history.get(), config.store, real.clock, hub);

  ServerOptions options;
  options.listen = config.server.listen;
  options.max_connections = static_cast<std::size_t>(config.server.max_connections);
  // Requests in flight get 3 s, a cancelled sync 1 s more: serve exits within 5 s.
  options.shutdown_grace = std::chrono::milliseconds(3'000);
  ServeStates states(std::make_shared<ServeState>(std::move(config), shared));
  Server server(
      options,
      [&states](ServerRequest r, Respond respond) {
        // The request keeps the state it started with until it is answered.
        std::shared_ptr<ServeState> state = states.Current();
        Api& api = state->api();
        api.Handle(std::move(r), [state = std::move(state), respond = std::move(respond)](
                                     ServerResponse res) { respond(std::move(res)); });
      },
      &hub);
  if (auto started = server.Start(); !started) {
    std::cerr << "infinity-sync: " << started.error() << "\n";
    std::shared_ptr<ServeState> state = states.Current();
    if (!state->Stop(std::chrono::milliseconds(1'000))) KeepForever(state);
    return kExitFailed;
  }
  std::cerr << "infinity-sync: listening on http://" << server.BoundAddress() << std::endl;
  {
    Reloader reloader({{&states, shared, {}}}, [&global, &flags]() -> Result<ReloadedConfigs> {
      auto next = LoadServeConfig(global, flags, /*single=*/true);
      if (!next) return Error{next.error()};
      std::size_t custom = next->checks.size();
      ReloadedConfigs out;
      out.from =
          fmt::format("{} ({} custom check{})", Source(*next), custom, custom == 1 ? "" : "s");
      out.configs.push_back(std::move(*next));
      return out;
    });
    server.Run(/*handle_signals=*/true, [&reloader] { reloader.Request(); });
  }  // a reload under way finishes first

  // A sync still running (scheduled or POSTed) is abandoned: its result is
  // not written (the previous status file stays as it was; writes are atomic
  // anyway), and its programs (git, a custom command, ...) are killed with
  // their process groups, as is any a check thread starts from now on.
  std::shared_ptr<ServeState> state = states.Replace(nullptr);
  bool was_running = state->SyncRunning();
  bool sync_ended = state->Stop(std::chrono::milliseconds(1'000));
  std::cerr << (was_running ? "infinity-sync: stopped (the running sync was cancelled)"
                            : "infinity-sync: stopped")
            << std::endl;
  if (!sync_ended || !Retire(state, std::chrono::milliseconds(500))) {
    // A check thread is still unwinding (an HTTP call under its own timeout),
    // or a request is still being answered; they use what is on this stack,
    // so leave without unwinding.
    std::fflush(nullptr);
    _exit(kExitOk);
  }
  return kExitOk;
}

}  // namespace infinity_sync
