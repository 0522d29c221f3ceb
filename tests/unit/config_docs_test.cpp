// docs/configuration.md lists exactly the keys the parser accepts.
#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "core/config.h"
#include "lib/test_support.h"

namespace infinity_sync {
namespace {

std::set<std::string> DocumentedKeys() {
  // The docs live beside the fixtures: <source>/tests/fixtures/../../docs.
  std::string text = testing::ReadFile(testing::FixturePath("../../docs/configuration.md"));
  std::set<std::string> keys;
  std::istringstream in(text);
  std::string line;
  std::regex row(R"(^\| `([a-z_\[\]\.]+)` \|)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, row)) keys.insert(m[1]);
  }
  return keys;
}

TEST(ConfigDocsTest, ReferenceListsEveryKeyAndNoOther) {
  std::set<std::string> documented = DocumentedKeys();
  ASSERT_FALSE(documented.empty());
  std::set<std::string> accepted(ConfigKeyPaths().begin(), ConfigKeyPaths().end());
  for (const auto& key : accepted) {
    EXPECT_TRUE(documented.count(key)) << key << " is accepted but not in docs/configuration.md";
  }
  for (const auto& key : documented) {
    EXPECT_TRUE(accepted.count(key)) << key << " is in docs/configuration.md but not accepted";
  }
}

}  // namespace
}  // namespace infinity_sync
