#pragma once

#include <string>

#include "lib/test_support.h"

namespace infinity_sync::testing {

// A bare repository as "origin", a clone to check ("work") and a second clone
// ("other") that plays a teammate pushing to the remote. All real git.
class GitWorld {
 public:
  GitWorld();
  std::string remote() const { return dir_ / "remote.git"; }
  std::string work() const { return dir_ / "work"; }
  std::string other() const { return dir_ / "other"; }
  const TempDir& dir() const { return dir_; }

  // Writes `file` in `repo`, commits it, returns the new HEAD.
  std::string Commit(const std::string& repo, const std::string& file, const std::string& content);
  void Push(const std::string& repo);
  std::string Head(const std::string& repo);
  // The environment every git call in tests gets (no global config, fixed identity).
  static std::map<std::string, std::optional<std::string>> Env();

 private:
  TempDir dir_;
};

}  // namespace infinity_sync::testing
