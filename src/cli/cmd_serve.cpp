#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>
#include <variant>

#include "checks/check.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/heartbeat_history.h"
#include "cli/real_ports.h"
#include "cli/serve_projects.h"
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

// What a reload cannot change without a restart, as log lines.
std::vector<std::string> NeedRestart(const Config& running, const Config& next) {
  std::vector<std::string> out;
  if (running.server.listen != next.server.listen) out.push_back("server.listen");
  if (running.server.max_connections != next.server.max_connections) {
    out.push_back("server.max_connections");
  }
  if (running.store != next.store) out.push_back("store");
  if (running.history.keep_for != next.history.keep_for) out.push_back("history.keep_for");
  return out;
}

// SIGHUP: reads the configuration again. A bad one is logged and the running
// one kept; a good one replaces the check table, the heartbeats, the live loop
// and the API (the listener, open connections, event streams and history
// store stay). Runs on its own thread, one reload at a time.
class Reloader {
 public:
  Reloader(const GlobalOptions& global, const ServeFlags& flags, ServeStates& states,
           ServeShared shared)
      : global_(global), flags_(flags), states_(states), shared_(shared) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Reloader() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quitting_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // From the signal handler's thread: returns at once.
  void Request() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      wanted_ = true;
    }
    cv_.notify_all();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return wanted_ || quitting_; });
      if (quitting_) return;
      wanted_ = false;
      lock.unlock();
      Reload();
      lock.lock();
    }
  }

  void Reload() {
    std::cerr << "infinity-sync: SIGHUP: reloading the configuration" << std::endl;
    auto fail = [this](const std::string& why) {
      shared_.reloads.Record(false, shared_.real.clock.Now());
      std::cerr << "infinity-sync: reload failed: " << why << "; the running configuration is kept"
                << std::endl;
    };
    std::error_code ec;
    auto cwd = std::filesystem::current_path(ec);
    auto loaded = LoadConfig(global_.config, cwd, ProcessEnv());
    if (auto* err = std::get_if<ConfigError>(&loaded)) {
      fail("configuration error: " + err->ToString());
      return;
    }
    Config next = std::get<Config>(std::move(loaded));
    if (!flags_.listen.empty()) next.server.listen = flags_.listen;
    if (auto ok = CheckListen(next); !ok) {
      fail(ok.error());
      return;
    }
    std::shared_ptr<ServeState> old = states_.Current();
    std::vector<std::string> restart = NeedRestart(old->config(), next);
    for (const auto& key : restart) {
      std::cerr << "infinity-sync: " << key << " changed: it takes effect when serve is restarted"
                << std::endl;
    }
    // The running sync belongs to the old configuration: cancel it, then start
    // the new state (whose first sync is due at once).
    bool ended = old->Stop(std::chrono::milliseconds(1'000));
    std::string source = Source(next);
    std::size_t custom = next.checks.size();
    states_.Replace(std::make_shared<ServeState>(std::move(next), shared_));
    shared_.reloads.Record(true, shared_.real.clock.Now());
    std::cerr << "infinity-sync: configuration reloaded from " << source << " (" << custom
              << " custom check" << (custom == 1 ? "" : "s") << ")" << std::endl;
    if (!ended) {
      KeepForever(std::move(old));
    } else {
      Retire(old, std::chrono::seconds(30));
    }
  }

  const GlobalOptions& global_;
  const ServeFlags& flags_;
  ServeStates& states_;
  ServeShared shared_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool quitting_ = false;
  std::thread thread_;
};

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
  if (!config.projects.empty()) return ServeProjects(config);

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
    Reloader reloader(global, flags, states, shared);
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
