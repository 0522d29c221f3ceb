#include "checks/docker_verdict.h"

#include <gtest/gtest.h>

namespace infinity_sync {
namespace {

ComposeService Svc(const std::string& name, const std::string& image, int replicas = 1) {
  ComposeService s;
  s.name = name;
  s.image = image;
  s.replicas = replicas;
  return s;
}

DockerContainer C(const std::string& service, int number, const std::string& image,
                  const std::string& state = "running", const std::string& status = "Up 2 hours",
                  const std::string& project = "shop") {
  DockerContainer c;
  c.id = service + std::to_string(number);
  c.name = project + "-" + service + "-" + std::to_string(number);
  c.project = project;
  c.service = service;
  c.number = number;
  c.image = image;
  c.state = state;
  c.status = status;
  c.health = HealthFromStatus(status);
  return c;
}

ComposeProject Shop() {
  ComposeProject p;
  p.name = "shop";
  p.working_dir = "/home/dev/shop";
  p.files = {"/home/dev/shop/compose.yaml", "/home/dev/shop/compose.override.yaml"};
  p.services = {Svc("db", "postgres:16"), Svc("web", "nginx:1.27", 2)};
  return p;
}

std::vector<std::string> Texts(const CheckResult& r) {
  std::vector<std::string> out;
  for (const auto& n : r.notes) out.push_back(n.text);
  return out;
}

bool HasLine(const CheckResult& r, const std::string& line) {
  for (const auto& t : Texts(r)) {
    if (t == line) return true;
  }
  return false;
}

std::string Dump(const CheckResult& r) {
  std::string out;
  for (const auto& t : Texts(r)) out += "  " + t + "\n";
  return out;
}

DockerSnapshot Snap(std::vector<DockerContainer> containers) {
  DockerSnapshot s;
  s.address = "unix:///var/run/docker.sock";
  s.api_version = "1.47";
  s.containers = std::move(containers);
  return s;
}

TEST(DockerVerdict, StaleImageByIdNotByName) {
  const std::string old_id = "sha256:" + std::string(64, '1');
  const std::string new_id = "sha256:" + std::string(64, '2');
  auto db = C("db", 1, "postgres:16");
  db.image_id = old_id;
  auto web1 = C("web", 1, "nginx:1.27");
  auto web2 = C("web", 2, "nginx:1.27");
  web1.image_id = web2.image_id = new_id;
  DockerSnapshot snap = Snap({db, web1, web2});
  EXPECT_EQ(ImagesToInspect(Shop(), snap.containers),
            (std::vector<std::string>{"postgres:16", "nginx:1.27"}));
  snap.image_ids = {{"postgres:16", new_id}, {"nginx:1.27", new_id}};
  auto r = JudgeDockerProject(Shop(), snap);
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync) << Dump(r);
  auto texts = Texts(r);
  EXPECT_NE(std::find(texts.begin(), texts.end(),
                      "db: image updated since the container started (postgres:16 is now "
                      "sha256:222222222222; shop-db-1 runs the previous one)"),
            texts.end())
      << Dump(r);
  ASSERT_TRUE(r.fix.has_value());
  EXPECT_EQ(r.fix->argv.back(), "db");
  // Not asked (or not present locally): no verdict on the ID.
  snap.image_ids.clear();
  EXPECT_EQ(JudgeDockerProject(Shop(), snap).status, CheckStatus::kSynced);
  // Once the name has moved, the Engine lists the old container by image ID.
  db.image = old_id;
  snap = Snap({db, web1, web2});
  EXPECT_EQ(ImagesToInspect(Shop(), snap.containers),
            (std::vector<std::string>{"postgres:16", "nginx:1.27"}));
  snap.image_ids = {{"postgres:16", new_id}, {"nginx:1.27", new_id}};
  EXPECT_EQ(JudgeDockerProject(Shop(), snap).status, CheckStatus::kOutOfSync);
  // A container on another name is the tag mismatch, not a stale image.
  auto other = C("db", 1, "postgres:15");
  EXPECT_EQ(ImagesToInspect(Shop(), {other, web1, web2}), std::vector<std::string>{"nginx:1.27"});
}

TEST(DockerVerdict, FixRunsTheComposeCommandGiven) {
  DockerSnapshot snap = Snap({C("web", 1, "nginx:1.27"), C("web", 2, "nginx:1.27")});
  snap.compose_command = {"docker-compose"};
  auto r = JudgeDockerProject(Shop(), snap);
  ASSERT_TRUE(r.fix.has_value());
  EXPECT_EQ(r.fix->argv.front(), "docker-compose");
  EXPECT_EQ(r.fix->argv[1], "-f");
}

TEST(DockerVerdict, AllRunningIsSynced) {
  auto r = JudgeDockerProject(
      Shop(), Snap({C("db", 1, "postgres:16", "running", "Up 2 hours (healthy)"),
                    C("web", 1, "nginx:1.27"), C("web", 2, "docker.io/library/nginx:1.27")}));
  EXPECT_EQ(r.status, CheckStatus::kSynced) << Dump(r);
  EXPECT_EQ(Texts(r),
            (std::vector<std::string>{
                "Docker daemon is running (API 1.47, unix:///var/run/docker.sock)",
                "Compose project: shop (compose.yaml, compose.override.yaml)",
                "Defined services: 2", "Running services: 2", "All services are running"}));
  EXPECT_FALSE(r.fix);
  nlohmann::json want = {{"project", "shop"},
                         {"services",
                          {{"db",
                            {{"defined", 1},
                             {"running", 1},
                             {"image", "postgres:16"},
                             {"health", "healthy"},
                             {"state", "running"}}},
                           {"web",
                            {{"defined", 2},
                             {"running", 2},
                             {"image", "nginx:1.27"},
                             {"health", "none"},
                             {"state", "running"}}}}},
                         {"orphans", nlohmann::json::array()}};
  EXPECT_EQ(r.data, want);
}

TEST(DockerVerdict, MissingServiceIsOutOfSyncWithAFix) {
  auto r = JudgeDockerProject(Shop(), Snap({C("web", 1, "nginx:1.27"), C("web", 2, "nginx:1.27")}));
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync);
  EXPECT_TRUE(HasLine(r, "db: 0/1 running (no container)")) << Dump(r);
  EXPECT_TRUE(HasLine(r, "Running services: 1"));
  EXPECT_TRUE(HasLine(r, "1 of 2 services out of sync"));
  EXPECT_EQ(r.data["services"]["db"]["state"], "missing");
  EXPECT_EQ(r.data["services"]["db"]["running"], 0);
  ASSERT_TRUE(r.fix);
  EXPECT_EQ(r.fix->argv,
            (std::vector<std::string>{"docker", "compose", "-f", "/home/dev/shop/compose.yaml",
                                      "-f", "/home/dev/shop/compose.override.yaml", "-p", "shop",
                                      "up", "-d", "db"}));
  EXPECT_EQ(r.fix->cwd, "/home/dev/shop");
  EXPECT_EQ(r.fix->description,
            "docker compose -f /home/dev/shop/compose.yaml -f "
            "/home/dev/shop/compose.override.yaml -p shop up -d db");
}

