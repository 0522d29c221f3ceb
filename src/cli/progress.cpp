#include "cli/progress.h"

#include <cstdio>

namespace infinity_sync {

ProgressLine::ProgressLine(bool enabled, bool fancy, std::vector<CheckSpec> specs)
    : enabled_(enabled), fancy_(fancy), specs_(std::move(specs)), state_(specs_.size(), 0) {}

ProgressLine::~ProgressLine() { Finish(); }

RunObserver ProgressLine::Observer() {
  RunObserver o;
  if (!enabled_) return o;
  auto set = [this](const CheckSpec& spec, int value) {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::size_t i = 0; i < specs_.size(); ++i) {
      if (specs_[i].key == spec.key && state_[i] < value) state_[i] = value;
    }
    Draw();
  };
  o.on_start = [set](const CheckSpec& spec) { set(spec, 1); };
  o.on_done = [set](const CheckSpec& spec, const CheckResult&) { set(spec, 2); };
  return o;
}

void ProgressLine::Draw() {
  if (finished_) return;
  static const char* kSpinner[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  int done = 0;
  std::string line = fancy_ ? kSpinner[frame_++ % 10] : "..";
  line += " checks:";
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    line += " " + specs_[i].name +
            (state_[i] == 2   ? (fancy_ ? " ✓" : " done")
             : state_[i] == 1 ? " …"
                              : "");
    if (state_[i] == 2) ++done;
  }
  line += "  " + std::to_string(done) + "/" + std::to_string(specs_.size());
  std::fprintf(stderr, "\r\033[2K%s", line.c_str());
  std::fflush(stderr);
}

void ProgressLine::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!enabled_ || finished_) return;
  finished_ = true;
  std::fprintf(stderr, "\r\033[2K");
  std::fflush(stderr);
}

}  // namespace infinity_sync
