#include "checks/git_porcelain.h"

#include <charconv>

namespace infinity_sync {
namespace {

std::vector<std::string_view> SplitFields(std::string_view line, std::size_t max_fields) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (out.size() + 1 < max_fields) {
    std::size_t sp = line.find(' ', pos);
    if (sp == std::string_view::npos) break;
    out.push_back(line.substr(pos, sp - pos));
    pos = sp + 1;
  }
  out.push_back(line.substr(pos));
  return out;
}

bool ParseInt(std::string_view s, int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

constexpr std::size_t kMaxPathsKept = 10;

}  // namespace

Result<GitStatusInfo> ParseGitPorcelainV2(std::string_view text) {
  GitStatusInfo info;
  bool nul = text.find('\0') != std::string_view::npos;
  char sep = nul ? '\0' : '\n';
  std::size_t pos = 0;
  bool skip_next = false;  // with -z, a rename's original path is its own record
  while (pos < text.size()) {
    std::size_t end = text.find(sep, pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view rec = text.substr(pos, end - pos);
    pos = end + 1;
    if (skip_next) {
      skip_next = false;
      continue;
    }
    if (rec.empty()) continue;
    auto bad = [&](const char* why) {
      return Error{std::string("unexpected git status record (") + why + "): \"" +
                   std::string(rec.substr(0, 80)) + "\""};
    };
    if (rec.rfind("# ", 0) == 0) {
      auto f = SplitFields(rec, 3);
      if (f.size() < 3) continue;  // headers git may add later are ignored
      if (f[1] == "branch.oid") {
        if (f[2] == "(initial)") {
          info.initial = true;
        } else {
          info.oid = std::string(f[2]);
        }
      } else if (f[1] == "branch.head") {
        if (f[2] == "(detached)") {
          info.detached = true;
        } else {
          info.head = std::string(f[2]);
        }
      } else if (f[1] == "branch.upstream") {
        info.upstream = std::string(f[2]);
      } else if (f[1] == "branch.ab") {
        auto ab = SplitFields(f[2], 2);
        if (ab.size() != 2 || ab[0].size() < 2 || ab[1].size() < 2 || ab[0][0] != '+' ||
            ab[1][0] != '-' || !ParseInt(ab[0].substr(1), &info.ahead) ||
            !ParseInt(ab[1].substr(1), &info.behind)) {
          return bad("branch.ab");
        }
        info.has_ab = true;
      }
      continue;
    }
    char kind = rec[0];
    if (kind == '?') {
      ++info.untracked;
      continue;
    }
    if (kind == '!') continue;
    if (kind != '1' && kind != '2' && kind != 'u') return bad("unknown kind");
    if (rec.size() < 5 || rec[1] != ' ') return bad("too short");
    std::string_view xy = rec.substr(2, 2);
    // Fields before the path: 1 -> 8, 2 -> 9, u -> 10.
    std::size_t fields = kind == '1' ? 9 : kind == '2' ? 10 : 11;
    auto f = SplitFields(rec, fields);
    if (f.size() != fields) return bad("missing fields");
    std::string path(f.back());
    if (kind == '2') {
      if (nul) {
        skip_next = true;
      } else if (auto tab = path.find('\t'); tab != std::string::npos) {
        path = path.substr(0, tab);
      }
    }
    if (kind == 'u') {
      ++info.unmerged;
    } else {
      if (xy[0] != '.') ++info.staged;
      if (xy[1] != '.') ++info.unstaged;
    }
    ++info.dirty;
    if (info.dirty_paths.size() < kMaxPathsKept) info.dirty_paths.push_back(path);
  }
  if (info.oid.empty() && !info.initial && info.head.empty() && !info.detached) {
    return Error{"git status printed no branch header (is --branch supported?)"};
  }
  return info;
}

}  // namespace infinity_sync
