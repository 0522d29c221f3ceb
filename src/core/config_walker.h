#pragma once

// The configuration parser's walk over the YAML tree: typed reads of one key,
// errors that name the file, line, column and key path. Private to core/:
// config_keys.h builds the key rows on it, config.cpp runs it.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/config.h"
#include "core/duration.h"
#include "core/suggest.h"

namespace infinity_sync::config_detail {

// Thrown by the walker, caught by ParseConfig.
struct ConfigFailure {
  ConfigError error;
};

// Walks the YAML tree against the schema, one typed read per key.
class Walker {
 public:
  Walker(std::string file, const EnvLookup& env) : file_(std::move(file)), env_(env) {}

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& path, std::string message) {
    ConfigError e;
    e.file = file_;
    if (node.IsDefined()) {
      YAML::Mark mark = node.Mark();
      if (mark.line >= 0) {
        e.line = mark.line + 1;
        e.column = mark.column + 1;
      }
    }
    e.key_path = path;
    e.message = QuoteAsWritten(node, std::move(message));
    throw ConfigFailure{std::move(e)};
  }

  // A message quotes a value as written in the file ("${SECRET}"), never its
  // expansion, which may be a secret from the environment.
  std::string QuoteAsWritten(const YAML::Node& node, std::string message) const {
    if (!node.IsDefined() || !node.IsScalar()) return message;
    const std::string& raw = node.Scalar();
    auto expanded = ExpandEnv(raw, env_);
    if (!expanded || *expanded == raw || expanded->empty()) return message;
    const std::string from = "\"" + *expanded + "\"";
    const std::string to = "\"" + raw + "\"";
    for (auto pos = message.find(from); pos != std::string::npos;
         pos = message.find(from, pos + to.size())) {
      message.replace(pos, from.size(), to);
    }
    return message;
  }

  // Checks that `node` is a map whose keys are all in `allowed`.
  void ExpectMap(const YAML::Node& node, const std::string& path,
                 const std::vector<std::string>& allowed) {
    if (!node.IsMap()) Fail(node, path, "expected a mapping of keys, got " + Describe(node));
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string key = it->first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string full = path.empty() ? key : path + "." + key;
      std::string hint = ClosestMatch(key, allowed);
      Fail(it->first, full,
           "unknown key" + (hint.empty() ? std::string() : " (did you mean \"" + hint + "\"?)"));
    }
  }

  static bool Present(const YAML::Node& node) { return node.IsDefined() && !node.IsNull(); }

  static std::string Describe(const YAML::Node& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a list";
    if (node.IsNull()) return "nothing";
    return "\"" + node.Scalar() + "\"";
  }

  std::string Scalar(const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar()) Fail(node, path, "expected a single value, got " + Describe(node));
    auto expanded = ExpandEnv(node.Scalar(), env_);
    if (!expanded) Fail(node, path, expanded.error());
    return *expanded;
  }

  void Str(const YAML::Node& parent, const std::string& key, const std::string& path,
           std::string* out) {
    YAML::Node node = parent[key];
    if (Present(node)) *out = Scalar(node, Join(path, key));
  }

  void Bool(const YAML::Node& parent, const std::string& key, const std::string& path, bool* out) {
    YAML::Node node = parent[key];
    if (!Present(node)) return;
    std::string v = Scalar(node, Join(path, key));
    if (v == "true" || v == "yes" || v == "on") {
      *out = true;
    } else if (v == "false" || v == "no" || v == "off") {
      *out = false;
    } else {
      Fail(node, Join(path, key), "expected true or false, got \"" + v + "\"");
    }
  }

  void Int(const YAML::Node& parent, const std::string& key, const std::string& path, int lo,
           int hi, int* out) {
    YAML::Node node = parent[key];
    if (!Present(node)) return;
    std::string v = Scalar(node, Join(path, key));
    try {
      std::size_t used = 0;
      long n = std::stol(v, &used);
      if (used != v.size()) throw std::invalid_argument(v);
      if (n < lo || n > hi) {
        Fail(node, Join(path, key),
             fmt::format("expected a number from {} to {}, got \"{}\"", lo, hi, v));
      }
      *out = static_cast<int>(n);
    } catch (const std::logic_error&) {
      Fail(node, Join(path, key), "expected a whole number, got \"" + v + "\"");
    }
  }

  void Duration(const YAML::Node& parent, const std::string& key, const std::string& path,
                Millis* out) {
    YAML::Node node = parent[key];
    if (!Present(node)) return;
    std::string v = Scalar(node, Join(path, key));
    auto d = ParseDuration(v);
    if (!d) Fail(node, Join(path, key), d.error());
    *out = *d;
  }

  void OptDuration(const YAML::Node& parent, const std::string& key, const std::string& path,
                   std::optional<Millis>* out) {
    if (!Present(parent[key])) return;
    Millis d{0};
    Duration(parent, key, path, &d);
    *out = d;
  }

  void List(const YAML::Node& parent, const std::string& key, const std::string& path,
            std::vector<std::string>* out) {
    YAML::Node node = parent[key];
    if (!Present(node)) return;
    std::string full = Join(path, key);
    if (!node.IsSequence()) Fail(node, full, "expected a list, got " + Describe(node));
    out->clear();
    for (std::size_t i = 0; i < node.size(); ++i) {
      out->push_back(Scalar(node[i], fmt::format("{}[{}]", full, i)));
    }
  }

  // Runs `parse` (returning a Result) on each entry of the list at `key`, so a bad entry is
  // a config error pointing at that entry rather than a check failing at run time.
  template <typename Parse>
  void EachValid(const YAML::Node& parent, const std::string& key, const std::string& path,
                 const std::vector<std::string>& values, Parse parse) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      auto parsed = parse(values[i]);
      if (!parsed) Fail(parent[key][i], fmt::format("{}[{}]", Join(path, key), i), parsed.error());
    }
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

 private:
  std::string file_;
  const EnvLookup& env_;
};

}  // namespace infinity_sync::config_detail
