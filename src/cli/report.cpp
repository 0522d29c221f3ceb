#include "cli/report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/time_format.h"
#include "core/version.h"

namespace infinity_sync {
namespace {

constexpr const char* kReset = "\033[0m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kDim = "\033[2m";

std::string Rule(const ReportStyle& style, bool heavy) {
  std::string unit = style.unicode ? (heavy ? "═" : "─") : (heavy ? "=" : "-");
  std::string out;
  for (int i = 0; i < 59; ++i) out += unit;
  return out;
}

std::string Mark(const ReportStyle& style, NoteLevel level) {
  if (style.unicode) {
    switch (level) {
      case NoteLevel::kOk:
        return "✅";
      case NoteLevel::kInfo:
        return "ℹ️ ";
      case NoteLevel::kWarn:
        return "⚠️ ";
      case NoteLevel::kError:
        return "❌";
    }
  }
  switch (level) {
    case NoteLevel::kOk:
      return "[OK]  ";
    case NoteLevel::kInfo:
      return "[INFO]";
    case NoteLevel::kWarn:
      return "[WARN]";
    case NoteLevel::kError:
      return "[FAIL]";
  }
  return "";
}

std::string Short(const std::string& sha) { return sha.substr(0, 7); }

// "rev 00042" for Cloud Run's "web-00042-abc"; the name itself otherwise.
std::string RevisionLabel(const std::string& name) {
  auto last = name.rfind('-');
  if (last != std::string::npos && last > 0) {
    auto prev = name.rfind('-', last - 1);
    std::string number = name.substr(prev == std::string::npos ? 0 : prev + 1,
                                     last - (prev == std::string::npos ? 0 : prev + 1));
    if (number.size() == 5 && number.find_first_not_of("0123456789") == std::string::npos) {
      return "rev " + number;
    }
  }
  return name;
}

}  // namespace

std::string LineageLine(const Lineage& l) {
  std::vector<std::string> parts;
  if (const LineageHop* local = l.Find("local")) {
    std::vector<std::string> notes;
    if (!local->branch.empty()) notes.push_back(local->branch);
    if (local->state == "dirty") notes.push_back("dirty");
    if (const LineageHop* remote = l.Find("remote")) {
      if (remote->state == "pushed" && local->commit == remote->commit) {
        notes.push_back("pushed");
      } else if (remote->state == "pushed" || remote->state == "unpushed") {
        notes.push_back(local->commit == remote->commit ? "pushed"
                        : remote->state == "pushed"     ? "behind " + l.deploy_branch
                                                        : "not on " + l.deploy_branch);
      }
    }
    std::string text = local->commit.empty() ? "HEAD unknown" : "HEAD " + Short(local->commit);
    if (!notes.empty()) text += " (" + fmt::format("{}", fmt::join(notes, ", ")) + ")";
    parts.push_back(text);
  }
  if (const LineageHop* ci = l.Find("ci")) {
    std::string word = ci->state == "success"   ? "passed"
                       : ci->state == "failure" ? "failed"
                       : ci->state == "none"    ? "none reported"
                                                : ci->state;
    parts.push_back("CI " + word);
  }
  if (const LineageHop* run = l.Find("cloudrun")) {
    std::string text = "Cloud Run";
    if (run->state == "notConfigured") {
      text += " not configured";
    } else if (run->serving.empty()) {
      text += " unknown";
    }
    for (std::size_t i = 0; i < run->serving.size(); ++i) {
      const auto& s = run->serving[i];
      bool tip =
          !s.commit.empty() && !l.commit.empty() && s.commit.rfind(l.commit.substr(0, 7), 0) == 0;
      text += fmt::format("{} {}% {}{}", i == 0 ? "" : ",", s.percent, RevisionLabel(s.revision),
                          tip                ? ""
                          : s.commit.empty() ? " (commit unknown)"
                                             : " (" + Short(s.commit) + ")");
    }
    parts.push_back(text);
  }
  if (const LineageHop* edge = l.Find("edge")) {
    parts.push_back(edge->commit.empty() ? "edge unknown" : "edge " + Short(edge->commit));
  }
  std::string verdict = !l.live ? "live unknown" : *l.live ? "live" : "not live";
  return fmt::format("{}: {}", fmt::join(parts, " -> "), verdict);
}

std::string StatusColour(const ReportStyle& style, const std::string& status_name) {
  if (!style.colour) return "";
  switch (VerdictOfName(status_name)) {
    case Verdict::kGood:
      return "\033[32m";
    case Verdict::kNeutral:
      return "\033[36m";
    case Verdict::kDrift:
      return "\033[33m";
    case Verdict::kFailed:
      return "\033[31m";
  }
  return "";
}

void RenderBanner(std::ostream& out, const ReportStyle& style) {
  out << Rule(style, true) << "\n"
      << "  INFINITY SYNC v" << kVersion << "\n"
      << Rule(style, true) << "\n";
}

void RenderSection(std::ostream& out, const ReportStyle& style, int number, int total,
                   const CheckSpec& spec, const CheckResult& result) {
  out << "\n"
      << (style.colour ? kBold : "") << fmt::format("[{}/{}: {}]", number, total, spec.title)
      << (style.colour ? kReset : "") << (spec.required ? "" : " (not required)") << "\n"
      << Rule(style, false) << "\n";
  for (const auto& note : result.notes) {
    out << "  " << Mark(style, note.level) << " " << note.text << "\n";
  }
  if (result.fix) {
    out << "  " << Mark(style, NoteLevel::kInfo) << " Fix offered: " << result.fix->description
        << "\n";
  } else if (!result.fix_withheld.empty()) {
    out << "  " << Mark(style, NoteLevel::kInfo) << " No fix offered: " << result.fix_withheld
        << "\n";
  }
  if (style.verbose) {
    for (const auto& e : result.evidence) {
      out << "  " << (style.colour ? kDim : "") << "  > " << e << (style.colour ? kReset : "")
          << "\n";
    }
    out << "  " << (style.colour ? kDim : "") << "  took " << result.duration_ms << " ms"
        << (style.colour ? kReset : "") << "\n";
  }
}

void RenderSummary(std::ostream& out, const ReportStyle& style, const std::vector<CheckSpec>& specs,
                   const SyncStatus& status, const std::string& status_file,
                   const std::string& write_error) {
  out << "\n"
      << Rule(style, true) << "\n"
      << "  SYNC STATUS SUMMARY" << (status.dry_run ? " (dry run)" : "") << "\n"
      << Rule(style, true) << "\n";
  for (std::size_t i = 0; i < specs.size() && i < status.results.size(); ++i) {
    std::string name(ToString(status.results[i].result.status));
    std::string colour = StatusColour(style, name);
    out << fmt::format("{:<20}", specs[i].label + ":") << colour << name
        << (colour.empty() ? "" : kReset) << (specs[i].required ? "" : " (not required)") << "\n";
  }
  if (!status.actions.empty()) {
    out << "\n";
    for (const auto& a : status.actions) {
      out << "  " << Mark(style, a.applied ? NoteLevel::kOk : NoteLevel::kInfo) << " "
          << (a.applied ? "Applied: " : "Not applied: ") << a.action
          << (a.reason.empty() ? "" : " (" + a.reason + ")") << "\n";
    }
  }
  out << "\n"
      << "  " << Mark(style, NoteLevel::kInfo) << " Infinity Sync completed at "
      << FormatLocalTime(status.timestamp) << " in " << status.duration_ms << " ms\n";
  if (write_error.empty()) {
    out << "  " << Mark(style, NoteLevel::kInfo) << " Status saved to: " << status_file << "\n";
  } else {
    out << "  " << Mark(style, NoteLevel::kError) << " Status NOT saved: " << write_error << "\n";
  }
  if (status.lineage && status.Find("GCPSync") != nullptr)
    out << "\n  Lineage: " << LineageLine(*status.lineage) << "\n";
}

void RenderReport(std::ostream& out, const ReportStyle& style, const std::vector<CheckSpec>& specs,
                  const std::vector<int>& numbers, int total, const SyncStatus& status,
                  const std::string& status_file, const std::string& write_error) {
  RenderBanner(out, style);
  for (std::size_t i = 0; i < specs.size() && i < status.results.size(); ++i) {
    RenderSection(out, style, numbers[i], total, specs[i], status.results[i].result);
  }
  RenderSummary(out, style, specs, status, status_file, write_error);
}

}  // namespace infinity_sync
