#include "core/own_folders.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace infinity_sync {

namespace fs = std::filesystem;

Status CreateFoldersFor(const std::string& path) {
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  std::vector<fs::path> missing;
  for (fs::path dir = parent; !dir.empty() && !fs::exists(fs::symlink_status(dir, ec));
       dir = dir.parent_path()) {
    missing.push_back(dir);
    if (dir == dir.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (mkdir(it->c_str(), 0755) != 0) {
      if (errno == EEXIST && fs::is_directory(*it, ec)) continue;  // another process was first
      return Error{"creating folder " + it->string() + ": " + std::strerror(errno)};
    }
    fs::path ignore = *it / ".gitignore";
    int fd = open(ignore.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) {
      // Best effort: a folder without it still works, it only shows in git status.
      [[maybe_unused]] ssize_t n = write(fd, "*\n", 2);
      close(fd);
    }
  }
  return Ok{};
}

}  // namespace infinity_sync