TEST(DockerVerdict, ExitedAndRestartingSayWhy) {
  auto r = JudgeDockerProject(
      Shop(), Snap({C("db", 1, "postgres:16", "exited", "Exited (0) 3 minutes ago"),
                    C("web", 1, "nginx:1.27", "restarting", "Restarting (1) 5 seconds ago"),
                    C("web", 2, "nginx:1.27", "exited", "Exited (137) 2 hours ago")}));
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync);
  EXPECT_TRUE(HasLine(r, "db: 0/1 running (exited 3 minutes ago)")) << Dump(r);
  EXPECT_TRUE(HasLine(
      r, "web: 0/2 running (restarting, last exit code 1; exited with code 137, 2 hours ago)"))
      << Dump(r);
  EXPECT_EQ(r.data["services"]["db"]["state"], "exited");
  EXPECT_EQ(r.data["services"]["web"]["state"], "restarting");
  ASSERT_TRUE(r.fix);
  EXPECT_EQ(r.fix->argv.back(), "web");
  EXPECT_EQ(r.fix->argv[r.fix->argv.size() - 2], "db");
}

TEST(DockerVerdict, UnhealthyAndStartingAreNotSynced) {
  auto r = JudgeDockerProject(
      Shop(), Snap({C("db", 1, "postgres:16", "running", "Up 5 minutes (unhealthy)"),
                    C("web", 1, "nginx:1.27", "running", "Up 1 second (health: starting)"),
                    C("web", 2, "nginx:1.27", "running", "Up 2 hours (healthy)")}));
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync);
  EXPECT_TRUE(HasLine(r, "db: shop-db-1 is unhealthy (Up 5 minutes (unhealthy))")) << Dump(r);
  EXPECT_TRUE(HasLine(r, "web: shop-web-1 health check is still starting")) << Dump(r);
  EXPECT_EQ(r.data["services"]["db"]["health"], "unhealthy");
  EXPECT_EQ(r.data["services"]["web"]["health"], "starting");
  EXPECT_FALSE(r.fix);  // up -d does not cure an unhealthy container
  EXPECT_NE(r.fix_withheld.find("docker compose -p shop logs db"), std::string::npos);
}

