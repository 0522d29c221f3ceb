#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/check_status.h"

namespace infinity_sync {

// Weight of one report line; the terminal shows it as a mark.
enum class NoteLevel { kOk, kInfo, kWarn, kError };

struct Note {
  NoteLevel level = NoteLevel::kInfo;
  std::string text;
};

// A change a check offers to bring things back in sync. The runner decides
// whether it is applied (--yes), asked for (TTY), or skipped (--dry-run, no TTY).
struct Fix {
  std::string description;        // shown to the user and recorded in `actions`
  std::vector<std::string> argv;  // run without a shell
  std::string cwd;                // empty: the current folder
  std::int64_t timeout_ms = 120000;
};

// What one check found. Checks build it; nobody else changes it.
struct CheckResult {
  CheckStatus status = CheckStatus::kFailed;
  // Report lines; the document's `Details` is their texts, unless
  // details_object is set (AuthCheck keeps the seed's object there).
  std::vector<Note> notes;
  nlohmann::json details_object;  // null unless set
  nlohmann::json data = nlohmann::json::object();
  std::int64_t duration_ms = 0;
  std::optional<Fix> fix;
  // Why the fix was not offered although the check is not good, if it was not.
  std::string fix_withheld;
  // Commands run, URLs asked and their outcomes, for --verbose and --explain.
  std::vector<std::string> evidence;

  CheckResult& Ok(std::string text) { return Add(NoteLevel::kOk, std::move(text)); }
  CheckResult& Info(std::string text) { return Add(NoteLevel::kInfo, std::move(text)); }
  CheckResult& Warn(std::string text) { return Add(NoteLevel::kWarn, std::move(text)); }
  CheckResult& Err(std::string text) { return Add(NoteLevel::kError, std::move(text)); }
  CheckResult& Add(NoteLevel level, std::string text) {
    notes.push_back({level, std::move(text)});
    return *this;
  }

  // A Failed result with one error line: the usual way a check gives up.
  static CheckResult Failure(std::string reason) {
    CheckResult r;
    r.status = CheckStatus::kFailed;
    r.Err(std::move(reason));
    return r;
  }
};

}  // namespace infinity_sync
