#include "cloud/docker_engine.h"

#include <gtest/gtest.h>

#include "lib/docker_world.h"
#include "lib/fake_ports.h"
#include "lib/map_env.h"
#include "lib/test_support.h"

namespace infinity_sync {
namespace {

using testing::ComposeContainer;
using testing::FakeDockerEngine;
using testing::TempDir;
using testing::WriteFile;

using testing::MapEnv;

TEST(DockerEngineHost, ParsesUnixAndTcp) {
  auto unix_ep = ParseDockerHost("unix:///run/user/1000/docker.sock");
  ASSERT_TRUE(unix_ep);
  EXPECT_EQ(unix_ep->unix_socket, "/run/user/1000/docker.sock");
  EXPECT_EQ(unix_ep->base_url, "http://docker");

  auto tcp = ParseDockerHost("tcp://10.0.0.5:2375");
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->unix_socket, "");
  EXPECT_EQ(tcp->base_url, "http://10.0.0.5:2375");
  EXPECT_EQ(ParseDockerHost("tcp://build-box/")->base_url, "http://build-box:2375");
  EXPECT_EQ(ParseDockerHost("tcp://[::1]")->base_url, "http://[::1]:2375");

  EXPECT_EQ(ParseDockerHost("ssh://me@box").error(),
            "Docker host \"ssh://me@box\": ssh:// addresses are not supported (use unix:// or "
            "tcp://)");
  EXPECT_EQ(ParseDockerHost("/var/run/docker.sock").error(),
            "Docker host \"/var/run/docker.sock\": expected unix:///path or tcp://host:port");
  EXPECT_FALSE(ParseDockerHost("unix://relative.sock"));
}

TEST(DockerEngineHost, ResolvesLikeTheCli) {
  TempDir dir;
  RealFileSystem fs;
  auto def = ResolveDockerEndpoint("", MapEnv({{"HOME", dir.str()}}), fs);
  ASSERT_TRUE(def) << def.error();
  EXPECT_EQ(def->address, "unix:///var/run/docker.sock");
  EXPECT_EQ(def->source, "default");

  auto env = ResolveDockerEndpoint("", MapEnv({{"DOCKER_HOST", "tcp://127.0.0.1:2375"}}), fs);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->source, "DOCKER_HOST");

  auto configured =
      ResolveDockerEndpoint("unix:///x.sock", MapEnv({{"DOCKER_HOST", "tcp://127.0.0.1:1"}}), fs);
  ASSERT_TRUE(configured);
  EXPECT_EQ(configured->address, "unix:///x.sock");
  EXPECT_EQ(configured->source, "docker.host");

  // A CLI context: config.json names it, meta/<sha256(name)>/meta.json holds the host.
  WriteFile(dir / ".docker/config.json", R"({"auths": {}, "currentContext": "colima"})");
  auto missing = ResolveDockerEndpoint("", MapEnv({{"HOME", dir.str()}}), fs);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("Docker context \"colima\" not found"), std::string::npos);
  const std::string meta =
      ".docker/contexts/meta/"
      "f24fd3749c1368328e2b149bec149cb6795619f244c5b584e844961215dadd16/"
      "meta.json";  // sha256("colima")
  WriteFile(dir / meta, R"({"Name": "colima", "Metadata": {},
      "Endpoints": {"docker": {"Host": "unix:///home/me/.colima/default/docker.sock",
                               "SkipTLSVerify": false}}})");
  auto context = ResolveDockerEndpoint("", MapEnv({{"HOME", dir.str()}}), fs);
  ASSERT_TRUE(context) << context.error();
  EXPECT_EQ(context->address, "unix:///home/me/.colima/default/docker.sock");
  EXPECT_EQ(context->source, "context colima");
  // DOCKER_CONTEXT=default and DOCKER_CONFIG are honoured.
  auto back =
      ResolveDockerEndpoint("", MapEnv({{"HOME", dir.str()}, {"DOCKER_CONTEXT", "default"}}), fs);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->source, "default");
  auto other_config = ResolveDockerEndpoint(
      "", MapEnv({{"HOME", "/nonexistent"}, {"DOCKER_CONFIG", dir / ".docker"}}), fs);
  ASSERT_TRUE(other_config);
  EXPECT_EQ(other_config->source, "context colima");

  auto tls = ResolveDockerEndpoint("tcp://10.0.0.5:2376", MapEnv({{"DOCKER_TLS_VERIFY", "1"}}), fs);
  ASSERT_FALSE(tls);
  EXPECT_NE(tls.error().find("DOCKER_TLS_VERIFY is set"), std::string::npos);
}

}  // namespace
}  // namespace infinity_sync

