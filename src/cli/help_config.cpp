#include "cli/help_config.h"

#include <algorithm>

#include "core/check_status.h"
#include "core/config.h"
#include "core/suggest.h"

namespace infinity_sync {
namespace {

// The reference's Markdown, as terminal text: no backticks, links as their words.
std::string Plain(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '`'), text.end());
  for (std::size_t open = text.find('['); open != std::string::npos; open = text.find('[', open)) {
    std::size_t close = text.find("](", open);
    std::size_t end = close == std::string::npos ? close : text.find(')', close);
    if (end == std::string::npos) break;
    text = text.substr(0, open) + text.substr(open + 1, close - open - 1) + text.substr(end + 1);
  }
  return text;
}

bool Under(const std::string& path, const std::string& key) {
  if (key.empty() || path == key) return true;
  if (path.rfind(key, 0) != 0) return false;
  char next = path[key.size()];
  return next == '.' || next == '[';
}

}  // namespace

int PrintConfigHelp(const std::string& key, std::ostream& out, std::ostream& err) {
  std::vector<const ConfigKeyDoc*> shown;
  for (const auto& doc : ConfigKeys()) {
    if (Under(doc.path, key)) shown.push_back(&doc);
  }
  if (shown.empty()) {
    std::string hint = ClosestMatch(key, ConfigKeyPaths());
    err << "infinity-sync: help config: unknown key \"" << key << "\""
        << (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") << "\n";
    return kExitUsage;
  }
  if (key.empty()) {
    out << "The keys of infinity-sync.yaml, with their defaults.\n"
           "Run 'infinity-sync help config KEY' for one key or section.\n\n";
  }
  for (const ConfigKeyDoc* doc : shown) {
    out << doc->path;
    if (!doc->def.empty()) out << "  (default: " << Plain(doc->def) << ")";
    out << "\n    " << Plain(doc->help) << "\n";
  }
  return 0;
}

}  // namespace infinity_sync
