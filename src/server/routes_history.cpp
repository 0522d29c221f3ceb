// GET /api/sync/history and the history part of /healthz.
#include <curl/curl.h>

#include "server/routes.h"
#include "store/history_json.h"

namespace infinity_sync {
namespace {

ServerResponse JsonBody(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}
ServerResponse JsonBody(int status, const nlohmann::json& body) {
  return JsonBody(status, body.dump());
}

// Percent-decoding of one query component, by libcurl.
std::string Unescaped(const std::string& text) {
  int length = 0;
  char* out = curl_easy_unescape(nullptr, text.c_str(), static_cast<int>(text.size()), &length);
  if (out == nullptr) return text;
  std::string s(out, static_cast<std::size_t>(length));
  curl_free(out);
  return s;
}

}  // namespace

ServerResponse Api::History(const std::string& query) {
  if (d_.history == nullptr) {
    return JsonError(404,
                     "history is off (store: none); set store: sqlite:PATH or postgresql://...");
  }
  HistoryQuery q;
  bool heartbeats = false;
  std::size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string part = query.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    std::size_t eq = part.find('=');
    std::string key = Unescaped(part.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : Unescaped(part.substr(eq + 1));
    if (key == "limit") {
      auto limit = ParseHistoryLimit(value);
      if (!limit) return JsonError(400, limit.error());
      q.limit = *limit;
    } else if (key == "check") {
      if (value.empty()) return JsonError(400, "check: expected a check name such as GitSync");
      q.check = value;
    } else if (key == "since") {
      if (auto s = ParseHistorySince(value, &q); !s) return JsonError(400, s.error());
    } else if (key == "kind") {
      if (value != "runs" && value != "heartbeats") {
        return JsonError(400, "kind: expected runs or heartbeats, got \"" + value + "\"");
      }
      heartbeats = value == "heartbeats";
    } else if (key == "target") {
      if (auto t = ParseHistoryTarget(value, HeartbeatService::Keys(), &q); !t) {
        return JsonError(400, t.error());
      }
    } else {
      return JsonError(
          400, "unknown parameter \"" + key + "\" (allowed: kind, limit, check, since, target)");
    }
  }
  if (heartbeats && !q.check.empty()) {
    return JsonError(400, "check: only with kind=runs; heartbeat samples take target");
  }
  if (!heartbeats && !q.target.empty()) return JsonError(400, "target: needs kind=heartbeats");
  if (heartbeats) {
    auto doc = HeartbeatsDocument(d_.history->store(), q);
    if (!doc) return JsonError(503, doc.error());
    return JsonBody(200, *doc);
  }
  auto doc = HistoryDocumentText(d_.history->store(), q);
  if (!doc) return JsonError(503, doc.error());
  return JsonBody(200, std::move(*doc));
}

ServerResponse Api::Healthz() {
  nlohmann::json body = {{"status", "ok"}};
  if (d_.history != nullptr) {
    nlohmann::json history = {{"store", d_.history->store().Describe()}};
    std::string error = d_.history->LastError();
    if (!error.empty()) {
      history["error"] = error;
      history["pendingRuns"] = d_.history->Pending();
    }
    std::string heartbeat_error = d_.history->LastHeartbeatError();
    if (!heartbeat_error.empty()) {
      history["heartbeatError"] = heartbeat_error;
      history["pendingHeartbeats"] = d_.history->PendingHeartbeats();
    }
    body["history"] = std::move(history);
  }
  return JsonBody(200, body);
}

}  // namespace infinity_sync
