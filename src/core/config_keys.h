#pragma once

// The configuration's keys as tables of rows, one row per key (the shape of
// the check table): its name, its default and meaning as docs/configuration.md
// shows them, and how it is read, by member pointer into the section's struct.
// The parser, the allowed-key lists behind "did you mean", ConfigKeys() (docs,
// `help config`) and the built-in check names all read these rows. Private to
// core/.
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/config.h"
#include "core/config_walker.h"
#include "core/time_format.h"

namespace infinity_sync::config_detail {

template <typename S>
using ReadFn = void (*)(Walker& w, const YAML::Node& parent, const std::string& key,
                        const std::string& path, S& into);
using DescribeFn = void (*)(const std::string& prefix, std::vector<ConfigKeyDoc>& out);

template <typename S>
struct Key {
  std::string_view name;
  std::string_view def;   // the default, as the reference shows it
  std::string_view help;  // what the key does
  ReadFn<S> read;
  DescribeFn describe = nullptr;  // a section's or list's own keys; null for a value
  const CheckSwitch* (*check)(const S&) =
      nullptr;  // a built-in check's switch, if a section is one
};

template <typename T>
struct MemberOf;
template <typename C, typename T>
struct MemberOf<T C::*> {
  using Class = C;
  using Type = T;
};

// The member a chain of member pointers names: Target<&GitConfig::check, &CheckSwitch::enabled>.
template <auto M, auto... More, typename S>
auto& Target(S& s) {
  if constexpr (sizeof...(More) == 0) {
    return s.*M;
  } else {
    return Target<More...>(s.*M);
  }
}

// A check on a value once read: "" when fine, else the message.
template <typename T>
using CheckFn = std::string (*)(const T&);

// Reads one value by its member's type; `check` (for a list: each entry) may refuse it.
template <typename T>
void ReadValue(
    Walker& w, const YAML::Node& parent, const std::string& key, const std::string& path, T& out,
    CheckFn<std::conditional_t<std::is_same_v<T, std::vector<std::string>>, std::string, T>>
        check) {
  const std::string full = Walker::Join(path, key);
  if constexpr (std::is_same_v<T, std::string>) {
    w.Str(parent, key, path, &out);
  } else if constexpr (std::is_same_v<T, bool>) {
    w.Bool(parent, key, path, &out);
  } else if constexpr (std::is_same_v<T, Millis>) {
    w.Duration(parent, key, path, &out);
  } else if constexpr (std::is_same_v<T, std::optional<Millis>>) {
    w.OptDuration(parent, key, path, &out);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    w.List(parent, key, path, &out);
    if (check && Walker::Present(parent[key])) {
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (std::string bad = check(out[i]); !bad.empty()) {
          w.Fail(parent[key][i], fmt::format("{}[{}]", full, i), bad);
        }
      }
    }
  } else if constexpr (std::is_same_v<T, std::optional<std::chrono::system_clock::time_point>>) {
    std::string text;
    w.Str(parent, key, path, &text);
    if (text.empty()) return;
    auto t = ParseIso8601(text);
    if (!t) {
      w.Fail(parent[key], full,
             "expected an ISO-8601 time with a zone (2026-12-05T02:00:00Z), got \"" + text + "\"");
    }
    out = *t;
  } else {
    static_assert(sizeof(T) == 0, "no reader for this member's type");
  }
  if constexpr (!std::is_same_v<T, std::vector<std::string>>) {
    if (check && Walker::Present(parent[key])) {
      if (std::string bad = check(out); !bad.empty()) w.Fail(parent[key], full, bad);
    }
  }
}

template <auto M, auto... More>
void ReadLeaf(Walker& w, const YAML::Node& parent, const std::string& key, const std::string& path,
              typename MemberOf<decltype(M)>::Class& into) {
  ReadValue(w, parent, key, path, Target<M, More...>(into), nullptr);
}

template <auto Check, auto M>
void ReadChecked(Walker& w, const YAML::Node& parent, const std::string& key,
                 const std::string& path, typename MemberOf<decltype(M)>::Class& into) {
  ReadValue(w, parent, key, path, Target<M>(into), Check);
}

template <auto M, int Lo, int Hi>
void ReadInt(Walker& w, const YAML::Node& parent, const std::string& key, const std::string& path,
             typename MemberOf<decltype(M)>::Class& into) {
  auto& out = into.*M;
  if (!Walker::Present(parent[key])) return;
  int n = 0;
  w.Int(parent, key, path, Lo, Hi, &n);
  out = n;  // int or std::optional<int>
}

// The names of rows, in order.
template <typename Rows>
std::vector<std::string> NamesOf(const Rows& rows) {
  std::vector<std::string> out;
  for (const auto& row : rows) out.emplace_back(row.name);
  return out;
}

// The names of a table's rows: what ExpectMap allows and "did you mean" picks from.
template <const auto& Rows>
const std::vector<std::string>& Names() {
  static const std::vector<std::string> names = NamesOf(Rows);
  return names;
}

template <typename Rows, typename S>
void ReadRows(Walker& w, const Rows& rows, const YAML::Node& node, const std::string& path,
              S& into) {
  for (const auto& row : rows) row.read(w, node, std::string(row.name), path, into);
}

