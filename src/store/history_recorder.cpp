#include "store/history_recorder.h"

#include <filesystem>

#include "ports/file_system.h"
#include "store/history_json.h"

namespace infinity_sync {

HistoryRecorder::HistoryRecorder(std::unique_ptr<HistoryStore> store, std::size_t max_pending,
                                 std::string pending_file)
    : store_(std::move(store)), max_pending_(max_pending), pending_file_(std::move(pending_file)) {}

std::deque<StoredRun> HistoryRecorder::LoadPendingFile(std::string* problem) {
  std::deque<StoredRun> runs;
  std::error_code ec;
  if (pending_file_.empty() || !std::filesystem::exists(pending_file_, ec)) return runs;
  RealFileSystem fs;
  auto text = fs.ReadFile(pending_file_, 4 * kStatusFileLimit);
  if (!text) {
    *problem = "cannot read the pending runs file " + pending_file_ + ": " + text.error();
    return runs;
  }
  std::size_t start = 0, line = 0;
  while (start < text->size()) {
    std::size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string_view part(text->data() + start, end - start);
    start = end + 1;
    ++line;
    if (part.empty()) continue;
    auto parsed = nlohmann::json::parse(part, nullptr, /*allow_exceptions=*/false);
    auto run =
        parsed.is_discarded() ? Result<StoredRun>(Error{"not JSON"}) : StoredRunFromJson(parsed);
    if (!run) {
      *problem += (problem->empty() ? "" : "; ") + pending_file_ + " line " + std::to_string(line) +
                  ": " + run.error() + " (dropped)";
      continue;
    }
    runs.push_back(std::move(*run));
  }
  return runs;
}

std::string HistoryRecorder::SavePendingFile(const std::deque<StoredRun>& runs) {
  std::error_code ec;
  if (runs.empty()) {
    std::filesystem::remove(pending_file_, ec);
    return ec ? "cannot remove " + pending_file_ + ": " + ec.message() : "";
  }
  std::string text;
  for (const auto& run : runs) text += ToJson(run).dump() + "\n";
  RealFileSystem fs;
  auto written = fs.WriteAtomic(pending_file_, text);
  if (written) return "";
  // What the file held is in `runs` too, kept in memory: never write it twice.
  std::filesystem::remove(pending_file_, ec);
  return "cannot keep the pending runs in " + pending_file_ + ": " + written.error();
}

std::string HistoryRecorder::Record(const SyncStatus& status) {
  std::lock_guard lock(mu_);
  std::string file_problem;
  std::deque<StoredRun> queue = LoadPendingFile(&file_problem);
  for (auto& run : pending_) queue.push_back(std::move(run));
  pending_.clear();
  queue.push_back(ToStoredRun(status));
  while (queue.size() > max_pending_) queue.pop_front();
  std::string error;
  while (!queue.empty()) {
    Status written = store_->Record(queue.front());
    if (!written) {
      error = written.error();
      break;
    }
    queue.pop_front();
  }
  if (!pending_file_.empty()) {
    std::string saved = SavePendingFile(queue);
    if (!saved.empty()) {
      pending_ = queue;
      if (!error.empty()) error += "; " + saved;
    }
  } else {
    pending_ = queue;
  }
  pending_count_ = queue.size();
  if (!error.empty() && queue.size() > 1) {
    error += " (" + std::to_string(queue.size()) + " runs kept" +
             (pending_.empty() ? " in " + pending_file_ : std::string(" in memory")) + ")";
  }
  if (!file_problem.empty()) error += (error.empty() ? "" : "; ") + file_problem;
  last_error_ = error;
  return error;
}

std::string HistoryRecorder::RecordHeartbeat(const HeartbeatSample& sample) {
  std::lock_guard lock(mu_);
  pending_heartbeats_.push_back(sample);
  while (pending_heartbeats_.size() > max_pending_) pending_heartbeats_.pop_front();
  Status written = store_->RecordHeartbeats(
      std::vector<HeartbeatSample>(pending_heartbeats_.begin(), pending_heartbeats_.end()));
  if (!written) {
    last_heartbeat_error_ = written.error();
    return last_heartbeat_error_;
  }
  pending_heartbeats_.clear();
  last_heartbeat_error_.clear();
  return "";
}

std::string HistoryRecorder::LastError() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

bool HistoryRecorder::PendingInFile() const {
  std::lock_guard lock(mu_);
  return !pending_file_.empty() && pending_count_ > 0 && pending_.empty();
}

std::size_t HistoryRecorder::Pending() const {
  std::lock_guard lock(mu_);
  return pending_count_;
}

std::string HistoryRecorder::LastHeartbeatError() const {
  std::lock_guard lock(mu_);
  return last_heartbeat_error_;
}

std::size_t HistoryRecorder::PendingHeartbeats() const {
  std::lock_guard lock(mu_);
  return pending_heartbeats_.size();
}

}  // namespace infinity_sync
