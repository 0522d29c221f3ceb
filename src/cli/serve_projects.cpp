#include "cli/serve_projects.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <variant>

#include <fmt/format.h>

#include "cli/real_ports.h"
#include "cli/serve_reload.h"
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
  std::unique_ptr<ServeStates> states;  // swapped by a reload
  std::shared_ptr<ServeState> state() const { return states->Current(); }
};

// Loads every project file; the server: section of `top` replaces theirs. The
// Error names the bad file or the repeated name.
Result<std::vector<Config>> LoadProjects(const Config& top) {
  std::vector<Config> out;
  std::set<std::string> names;
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  for (const auto& file : top.projects) {
    auto loaded = LoadConfig(file, cwd, ProcessEnv());
    if (auto* err = std::get_if<ConfigError>(&loaded)) {
      return Error{"projects: " + err->ToString()};
    }
    Config config = std::get<Config>(std::move(loaded));
    if (!config.projects.empty()) {
      return Error{"projects: " + file + ": a project's file cannot list projects of its own"};
    }
    if (!names.insert(config.project).second) {
      return Error{"projects: " + file + ": the project name \"" + config.project +
                   "\" is taken by another project (set project: in one of them)"};
    }
    config.server = top.server;
    out.push_back(std::move(config));
  }
  return out;
}

}  // namespace

int ServeProjects(const Config& top, std::function<Result<Config>()> reload_top) {
  auto configs = LoadProjects(top);
  if (!configs) {
    std::cerr << "infinity-sync: " << configs.error() << "\n";
    return kExitConfig;
  }

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
      std::shared_ptr<ServeState> state = p.state();
      if (!state) continue;  // serve is stopping
      out.push_back(ProjectRow(state->config(), *state->status().Get(), real.clock.Now()));
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
      auto part = [gather, i](std::vector<MetricFamily> f) {
        std::unique_lock<std::mutex> lock(gather->mu);
        gather->parts[i] = std::move(f);
        if (--gather->left > 0) return;
        lock.unlock();
        ServerResponse r;
        r.content_type = kPrometheusContentType;
        r.body = FormatPrometheus(MergeMetricFamilies(std::move(gather->parts)));
        gather->respond(std::move(r));
      };
      std::shared_ptr<ServeState> state = projects[i].state();
      if (!state) {
        part({});  // serve is stopping
        continue;
      }
      state->api().MetricFamilies(i == 0, std::move(part));
    }
  };
  std::vector<ReloadTarget> targets;
  for (std::size_t i = 0; i < configs->size(); ++i) {
    // Each project's events reach only its own streams.
    ServeShared shared{
        real, hub, request_metrics, projects[i].history.get(), reloads, (*configs)[i].project};
    ServeState::Extras extras;
    if (i == 0) extras = {rows, all_metrics};
    projects[i].states = std::make_unique<ServeStates>(
        std::make_shared<ServeState>(std::move((*configs)[i]), shared, extras));
    targets.push_back({projects[i].states.get(), shared, extras});
  }
  // One watch per store, its fleet events to the projects that record there
  // (a shared store is the usual case: one watch for every project).
  std::map<std::string, std::vector<std::size_t>> by_store;
  for (std::size_t i = 0; i < projects.size(); ++i) {
    if (projects[i].history) by_store[projects[i].state()->config().store].push_back(i);
  }
  std::vector<std::unique_ptr<FleetEvents>> fleet_events;
  for (const auto& [store, members] : by_store) {
    std::vector<std::string> channels;
    for (std::size_t i : members) channels.push_back(projects[i].state()->config().project);
    fleet_events.push_back(FleetEvents::For(projects[members.front()].history.get(), store,
                                            real.clock, hub, std::move(channels)));
  }

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
            if (p.state()->config().project == name && slash != std::string::npos &&
                rest.compare(slash, 6, "/sync/") == 0) {
              target = &p;
              r.path = "/api" + rest.substr(slash);
            }
          }
        }
        std::shared_ptr<ServeState> state = target->state();
        state->api().Handle(std::move(r), [state, respond = std::move(respond)](
                                              ServerResponse res) { respond(std::move(res)); });
      },
      &hub);
  if (auto started = server.Start(); !started) {
    std::cerr << "infinity-sync: " << started.error() << "\n";
    for (auto& p : projects) {
      if (!p.state()->Stop(std::chrono::milliseconds(1'000))) KeepForever(p.state());
    }
    return kExitFailed;
  }
  std::cerr << "infinity-sync: listening on http://" << server.BoundAddress() << " ("
            << projects.size() << " projects)" << std::endl;
  {
    const std::vector<std::string> listed = top.projects;
    Reloader reloader(std::move(targets), [&listed, &reload_top]() -> Result<ReloadedConfigs> {
      auto next_top = reload_top();
      if (!next_top) return Error{next_top.error()};
      if (next_top->projects != listed) {
        return Error{
            "projects: the list changed: restart serve to add, remove or reorder projects"};
      }
      auto next = LoadProjects(*next_top);
      if (!next) return Error{next.error()};
      ReloadedConfigs out;
      out.from = fmt::format("{} ({} projects)", next_top->source, next->size());
      out.configs = std::move(*next);
      return out;
    });
    server.Run(/*handle_signals=*/true, [&reloader] { reloader.Request(); });
  }  // a reload under way finishes first

  std::vector<std::shared_ptr<ServeState>> states;
  for (auto& p : projects) states.push_back(p.states->Replace(nullptr));
  bool all_ended = true;
  for (auto& state : states) all_ended &= state->Stop(std::chrono::milliseconds(1'000));
  std::cerr << "infinity-sync: stopped" << std::endl;
  for (auto& state : states) {
    if (!all_ended || !Retire(state, std::chrono::milliseconds(500))) {
      std::fflush(nullptr);
      _exit(kExitOk);
    }
  }
  return kExitOk;
}

}  // namespace infinity_sync
