#include "cli/progress.h"

#include <cstdio>

#include <fmt/format.h>

namespace infinity_sync {
namespace {

ProgressItem::State EndState(CheckStatus status) {
  switch (VerdictOf(status)) {
    case Verdict::kGood:
      return ProgressItem::State::kGood;
    case Verdict::kNeutral:
      return ProgressItem::State::kNeutral;
    case Verdict::kDrift:
      return ProgressItem::State::kDrift;
    case Verdict::kFailed:
      return ProgressItem::State::kFailed;
  }
  return ProgressItem::State::kFailed;
}

}  // namespace

std::string ProgressText(const std::vector<ProgressItem>& items, int frame, bool unicode) {
  static const char* kSpinner[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  static const char* kAscii[] = {"|", "/", "-", "\\"};
  using State = ProgressItem::State;
  int done = 0;
  std::string line = unicode ? kSpinner[frame % 10] : kAscii[frame % 4];
  line += " checks:";
  for (const auto& item : items) {
    line += " " + item.name;
    switch (item.state) {
      case State::kWaiting:
        break;
      case State::kRunning:
        line += fmt::format(" {:.1f}s", static_cast<double>(item.elapsed.count()) / 1000.0);
        break;
      case State::kGood:
        line += unicode ? " ✓" : " ok";
        break;
      case State::kNeutral:
        line += unicode ? " –" : " skip";
        break;
      case State::kDrift:
        line += unicode ? " !" : " drift";
        break;
      case State::kFailed:
        line += unicode ? " ✗" : " FAIL";
        break;
    }
    if (item.state != State::kWaiting && item.state != State::kRunning) ++done;
    line += " ";
  }
  line += " " + std::to_string(done) + "/" + std::to_string(items.size());
  return line;
}

ProgressLine::ProgressLine(bool enabled, bool unicode, std::vector<CheckSpec> specs)
    : enabled_(enabled),
      unicode_(unicode),
      specs_(std::move(specs)),
      items_(specs_.size()),
      started_(specs_.size()) {
  for (std::size_t i = 0; i < specs_.size(); ++i) items_[i].name = specs_[i].name;
  if (!enabled_) return;
  ticker_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!finished_) {
      if (cv_.wait_for(lock, kTick, [this] { return finished_; })) break;
      DrawLocked();
    }
  });
}

ProgressLine::~ProgressLine() { Finish(); }

RunObserver ProgressLine::Observer() {
  RunObserver o;
  if (!enabled_) return o;
  o.on_start = [this](const CheckSpec& spec) {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < specs_.size(); ++i) {
      if (specs_[i].key == spec.key && items_[i].state == ProgressItem::State::kWaiting) {
        items_[i].state = ProgressItem::State::kRunning;
        started_[i] = std::chrono::steady_clock::now();
      }
    }
    DrawLocked();
  };
  o.on_done = [this](const CheckSpec& spec, const CheckResult& result) {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < specs_.size(); ++i) {
      if (specs_[i].key == spec.key) items_[i].state = EndState(result.status);
    }
    DrawLocked();
  };
  return o;
}

void ProgressLine::DrawLocked() {
  if (finished_) return;
  auto now = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].state == ProgressItem::State::kRunning) {
      items_[i].elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_[i]);
    }
  }
  std::string line = ProgressText(items_, frame_++, unicode_);
  std::fprintf(stderr, "\r\033[2K%s", line.c_str());
  std::fflush(stderr);
}

void ProgressLine::Finish() {
  {
    std::lock_guard lock(mu_);
    if (!enabled_ || finished_) return;
    finished_ = true;
    std::fprintf(stderr, "\r\033[2K");
    std::fflush(stderr);
  }
  cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace infinity_sync
