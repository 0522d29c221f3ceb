#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/env_expand.h"
#include "core/result.h"
#include "ports/call_scope.h"
#include "ports/file_system.h"
#include "ports/http_client.h"

namespace infinity_sync {

// Where the Docker Engine listens, and how to reach it over HTTP.
struct DockerEndpoint {
  std::string address;      // as the user wrote it: "unix:///var/run/docker.sock"
  std::string source;       // "docker.host", "DOCKER_HOST", "context NAME" or "default"
  std::string unix_socket;  // set for unix:// addresses
  std::string base_url;  // "http://docker" on a socket (so Host: docker), else "http://host:port"
};

// Parses a Docker host address: unix:///path or tcp://host[:port] (port 2375
// by default). Other schemes (ssh://, npipe://) are an Error that says so.
Result<DockerEndpoint> ParseDockerHost(const std::string& host);

// The endpoint the docker CLI would use: `configured` (docker.host) if set,
// else $DOCKER_HOST, else the current context ($DOCKER_CONTEXT, else
// currentContext in $DOCKER_CONFIG/config.json, default ~/.docker), else
// unix:///var/run/docker.sock. TLS (DOCKER_TLS_VERIFY) is not supported and
// is an Error.
Result<DockerEndpoint> ResolveDockerEndpoint(const std::string& configured, const EnvLookup& env,
                                             FileSystem& fs);

// One item of GET /containers/json, with the compose labels picked out.
struct DockerContainer {
  std::string id;
  std::string name;  // without the leading '/'
  std::string image;
  std::string image_id;
  std::string state;   // created | running | paused | restarting | exited | removing | dead
  std::string status;  // "Up 2 hours (healthy)", "Exited (1) 3 minutes ago"
  std::string health;  // healthy | unhealthy | starting | "" (no health check): the
                       // structured Health.Status when the daemon sends it, else from Status
  std::int64_t created = 0;
  std::string project;  // com.docker.compose.project
  std::string service;  // com.docker.compose.service
  int number = 0;       // com.docker.compose.container-number
  bool oneoff = false;  // com.docker.compose.oneoff=True (`compose run`)
};

// Parses the body of GET /containers/json. Errors say which item and field is
// wrong ("item 3: \"State\" is not a string").
Result<std::vector<DockerContainer>> ParseContainerList(std::string_view body);

// The health a container's Status text shows: "(unhealthy)", "(health: starting)",
// "(healthy)", or "" when it has no health check.
std::string HealthFromStatus(std::string_view status);

// The daemon's error text: the "message" of a {"message": ...} body, else the
// start of the body.
std::string DaemonMessage(std::string_view body);

// The outcome of one call to the daemon (its evidence lines are the scope's).
struct EngineCall {
  bool reachable = false;       // a connection was made and HTTP came back
  bool connect_failed = false;  // nothing listens at the address (refused, no such socket)
  std::string error;            // empty on success; one line
};
struct PingOutcome : EngineCall {
  std::string api_version;  // from the Api-Version header; "" when the daemon sent none
};
struct ListOutcome : EngineCall {
  std::vector<DockerContainer> containers;
};
struct ImageOutcome : EngineCall {
  bool found = false;  // false: the daemon has no image of that name (HTTP 404)
  std::string id;      // "sha256:..." (.Id)
};

// A client of the Docker Engine API, over its UNIX socket or TCP, through a
// CallScope: every call is bounded by the scope's deadline, stopped with it and
// leaves its evidence line there ("HEAD http://docker/_ping via
// /var/run/docker.sock -> HTTP 200 (1 ms)"). Thread-safe as the scope is; holds
// no connection between calls.
class DockerEngineClient {
 public:
  DockerEngineClient(const CallScope& scope, DockerEndpoint endpoint)
      : scope_(scope), endpoint_(std::move(endpoint)) {}

  // HEAD /_ping (GET when HEAD is refused) and the API version to use.
  PingOutcome Ping() const;
  // GET /v{api}/containers/json?all=1&filters={"label":{"com.docker.compose.project=P":true}}
  // (unversioned when `api_version` is empty): every container of the project,
  // stopped ones too.
  ListOutcome ListProjectContainers(const std::string& project,
                                    const std::string& api_version) const;

  // GET /v{api}/images/{reference}/json: the image a name points to now.
  ImageOutcome InspectImage(const std::string& reference, const std::string& api_version) const;

  const DockerEndpoint& endpoint() const { return endpoint_; }

 private:
  HttpResponse Send(const std::string& method, const std::string& path_and_query) const;

  CallScope scope_;
  DockerEndpoint endpoint_;
};

// How to run compose for a fix: {"docker", "compose"} when the compose v2 CLI
// plugin is installed (in $DOCKER_CONFIG/cli-plugins, ~/.docker/cli-plugins or
// the system plugin folders), else {"docker-compose"} when that is on $PATH,
// else {"docker", "compose"}.
std::vector<std::string> ComposeCommand(const EnvLookup& env, FileSystem& fs);

// Percent-encodes `text` for a URL query value.
std::string UrlEncode(std::string_view text);

}  // namespace infinity_sync
