#include "cloud/docker_engine.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace infinity_sync {
namespace {

using nlohmann::json;

constexpr const char* kDefaultHost = "unix:///var/run/docker.sock";
constexpr const char* kProjectLabel = "com.docker.compose.project";

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string out;
  for (unsigned char b : digest) out += fmt::format("{:02x}", b);
  return out;
}

// The host of a docker CLI context, from its meta.json.
Result<std::string> ContextHost(const std::string& name, const std::string& config_dir,
                                FileSystem& fs) {
  std::string meta = config_dir + "/contexts/meta/" + Sha256Hex(name) + "/meta.json";
  auto text = fs.ReadFile(meta);
  if (!text) return Error{fmt::format("Docker context \"{}\" not found ({})", name, meta)};
  json doc = json::parse(*text, nullptr, false);
  const json* host = nullptr;
  if (doc.is_object() && doc.contains("Endpoints") && doc["Endpoints"].is_object() &&
      doc["Endpoints"].contains("docker") && doc["Endpoints"]["docker"].is_object()) {
    auto it = doc["Endpoints"]["docker"].find("Host");
    if (it != doc["Endpoints"]["docker"].end() && it->is_string()) host = &*it;
  }
  if (host == nullptr) {
    return Error{fmt::format("Docker context \"{}\" has no docker Host ({})", name, meta)};
  }
  return host->get<std::string>();
}

bool IsApiVersion(const std::string& v) {
  auto dot = v.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == v.size()) return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != dot && !std::isdigit(static_cast<unsigned char>(v[i]))) return false;
  }
  return true;
}

// A string field of a container item; absent or null is "", anything else an Error.
Status GetString(const json& item, const char* key, std::size_t index, std::string* out) {
  auto it = item.find(key);
  if (it == item.end() || it->is_null()) return Ok{};
  if (!it->is_string()) return Error{fmt::format("item {}: \"{}\" is not a string", index, key)};
  *out = it->get<std::string>();
  return Ok{};
}

}  // namespace

Result<DockerEndpoint> ParseDockerHost(const std::string& host) {
  DockerEndpoint ep;
  ep.address = host;
  if (host.rfind("unix://", 0) == 0) {
    ep.unix_socket = host.substr(7);
    if (ep.unix_socket.empty() || ep.unix_socket[0] != '/') {
      return Error{fmt::format("Docker host \"{}\": expected unix:///absolute/path", host)};
    }
    ep.base_url = "http://docker";
    return ep;
  }
  std::string rest;
  if (host.rfind("tcp://", 0) == 0) {
    rest = host.substr(6);
  } else if (host.rfind("http://", 0) == 0) {
    rest = host.substr(7);
  } else {
    auto scheme = host.find("://");
    if (scheme != std::string::npos) {
      return Error{fmt::format(
          "Docker host \"{}\": {}:// addresses are not supported (use unix:// or tcp://)", host,
          host.substr(0, scheme))};
    }
    return Error{fmt::format("Docker host \"{}\": expected unix:///path or tcp://host:port", host)};
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos) {
    return Error{fmt::format("Docker host \"{}\": expected tcp://host:port", host)};
  }
  bool bracketed = rest.front() == '[';
  auto colon = rest.rfind(':');
  bool has_port = colon != std::string::npos && (!bracketed || colon > rest.find(']'));
  if (!has_port) rest += ":2375";
  ep.base_url = "http://" + rest;
  return ep;
}

Result<DockerEndpoint> ResolveDockerEndpoint(const std::string& configured, const EnvLookup& env,
                                             FileSystem& fs) {
  std::string host;
  std::string source;
  if (!configured.empty()) {
    host = configured;
    source = "docker.host";
  } else if (auto h = env("DOCKER_HOST"); h && !h->empty()) {
    host = *h;
    source = "DOCKER_HOST";
  } else {
    std::string config_dir = env("DOCKER_CONFIG").value_or("");
    if (config_dir.empty()) config_dir = env("HOME").value_or("") + "/.docker";
    std::string context = env("DOCKER_CONTEXT").value_or("");
    if (context.empty()) {
      if (auto text = fs.ReadFile(config_dir + "/config.json")) {
        json doc = json::parse(*text, nullptr, false);
        if (doc.is_object() && doc.contains("currentContext") &&
            doc["currentContext"].is_string()) {
          context = doc["currentContext"].get<std::string>();
        }
      }
    }
    if (!context.empty() && context != "default") {
      auto h2 = ContextHost(context, config_dir, fs);
      if (!h2) return Error{h2.error()};
      host = *h2;
      source = "context " + context;
    } else {
      host = kDefaultHost;
      source = "default";
    }
  }
  auto ep = ParseDockerHost(host);
  if (!ep) return Error{ep.error() + " (from " + source + ")"};
  std::string tls = env("DOCKER_TLS_VERIFY").value_or("");
  if (ep->unix_socket.empty() && !tls.empty() && tls != "0") {
    return Error{
        fmt::format("DOCKER_TLS_VERIFY is set: TLS connections to the Docker daemon at {} "
                    "are not supported yet",
                    host)};
  }
  ep->source = source;
  return ep;
}

