#include "server/routes.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>

#include "core/maintenance.h"
#include "core/status_json.h"
#include "core/time_format.h"
#include "server/listen_address.h"
#include "server/web_assets.h"
#include "store/history_json.h"

namespace infinity_sync {
namespace {

constexpr const char* kHeartbeatPrefix = "/api/sync/heartbeat/";
constexpr const char* kBadgePrefix = "/badge/";
constexpr const char* kBadgeRoute = "/badge/{check}.svg";

// The row of Api::Routes() that answers `path`, or null. Exact paths first,
// then prefixes; the dashboard's files are the one route whose paths come
// from elsewhere (the embedded assets). Classifying allocates nothing.
const Api::Route* Classify(std::string_view path) {
  const auto& routes = Api::Routes();
  for (const auto& r : routes) {
    if (!r.prefix && path == r.path) return &r;
  }
  for (const auto& r : routes) {
    if (r.prefix && path.rfind(r.path, 0) == 0) return &r;
  }
  for (const auto& asset : WebAssets()) {
    if (asset.path == path) {
      for (const auto& r : routes) {
        if (std::string_view(r.label) == "/{asset}") return &r;
      }
    }
  }
  return nullptr;
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

bool IsAllowedOrigin(const Config& config, const std::string& origin) {
  const auto& allowed = config.server.cors_origins;
  return std::find(allowed.begin(), allowed.end(), origin) != allowed.end();
}

// The DNS-rebinding guard's list: loopback names and addresses, and
// server.allowed_hosts. `name` as HostNameOf gives it.
bool IsAllowedHostName(const Config& config, const std::string& name) {
  if (name.empty()) return false;
  if (IsLoopbackHost(name)) return true;
  for (const auto& allowed : config.server.allowed_hosts) {
    if (HostNameOf(allowed) == name) return true;
  }
  return false;
}

// Whether `scheme` (from an Authorization value) is `want`, ignoring case (RFC 9110 11.1).
bool SchemeIs(std::string_view value, std::string_view want) {
  if (value.size() <= want.size() || value[want.size()] != ' ') return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) !=
        std::tolower(static_cast<unsigned char>(want[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool SecretEquals(const std::string& presented, const std::string& expected) {
  // Both sides are hashed first, so the comparison time depends neither on
  // where the bytes differ nor on the lengths; the digests are compared in
  // constant time. (SHA-256 itself runs in time linear in the input length.)
  unsigned char a[SHA256_DIGEST_LENGTH];
  unsigned char b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), b);
  bool same_digest = CRYPTO_memcmp(a, b, sizeof a) == 0;
  bool same_length = presented.size() == expected.size();
  return same_digest & same_length;
}

std::string Api::RouteLabel(const std::string& path) {
  const Route* r = Classify(path);
  return r != nullptr ? r->label : "other";
}

void Api::Handle(ServerRequest request, Respond respond) {
  auto start = d_.clock.SteadyNow();
  const Route* matched = Classify(request.path);
  const char* route = matched != nullptr ? matched->label : "other";
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

  const std::string& token = d_.config.server.token;
  // DNS rebinding: a page on evil.example whose name now resolves to
  // 127.0.0.1 reaches this server with "Host: evil.example". Without a token
  // nothing else stands in its way, so the Host must be a name of this machine.
  // A request with no Host at all comes from no browser (curl -H "Host:"); it passes.
  if (token.empty()) {
    std::string host = request.Header("host");
    if (!host.empty() && !IsAllowedHostName(d_.config, HostNameOf(host))) {
      return finish(JsonError(403, "host not allowed: " + host));
    }
  }

  const std::string allowed = matched != nullptr ? matched->method : "";
  // What the Allow header lists: a GET route answers HEAD too (the server
  // sends GET's head without the body).
  const std::string allow_list = allowed == "GET" ? "GET, HEAD" : allowed;
  // CORS preflight: answered before the token check, as browsers send none.
  if (request.method == "OPTIONS" && !allowed.empty()) {
    ServerResponse r;
    r.status = 204;
    r.content_type = "text/plain";
    r.headers.emplace_back("Allow", allow_list + ", OPTIONS");
    if (cors) {
      r.headers.emplace_back("Access-Control-Allow-Methods", allowed);
      r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
      r.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    return finish(std::move(r));
  }

  // The dashboard's files hold no data and must load before the page can ask
  // for the token it then sends with every API call.
  // server.public_badges: a README's image cannot send a token.
  Access access = matched != nullptr ? matched->access : Access::kToken;
  bool open =
      access == Access::kOpen || (access == Access::kPublicBadge && d_.config.server.public_badges);
  if (!token.empty() && !open) {
    std::string auth = request.Header("authorization");
    std::size_t start = 7;  // "Bearer "
    while (start < auth.size() && auth[start] == ' ') ++start;
    bool ok = SchemeIs(auth, "Bearer") && SecretEquals(auth.substr(start), token);
    if (!ok) {
      ServerResponse r =
          JsonError(401, "missing or wrong token: send Authorization: Bearer <token>");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"infinity-sync\"");
      return finish(std::move(r));
    }
  }

  if (allowed.empty()) return finish(JsonError(404, "no such route: " + request.path));
  bool head_as_get = request.method == "HEAD" && allowed == "GET";
  if (request.method != allowed && !head_as_get) {
    ServerResponse r = JsonError(405, request.method + " is not allowed on " + request.path +
                                          " (allowed: " + allow_list + ")");
    r.headers.emplace_back("Allow", allow_list);
    return finish(std::move(r));
  }

  if (request.method == "POST") {
    // A page elsewhere must not trigger runs: a browser always sends Origin
    // on POST; it must name this machine (loopback, server.allowed_hosts) or
    // be a configured origin. Never compared with Host, which the page's
    // side controls under DNS rebinding.
    bool own = !origin.empty() && IsAllowedHostName(d_.config, OriginHostName(origin));
    if (!origin.empty() && !own && !cors) {
      return finish(JsonError(403, "origin " + origin + " may not call " + request.path +
                                       " (add it to server.cors_origins, or its host name to "
                                       "server.allowed_hosts)"));
    }
  }
  matched->answer(*this, request, finish);
}

std::string Api::StatusBody() {
  auto snap = d_.status.Get();
  if (snap->http_status != 200) return "";
  Freshness f =
      AssessFreshness(snap->has_timestamp, snap->timestamp, d_.clock.Now(), d_.config.fresh_for);
  // The document is serialized once per change; "fresh" is appended per call.
  std::string body = snap->compact;
  body.pop_back();
  if (body.size() > 1) body += ',';
  body += f.fresh ? "\"fresh\":true" : "\"fresh\":false";
  if (!f.detail.empty()) body += ",\"freshDetail\":" + nlohmann::json(f.detail).dump();
  body += '}';
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

namespace {

// `,"timestamp":"..."}`: the per-request tail of the overview and heartbeat bodies.
void AppendTimestampTail(std::string* body, std::chrono::system_clock::time_point now) {
  *body += ",\"timestamp\":\"";
  *body += FormatIso8601(now);
  *body += "\"}";
}

}  // namespace

int Api::BodyRebuilds() const {
  std::lock_guard<std::mutex> lock(cache_mu_);
  return rebuilds_;
}

std::shared_ptr<const std::string> Api::HeartbeatsArray(const std::vector<Heartbeat>& beats) {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (beats_part_.text && beats_part_.beats == beats) return beats_part_.text;
  }
  nlohmann::json array = nlohmann::json::array();
  for (const auto& h : beats) array.push_back(ToJson(h));
  auto text = std::make_shared<const std::string>(array.dump());
  std::lock_guard<std::mutex> lock(cache_mu_);
  beats_part_ = CachedPart{nullptr, beats, text};
  ++rebuilds_;
  return text;
}

std::shared_ptr<const std::string> Api::OverviewPrefix(
    const std::shared_ptr<const StatusCache::Snapshot>& snap, const std::vector<Heartbeat>& beats) {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (overview_part_.text && overview_part_.snap == snap && overview_part_.beats == beats) {
      return overview_part_.text;
    }
  }
  // The keys in the order nlohmann::json writes them (sorted), so the body is
  // byte for byte what serializing the whole object would give.
  std::string text = "{\"heartbeats\":";
  text += *HeartbeatsArray(beats);
  text += ",\"syncStatus\":";
  text += snap->http_status == 200 ? snap->compact : "null";
  if (snap->http_status == 500)
    text += ",\"syncStatusError\":" + nlohmann::json(snap->error).dump();
  auto shared = std::make_shared<const std::string>(std::move(text));
  std::lock_guard<std::mutex> lock(cache_mu_);
  overview_part_ = CachedPart{snap, beats, shared};
  ++rebuilds_;
  return shared;
}

void Api::Overview(const Respond& respond) {
  d_.heartbeats.GetAll([this, respond](std::vector<Heartbeat> beats) {
    auto snap = d_.status.Get();
    auto prefix = OverviewPrefix(snap, beats);
    auto now = d_.clock.Now();
    ServerResponse r;
    r.body.reserve(prefix->size() + 64);
    r.body = *prefix;
    r.body += StatusCache::IsFresh(*snap, now, d_.config.fresh_for) ? ",\"syncStatusFresh\":true"
                                                                    : ",\"syncStatusFresh\":false";
    if (auto window = ActiveMaintenanceAt(d_.config.maintenance, now)) {
      // Only while a window holds notifications back (docs/notifications.md).
      r.body += ",\"syncStatusMaintenance\":" +
                nlohmann::json({{"until", FormatIso8601(window->until)}, {"window", window->what}})
                    .dump();
    }
    AppendTimestampTail(&r.body, now);
    respond(std::move(r));
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

ServerResponse Api::Projects() {
  if (!d_.projects) {
    return JsonError(404, "this server has one project: set projects: in its configuration");
  }
  return Json(200, {{"timestamp", FormatIso8601(d_.clock.Now())}, {"projects", d_.projects()}});
}

nlohmann::json ProjectRow(const Config& config, const StatusCache::Snapshot& snap,
                          std::chrono::system_clock::time_point now) {
  nlohmann::json row = {
      {"name", config.project}, {"environment", config.environment},
      {"overall", nullptr},     {"lastRun", nullptr},
      {"commit", nullptr},      {"fresh", StatusCache::IsFresh(snap, now, config.fresh_for)}};
  if (snap.http_status != 200) return row;
  row["overall"] = OverallWord(snap.exit_code);
  if (snap.has_timestamp) row["lastRun"] = FormatIso8601(snap.timestamp);
  const auto& lineage = snap.doc.value("lineage", nlohmann::json::object());
  if (lineage.is_object() && lineage.contains("hops") && lineage["hops"].is_array()) {
    for (const auto& hop : lineage["hops"]) {
      if (hop.is_object() && hop.value("hop", "") == "local" && hop.contains("commit") &&
          hop["commit"].is_string()) {
        row["commit"] = hop["commit"];
      }
    }
  }
  return row;
}

void Api::Heartbeats(const Respond& respond) {
  d_.heartbeats.GetAll([this, respond](std::vector<Heartbeat> beats) {
    auto array = HeartbeatsArray(beats);
    ServerResponse r;
    r.body.reserve(array->size() + 64);
    r.body = "{\"heartbeats\":";
    r.body += *array;
    AppendTimestampTail(&r.body, d_.clock.Now());
    respond(std::move(r));
  });
}

void Api::HeartbeatOf(const std::string& path, const Respond& respond) {
  std::string key = path.substr(std::string(kHeartbeatPrefix).size());
  const auto& keys = HeartbeatService::Keys();
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
    return respond(
        JsonError(404, "unknown heartbeat target \"" + key + "\" (github, gcp, cloudflare)"));
  }
  d_.heartbeats.Get(key, [respond](Heartbeat h) { respond(Json(200, ToJson(h))); });
}

ServerResponse Api::StartRun() {
  if (d_.loop.Running()) return JsonError(409, "a sync is already running");
  // A run of another process (`infinity-sync run`) holds the lock: the sync
  // would find it taken and be skipped, so say so instead of 202.
  if (d_.fs != nullptr) {
    if (auto holder = d_.fs->LockHolder(d_.config.status_file + ".lock")) {
      ServerResponse r = JsonError(
          409, "another infinity-sync run holds the lock " + d_.config.status_file + ".lock" +
                   (holder->empty() ? std::string() : " (pid " + *holder + ")"));
      if (!holder->empty() && holder->size() <= 9) {
        // The pid on its own too, for scripts.
        auto body = nlohmann::json::parse(r.body);
        body["pid"] = std::stoll(*holder);
        r.body = body.dump();
      }
      return r;
    }
  }
  if (!d_.loop.TriggerNow()) return JsonError(409, "a sync is already running");
  return Json(202, {{"started", true}, {"dryRun", true}});
}

const std::vector<Api::Route>& Api::Routes() {
  using R = const ServerRequest&;
  using D = const Respond&;
  static const std::vector<Route> routes = {
      {"/healthz", false, "GET", "/healthz", Access::kOpen,
       [](Api& a, R, D done) { done(a.Healthz()); }},
      {"/api/sync/status", false, "GET", "/api/sync/status", Access::kToken,
       [](Api& a, R, D done) { done(a.Status()); }},
      {"/api/sync/heartbeat", false, "GET", "/api/sync/heartbeat", Access::kToken,
       [](Api& a, R, D done) { a.Heartbeats(done); }},
      {kHeartbeatPrefix, true, "GET", "/api/sync/heartbeat/{target}", Access::kToken,
       [](Api& a, R req, D done) { a.HeartbeatOf(req.path, done); }},
      {"/api/sync/overview", false, "GET", "/api/sync/overview", Access::kToken,
       [](Api& a, R, D done) { a.Overview(done); }},
      {"/api/sync/events", false, "GET", "/api/sync/events", Access::kToken,
       [](Api& a, R, D done) {
         ServerResponse r;
         r.event_stream = true;
         r.stream_channel = a.events_channel();
         done(std::move(r));
       }},
      {"/api/sync/history", false, "GET", "/api/sync/history", Access::kToken,
       [](Api& a, R req, D done) { done(a.History(req.query)); }},
      {"/api/sync/run", false, "POST", "/api/sync/run", Access::kToken,
       [](Api& a, R, D done) { done(a.StartRun()); }},
      {"/api/fleet", false, "GET", "/api/fleet", Access::kToken,
       [](Api& a, R, D done) { done(a.Fleet()); }},
      {"/api/projects", false, "GET", "/api/projects", Access::kToken,
       [](Api& a, R, D done) { done(a.Projects()); }},
      {"/metrics", false, "GET", "/metrics", Access::kToken,
       [](Api& a, R, D done) { a.Metrics(done); }},
      {kBadgePrefix, true, "GET", kBadgeRoute, Access::kPublicBadge,
       [](Api& a, R req, D done) { done(a.Badge(req.path)); }},
      {"/", false, "GET", "/", Access::kOpen,
       [](Api& a, R req, D done) { done(a.Asset(req.path)); }},
      // The dashboard's other files: matched by Classify from WebAssets().
      {"", false, "GET", "/{asset}", Access::kOpen,
       [](Api& a, R req, D done) { done(a.Asset(req.path)); }},
  };
  return routes;
}

}  // namespace infinity_sync
