#include "cli/serve_projects.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <variant>

#include "cli/real_ports.h"
#include "cli/serve_state.h"
#include "core/check_status.h"
#include "server/fleet_events.h"
#include "server/server.h"
#include "store/open_store.h"

namespace infinity_sync {
namespace {

constexpr std::string_view kProjectsPrefix = "/api/projects/";

struct Project {
  std::unique_ptr<HistoryRecorder> history;
  std::shared_ptr<ServeState> state;
};

// Loads every project file; the server: section of `top` replaces theirs.
// Prints what is wrong and returns nothing on a bad file or a repeated name.
std::optional<std::vector<Config>> LoadProjects(const Config& top) {
  std::vector<Config> out;
  std::set<std::string> names;
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  for (const auto& file : top.projects) {
    auto loaded = LoadConfig(file, cwd, ProcessEnv());
    if (auto* err = std::get_if<ConfigError>(&loaded)) {
      std::cerr << "infinity-sync: projects: " << err->ToString() << "\n";
      return std::nullopt;
    }
    Config config = std::get<Config>(std::move(loaded));
    if (!config.projects.empty()) {
      std::cerr << "infinity-sync: projects: " << file
                << ": a project's file cannot list projects of its own\n";
      return std::nullopt;
    }
    if (!names.insert(config.project).second) {
      std::cerr << "infinity-sync: projects: " << file << ": the project name \"" << config.project
                << "\" is taken by another project (set project: in one of them)\n";
      return std::nullopt;
    }
    config.server = top.server;
    out.push_back(std::move(config));
  }
  return out;
}

}  // namespace

int ServeProjects(const Config& top) {
  auto configs = LoadProjects(top);
  if (!configs) return kExitConfig;

  RealPorts real;
  SseHub hub;
  RequestMetrics request_metrics;
  ConfigReloads reloads(real.clock.Now());
  std::vector<Project> projects(configs->size());
  for (std::size_t i = 0; i < configs->size(); ++i) {
    if (auto recorder = OpenHistoryRecorder((*configs)[i]); !recorder) {
      std::cerr << "infinity-sync: " << (*configs)[i].project << ": " << recorder.error()
                << "; history is off\n";
    } else {
      projects[i].history = std::move(*recorder);
    }
  }
  auto rows = [&projects, &real] {
    nlohmann::json out = nlohmann::json::array();
    for (auto& p : projects) {
      out.push_back(ProjectRow(p.state->config(), *p.state->status().Get(), real.clock.Now()));
    }
    return out;
  };
  // /metrics: every project's series in one exposition (the server's own
  // once), gathered as each project's heartbeats answer.
  auto all_metrics = [&projects](Respond respond) {
    struct Gather {
      std::mutex mu;
      std::vector<std::vector<MetricFamily>> parts;
      std::size_t left;
      Respond respond;
    };
    auto gather = std::make_shared<Gather>();
    gather->parts.resize(projects.size());
    gather->left = projects.size();
    gather->respond = std::move(respond);
    for (std::size_t i = 0; i < projects.size(); ++i) {
      projects[i].state->api().MetricFamilies(i == 0, [gather, i](std::vector<MetricFamily> f) {
        std::unique_lock<std::mutex> lock(gather->mu);
        gather->parts[i] = std::move(f);
        if (--gather->left > 0) return;
        lock.unlock();
        ServerResponse r;
        r.content_type = kPrometheusContentType;
        r.body = FormatPrometheus(MergeMetricFamilies(std::move(gather->parts)));
        gather->respond(std::move(r));
      });
    }
  };
  for (std::size_t i = 0; i < configs->size(); ++i) {
    ServeShared shared{real, hub, request_metrics, projects[i].history.get(), reloads};
    ServeState::Extras extras;
    if (i == 0) extras = {rows, all_metrics};
    projects[i].state = std::make_shared<ServeState>(std::move((*configs)[i]), shared, extras);
  }
  // The fleet event of the first project's store (shared stores are the point).
  auto fleet_events = FleetEvents::For(projects[0].history.get(), projects[0].state->config().store,
                                       real.clock, hub);

  ServerOptions options;
  options.listen = top.server.listen;
  options.max_connections = static_cast<std::size_t>(top.server.max_connections);
  options.shutdown_grace = std::chrono::milliseconds(3'000);
  Server server(
      options,
      [&projects](ServerRequest r, Respond respond) {
        // /api/projects/{name}/sync/... is that project's /api/sync/...; an
        // unknown name stays as it is and the first project's API answers 404
        // (after the token and Host rules).
        Project* target = &projects.front();
        if (r.path.rfind(kProjectsPrefix, 0) == 0) {
          std::string rest = r.path.substr(kProjectsPrefix.size());
          auto slash = rest.find('/');
          std::string name = rest.substr(0, slash);
          for (auto& p : projects) {
            if (p.state->config().project == name && slash != std::string::npos &&
                rest.compare(slash, 6, "/sync/") == 0) {
              target = &p;
              r.path = "/api" + rest.substr(slash);
            }
          }
        }
        std::shared_ptr<ServeState> state = target->state;
        state->api().Handle(std::move(r), [state, respond = std::move(respond)](
                                              ServerResponse res) { respond(std::move(res)); });
      },
      &hub);
  if (auto started = server.Start(); !started) {
    std::cerr << "infinity-sync: " << started.error() << "\n";
    for (auto& p : projects) {
      if (!p.state->Stop(std::chrono::milliseconds(1'000))) KeepForever(p.state);
    }
    return kExitFailed;
  }
  std::cerr << "infinity-sync: listening on http://" << server.BoundAddress() << " ("
            << projects.size() << " projects)" << std::endl;
  server.Run(/*handle_signals=*/true, [] {
    std::cerr << "infinity-sync: SIGHUP: with projects:, restart serve to read the configuration "
                 "again"
              << std::endl;
  });

  bool all_ended = true;
  for (auto& p : projects) all_ended &= p.state->Stop(std::chrono::milliseconds(1'000));
  std::cerr << "infinity-sync: stopped" << std::endl;
  for (auto& p : projects) {
    if (!all_ended || !Retire(p.state, std::chrono::milliseconds(500))) {
      std::fflush(nullptr);
      _exit(kExitOk);
    }
  }
  return kExitOk;
}

}  // namespace infinity_sync
