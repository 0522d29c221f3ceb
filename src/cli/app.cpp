#include "cli/app.h"

#include <unistd.h>

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "checks/check.h"
#include "cli/commands.h"
#include "cli/help_config.h"
#include "cli/interrupt.h"
#include "core/check_status.h"
#include "core/suggest.h"
#include "core/version.h"
#include "ports/process_runner.h"

namespace infinity_sync {
namespace {

// The commands the program has, as CLI11 holds them: the one list, so that
// "did you mean", the default command and help cannot disagree with it.
std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

// The first word when it is meant as a command but names none (`infinity-sync
// stauts`): run takes no words of its own, so it cannot be run's. Empty otherwise.
std::string UnknownCommand(const std::vector<std::string>& args,
                           const std::vector<std::string>& commands) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--config") {
      ++i;
      continue;
    }
    if (a.rfind("--config=", 0) == 0) continue;
    if (a.empty() || a[0] == '-') return "";
    if (std::find(commands.begin(), commands.end(), a) != commands.end()) return "";
    return a;
  }
  return "";
}

// The command named `name`, or null.
const CLI::App* FindCommand(const CLI::App& app, const std::string& name) {
  auto found = app.get_subcommands([&](const CLI::App* sub) { return sub->get_name() == name; });
  return found.empty() ? nullptr : found.front();
}

// "did you mean" for options no command takes (`run --jsno`): the closest long
// option of the command given (or run), and of the program.
std::string OptionHint(const CLI::App& app, const std::vector<std::string>& args) {
  const CLI::App* command = FindCommand(app, "run");
  for (const auto& a : args) {
    if (const CLI::App* sub = FindCommand(app, a); sub != nullptr) {
      command = sub;
      break;
    }
  }
  std::vector<std::string> names;
  for (const CLI::App* owner : {&app, command}) {
    if (owner == nullptr) continue;
    for (const CLI::Option* option : owner->get_options()) {
      for (const auto& name : option->get_lnames()) names.push_back("--" + name);
    }
  }
  for (const auto& a : args) {
    if (a.rfind("--", 0) != 0 || a == "--") continue;
    std::string word = a.substr(0, a.find('='));
    if (std::find(names.begin(), names.end(), word) != names.end()) continue;
    std::string hint = ClosestMatch(word, names);
    if (!hint.empty()) return "unknown option " + word + " (did you mean " + hint + "?)";
  }
  return "";
}

// `infinity-sync [--config F] [run flags]` means `run`: insert the word so that
// CLI11 sees a subcommand. Leaves --help and --version alone.
std::vector<std::string> WithDefaultCommand(int argc, char** argv,
                                            const std::vector<std::string>& commands) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool only_meta = !args.empty();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--config") {
      ++i;
      continue;
    }
    if (a.rfind("--config=", 0) == 0) continue;
    if (a == "--help" || a == "-h" || a == "--version") continue;
    only_meta = false;
    if (!a.empty() && a[0] != '-') {
      if (std::find(commands.begin(), commands.end(), a) != commands.end()) return args;
      break;
    }
  }
  if (!only_meta) args.insert(args.begin(), "run");
  return args;
}

}  // namespace