template <const auto& Rows>
void DescribeRows(const std::string& prefix, std::vector<ConfigKeyDoc>& out) {
  for (const auto& row : Rows) {
    if (row.describe) {
      row.describe(prefix + std::string(row.name), out);
    } else {
      out.push_back({prefix + std::string(row.name), std::string(row.def), std::string(row.help)});
    }
  }
}

template <const auto& Rows>
void DescribeSection(const std::string& prefix, std::vector<ConfigKeyDoc>& out) {
  DescribeRows<Rows>(prefix + ".", out);
}

template <const auto& Rows>
void DescribeList(const std::string& prefix, std::vector<ConfigKeyDoc>& out) {
  DescribeRows<Rows>(prefix + "[].", out);
}

// A check of a whole section or list entry once its keys are read.
template <typename T>
using SectionCheckFn = void (*)(Walker& w, const YAML::Node& node, const std::string& path,
                                T& value);
template <typename T>
using EntryCheckFn = void (*)(Walker& w, const YAML::Node& item, const std::string& path, T& entry,
                              const std::vector<T>& before);

template <auto M, const auto& Rows, auto Check>
void ReadSection(Walker& w, const YAML::Node& parent, const std::string& key,
                 const std::string& path, typename MemberOf<decltype(M)>::Class& into) {
  YAML::Node node = parent[key];
  if (!Walker::Present(node)) return;
  const std::string full = Walker::Join(path, key);
  w.ExpectMap(node, full, Names<Rows>());
  auto& section = into.*M;
  ReadRows(w, Rows, node, full, section);
  if constexpr (Check != nullptr) Check(w, node, full, section);
}

template <auto M, const auto& Rows, auto Check>
void ReadList(Walker& w, const YAML::Node& parent, const std::string& key, const std::string& path,
              typename MemberOf<decltype(M)>::Class& into) {
  YAML::Node node = parent[key];
  if (!Walker::Present(node)) return;
  const std::string full = Walker::Join(path, key);
  if (!node.IsSequence()) w.Fail(node, full, "expected a list, got " + Walker::Describe(node));
  auto& list = into.*M;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& item = node[i];
    const std::string at = fmt::format("{}[{}]", full, i);
    w.ExpectMap(item, at, Names<Rows>());
    typename std::remove_reference_t<decltype(list)>::value_type entry;
    ReadRows(w, Rows, item, at, entry);
    if constexpr (Check != nullptr) Check(w, item, at, entry, list);
    list.push_back(std::move(entry));
  }
}

template <auto M>
const CheckSwitch* SwitchOf(const typename MemberOf<decltype(M)>::Class& c) {
  return &(c.*M).check;
}

// --- the row makers ---

// A value: a string, bool, duration, optional duration, list of strings or time.
template <auto M, auto... More>
constexpr Key<typename MemberOf<decltype(M)>::Class> Leaf(std::string_view name,
                                                          std::string_view def,
                                                          std::string_view help) {
  return {name, def, help, &ReadLeaf<M, More...>};
}

// A value `Check` may refuse (for a list: each entry).
template <auto M, auto Check>
constexpr Key<typename MemberOf<decltype(M)>::Class> Checked(std::string_view name,
                                                             std::string_view def,
                                                             std::string_view help) {
  return {name, def, help, &ReadChecked<Check, M>};
}

// A whole number from Lo to Hi (int or std::optional<int>).
template <auto M, int Lo, int Hi>
constexpr Key<typename MemberOf<decltype(M)>::Class> Int(std::string_view name,
                                                         std::string_view def,
                                                         std::string_view help) {
  return {name, def, help, &ReadInt<M, Lo, Hi>};
}

// A mapping of the keys in Rows, then `Check` on the whole (nullptr: none).
template <auto M, const auto& Rows, auto Check = nullptr>
constexpr Key<typename MemberOf<decltype(M)>::Class> Section(std::string_view name) {
  return {name, "", "", &ReadSection<M, Rows, Check>, &DescribeSection<Rows>};
}

// The section of a built-in check: also names the check and holds its switch.
template <auto M, const auto& Rows, auto Check = nullptr>
constexpr Key<typename MemberOf<decltype(M)>::Class> CheckSection(std::string_view name) {
  return {name, "", "", &ReadSection<M, Rows, Check>, &DescribeSection<Rows>, &SwitchOf<M>};
}

// A list of mappings of the keys in Rows, `Check` on each entry.
template <auto M, const auto& Rows, auto Check = nullptr>
constexpr Key<typename MemberOf<decltype(M)>::Class> ListOf(std::string_view name) {
  return {name, "", "", &ReadList<M, Rows, Check>, &DescribeList<Rows>};
}

// The checks of one list entry (config_checks.cpp).
void CheckCustom(Walker& w, const YAML::Node& item, const std::string& path, CustomCheckConfig& c,
                 const std::vector<CustomCheckConfig>& before);
void CheckNotify(Walker& w, const YAML::Node& item, const std::string& path, NotifyConfig& n,
                 const std::vector<NotifyConfig>& before);
void CheckWindow(Walker& w, const YAML::Node& item, const std::string& path,
                 MaintenanceWindowConfig& m, const std::vector<MaintenanceWindowConfig>& before);

// Parses the whole file's tree into `cfg` (config_keys.cpp).
void ParseInto(Walker& w, const YAML::Node& root, Config* cfg);

}  // namespace infinity_sync::config_detail
