#include "core/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace infinity_sync {

std::string FileKindText(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string FormatByteSize(std::size_t bytes) {
  if (bytes >= kMiB && bytes % kMiB == 0) return fmt::format("{} MiB", bytes / kMiB);
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes / 1024);
  return fmt::format("{} bytes", bytes);
}

Result<std::string> ReadRegularFile(const std::string& path, std::size_t max_bytes,
                                    std::string* reason) {
  auto fail = [&](const std::string& why) -> Result<std::string> {
    if (reason != nullptr) *reason = why;
    return Error{"reading " + path + ": " + why};
  };
  // O_NONBLOCK: opening a FIFO with no writer would block forever; O_NOCTTY:
  // a terminal named here must not become ours.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return fail(std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    std::string why = std::strerror(errno);
    close(fd);
    return fail(why);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    std::string kind = FileKindText(st.st_mode);
    return fail(kind == "not a regular file" ? "it is not a regular file"
                                             : "it is " + kind + ", not a regular file");
  }
  std::string too_large = "it is larger than " + FormatByteSize(max_bytes);
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    close(fd);
    return fail(too_large);
  }
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  while (true) {
    // One byte more than allowed tells a file that grew past the limit.
    std::size_t want = std::min(sizeof buf, max_bytes + 1 - out.size());
    ssize_t n = read(fd, buf, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = std::strerror(errno);
      close(fd);
      return fail(why);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      close(fd);
      return fail(too_large);
    }
  }
  close(fd);
  return out;
}

}  // namespace infinity_sync