namespace infinity_sync {
namespace {

using testing::ComposeContainer;
using testing::FakeDockerEngine;

TEST(DockerEngineParse, ReadsASavedContainerList) {
  auto list = ParseContainerList(testing::ReadFile(testing::FixturePath("docker/containers.json")));
  ASSERT_TRUE(list) << list.error();
  ASSERT_EQ(list->size(), 3u);
  const auto& web = (*list)[0];
  EXPECT_EQ(web.name, "shop-web-1");
  EXPECT_EQ(web.image, "nginx:1.27-alpine");
  EXPECT_EQ(web.state, "running");
  EXPECT_EQ(web.health, "healthy");
  EXPECT_EQ(web.project, "shop");
  EXPECT_EQ(web.service, "web");
  EXPECT_EQ(web.number, 1);
  EXPECT_FALSE(web.oneoff);
  EXPECT_EQ(web.created, 1771370000);
  EXPECT_EQ((*list)[1].state, "exited");
  EXPECT_EQ((*list)[1].health, "");
  EXPECT_TRUE((*list)[2].oneoff);
  EXPECT_EQ((*list)[2].health, "starting");
}

TEST(DockerEngineParse, BadInputIsAClearError) {
  struct Case {
    std::string body;
    std::string error;
  };
  std::vector<Case> cases = {
      {"", "not valid JSON"},
      {"[{\"Id\": \"a\", ", "not valid JSON"},
      {"{\"message\": \"x\"}", "expected a JSON list of containers"},
      {"[1]", "item 0: not an object"},
      {"[{\"Id\": \"a\", \"State\": 3}]", "item 0: \"State\" is not a string"},
      {"[{\"Id\": \"a\", \"State\": \"running\"}, {\"State\": \"running\"}]", "item 1: no \"Id\""},
      {"[{\"Id\": \"a\"}]", "item 0: no \"State\""},
      {"[{\"Id\": \"a\", \"State\": \"running\", \"Names\": \"/x\"}]",
       "item 0: \"Names\" is not a list"},
      {"[{\"Id\": \"a\", \"State\": \"running\", \"Labels\": [\"k=v\"]}]",
       "item 0: \"Labels\" is not an object"},
      {"[{\"Id\": \"a\", \"State\": \"running\", \"Labels\": {\"k\": 1}}]",
       "item 0: label \"k\" is not a string"},
      {"[{\"Id\": \"a\", \"State\": \"running\", \"Created\": \"yesterday\"}]",
       "item 0: \"Created\" is not a whole number"},
  };
  for (const auto& c : cases) {
    auto r = ParseContainerList(c.body);
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error(), c.error) << c.body;
  }
  auto empty = ParseContainerList("[]");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(DockerEngineParse, HealthAndMessages) {
  EXPECT_EQ(HealthFromStatus("Up 5 minutes (unhealthy)"), "unhealthy");
  EXPECT_EQ(HealthFromStatus("Up 1 second (health: starting)"), "starting");
  EXPECT_EQ(HealthFromStatus("Up 2 hours (healthy)"), "healthy");
  EXPECT_EQ(HealthFromStatus("Up 2 hours"), "");
  // The structured field, when the daemon sends one, wins over the text.
  auto list = ParseContainerList(
      R"j([{"Id":"a","State":"running","Status":"Up 1 second (health: starting)",)j"
      R"j("Health":{"Status":"unhealthy","FailingStreak":3}},)j"
      R"j({"Id":"b","State":"running","Status":"Up 2 hours (healthy)"},)j"
      R"j({"Id":"c","State":"running","Status":"Up 2 hours","Health":{"Status":"none"}}])j");
  ASSERT_TRUE(list) << list.error();
  EXPECT_EQ((*list)[0].health, "unhealthy");
  EXPECT_EQ((*list)[1].health, "healthy");
  EXPECT_EQ((*list)[2].health, "");
  EXPECT_EQ(DaemonMessage(R"({"message":"client version 1.41 is too old"})"),
            "client version 1.41 is too old");
  EXPECT_EQ(DaemonMessage("page not found\n"), "page not found");
  EXPECT_EQ(DaemonMessage(""), "(empty answer)");
  EXPECT_EQ(UrlEncode(R"({"label":{"a=b":true}})"), "%7B%22label%22%3A%7B%22a%3Db%22%3Atrue%7D%7D");
}

nlohmann::json Scenario(const std::string& api = "1.45") {
  return {{"api_version", api},
          {"min_api_version", "1.44"},
          {"containers",
           {ComposeContainer("shop", "web", 1, "nginx:1.27"),
            ComposeContainer("shop", "db", 1, "postgres:16", "exited"),
            ComposeContainer("other", "web", 1, "nginx:1.27")}}};
}

// The real HTTP client (the fake daemon listens on a socket or a port) under a
// CallScope with five seconds left, its evidence kept.
struct CurlScope {
  testing::FakeWorld world;
  CurlHttpClient http;
  Ports ports{world.process, http, world.dns, world.fs, world.clock, world.ports.env};
  Evidence evidence;
  CallScope scope{ports, std::chrono::steady_clock::now() + std::chrono::seconds(5), {}, &evidence};
};

TEST(DockerEngineClient, NegotiatesTheVersionAndFiltersByProject) {
  FakeDockerEngine engine(Scenario("1.45"));
  CurlScope http;
  DockerEngineClient client(http.scope, *ParseDockerHost(engine.host()));
  PingOutcome ping = client.Ping();
  ASSERT_TRUE(ping.reachable) << ping.error;
  EXPECT_EQ(ping.error, "");
  EXPECT_EQ(ping.api_version, "1.45");
  ListOutcome list = client.ListProjectContainers("shop", ping.api_version);
  ASSERT_EQ(list.error, "");
  ASSERT_EQ(list.containers.size(), 2u);  // stopped ones too, not the other project's
  EXPECT_EQ(list.containers[0].name, "shop-web-1");
  EXPECT_EQ(list.containers[1].state, "exited");

  auto requests = engine.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["method"], "HEAD");
  EXPECT_EQ(requests[0]["path"], "/_ping");
  EXPECT_EQ(requests[0]["headers"]["Host"], "docker");
  EXPECT_EQ(requests[1]["path"], "/v1.45/containers/json");
  EXPECT_EQ(requests[1]["headers"]["Host"], "docker");
  EXPECT_EQ(requests[1]["query"],
            "all=1&filters=" + UrlEncode(R"({"label":{"com.docker.compose.project=shop":true}})"));
}

TEST(DockerEngineClient, InspectsAnImageByName) {
  nlohmann::json scenario = Scenario("1.45");
  scenario["images"] = {{"registry.example.com:5000/team/app:2", "sha256:abc"}};
  FakeDockerEngine engine(scenario);
  CurlScope http;
  DockerEngineClient client(http.scope, *ParseDockerHost(engine.host()));
  ImageOutcome found = client.InspectImage("registry.example.com:5000/team/app:2", "1.45");
  EXPECT_EQ(found.error, "");
  EXPECT_TRUE(found.found);
  EXPECT_EQ(found.id, "sha256:abc");
  ImageOutcome absent = client.InspectImage("nginx:1.27", "1.45");
  EXPECT_EQ(absent.error, "");
  EXPECT_TRUE(absent.reachable);
  EXPECT_FALSE(absent.found);
  auto requests = engine.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["path"], "/v1.45/images/registry.example.com:5000/team/app:2/json");
}

