#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/test_support.h"

namespace infinity_sync::testing {

// The real program running `serve` in the background, its stderr in a file.
// Waits for "listening on http://HOST:PORT" so tests know where it is.
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env = {});
  ~ServeProcess();  // SIGKILL if still running
  bool ready() const { return port_ > 0; }
  int port() const { return port_; }
  std::string url(const std::string& path = "") const;
  std::string Stderr() const;
  // SIGTERM, then waits up to `limit`; the exit code, or nullopt when it did
  // not exit in time (it is then killed).
  std::optional<int> Terminate(std::chrono::milliseconds limit, std::chrono::milliseconds* took);
  // Sends `sig` (SIGHUP: reload) to the running process.
  void Signal(int sig) const;
  // Waits up to `limit` for `text` to appear in its stderr.
  bool WaitForStderr(const std::string& text, std::chrono::milliseconds limit) const;
  // Waits for the process to exit by itself (e.g. a refused start).
  std::optional<int> WaitExit(std::chrono::milliseconds limit);

 private:
  TempDir dir_;
  int pid_ = -1;
  int port_ = 0;
  std::optional<int> exited_code_;
};

// A raw TCP connection to 127.0.0.1:port (for limits, idle and SSE clients).
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool connected() const { return fd_ >= 0; }
  void Send(const std::string& bytes);
  // Reads until `needle` appears, the peer closes or `limit` passes; returns all read.
  std::string ReadUntil(const std::string& needle, std::chrono::milliseconds limit);

 private:
  int fd_ = -1;
  std::string got_;
};

}  // namespace infinity_sync::testing