std::string HealthFromStatus(std::string_view status) {
  if (status.find("(unhealthy)") != std::string_view::npos) return "unhealthy";
  if (status.find("(health: starting)") != std::string_view::npos) return "starting";
  if (status.find("(healthy)") != std::string_view::npos) return "healthy";
  return "";
}

std::string DaemonMessage(std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_object()) {
    auto it = doc.find("message");
    if (it != doc.end() && it->is_string()) return it->get<std::string>();
  }
  std::string text(body.substr(0, 200));
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text.empty() ? "(empty answer)" : text;
}

Result<std::vector<DockerContainer>> ParseContainerList(std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return Error{"not valid JSON"};
  if (!doc.is_array()) return Error{"expected a JSON list of containers"};
  std::vector<DockerContainer> out;
  out.reserve(doc.size());
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const json& item = doc[i];
    if (!item.is_object()) return Error{fmt::format("item {}: not an object", i)};
    DockerContainer c;
    for (auto [key, field] :
         {std::pair{"Id", &c.id}, std::pair{"Image", &c.image}, std::pair{"ImageID", &c.image_id},
          std::pair{"State", &c.state}, std::pair{"Status", &c.status}}) {
      if (auto ok = GetString(item, key, i, field); !ok) return Error{ok.error()};
    }
    if (c.id.empty()) return Error{fmt::format("item {}: no \"Id\"", i)};
    if (c.state.empty()) return Error{fmt::format("item {}: no \"State\"", i)};
    if (auto it = item.find("Names"); it != item.end() && !it->is_null()) {
      if (!it->is_array()) return Error{fmt::format("item {}: \"Names\" is not a list", i)};
      for (const auto& n : *it) {
        if (!n.is_string()) return Error{fmt::format("item {}: \"Names\" holds a non-string", i)};
      }
      if (!it->empty()) {
        c.name = (*it)[0].get<std::string>();
        if (!c.name.empty() && c.name[0] == '/') c.name.erase(0, 1);
      }
    }
    if (auto it = item.find("Created"); it != item.end() && !it->is_null()) {
      if (!it->is_number_integer()) {
        return Error{fmt::format("item {}: \"Created\" is not a whole number", i)};
      }
      c.created = it->get<std::int64_t>();
    }
    if (auto it = item.find("Labels"); it != item.end() && !it->is_null()) {
      if (!it->is_object()) return Error{fmt::format("item {}: \"Labels\" is not an object", i)};
      for (const auto& [k, v] : it->items()) {
        if (!v.is_string()) {
          return Error{fmt::format("item {}: label \"{}\" is not a string", i, k)};
        }
      }
      auto label = [&](const char* name) {
        auto l = it->find(name);
        return l == it->end() ? std::string() : l->get<std::string>();
      };
      c.project = label(kProjectLabel);
      c.service = label("com.docker.compose.service");
      std::string number = label("com.docker.compose.container-number");
      c.number = std::atoi(number.c_str());
      std::string oneoff = label("com.docker.compose.oneoff");
      std::transform(oneoff.begin(), oneoff.end(), oneoff.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      c.oneoff = oneoff == "true";
    }
    if (c.name.empty()) c.name = c.id.substr(0, 12);
    c.health = HealthFromStatus(c.status);
    // Newer daemons list the health itself; it wins over the Status text.
    if (auto it = item.find("Health"); it != item.end() && it->is_object()) {
      auto st = it->find("Status");
      if (st != it->end() && st->is_string()) {
        std::string h = st->get<std::string>();
        c.health = h == "none" ? "" : h;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> ComposeCommand(const EnvLookup& env, FileSystem& fs) {
  std::vector<std::string> dirs;
  std::string config = env("DOCKER_CONFIG").value_or("");
  std::string home = env("HOME").value_or("");
  if (!config.empty()) dirs.push_back(config + "/cli-plugins");
  if (!home.empty()) dirs.push_back(home + "/.docker/cli-plugins");
  for (const char* d :
       {"/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
        "/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins"}) {
    dirs.push_back(d);
  }
  for (const auto& d : dirs) {
    if (fs.Stat(d + "/docker-compose")) return {"docker", "compose"};
  }
  std::string path = env("PATH").value_or("");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(start, colon - start);
    if (!dir.empty() && fs.Stat(dir + "/docker-compose")) return {"docker-compose"};
    start = colon + 1;
  }
  return {"docker", "compose"};
}

std::string UrlEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

HttpResponse DockerEngineClient::Send(const std::string& method,
                                      const std::string& path_and_query) const {
  HttpRequest req;
  req.method = method;
  req.url = endpoint_.base_url + path_and_query;
  req.unix_socket = endpoint_.unix_socket;
  req.timeout = scope_.Remaining();
  req.headers = {{"Accept", "application/json"}, {"User-Agent", "infinity-sync"}};
  if (!endpoint_.unix_socket.empty()) req.headers.push_back({"Host", "docker"});
  return scope_.Send(req);
}

PingOutcome DockerEngineClient::Ping() const {
  PingOutcome out;
  auto budget = scope_.Clamp(scope_.Remaining());  // for the message only
  HttpResponse res = Send("HEAD", "/_ping");
  if (res.answered && res.status != 200) {
    // Daemons that refuse HEAD still answer GET.
    res = Send("GET", "/_ping");
  }
  if (!res.answered) {
    out.connect_failed = res.error_code == 7;  // CURLE_COULDNT_CONNECT
    out.error = res.timed_out ? fmt::format("no answer within {} ms", budget.count()) : res.error;
    return out;
  }
  out.reachable = true;
  if (res.status != 200) {
    out.error = fmt::format("the daemon answered /_ping with HTTP {}: {}", res.status,
                            DaemonMessage(res.body));
    return out;
  }
  out.api_version = res.Header("api-version");
  if (!out.api_version.empty() && !IsApiVersion(out.api_version)) {
    out.error =
        fmt::format("the daemon sent an invalid Api-Version header \"{}\"", out.api_version);
  }
  return out;
}

ListOutcome DockerEngineClient::ListProjectContainers(const std::string& project,
                                                      const std::string& api_version) const {
  ListOutcome out;
  auto budget = scope_.Clamp(scope_.Remaining());  // for the message only
  json filters = {{"label", {{std::string(kProjectLabel) + "=" + project, true}}}};
  std::string path = (api_version.empty() ? "" : "/v" + api_version) + "/containers/json";
  HttpResponse res = Send("GET", path + "?all=1&filters=" + UrlEncode(filters.dump()));
  if (!res.answered) {
    out.error = res.timed_out ? fmt::format("the daemon did not list the containers within {} ms",
                                            budget.count())
                              : "listing containers failed: " + res.error;
    return out;
  }
  out.reachable = true;
  if (res.status != 200) {
    out.error = fmt::format("the daemon answered HTTP {}: {}", res.status, DaemonMessage(res.body));
    return out;
  }
  auto list = ParseContainerList(res.body);
  if (!list) {
    out.error = "the daemon sent an unreadable container list: " + list.error();
    return out;
  }
  out.containers = std::move(*list);
  scope_.Note(fmt::format("  {} containers of project {}", out.containers.size(), project));
  return out;
}

}  // namespace infinity_sync

namespace infinity_sync {

ImageOutcome DockerEngineClient::InspectImage(const std::string& reference,
                                              const std::string& api_version) const {
  ImageOutcome out;
  auto budget = scope_.Clamp(scope_.Remaining());  // for the message only
  // The reference goes in the path as the docker CLI sends it: '/', ':' and
  // '@' as they are, everything else percent-encoded.
  std::string ref;
  for (char c : reference) {
    ref += (c == '/' || c == ':' || c == '@') ? std::string(1, c) : UrlEncode(std::string(1, c));
  }
  std::string path = (api_version.empty() ? "" : "/v" + api_version) + "/images/" + ref + "/json";
  HttpResponse res = Send("GET", path);
  if (!res.answered) {
    out.error = res.timed_out ? fmt::format("the daemon did not describe image {} within {} ms",
                                            reference, budget.count())
                              : "inspecting image " + reference + " failed: " + res.error;
    return out;
  }
  out.reachable = true;
  if (res.status == 404) return out;
  if (res.status != 200) {
    out.error = fmt::format("the daemon answered HTTP {} for image {}: {}", res.status, reference,
                            DaemonMessage(res.body));
    return out;
  }
  json doc = json::parse(res.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("Id") || !doc["Id"].is_string()) {
    out.error = "the daemon sent an unreadable description of image " + reference;
    return out;
  }
  out.found = true;
  out.id = doc["Id"].get<std::string>();
  scope_.Note("  image " + reference + " is " + out.id.substr(0, 19));
  return out;
}

}  // namespace infinity_sync
