// Reading one compose file: merge keys, the whole-file validation (every
// scalar interpolates, no duplicate key, aliases bounded), scalars and paths.
#include <algorithm>
#include <charconv>
#include <filesystem>

#include <fmt/format.h>

#include "cloud/compose_reader.h"

namespace infinity_sync::compose_internal {

YAML::Node FileReader::Get(const YAML::Node& map, const std::string& key, int depth) const {
  if (!map.IsMap() || depth > kMaxDepth) return YAML::Node(YAML::NodeType::Undefined);
  // std::optional, not Node::operator=: assigning a Node merges the
  // document's whole memory set, which makes lookups quadratic.
  std::optional<YAML::Node> merge;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string& k = it->first.Scalar();
    if (k == key) return it->second;
    if (k == "<<") merge.emplace(it->second);
  }
  if (!merge) return YAML::Node(YAML::NodeType::Undefined);
  if (merge->IsMap()) return Get(*merge, key, depth + 1);
  if (merge->IsSequence()) {
    for (const auto& m : *merge) {
      YAML::Node found = Get(m, key, depth + 1);
      if (found.IsDefined()) return found;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::vector<FileReader::Entry> FileReader::Entries(const YAML::Node& map) const {
  std::vector<Entry> out;
  std::set<std::string> seen;
  AddEntries(map, 0, &seen, &out);
  return out;
}

void FileReader::AddEntries(const YAML::Node& map, int depth, std::set<std::string>* seen,
                            std::vector<Entry>* out) const {
  if (!map.IsMap() || depth > kMaxDepth) return;
  std::optional<YAML::Node> merge;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    if (it->first.Scalar() == "<<") {
      merge.emplace(it->second);
    } else if (seen->insert(it->first.Scalar()).second) {
      out->emplace_back(it->first, it->second);
    }
  }
  if (merge && merge->IsMap()) AddEntries(*merge, depth + 1, seen, out);
  if (merge && merge->IsSequence()) {
    for (const auto& m : *merge) AddEntries(m, depth + 1, seen, out);
  }
}

Status FileReader::Validate(const YAML::Node& node, const std::string& path, int depth,
                            std::size_t* visits) const {
  if (++*visits > kMaxComposeNodes) {
    return Error{fmt::format(
        "compose file too large: {} expands to more than {} YAML nodes with its aliases "
        "followed",
        file_, kMaxComposeNodes)};
  }
  if (depth > kMaxDepth) return Fail(node, path, "nested too deeply");
  if (node.IsScalar()) {
    auto r = InterpolateCompose(node.Scalar(), env_);
    if (!r) return Fail(node, path, r.error());
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      auto r = Validate(node[i], fmt::format("{}[{}]", path, i), depth + 1, visits);
      if (!r) return r;
    }
  } else if (node.IsMap()) {
    std::map<std::string, YAML::Mark> keys;
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
      if (it->first.IsScalar()) {
        auto [at, fresh] = keys.emplace(key, it->first.Mark());
        if (!fresh) {
          return Fail(it->first, path.empty() ? key : path + "." + key,
                      fmt::format("duplicate key (first defined at line {}, column {})",
                                  at->second.line + 1, at->second.column + 1));
        }
      }
      auto r = Validate(it->second, path.empty() ? key : path + "." + key, depth + 1, visits);
      if (!r) return r;
    }
  }
  return Ok{};
}

Result<std::string> FileReader::String(const YAML::Node& node, const std::string& path) const {
  if (!node.IsScalar()) return Fail(node, path, "expected a string");
  auto r = InterpolateCompose(node.Scalar(), env_);
  if (!r) return Fail(node, path, r.error());
  return *r;
}

Result<int> FileReader::Count(const YAML::Node& node, const std::string& path) const {
  if (!node.IsScalar()) return Fail(node, path, "expected a whole number");
  auto text = String(node, path);
  if (!text) return Error{text.error()};
  int value = -1;
  const std::string& s = *text;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 0) {
    return Fail(node, path, fmt::format("expected a whole number, got \"{}\"", s));
  }
  return value;
}

Result<bool> FileReader::Bool(const YAML::Node& node, const std::string& path) const {
  auto s = String(node, path);
  if (!s) return Error{s.error()};
  if (*s == "true" || *s == "True" || *s == "TRUE") return true;
  if (*s == "false" || *s == "False" || *s == "FALSE") return false;
  return Fail(node, path, "expected true or false, got \"" + *s + "\"");
}

Result<std::vector<std::string>> FileReader::Strings(const YAML::Node& node,
                                                     const std::string& path) const {
  if (!node.IsSequence()) return Fail(node, path, "expected a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto s = String(node[i], fmt::format("{}[{}]", path, i));
    if (!s) return Error{s.error()};
    out.push_back(*s);
  }
  return out;
}

std::string FileReader::Resolve(const std::string& p) const {
  std::filesystem::path path(p);
  if (path.is_relative()) path = std::filesystem::path(Dir()) / path;
  return path.lexically_normal().string();
}

Status FileReader::CheckEnvFiles(const YAML::Node& v, const std::string& kp) const {
  std::vector<std::pair<YAML::Node, std::string>> items;  // node, path
  if (v.IsNull()) return Ok{};
  if (!v.IsScalar() && !v.IsSequence()) {
    return Fail(v, kp, "expected a file, or a list of files or of {path, required}");
  }
  std::vector<YAML::Node> entries;
  if (v.IsScalar()) {
    entries.push_back(v);
  } else {
    for (const auto& e : v) entries.push_back(e);
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const YAML::Node& e = entries[i];
    std::string ep = v.IsScalar() ? kp : fmt::format("{}[{}]", kp, i);
    bool required = true;
    // Initialised, never assigned: assigning a YAML::Node writes through it.
    const YAML::Node path_node = e.IsMap() ? Get(e, "path") : e;
    if (e.IsMap()) {
      if (!path_node.IsDefined()) return Fail(e, ep, "expected a path:");
      if (YAML::Node r = Get(e, "required"); r.IsDefined()) {
        auto b = Bool(r, ep + ".required");
        if (!b) return Error{b.error()};
        required = *b;
      }
      if (YAML::Node f = Get(e, "format"); f.IsDefined()) {
        auto s = String(f, ep + ".format");
        if (!s) return Error{s.error()};
      }
    }
    auto p = String(path_node, ep + (e.IsMap() ? ".path" : ""));
    if (!p) return Error{p.error()};
    std::string file = Resolve(*p);
    if (required && options_.file_exists && !options_.file_exists(file)) {
      return Fail(path_node, ep,
                  fmt::format("env file {} does not exist (write required: false in the long "
                              "form to make it optional)",
                              file));
    }
  }
  return Ok{};
}

}  // namespace infinity_sync::compose_internal
