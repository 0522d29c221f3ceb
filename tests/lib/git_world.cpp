#include "lib/git_world.h"

namespace infinity_sync::testing {

std::map<std::string, std::optional<std::string>> GitWorld::Env() {
  return {{"GIT_CONFIG_NOSYSTEM", "1"},   {"GIT_CONFIG_GLOBAL", "/dev/null"},
          {"GIT_AUTHOR_NAME", "Test"},    {"GIT_AUTHOR_EMAIL", "test@example.invalid"},
          {"GIT_COMMITTER_NAME", "Test"}, {"GIT_COMMITTER_EMAIL", "test@example.invalid"}};
}

GitWorld::GitWorld() {
  auto env = Env();
  MustRun({"git", "init", "--quiet", "--bare", "--initial-branch=main", remote()}, "", env);
  MustRun({"git", "init", "--quiet", "--initial-branch=main", work()}, "", env);
  MustRun({"git", "remote", "add", "origin", remote()}, work(), env);
  Commit(work(), "README.md", "hello\n");
  MustRun({"git", "push", "--quiet", "-u", "origin", "main"}, work(), env);
  MustRun({"git", "clone", "--quiet", remote(), other()}, "", env);
}

std::string GitWorld::Commit(const std::string& repo, const std::string& file,
                             const std::string& content) {
  auto env = Env();
  WriteFile(repo + "/" + file, content);
  MustRun({"git", "add", file}, repo, env);
  MustRun({"git", "commit", "--quiet", "-m", "change " + file}, repo, env);
  return Head(repo);
}

void GitWorld::Push(const std::string& repo) { MustRun({"git", "push", "--quiet"}, repo, Env()); }

std::string GitWorld::Head(const std::string& repo) {
  return MustRun({"git", "rev-parse", "HEAD"}, repo, Env());
}

}  // namespace infinity_sync::testing