CommandOutcome RunApp(int argc, char** argv) {
  CLI::App app{
      "infinity-sync: is your world in sync? Checks the git checkout against its remote, the\n"
      "docker compose stack against its compose file, Cloud Run against your commit and the\n"
      "domain behind Cloudflare; writes a JSON status document."};
  app.name("infinity-sync");
  app.fallthrough();
  app.require_subcommand(0, 1);
  GlobalOptions global;
  app.add_option("--config", global.config,
                 "configuration file (default: infinity-sync.yaml in the repository root)");
  app.set_version_flag("--version", std::string("infinity-sync ") + kVersion);

  RunFlags run;
  CLI::App* run_cmd = app.add_subcommand(
      "run", "run every enabled check, print the report, write the status file (default)");
  run_cmd->add_flag("--dry-run", run.dry_run,
                    "never change anything: no rebase, no container started, no deploy");
  run_cmd->add_flag("--yes,-y", run.yes, "apply every offered fix without asking");
  run_cmd->add_flag("--verbose,-v", run.verbose, "also print each external call with its duration");
  run_cmd->add_flag("--json", run.json, "print the status document instead of the report");
  run_cmd
      ->add_option("--only", run.only,
                   "run a subset: auth, git, docker, gcp, cloudflare, or custom check names")
      ->delimiter(',');
  run_cmd->add_option("--skip", run.skip, "run every check but these (comma-separated names)")
      ->delimiter(',');
  run_cmd->add_flag("--watch", run.watch, "run, wait --interval, run again until Ctrl-C");
  run_cmd->add_option("--interval", run.interval, "time between runs with --watch (default: 5m)");
  run_cmd->add_flag("--explain", run.explain,
                    "for each check, why it got its status: evidence, compared values, fix");
  bool list_checks = false;
  run_cmd->add_flag("--list-checks", list_checks,
                    "print the checks of the configuration (the names --only takes, their keys "
                    "in the status document and history) and exit");

  bool status_json = false;
  CLI::App* status_cmd = app.add_subcommand(
      "status", "print the last status document, its age and whether it is fresh");
  status_cmd->add_flag("--json", status_json,
                       "print the document (with \"fresh\") instead of the summary");

  ServeFlags serve;
  CLI::App* serve_cmd = app.add_subcommand(
      "serve", "serve the REST API, the dashboard and /metrics, and run the live sync loop");
  serve_cmd->add_option("--listen", serve.listen,
                        "address to listen on, HOST:PORT (default: server.listen)");

  std::string heartbeat_target;
  bool heartbeat_json = false;
  CLI::App* heartbeat_cmd =
      app.add_subcommand("heartbeat", "one live heartbeat round of github, gcp and cloudflare");
  heartbeat_cmd->add_option("target", heartbeat_target,
                            "only this target: github, gcp, cloudflare");
  heartbeat_cmd->add_flag("--json", heartbeat_json, "print JSON instead of the table");

  HistoryFlags history;
  CLI::App* history_cmd =
      app.add_subcommand("history", "past runs and status transitions from the store");
  history_cmd->add_flag("--json", history.json, "print JSON instead of the table");
  history_cmd->add_option("--limit", history.limit,
                          "at most N runs and N transitions (1-1000, default 20)");
  history_cmd->add_option("--check", history.check, "only this check, e.g. GitSync");
  history_cmd->add_option("--since", history.since,
                          "only from this time, e.g. 2026-01-01T00:00:00Z");
  history_cmd->add_flag("--heartbeats", history.heartbeats,
                        "heartbeat samples (github, gcp, cloudflare) instead of runs");
  history_cmd->add_option("--target", history.target,
                          "with --heartbeats: only this target (github, gcp, cloudflare)");
  bool init_force = false;
  bool fleet_json = false;
  CLI::App* fleet_cmd = app.add_subcommand(
      "fleet", "the latest run of every project and environment in the (shared) store");
  fleet_cmd->add_flag("--json", fleet_json, "print JSON instead of the table");

  CLI::App* init_cmd = app.add_subcommand(
      "init", "write a starter infinity-sync.yaml from what the repository holds");
  init_cmd->add_flag("--force", init_force, "overwrite an existing infinity-sync.yaml");

  std::string notify_sender;
  CLI::App* notify_cmd = app.add_subcommand("notify", "check the notification setup");
  notify_cmd->require_subcommand(1);
  notify_cmd->add_subcommand("test", "send a test message through each sender and print the answer")
      ->add_option("--sender", notify_sender, "only this sender: its index in notify, or its type");

  TraceFlags trace;
  CLI::App* trace_cmd =
      app.add_subcommand("trace",
                         "where a commit stands along local -> GitHub -> CI -> Cloud Run -> edge "
                         "(a dry-run sync); exit 0 live, 1 not live, 2 cannot tell");
  trace_cmd->add_option("commit", trace.commit, "the commit to trace (default: HEAD)");
  trace_cmd->add_flag("--json", trace.json, "print the trace as JSON");

  std::string help_topic;
  std::string help_key;
  CLI::App* help_cmd = app.add_subcommand(
      "help",
      "print this help, or with a command, that command's help; 'help config [KEY]' lists the "
      "configuration keys");
  help_cmd->add_option("command", help_topic, "the command to explain, e.g. run; or config");
  help_cmd->add_option("key", help_key, "with config: one key or section, e.g. git");

  WaitFlags wait;
  CLI::App* wait_cmd = app.add_subcommand(
      "wait",
      "repeat dry-run syncs until the commit is live (or every check is synced); "
      "exit 0 reached, 1 timed out");
  wait_cmd->add_option("commit", wait.commit, "the commit to wait for (default: HEAD)");
  wait_cmd->add_option("--for", wait.target, "live (default) or synced")
      ->check(CLI::IsMember({"live", "synced"}));
  wait_cmd->add_option("--timeout", wait.timeout, "give up after this long (default: 10m)");
  wait_cmd->add_option("--interval", wait.interval, "time between tries (default: 10s)");

  const std::vector<std::string> commands = CommandNames(app);
  if (std::string word = UnknownCommand({argv + 1, argv + argc}, commands); !word.empty()) {
    std::string hint = ClosestMatch(word, commands);
    std::cerr << "infinity-sync: unknown command \"" << word << "\""
              << (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") << "\n"
              << "Run 'infinity-sync help' for the commands.\n";
    return {kExitUsage};
  }
  std::vector<std::string> args = WithDefaultCommand(argc, argv, commands);
  const std::vector<std::string> given = args;
  std::reverse(args.begin(), args.end());  // CLI11 takes them reversed
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return {app.exit(e)};
  } catch (const CLI::CallForVersion& e) {
    return {app.exit(e)};
  } catch (const CLI::ParseError& e) {
    std::string hint = OptionHint(app, given);
    std::cerr << "infinity-sync: " << (hint.empty() ? e.what() : hint) << "\n"
              << "Run 'infinity-sync --help' for usage.\n";
    return {kExitUsage};
  }

  if (help_cmd->parsed()) {
    if (help_topic.empty()) {
      // Not app.help(): that gives the help of the command parsed (help itself).
      std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
      return {0};
    }
    if (help_topic == "config") return {PrintConfigHelp(help_key, std::cout, std::cerr)};
    const CLI::App* topic = FindCommand(app, help_topic);
    if (topic == nullptr) {
      std::string hint = ClosestMatch(help_topic, commands);
      std::cerr << "infinity-sync: help: unknown command \"" << help_topic << "\""
                << (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") << "\n";
      return {kExitUsage};
    }
    std::cout << topic->help("infinity-sync");
    return {0};
  }

  try {
    if (status_cmd->parsed()) return {CmdStatus(global, status_json)};
    if (serve_cmd->parsed()) return {CmdServe(global, serve)};
    if (heartbeat_cmd->parsed()) return {CmdHeartbeat(global, heartbeat_target, heartbeat_json)};
    if (history_cmd->parsed()) return {CmdHistory(global, history)};
    if (fleet_cmd->parsed()) return {CmdFleet(global, fleet_json)};
    if (init_cmd->parsed()) return {CmdInit(global, init_force)};
    if (notify_cmd->parsed()) return {CmdNotifyTest(global, notify_sender)};
    if (trace_cmd->parsed()) {
      SignalStop stop;  // before any thread starts: the signals are blocked in every thread after
      return CmdTrace(global, trace, stop);
    }
    if (wait_cmd->parsed()) {
      SignalStop stop;
      return CmdWait(global, wait, stop);
    }
    if (!run.interval.empty() && !run.watch) {
      std::cerr << "infinity-sync: --interval needs --watch\n";
      return {kExitUsage};
    }
    if (run.explain && run.json) {
      std::cerr << "infinity-sync: --explain and --json do not go together\n";
      return {kExitUsage};
    }
    if (list_checks) return {CmdListChecks(global)};
    // Before any thread starts: the signals are blocked in every thread after.
    SignalStop stop;
    if (run.watch) return CmdWatch(global, run, stop);
    return CmdRun(global, run, stop);
  } catch (const std::exception& e) {
    std::cerr << "infinity-sync: internal error: " << e.what() << "\n";
    return {kExitFailed};
  }
}

}  // namespace infinity_sync
