#include "store/history_recorder.h"

namespace infinity_sync {

HistoryRecorder::HistoryRecorder(std::unique_ptr<HistoryStore> store, std::size_t max_pending)
    : store_(std::move(store)), max_pending_(max_pending) {}

std::string HistoryRecorder::Record(const SyncStatus& status) {
  std::lock_guard lock(mu_);
  pending_.push_back(status);
  while (pending_.size() > max_pending_) pending_.pop_front();
  while (!pending_.empty()) {
    Status written = store_->Record(pending_.front());
    if (!written) {
      last_error_ = written.error();
      if (pending_.size() > 1) {
        last_error_ += " (" + std::to_string(pending_.size()) + " runs kept in memory)";
      }
      return last_error_;
    }
    pending_.pop_front();
  }
  last_error_.clear();
  return "";
}

std::string HistoryRecorder::LastError() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

std::size_t HistoryRecorder::Pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace infinity_sync
