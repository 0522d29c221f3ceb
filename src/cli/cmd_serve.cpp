#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "checks/check.h"
#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/heartbeat_history.h"
#include "cli/real_ports.h"
#include "core/check_status.h"
#include "engine/sync_job.h"
#include "ports/process_runner.h"
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

int CmdServe(const GlobalOptions& global, const ServeFlags& flags) {
  auto loaded = LoadConfigOrReport(global.config);
  if (!loaded) return kExitConfig;
  Config config = std::move(*loaded);
  if (!flags.listen.empty()) config.server.listen = flags.listen;

  auto address = ParseListenAddress(config.server.listen);
  if (!address) {
    std::cerr << "infinity-sync: server.listen: " << address.error() << "\n";
    return kExitConfig;
  }
  if (!IsLoopbackHost(address->host) && config.server.token.empty()) {
    std::cerr << "infinity-sync: refusing to listen on " << config.server.listen
              << " without a token: anyone on the network could read the status and trigger "
                 "runs. Set server.token (e.g. token: ${INFINITY_SYNC_TOKEN}) or listen on "
                 "127.0.0.1.\n";
    return kExitConfig;
  }

  RealPorts real;
  Ports& ports = real.ports;

  SseHub hub;
  RequestMetrics request_metrics;
  StatusCache status(config.status_file, real.fs);
  // Opened once for the process: the live loop and the heartbeat probes
  // write, the API reads. What cannot be written is kept until the store is
  // back (runs also in the pending file). Declared before the heartbeat
  // service, so it outlives the probe threads that record into it.
  std::unique_ptr<HistoryRecorder> history;
  if (auto recorder = OpenHistoryRecorder(config); !recorder) {
    std::cerr << "infinity-sync: " << recorder.error() << "; history is off\n";
  } else {
    history = std::move(*recorder);
  }
  HeartbeatService heartbeats(config, real.http, real.clock,
                              RecordProbes(history.get(), config, /*report_errors=*/true));
  heartbeats.SetOnChange(
      [&hub](const Heartbeat& h) { hub.Publish("heartbeat", ToJson(h).dump()); });

  Api* api_for_events = nullptr;  // set below, before the loop can finish a run
  std::vector<CheckSpec> checks = CheckTable(config);
  // Requested when the server stops: a sync still running then has its
  // programs killed, its transfers aborted, and writes nothing.
  std::stop_source stopping;
  auto sync = [&] {
    RunOptions options;
    options.dry_run = true;
    options.stop = stopping.get_token();
    auto outcome = RunSync(
        config, ports, checks, options, [](const std::string&, const Fix&) { return false; }, {},
        history.get());
    if (!outcome) {
      if (stopping.stop_requested()) return;
      std::cerr << "infinity-sync: live sync skipped: " << outcome.error() << "\n";
      return;
    }
    if (!outcome->write_error.empty()) {
      std::cerr << "infinity-sync: the status file was not written: " << outcome->write_error
                << "\n";
    }
    if (!outcome->history_error.empty()) {
      std::cerr << "infinity-sync: the run was not recorded in the history: "
                << outcome->history_error << "\n";
    }
    if (api_for_events != nullptr) {
      std::string body = api_for_events->StatusBody();
      if (!body.empty()) hub.Publish("status", body);
    }
  };
  LiveLoopDriver driver(config.server.sync_every, real.clock, sync);
  Api api(ApiDeps{config, real.clock, status, heartbeats, driver.loop(), hub, request_metrics,
                  history.get(), &real.fs});
  api_for_events = &api;

  ServerOptions options;
  options.listen = config.server.listen;
  options.max_connections = static_cast<std::size_t>(config.server.max_connections);
  // Requests in flight get 3 s, a cancelled sync 1 s more: serve exits within 5 s.
  options.shutdown_grace = std::chrono::milliseconds(3'000);
  Server server(
      options,
      [&api](ServerRequest r, Respond respond) { api.Handle(std::move(r), std::move(respond)); },
      &hub);
  if (auto started = server.Start(); !started) {
    std::cerr << "infinity-sync: " << started.error() << "\n";
    driver.Stop();
    return kExitFailed;
  }
  std::cerr << "infinity-sync: listening on http://" << server.BoundAddress() << std::endl;
  server.Run(/*handle_signals=*/true);

  // A sync still running (scheduled or POSTed) is abandoned: its result is
  // not written (the previous status file stays as it was; writes are atomic
  // anyway), and its programs (git, a custom command, ...) are killed with
  // their process groups, as is any a check thread starts from now on.
  bool was_running = driver.loop().Running();
  stopping.request_stop();
  bool sync_ended = driver.Stop(std::chrono::milliseconds(1'000));
  std::cerr << (was_running ? "infinity-sync: stopped (the running sync was cancelled)"
                            : "infinity-sync: stopped")
            << std::endl;
  if (!sync_ended) {
    // A check thread is still unwinding (an HTTP call under its own timeout);
    // it uses what is on this stack, so leave without unwinding.
    std::fflush(nullptr);
    _exit(kExitOk);
  }
  return kExitOk;
}

}  // namespace infinity_sync