TEST(DockerEngineClient, FakeHonoursTheListFormOfFiltersAndAll) {
  FakeDockerEngine engine(Scenario());
  CurlHttpClient http;
  HttpRequest req;
  req.unix_socket = engine.socket_path();
  req.url = "http://docker/v1.45/containers/json?filters=" +
            UrlEncode(R"({"label":["com.docker.compose.project=shop"]})");
  auto running = ParseContainerList(http.Send(req).body);
  ASSERT_TRUE(running);
  EXPECT_EQ(running->size(), 1u);  // without all=1 only running containers
  req.url += "&all=1";
  auto all = ParseContainerList(http.Send(req).body);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
  req.url = "http://docker/v1.41/containers/json";
  HttpResponse old = http.Send(req);
  EXPECT_EQ(old.status, 400);
  EXPECT_NE(DaemonMessage(old.body).find("client version 1.41 is too old"), std::string::npos);
}

TEST(DockerEngineClient, FallsBackToGetAndUnversionedPaths) {
  nlohmann::json s = Scenario();
  s["ping"] = {{"head", "refuse"}, {"api_version", nullptr}};
  FakeDockerEngine engine(s);
  CurlScope http;
  DockerEngineClient client(http.scope, *ParseDockerHost(engine.host()));
  PingOutcome ping = client.Ping();
  ASSERT_EQ(ping.error, "");
  EXPECT_EQ(ping.api_version, "");
  ListOutcome list = client.ListProjectContainers("shop", ping.api_version);
  EXPECT_EQ(list.error, "");
  auto requests = engine.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1]["method"], "GET");
  EXPECT_EQ(requests[2]["path"], "/containers/json");
}

