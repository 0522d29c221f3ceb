// docs/configuration.md shows exactly the key rows the parser reads: every key,
// no other, each with the default and meaning its row holds.
#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "checks/check.h"
#include "core/check_status.h"
#include "core/config.h"
#include "lib/test_support.h"

namespace infinity_sync {
namespace {

// path -> the table line as written.
std::map<std::string, std::string> DocumentedRows() {
  // The docs live beside the fixtures: <source>/tests/fixtures/../../docs.
  std::string text = testing::ReadFile(testing::FixturePath("../../docs/configuration.md"));
  std::map<std::string, std::string> rows;
  std::istringstream in(text);
  std::string line;
  std::regex row(R"(^\| `([a-z_\[\]\.]+)` \|)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, row)) rows[m[1]] = line;
  }
  return rows;
}

std::string TableLine(const ConfigKeyDoc& key) {
  return "| `" + key.path + "` |" + (key.def.empty() ? "" : " " + key.def) + " | " + key.help +
         " |";
}

TEST(ConfigDocsTest, ReferenceListsEveryKeyAndNoOther) {
  auto documented = DocumentedRows();
  ASSERT_FALSE(documented.empty());
  std::set<std::string> accepted(ConfigKeyPaths().begin(), ConfigKeyPaths().end());
  for (const auto& key : accepted) {
    EXPECT_TRUE(documented.count(key)) << key << " is accepted but not in docs/configuration.md";
  }
  for (const auto& [key, line] : documented) {
    EXPECT_TRUE(accepted.count(key)) << key << " is in docs/configuration.md but not accepted";
  }
}

TEST(ConfigDocsTest, EachReferenceRowIsTheKeyRow) {
  auto documented = DocumentedRows();
  for (const auto& key : ConfigKeys()) {
    auto it = documented.find(key.path);
    if (it == documented.end()) continue;  // the test above names it
    EXPECT_EQ(it->second, TableLine(key))
        << "the row of " << key.path << " in src/core/config_keys.cpp and the docs differ";
  }
}

TEST(ConfigDocsTest, EveryValueKeyHasHelp) {
  for (const auto& key : ConfigKeys()) EXPECT_FALSE(key.help.empty()) << key.path;
  // Paths are unique: one row per key.
  std::set<std::string> seen;
  for (const auto& path : ConfigKeyPaths()) EXPECT_TRUE(seen.insert(path).second) << path;
}

TEST(ConfigRows, BuiltinCheckSectionsAreTheCheckTable) {
  Config defaults;
  std::vector<std::string> builtin;
  for (const auto& spec : CheckTable(defaults)) {
    if (spec.key.rfind("CustomCheck:", 0) != 0) builtin.push_back(spec.name);
  }
  EXPECT_EQ(builtin, BuiltinCheckNames());
  for (const auto& name : BuiltinCheckNames()) {
    ASSERT_NE(BuiltinCheckSwitch(defaults, name), nullptr) << name;
    EXPECT_NE(std::find(ConfigKeyPaths().begin(), ConfigKeyPaths().end(), name + ".enabled"),
              ConfigKeyPaths().end())
        << name;
  }
  EXPECT_EQ(BuiltinCheckSwitch(defaults, "github"), nullptr);
  EXPECT_EQ(BuiltinCheckSwitch(defaults, "nope"), nullptr);
  Config off;
  off.gcp.check.enabled = false;
  EXPECT_FALSE(BuiltinCheckSwitch(off, "gcp")->enabled);
  EXPECT_EQ(BuiltinCheckSwitch(off, "gcp"), &off.gcp.check);
}

TEST(ConfigRows, HeartbeatTargetsAreTheirRows) {
  EXPECT_EQ(HeartbeatTargetNames(), (std::vector<std::string>{"github", "gcp", "cloudflare"}));
  for (const auto& t : HeartbeatTargetNames()) {
    EXPECT_NE(std::find(ConfigKeyPaths().begin(), ConfigKeyPaths().end(),
                        "heartbeat.targets." + t + ".url"),
              ConfigKeyPaths().end());
  }
}

TEST(ConfigRows, NotifyTypesAndStatusesAreTheirTables) {
  ASSERT_EQ(NotifyTypes().size(), 7u);
  for (const auto& type : NotifyTypes()) EXPECT_EQ(NotifyKindOf(type.name), type.kind);
  EXPECT_EQ(NotifyKindOf("mail"), std::nullopt);
  ASSERT_EQ(CheckStatusNames().size(), 12u);
  for (const auto& name : CheckStatusNames()) {
    auto status = ParseCheckStatus(name);
    ASSERT_TRUE(status) << name;
    EXPECT_EQ(ToString(*status), name);
  }
}

}  // namespace
}  // namespace infinity_sync
