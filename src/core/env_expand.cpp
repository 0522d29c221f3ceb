#include "core/env_expand.h"

#include <cstdlib>
#include <utility>

namespace infinity_sync {

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

EnvLookup LayerEnv(EnvLookup over, std::map<std::string, std::string> under) {
  return [over = std::move(over),
          under = std::move(under)](const std::string& name) -> std::optional<std::string> {
    if (auto v = over(name)) return v;
    auto it = under.find(name);
    if (it != under.end()) return it->second;
    return std::nullopt;
  };
}

Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out.push_back(c);
      continue;
    }
    if (text[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (text[i + 1] != '{') {
      out.push_back(c);
      continue;
    }
    std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Error{"unterminated \"${\" in \"" + std::string(text) + "\""};
    }
    std::string_view inner = text.substr(i + 2, close - i - 2);
    std::string name(inner);
    std::optional<std::string> fallback;
    if (auto sep = inner.find(":-"); sep != std::string_view::npos) {
      name = std::string(inner.substr(0, sep));
      fallback = std::string(inner.substr(sep + 2));
    }
    if (name.empty()) return Error{"empty variable name in \"" + std::string(text) + "\""};
    auto value = env(name);
    if (fallback && (!value || value->empty())) {
      out += *fallback;
    } else if (value) {
      out += *value;
    }
    i = close;
  }
  return out;
}

}  // namespace infinity_sync
