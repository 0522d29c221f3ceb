#include "ports/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "core/duration.h"

extern char** environ;

namespace infinity_sync {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<std::string> FindOnPath(const std::string& program, const std::string& path_var) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string::npos) {
    if (access(program.c_str(), X_OK) == 0) return program;
    return std::nullopt;
  }
  std::stringstream ss(path_var);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + program;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

std::vector<std::string> BuildEnv(const std::map<std::string, std::optional<std::string>>& changes,
                                  std::string* path_var) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (changes.count(name) == 0) env.push_back(entry);
  }
  for (const auto& [name, value] : changes) {
    if (value) env.push_back(name + "=" + *value);
  }
  *path_var = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& entry : env) {
    if (entry.rfind("PATH=", 0) == 0) *path_var = entry.substr(5);
  }
  return env;
}

void KillGroup(pid_t pid) {
  // The child leads its own group: signal the group so grandchildren go too.
  kill(-pid, SIGTERM);
  for (int i = 0; i < 20; ++i) {
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      kill(-pid, SIGKILL);  // stragglers in the group
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(-pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
}

}  // namespace

std::string TailLines(const std::string& text, std::size_t max_lines) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  std::string out;
  std::size_t start = lines.size() > max_lines ? lines.size() - max_lines : 0;
  for (std::size_t i = start; i < lines.size(); ++i) {
    if (!out.empty()) out += " | ";
    out += lines[i];
  }
  return out;
}

std::string ProcessResult::Describe(const std::vector<std::string>& argv) const {
  std::string name = argv.empty() ? "?" : argv[0];
  if (argv.size() > 1) name += " " + argv[1];
  if (stopped) return name + ": stopped (killed)";
  if (not_found) return name + ": program not found";
  if (!started) return name + ": could not start: " + error;
  if (timed_out) {
    return name + ": timed out after " +
           FormatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(duration)) +
           " (killed)";
  }
  std::string tail = TailLines(err.empty() ? out : err, 2);
  if (signal != 0)
    return fmt::format("{}: killed by signal {}{}", name, signal, tail.empty() ? "" : ": " + tail);
  return fmt::format("{}: exit {}{}", name, exit_code, tail.empty() ? "" : ": " + tail);
}

bool RealProcessRunner::Exists(const std::string& program) {
  const char* path = std::getenv("PATH");
  return FindOnPath(program, path ? path : "/usr/bin:/bin").has_value();
}

ProcessResult RealProcessRunner::Run(const ProcessRequest& request) {
  ProcessResult result;
  auto start = Clock::now();
  if (request.argv.empty()) {
    result.error = "empty command";
    return result;
  }
  if (request.stop.stop_requested()) {
    result.stopped = true;
    result.error = "stopped before it started";
    return result;
  }
  std::string path_var;
  std::vector<std::string> env = BuildEnv(request.env, &path_var);
  auto program = FindOnPath(request.argv[0], path_var);
  if (!program) {
    result.not_found = true;
    result.error = request.argv[0] + ": program not found";
    return result;
  }

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  if (!request.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, request.cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  sigemptyset(&default_signals);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&default_signals, s);
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);

  std::vector<char*> argv;
  for (const auto& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  int rc = posix_spawn(&pid, program->c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.error = std::strerror(rc);
    if (rc == ENOENT && !request.cwd.empty()) result.error += " (folder " + request.cwd + ")";
    return result;
  }
  result.started = true;

  auto deadline = start + request.timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  bool exited = false;
  int status = 0;
  Clock::time_point exited_at;
  char buf[16384];
  while (open_fds > 0) {
    auto now = Clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      break;
    }
    if (request.stop.stop_requested()) {
      result.timed_out = true;
      result.stopped = true;
      break;
    }
    // After the child exits, a grandchild may keep the pipes open: give it a moment.
    if (exited && now - exited_at > std::chrono::milliseconds(200)) break;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    if (wait > 50) wait = 50;
    int n = poll(fds, 2, static_cast<int>(wait));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        std::size_t room =
            request.max_output > sinks[i]->size() ? request.max_output - sinks[i]->size() : 0;
        sinks[i]->append(buf, std::min<std::size_t>(room, static_cast<std::size_t>(got)));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      exited_at = Clock::now();
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  if (result.timed_out) {
    if (!exited) {
      KillGroup(pid);
    } else {
      kill(-pid, SIGKILL);
    }
  } else {
    if (!exited) {
      // Pipes closed; wait for the exit itself, still bound by the deadline.
      while (true) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (Clock::now() >= deadline || request.stop.stop_requested()) {
          result.timed_out = true;
          result.stopped = request.stop.stop_requested();
          KillGroup(pid);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    if (!result.timed_out) {
      if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
      // The leader is gone; what it left in its group (a background job, a
      // daemonised helper that kept the group) goes with it.
      kill(-pid, SIGKILL);
    }
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

}  // namespace infinity_sync
