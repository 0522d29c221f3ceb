// GET /badge/{check}.svg and /badge/overall.svg: status badges for a README.
#include <curl/curl.h>

#include "server/badge.h"
#include "server/routes.h"

namespace infinity_sync {
namespace {

constexpr std::string_view kBadgePrefix = "/badge/";
constexpr std::string_view kSvg = ".svg";

// Percent-decoding of the path part ("CustomCheck%3Aredis"), by libcurl.
std::string Unescaped(std::string_view text) {
  int length = 0;
  char* out = curl_easy_unescape(nullptr, text.data(), static_cast<int>(text.size()), &length);
  if (out == nullptr) return std::string(text);
  std::string s(out, static_cast<std::size_t>(length));
  curl_free(out);
  return s;
}

}  // namespace

ServerResponse Api::Badge(const std::string& path) {
  std::string_view rest = std::string_view(path).substr(kBadgePrefix.size());
  if (rest.size() <= kSvg.size() || rest.substr(rest.size() - kSvg.size()) != kSvg) {
    return JsonError(404, "no such badge: " + path + " (badges are /badge/{check}.svg and " +
                              "/badge/overall.svg)");
  }
  std::string name = Unescaped(rest.substr(0, rest.size() - kSvg.size()));
  auto snap = d_.status.Get();
  const nlohmann::json* doc = snap->http_status == 200 ? &snap->doc : nullptr;
  bool fresh = StatusCache::IsFresh(*snap, d_.clock.Now(), d_.config.fresh_for);
  auto badge = BadgeFor(doc, fresh, name, d_.config);
  if (!badge) {
    return JsonError(404, "no such check: \"" + name +
                              "\" (a document key such as GitSync, a section such as git, a "
                              "custom check's name, or overall)");
  }
  ServerResponse r;
  r.content_type = "image/svg+xml";
  r.body = BadgeSvg(*badge);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // Opened on its own, the image may run nothing and load nothing.
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'");
  return r;
}

}  // namespace infinity_sync