TEST(DockerVerdict, FewerAndMoreReplicas) {
  auto fewer =
      JudgeDockerProject(Shop(), Snap({C("db", 1, "postgres:16"), C("web", 1, "nginx:1.27")}));
  EXPECT_EQ(fewer.status, CheckStatus::kOutOfSync);
  EXPECT_TRUE(HasLine(fewer, "web: 1/2 running (1 not created)")) << Dump(fewer);
  EXPECT_EQ(fewer.data["services"]["web"]["state"], "missing");

  auto more =
      JudgeDockerProject(Shop(), Snap({C("db", 1, "postgres:16"), C("web", 1, "nginx:1.27"),
                                       C("web", 2, "nginx:1.27"), C("web", 3, "nginx:1.27")}));
  EXPECT_EQ(more.status, CheckStatus::kOutOfSync);
  EXPECT_TRUE(HasLine(more, "web: 3/2 running (more than defined)")) << Dump(more);
  ASSERT_TRUE(more.fix);
  EXPECT_EQ(more.fix->argv.back(), "web");
}

TEST(DockerVerdict, OrphansAreReportedNotRemoved) {
  auto r = JudgeDockerProject(Shop(), Snap({C("db", 1, "postgres:16"), C("web", 1, "nginx:1.27"),
                                            C("web", 2, "nginx:1.27"), C("cache", 1, "redis:7"),
                                            C("old", 1, "x", "exited", "Exited (0) 2 days ago")}));
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync);
  EXPECT_EQ(r.data["orphans"], nlohmann::json::array({"shop-cache-1"}));
  EXPECT_TRUE(HasLine(r, "orphan container shop-cache-1 (service \"cache\" is not defined)"))
      << Dump(r);
  EXPECT_TRUE(HasLine(r, "1 orphan containers"));
  EXPECT_FALSE(r.fix);
  EXPECT_NE(r.fix_withheld.find("--remove-orphans"), std::string::npos);
}

