// `infinity-sync notify test [--sender N]`: a test message through each sender.
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/config_loading.h"
#include "cli/real_ports.h"
#include "core/check_status.h"
#include "notify/notifier.h"

namespace infinity_sync {
namespace {

std::string Host() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

}  // namespace

int CmdNotifyTest(const GlobalOptions& global, const std::string& sender) {
  auto config = LoadConfigOrReport(global.config);
  if (!config) return kExitConfig;
  if (config->notify.empty()) {
    std::cerr << "infinity-sync: no senders to test: `notify` is empty in "
              << (config->source.empty() ? std::string("the defaults") : config->source) << "\n";
    return kExitConfig;
  }
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < config->notify.size(); ++i) {
    if (sender.empty() || sender == std::to_string(i) || sender == config->notify[i].type) {
      chosen.push_back(i);
    }
  }
  if (chosen.empty()) {
    std::string known;
    for (std::size_t i = 0; i < config->notify.size(); ++i) {
      known += (i ? ", " : "") + std::to_string(i) + " (" + config->notify[i].type + ")";
    }
    std::cerr << "infinity-sync: no sender \"" << sender << "\" in notify; the senders are "
              << known << "\n";
    return kExitUsage;
  }
  RealPorts real;
  std::string host = Host();
  bool all_ok = true;
  for (std::size_t i : chosen) {
    for (const auto& line : SendTestNotification(*config, real.ports, i, host)) {
      std::cout << "notify[" << i << "] " << line.text << "\n";
      all_ok = all_ok && line.ok;
    }
  }
  return all_ok ? kExitOk : kExitFailed;
}

}  // namespace infinity_sync
