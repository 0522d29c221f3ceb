#include "cli/explain.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace infinity_sync {
namespace {

const char* VerdictWords(Verdict v) {
  switch (v) {
    case Verdict::kGood:
      return "good: counts as in sync (exit 0)";
    case Verdict::kNeutral:
      return "neutral: nothing to compare (exit 0)";
    case Verdict::kDrift:
      return "drift: out of sync, nothing failed (exit 1)";
    case Verdict::kFailed:
      return "failed: could not decide, or what it checks is broken (exit 2)";
  }
  return "";
}

const char* LevelWord(NoteLevel level) {
  switch (level) {
    case NoteLevel::kOk:
      return "ok";
    case NoteLevel::kInfo:
      return "info";
    case NoteLevel::kWarn:
      return "warn";
    case NoteLevel::kError:
      return "error";
  }
  return "";
}

// "a.b[0].c = value" lines for every leaf of `data`.
void Flatten(const nlohmann::json& data, const std::string& prefix,
             std::vector<std::string>& lines) {
  if (data.is_object()) {
    if (data.empty() && !prefix.empty()) lines.push_back(prefix + " = {}");
    for (const auto& [key, value] : data.items()) {
      Flatten(value, prefix.empty() ? key : prefix + "." + key, lines);
    }
  } else if (data.is_array()) {
    if (data.empty()) lines.push_back(prefix + " = []");
    for (std::size_t i = 0; i < data.size(); ++i) {
      Flatten(data[i], fmt::format("{}[{}]", prefix, i), lines);
    }
  } else {
    lines.push_back(prefix + " = " + data.dump());
  }
}

}  // namespace

void RenderExplain(std::ostream& out, const ReportStyle& style, const std::vector<CheckSpec>& specs,
                   const SyncStatus& status) {
  const char* reset = style.colour ? "\033[0m" : "";
  out << "\nEXPLANATION\n";
  for (std::size_t i = 0; i < status.results.size(); ++i) {
    const NamedResult& named = status.results[i];
    const CheckResult& r = named.result;
    std::string name(ToString(r.status));
    std::string title = i < specs.size() ? specs[i].title : named.key;
    std::string colour = StatusColour(style, name);
    out << "\n"
        << title << " (" << named.key << "): " << colour << name << (colour.empty() ? "" : reset)
        << "\n";
    out << "  verdict: " << VerdictWords(VerdictOf(r.status)) << "\n";
    out << "  because:\n";
    if (r.notes.empty()) out << "    (the check gave no reason)\n";
    for (const auto& note : r.notes) {
      out << "    [" << LevelWord(note.level) << "] " << note.text << "\n";
    }
    out << "  evidence:\n";
    if (r.evidence.empty()) out << "    (no command run, no URL asked)\n";
    for (const auto& e : r.evidence) out << "    " << e << "\n";
    std::vector<std::string> values;
    Flatten(r.data, "", values);
    out << "  compared values:\n";
    if (values.empty()) out << "    (none recorded)\n";
    for (const auto& v : values) out << "    " << v << "\n";
    if (r.fix) {
      out << "  fix offered: " << r.fix->description << "\n";
      std::string argv;
      for (const auto& a : r.fix->argv) argv += (argv.empty() ? "" : " ") + a;
      if (!argv.empty()) out << "    would run: " << argv << "\n";
      for (const auto& a : status.actions) {
        if (a.check == named.key) {
          out << "    " << (a.applied ? "applied" : "not applied")
              << (a.reason.empty() ? "" : ": " + a.reason) << "\n";
        }
      }
    } else if (!r.fix_withheld.empty()) {
      out << "  fix withheld: " << r.fix_withheld << "\n";
    } else {
      Verdict v = VerdictOf(r.status);
      bool fine = v == Verdict::kGood || v == Verdict::kNeutral;
      out << (fine ? "  fix: none needed\n" : "  fix: none this check can offer\n");
    }
    out << "  took: " << r.duration_ms << " ms\n";
  }
}

}  // namespace infinity_sync