TEST(DockerVerdict, ImageMismatchComparesReferences) {
  auto r = JudgeDockerProject(Shop(), Snap({C("db", 1, "postgres:15"), C("web", 1, "nginx:1.27"),
                                            C("web", 2, "nginx:1.27")}));
  EXPECT_EQ(r.status, CheckStatus::kOutOfSync);
  EXPECT_TRUE(HasLine(r, "db: runs postgres:15, defined postgres:16")) << Dump(r);
  ASSERT_TRUE(r.fix);
  EXPECT_EQ(r.fix->argv.back(), "db");

  // Digest-pinned and build-only services are not compared by name; neither
  // is a container whose image shows as an ID.
  ComposeProject p = Shop();
  p.services = {Svc("db", "postgres@sha256:0123abcd"), Svc("web", ""), Svc("api", "shop/api:2")};
  p.services[1].build = true;
  auto ok = JudgeDockerProject(p, Snap({C("db", 1, "postgres:16"), C("web", 1, "shop-web"),
                                        C("api", 1, "sha256:5d41402abc4b2a76")}));
  EXPECT_EQ(ok.status, CheckStatus::kSynced) << Dump(ok);
  EXPECT_EQ(ok.data["services"]["web"]["image"], "shop-web");
}

TEST(DockerVerdict, IgnoresOneOffsOtherProjectsAndDisabledServices) {
  ComposeProject p = Shop();
  p.services.push_back(Svc("debug", "busybox"));
  p.services.back().enabled = false;
  p.services.back().profiles = {"debug"};
  p.active_profiles = {};
  DockerContainer oneoff = C("db", 1, "postgres:16", "exited", "Exited (1) 1 minute ago");
  oneoff.oneoff = true;
  auto r = JudgeDockerProject(p, Snap({C("db", 1, "postgres:16"), oneoff, C("web", 1, "nginx:1.27"),
                                       C("web", 2, "nginx:1.27"), C("debug", 1, "busybox"),
                                       C("web", 3, "nginx:1.27", "running", "Up", "other")}));
  EXPECT_EQ(r.status, CheckStatus::kSynced) << Dump(r);
  EXPECT_TRUE(HasLine(r, "Not enabled by the active profiles: debug"));
  EXPECT_FALSE(r.data["services"].contains("debug"));
}

TEST(DockerVerdict, ProfilesAreNamedInTheFix) {
  ComposeProject p = Shop();
  p.active_profiles = {"dev"};
  auto r = JudgeDockerProject(p, Snap({}));
  ASSERT_TRUE(r.fix);
  EXPECT_EQ(r.fix->description,
            "docker compose -f /home/dev/shop/compose.yaml -f "
            "/home/dev/shop/compose.override.yaml -p shop --profile dev up -d "
            "db web");
}

TEST(DockerVerdict, NormalizeImageRef) {
  EXPECT_EQ(NormalizeImageRef("nginx"), "docker.io/library/nginx:latest");
  EXPECT_EQ(NormalizeImageRef("nginx:1.27"), "docker.io/library/nginx:1.27");
  EXPECT_EQ(NormalizeImageRef("docker.io/library/nginx:1.27"), "docker.io/library/nginx:1.27");
  EXPECT_EQ(NormalizeImageRef("bitnami/redis"), "docker.io/bitnami/redis:latest");
  EXPECT_EQ(NormalizeImageRef("ghcr.io/acme/api:2"), "ghcr.io/acme/api:2");
  EXPECT_EQ(NormalizeImageRef("localhost:5000/api"), "localhost:5000/api:latest");
  EXPECT_EQ(NormalizeImageRef("nginx@sha256:abcd"), "");
  EXPECT_EQ(NormalizeImageRef("sha256:abcd"), "");
}

TEST(DockerVerdict, DescribeNotRunning) {
  EXPECT_EQ(DescribeNotRunning(C("a", 1, "x", "created", "Created")), "created, never started");
  EXPECT_EQ(DescribeNotRunning(C("a", 1, "x", "paused", "Up 3 hours (Paused)")), "paused");
  EXPECT_EQ(DescribeNotRunning(C("a", 1, "x", "dead", "Dead")), "dead");
  EXPECT_EQ(DescribeNotRunning(C("a", 1, "x", "exited", "Exited (3) 3 minutes ago")),
            "exited with code 3, 3 minutes ago");
}

}  // namespace
}  // namespace infinity_sync
