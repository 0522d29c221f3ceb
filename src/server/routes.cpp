#include "server/routes.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "core/time_format.h"
#include "server/web_assets.h"

namespace infinity_sync {
namespace {

constexpr const char* kHeartbeatPrefix = "/api/sync/heartbeat/";

// The methods a path answers, or empty when the path is unknown.
std::string AllowedMethods(const std::string& path) {
  if (path == "/api/sync/run") return "POST";
  if (path == "/healthz" || path == "/api/sync/status" || path == "/api/sync/heartbeat" ||
      path == "/api/sync/overview" || path == "/api/sync/events" || path == "/api/sync/history" ||
      path == "/metrics" || path == "/") {
    return "GET";
  }
  if (path.rfind(kHeartbeatPrefix, 0) == 0) return "GET";
  for (const auto& asset : WebAssets()) {
    if (asset.path == path) return "GET";
  }
  return "";
}

std::string ContentTypeOf(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

ServerResponse Json(int status, const nlohmann::json& body) {
  ServerResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

bool IsDashboardFile(const std::string& path) {
  if (path == "/") return true;
  for (const auto& asset : WebAssets()) {
    if (asset.path == path) return true;
  }
  return false;
}

bool IsAllowedOrigin(const Config& config, const std::string& origin) {
  const auto& allowed = config.server.cors_origins;
  return std::find(allowed.begin(), allowed.end(), origin) != allowed.end();
}

}  // namespace

bool SecretEquals(const std::string& presented, const std::string& expected) {
  // The length is not secret; the bytes are compared in constant time.
  if (presented.size() != expected.size()) return false;
  return CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) == 0;
}

std::string Api::RouteLabel(const std::string& path) {
  if (path.rfind(kHeartbeatPrefix, 0) == 0) return "/api/sync/heartbeat/{target}";
  std::string allowed = AllowedMethods(path);
  if (allowed.empty()) return "other";
  if (path != "/" && path.rfind("/api/", 0) != 0 && path != "/metrics" && path != "/healthz") {
    return "/{asset}";
  }
  return path;
}

void Api::Handle(ServerRequest request, Respond respond) {
  auto start = d_.clock.SteadyNow();
  std::string route = RouteLabel(request.path);
  std::string origin = request.Header("origin");
  bool cors = !origin.empty() && IsAllowedOrigin(d_.config, origin);
  Respond finish = [this, start, route, cors, origin,
                    respond = std::move(respond)](ServerResponse r) {
    if (cors) {
      r.headers.emplace_back("Access-Control-Allow-Origin", origin);
      r.headers.emplace_back("Vary", "Origin");
    }
    auto took = std::chrono::duration_cast<std::chrono::microseconds>(d_.clock.SteadyNow() - start);
    d_.metrics.Record(route, r.status, took);
    respond(std::move(r));
  };

  std::string allowed = AllowedMethods(request.path);
  // CORS preflight: answered before the token check, as browsers send none.
  if (request.method == "OPTIONS" && !allowed.empty()) {
    ServerResponse r;
    r.status = 204;
    r.content_type = "text/plain";
    r.headers.emplace_back("Allow", allowed + ", OPTIONS");
    if (cors) {
      r.headers.emplace_back("Access-Control-Allow-Methods", allowed);
      r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
      r.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    return finish(std::move(r));
  }

  // The dashboard's files hold no data and must load before the page can ask
  // for the token it then sends with every API call.
  const std::string& token = d_.config.server.token;
  if (!token.empty() && request.path != "/healthz" && !IsDashboardFile(request.path)) {
    std::string auth = request.Header("authorization");
    const std::string kBearer = "Bearer ";
    bool ok = auth.size() > kBearer.size() && auth.compare(0, kBearer.size(), kBearer) == 0 &&
              SecretEquals(auth.substr(kBearer.size()), token);
    if (!ok) {
      ServerResponse r =
          JsonError(401, "missing or wrong token: send Authorization: Bearer <token>");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"infinity-sync\"");
      return finish(std::move(r));
    }
  }

  if (allowed.empty()) return finish(JsonError(404, "no such route: " + request.path));
  if (request.method != allowed) {
    ServerResponse r = JsonError(
        405, request.method + " is not allowed on " + request.path + " (allowed: " + allowed + ")");
    r.headers.emplace_back("Allow", allowed);
    return finish(std::move(r));
  }

  if (request.method == "POST") {
    // A page elsewhere must not trigger runs: a browser always sends Origin
    // on POST; it must be this server itself or a configured origin.
    std::string host = request.Header("host");
    bool same_origin =
        !origin.empty() && (origin == "http://" + host || origin == "https://" + host);
    if (!origin.empty() && !same_origin && !cors) {
      return finish(JsonError(403, "origin " + origin + " may not call " + request.path +
                                       " (add it to server.cors_origins)"));
    }
  }
  Dispatch(request, finish);
}

std::string Api::StatusBody() {
  auto snap = d_.status.Get();
  if (snap->http_status != 200) return "";
  bool fresh = StatusCache::IsFresh(*snap, d_.clock.Now(), d_.config.fresh_for);
  // The document is serialized once per change; "fresh" is appended per call.
  std::string body = snap->compact;
  body.pop_back();
  if (body.size() > 1) body += ',';
  body += fresh ? "\"fresh\":true}" : "\"fresh\":false}";
  return body;
}

ServerResponse Api::Status() {
  auto snap = d_.status.Get();
  if (snap->http_status != 200) return JsonError(snap->http_status, snap->error);
  ServerResponse r;
  r.body = StatusBody();
  if (r.body.empty()) return JsonError(500, "the status document changed while reading it");
  return r;
}

void Api::Overview(const Respond& respond) {
  d_.heartbeats.GetAll([this, respond](std::vector<Heartbeat> beats) {
    auto snap = d_.status.Get();
    nlohmann::json out;
    out["syncStatus"] = snap->http_status == 200 ? snap->doc : nlohmann::json(nullptr);
    out["syncStatusFresh"] = StatusCache::IsFresh(*snap, d_.clock.Now(), d_.config.fresh_for);
    out["heartbeats"] = nlohmann::json::array();
    for (const auto& h : beats) out["heartbeats"].push_back(ToJson(h));
    out["timestamp"] = FormatIso8601(d_.clock.Now());
    if (snap->http_status == 500) out["syncStatusError"] = snap->error;
    respond(Json(200, out));
  });
}

ServerResponse Api::Asset(const std::string& path) {
  std::string want = path == "/" ? "/index.html" : path;
  for (const auto& asset : WebAssets()) {
    if (asset.path == want) {
      ServerResponse r;
      r.content_type = ContentTypeOf(asset.path);
      r.body = std::string(asset.content);
      r.headers.emplace_back("Cache-Control", "no-cache");
      r.headers.emplace_back("X-Content-Type-Options", "nosniff");
      return r;
    }
  }
  return JsonError(404, "no such file: " + path);
}

void Api::Dispatch(const ServerRequest& request, const Respond& respond) {
  const std::string& path = request.path;
  if (path == "/healthz") return respond(Healthz());
  if (path == "/api/sync/status") return respond(Status());
  if (path == "/api/sync/heartbeat") {
    return d_.heartbeats.GetAll([this, respond](std::vector<Heartbeat> beats) {
      nlohmann::json out = {{"timestamp", FormatIso8601(d_.clock.Now())},
                            {"heartbeats", nlohmann::json::array()}};
      for (const auto& h : beats) out["heartbeats"].push_back(ToJson(h));
      respond(Json(200, out));
    });
  }
  if (path.rfind(kHeartbeatPrefix, 0) == 0) {
    std::string key = path.substr(std::string(kHeartbeatPrefix).size());
    const auto& keys = HeartbeatService::Keys();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      return respond(
          JsonError(404, "unknown heartbeat target \"" + key + "\" (github, gcp, cloudflare)"));
    }
    return d_.heartbeats.Get(key, [respond](Heartbeat h) { respond(Json(200, ToJson(h))); });
  }
  if (path == "/api/sync/overview") return Overview(respond);
  if (path == "/api/sync/events") {
    ServerResponse r;
    r.event_stream = true;
    return respond(std::move(r));
  }
  if (path == "/api/sync/run") {
    if (!d_.loop.TriggerNow()) return respond(JsonError(409, "a sync is already running"));
    return respond(Json(202, {{"started", true}, {"dryRun", true}}));
  }
  if (path == "/api/sync/history") return respond(History(request.query));
  if (path == "/metrics") return Metrics(respond);
  respond(Asset(path));
}

}  // namespace infinity_sync
