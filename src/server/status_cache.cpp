#include "server/status_cache.h"

#include "core/status_json.h"

namespace infinity_sync {

std::shared_ptr<const StatusCache::Snapshot> StatusCache::Get() {
  std::optional<FileInfo> info = fs_.Stat(path_);
  std::lock_guard<std::mutex> lock(mu_);
  bool same = have_seen_ && info.has_value() == seen_.has_value() &&
              (!info || (info->mtime == seen_->mtime && info->size == seen_->size));
  if (same && current_) return current_;

  auto snap = std::make_shared<Snapshot>();
  if (!info) {
    snap->http_status = 404;
    snap->error = "no sync status available yet (" + path_ +
                  " does not exist; run 'infinity-sync run' or wait for the live loop)";
  } else {
    ++loads_;
    auto text = fs_.ReadFile(path_, kStatusFileLimit);
    if (!text) {
      snap->http_status = 500;
      snap->error = "cannot read the status file: " + text.error();
    } else {
      auto parsed = ParseStatusDocument(*text);
      if (!parsed) {
        snap->http_status = 500;
        snap->error = path_ + " is not a valid status document: " + parsed.error();
      } else {
        snap->http_status = 200;
        snap->doc = std::move(parsed->json);
        snap->compact = snap->doc.dump();
        snap->timestamp = parsed->timestamp;
        snap->has_timestamp = parsed->has_timestamp;
        snap->exit_code = parsed->exit_code;
      }
    }
  }
  seen_ = info;
  have_seen_ = true;
  current_ = std::move(snap);
  return current_;
}

bool StatusCache::IsFresh(const Snapshot& s, std::chrono::system_clock::time_point now,
                          std::chrono::milliseconds fresh_for) {
  if (s.http_status != 200) return false;
  return AssessFreshness(s.has_timestamp, s.timestamp, now, fresh_for).fresh;
}

int StatusCache::Loads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loads_;
}

}  // namespace infinity_sync