TEST(DockerEngineClient, DaemonErrorsAndBadAnswers) {
  struct Case {
    nlohmann::json list;
    std::string error;
  };
  std::vector<Case> cases = {
      {{{"status", 500}, {"body", {{"message", "layer does not exist"}}}},
       "the daemon answered HTTP 500: layer does not exist"},
      {{{"raw", "<html>oops"}}, "the daemon sent an unreadable container list: not valid JSON"},
      {{{"raw", R"([{"Id": 7, "State": "running"}])"}},
       "the daemon sent an unreadable container list: item 0: \"Id\" is not a string"},
      {{{"reset", true}}, "listing containers failed: "},
      {{{"oversized_mb", 20}}, "listing containers failed: answer larger than 16 MB"},
  };
  for (const auto& c : cases) {
    nlohmann::json s = Scenario();
    s["list"] = c.list;
    FakeDockerEngine engine(s);
    CurlScope http;
    DockerEngineClient client(http.scope, *ParseDockerHost(engine.host()));
    ListOutcome list = client.ListProjectContainers("shop", "1.45");
    EXPECT_EQ(list.error.rfind(c.error, 0), 0u) << c.list << " -> " << list.error;
  }
}

TEST(DockerEngineClient, PingProblems) {
  CurlScope http;
  testing::TempDir dir;
  DockerEngineClient nobody(http.scope, *ParseDockerHost("unix://" + (dir / "none.sock")));
  PingOutcome down = nobody.Ping();
  EXPECT_FALSE(down.reachable);
  EXPECT_TRUE(down.connect_failed);

  nlohmann::json s = Scenario();
  s["ping"] = {{"api_version", "v-next"}};
  FakeDockerEngine garbage(s);
  DockerEngineClient client(http.scope, *ParseDockerHost(garbage.host()));
  PingOutcome bad = client.Ping();
  EXPECT_TRUE(bad.reachable);
  EXPECT_EQ(bad.error, "the daemon sent an invalid Api-Version header \"v-next\"");

  s["ping"] = {{"status", 500}, {"body", {{"message", "daemon is shutting down"}}}};
  FakeDockerEngine failing(s);
  DockerEngineClient client2(http.scope, *ParseDockerHost(failing.host()));
  PingOutcome err = client2.Ping();
  EXPECT_EQ(err.error, "the daemon answered /_ping with HTTP 500: daemon is shutting down");
}

TEST(DockerEngineClient, SpeaksPlainHttpOverTcp) {
  FakeDockerEngine engine(Scenario(), /*tcp=*/true);
  ASSERT_EQ(engine.host().rfind("tcp://127.0.0.1:", 0), 0u);
  CurlScope http;
  DockerEngineClient client(http.scope, *ParseDockerHost(engine.host()));
  PingOutcome ping = client.Ping();
  ASSERT_EQ(ping.error, "");
  ListOutcome list = client.ListProjectContainers("shop", ping.api_version);
  EXPECT_EQ(list.error, "");
  EXPECT_EQ(list.containers.size(), 2u);
}

}  // namespace
}  // namespace infinity_sync
