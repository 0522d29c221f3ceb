#include "cloud/compose.h"
#include "lib/map_env.h"

#include <map>
#include <memory>

#include <gtest/gtest.h>

namespace infinity_sync {
namespace {

using testing::MapEnv;

Result<ComposeProject> Load(const std::vector<ComposeSource>& files,
                            std::map<std::string, std::string> env = {},
                            ComposeOptions options = {}) {
  if (options.working_dir.empty()) options.working_dir = "/home/dev/My Shop.v2";
  return LoadComposeProject(files, options, MapEnv(std::move(env)));
}

TEST(DockerComposeInterpolation, FollowsComposeRules) {
  auto env = MapEnv({{"SET", "value"}, {"EMPTY", ""}});
  auto I = [&](const std::string& text) {
    auto r = InterpolateCompose(text, env);
    return r ? *r : "ERROR: " + r.error();
  };
  EXPECT_EQ(I("plain text"), "plain text");
  EXPECT_EQ(I("$$HOME and $${SET}"), "$HOME and ${SET}");
  EXPECT_EQ(I("$SET/${SET}"), "value/value");
  EXPECT_EQ(I("[${UNSET}]"), "[]");
  EXPECT_EQ(I("${UNSET:-dflt} ${EMPTY:-dflt} ${SET:-dflt}"), "dflt dflt value");
  EXPECT_EQ(I("${UNSET-dflt} [${EMPTY-dflt}]"), "dflt []");
  EXPECT_EQ(I("${SET:+alt} [${EMPTY:+alt}] [${EMPTY+alt}] [${UNSET+alt}]"), "alt [] [alt] []");
  EXPECT_EQ(I("${UNSET:-${SET}-x}"), "value-x");
  EXPECT_EQ(I("${UNSET:-${ALSO_UNSET:-deep}}"), "deep");
  EXPECT_EQ(I("${SET:?must be set}"), "value");
  EXPECT_EQ(I("${UNSET:?set DB_PASSWORD in .env}"),
            "ERROR: required variable UNSET is missing a value: set DB_PASSWORD in .env");
  EXPECT_EQ(I("${EMPTY:?}"), "ERROR: required variable EMPTY is missing a value");
  EXPECT_EQ(I("[${EMPTY?no}]"), "[]");
  EXPECT_EQ(I("${UNSET?no}"), "ERROR: required variable UNSET is missing a value: no");
  // A '$' not followed by a name, '$' or '{' stays as written (compose-go).
  EXPECT_EQ(I("costs 5$"), "costs 5$");
  EXPECT_EQ(I("^[a-z]+$"), "^[a-z]+$");
  EXPECT_EQ(I("$1 and $-x"), "$1 and $-x");
  // A default may hold braces; a set variable gives its value exactly.
  EXPECT_EQ(I("${UNSET:-{\"json\":1}}"), "{\"json\":1}");
  EXPECT_EQ(I("${SET:-{\"json\":1}}"), "value");
  EXPECT_EQ(I("${SET:-{a}}-tail"), "value-tail");
  EXPECT_EQ(I("${UNSET:-${SET:+{x}}}"), "{x}");
  EXPECT_NE(I("${}").find("ERROR: invalid interpolation"), std::string::npos);
  EXPECT_NE(I("${SET").find("ERROR: unterminated"), std::string::npos);
  EXPECT_NE(I("${SET:*x}").find("ERROR: invalid interpolation"), std::string::npos);
}

TEST(DockerComposeDotEnv, ParsesTheFormsComposeAccepts) {
  std::string text =
      "# comment\n"
      "\n"
      "export TAG=1.25\n"
      "IMAGE=nginx:${TAG}   # inline comment\n"
      "SINGLE='literal ${TAG} $$'\n"
      "DOUBLE=\"line1\\nline2 ${TAG}\"\n"
      "MULTI=\"first\n"
      "second\"\n"
      "FROM_SHELL\n"
      "EMPTY=\n"
      "WITH_HASH=a#b\n";
  auto vars = ParseDotEnv(text, ".env", MapEnv({{"FROM_SHELL", "shell"}}));
  ASSERT_TRUE(vars) << vars.error();
  EXPECT_EQ(vars->at("TAG"), "1.25");
  EXPECT_EQ(vars->at("IMAGE"), "nginx:1.25");
  EXPECT_EQ(vars->at("SINGLE"), "literal ${TAG} $$");
  EXPECT_EQ(vars->at("DOUBLE"), "line1\nline2 1.25");
  EXPECT_EQ(vars->at("MULTI"), "first\nsecond");
  EXPECT_EQ(vars->at("FROM_SHELL"), "shell");
  EXPECT_EQ(vars->at("EMPTY"), "");
  EXPECT_EQ(vars->at("WITH_HASH"), "a#b");
}

TEST(DockerComposeDotEnv, BadLinesNameFileAndLine) {
  auto bad = ParseDotEnv("A=1\n\n9BAD=2\n", "/p/.env", MapEnv({}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "/p/.env:3: \"9BAD\" is not a valid variable name");
  auto open = ParseDotEnv("A=\"never closed\n", "/p/.env", MapEnv({}));
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().find("/p/.env:1: unterminated \" quote in the value of A"),
            std::string::npos);
}

TEST(DockerComposeProjectName, NormalizesFolderNames) {
  EXPECT_EQ(NormalizeProjectName("My Shop.v2"), "myshopv2");
  EXPECT_EQ(NormalizeProjectName("__-Api_Server-"), "api_server-");
  EXPECT_EQ(NormalizeProjectName("..."), "");
  EXPECT_TRUE(IsValidProjectName("shop_2-x"));
  EXPECT_FALSE(IsValidProjectName("_shop"));
  EXPECT_FALSE(IsValidProjectName("Shop"));
  EXPECT_FALSE(IsValidProjectName(""));
}

// A typical stack: web on an image, db with a healthcheck, a build-only worker.
constexpr const char* kTypical = R"(version: "3.8"
services:
  web:
    image: "nginx:${NGINX_TAG:-1.27-alpine}"
    ports: ["8080:80"]
    depends_on:
      db: {condition: service_healthy}
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${DB_PASSWORD:-secret}
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
    volumes: [pgdata:/var/lib/postgresql/data]
  worker:
    build:
      context: ./worker
    healthcheck:
      disable: true
volumes:
  pgdata: {}
)";

TEST(DockerComposeModel, ReadsATypicalStack) {
  auto p = Load({{"/home/dev/shop/compose.yaml", kTypical}}, {{"NGINX_TAG", "1.25"}});
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->name, "myshopv2");
  EXPECT_EQ(p->name_source, "folder");
  ASSERT_EQ(p->services.size(), 3u);
  EXPECT_EQ(p->services[0].name, "db");
  EXPECT_EQ(p->services[0].image, "postgres:16");
  EXPECT_TRUE(p->services[0].healthcheck);
  EXPECT_EQ(p->services[1].name, "web");
  EXPECT_EQ(p->services[1].image, "nginx:1.25");
  EXPECT_FALSE(p->services[1].healthcheck);
  EXPECT_EQ(p->services[2].name, "worker");
  EXPECT_EQ(p->services[2].image, "");
  EXPECT_TRUE(p->services[2].build);
  EXPECT_FALSE(p->services[2].healthcheck);
  for (const auto& s : p->services) {
    EXPECT_EQ(s.replicas, 1);
    EXPECT_TRUE(s.enabled);
  }
}

TEST(DockerComposeModel, ProjectNamePrecedence) {
  std::string named = "name: from-file\nservices: {web: {image: nginx}}\n";
  auto from_file = Load({{"c.yaml", named}});
  ASSERT_TRUE(from_file) << from_file.error();
  EXPECT_EQ(from_file->name, "from-file");
  auto from_env = Load({{"c.yaml", named}}, {{"COMPOSE_PROJECT_NAME", "from-env"}});
  ASSERT_TRUE(from_env);
  EXPECT_EQ(from_env->name, "from-env");
  ComposeOptions opts;
  opts.project_name = "explicit";
  auto explicit_name = Load({{"c.yaml", named}}, {{"COMPOSE_PROJECT_NAME", "from-env"}}, opts);
  ASSERT_TRUE(explicit_name);
  EXPECT_EQ(explicit_name->name, "explicit");
  auto interpolated = Load({{"c.yaml", "name: shop-${STAGE:-dev}\nservices: {w: {image: x}}\n"}});
  ASSERT_TRUE(interpolated);
  EXPECT_EQ(interpolated->name, "shop-dev");
  // compose v2 normalises name: like a folder name instead of refusing it.
  auto odd = Load({{"c.yaml", "name: _My Shop.v2\nservices: {w: {image: x}}\n"}});
  ASSERT_TRUE(odd) << odd.error();
  EXPECT_EQ(odd->name, "myshopv2");
  EXPECT_EQ(odd->name_source, "name: (c.yaml:1:7)");
  ComposeOptions empty_folder;
  empty_folder.working_dir = "/tmp/___";
  auto none = Load({{"c.yaml", "services: {w: {image: x}}\n"}}, {}, empty_folder);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("cannot derive a project name from the folder \"___\""),
            std::string::npos);
}

constexpr const char* kProfiles = R"(services:
  app:
    image: shop/app:2.1
  debug:
    image: busybox
    profiles: [debug]
  mail:
    image: mailhog/mailhog
    profiles: ["dev", "test"]
)";

TEST(DockerComposeModel, ProfilesEnableServices) {
  auto none = Load({{"c.yaml", kProfiles}});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->Find("app")->enabled);
  EXPECT_FALSE(none->Find("debug")->enabled);
  EXPECT_FALSE(none->Find("mail")->enabled);

  auto env = Load({{"c.yaml", kProfiles}}, {{"COMPOSE_PROFILES", "test, other"}});
  ASSERT_TRUE(env);
  EXPECT_FALSE(env->Find("debug")->enabled);
  EXPECT_TRUE(env->Find("mail")->enabled);
  EXPECT_EQ(env->active_profiles, (std::vector<std::string>{"test", "other"}));

  ComposeOptions opts;
  opts.profiles = {"debug"};  // configured profiles win over COMPOSE_PROFILES
  auto configured = Load({{"c.yaml", kProfiles}}, {{"COMPOSE_PROFILES", "test"}}, opts);
  ASSERT_TRUE(configured);
  EXPECT_TRUE(configured->Find("debug")->enabled);
  EXPECT_FALSE(configured->Find("mail")->enabled);

  auto all = Load({{"c.yaml", kProfiles}}, {{"COMPOSE_PROFILES", "*"}});
  ASSERT_TRUE(all);
  for (const auto& s : all->services) EXPECT_TRUE(s.enabled) << s.name;
}

TEST(DockerComposeModel, OverrideFileMergesOntoTheBase) {
  std::string base = kTypical;
  std::string override_text = R"(services:
  web:
    image: nginx:1.27
    scale: 2
  db:
    healthcheck: !reset null
  worker:
    image: shop/worker:dev
  mail:
    image: mailhog/mailhog
    profiles: [dev]
)";
  std::string second_override = "services:\n  mail:\n    profiles: !reset []\n";
  auto p = Load({{"compose.yaml", base},
                 {"compose.override.yaml", override_text},
                 {"extra.yaml", second_override}});
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->files.size(), 3u);
  EXPECT_EQ(p->Find("web")->image, "nginx:1.27");
  EXPECT_EQ(p->Find("web")->replicas, 2);
  EXPECT_FALSE(p->Find("db")->healthcheck);
  EXPECT_EQ(p->Find("worker")->image, "shop/worker:dev");
  EXPECT_TRUE(p->Find("worker")->build);
  ASSERT_NE(p->Find("mail"), nullptr);
  EXPECT_TRUE(p->Find("mail")->enabled);
  EXPECT_TRUE(p->Find("mail")->profiles.empty());
}

TEST(DockerComposeModel, AnchorsAndMergeKeys) {
  std::string text = R"(x-common: &common
  image: shop/base:${TAG:-3}
  healthcheck:
    test: ["CMD", "true"]
  deploy:
    replicas: 2
x-extra: &extra
  profiles: [batch]
  image: ignored/because-common-comes-first
services:
  api:
    <<: *common
  jobs:
    <<: [*common, *extra]
    deploy:
      replicas: 1
  plain:
    image: nginx
    healthcheck: *anchor_free
)";
  // An undefined alias is a YAML error with its place.
  auto bad = Load({{"/p/compose.yaml", text}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().rfind("/p/compose.yaml:19:18: ", 0), 0u) << bad.error();

  text.replace(text.find("*anchor_free"), 12, "{test: [\"NONE\"]}");
  auto p = Load({{"/p/compose.yaml", text}});
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->Find("api")->image, "shop/base:3");
  EXPECT_EQ(p->Find("api")->replicas, 2);
  EXPECT_TRUE(p->Find("api")->healthcheck);
  EXPECT_EQ(p->Find("jobs")->image, "shop/base:3");
  EXPECT_EQ(p->Find("jobs")->replicas, 1);
  EXPECT_EQ(p->Find("jobs")->profiles, (std::vector<std::string>{"batch"}));
  EXPECT_FALSE(p->Find("plain")->healthcheck);
  EXPECT_EQ(p->services.size(), 3u);  // x- extensions are not services
}

TEST(DockerComposeModel, Replicas) {
  auto p = Load({{"c.yaml", R"(services:
  a: {image: x, scale: 3}
  b: {image: x, deploy: {replicas: 2}}
  c: {image: x, scale: 2, deploy: {replicas: 2}}
  d: {image: x, scale: 0}
  e: {image: x, deploy: {replicas: "${N:-4}"}}
)"}});
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->Find("a")->replicas, 3);
  EXPECT_EQ(p->Find("b")->replicas, 2);
  EXPECT_EQ(p->Find("c")->replicas, 2);
  EXPECT_EQ(p->Find("d")->replicas, 0);
  EXPECT_EQ(p->Find("e")->replicas, 4);

  auto conflict = Load({{"/p/compose.yaml", R"(services:
  web:
    image: nginx
    scale: 2
    deploy:
      replicas: 3
)"}});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error(),
            "/p/compose.yaml:4:12: services.web: scale (2) and deploy.replicas (3, at "
            "/p/compose.yaml:6:17) differ; compose refuses distinct values");
}

TEST(DockerComposeModel, ErrorsNameFileLineColumnAndKey) {
  struct Case {
    std::string text;
    std::string error;
  };
  std::vector<Case> cases = {
      {"services:\n  web:\n    image: nginx\n   bad indent: 1\n", "/p/c.yaml:4:4: "},
      {"services:\n  web: {image: nginx, scale: two}\n",
       "/p/c.yaml:2:30: services.web.scale: expected a whole number, got \"two\""},
      {"services:\n  web: {image: nginx, scale: -1}\n",
       "/p/c.yaml:2:30: services.web.scale: expected a whole number, got \"-1\""},
      {"services:\n  - web\n", "/p/c.yaml:2:3: services: expected a mapping of services"},
      {"services:\n  web:\n",
       "/p/c.yaml:2:3: services.web: expected a mapping of service settings"},
      {"services:\n  web:\n    ports: [80]\n",
       "/p/c.yaml:3:5: services.web: has neither an image nor a build context"},
      {"services:\n  web:\n    image: [nginx]\n",
       "/p/c.yaml:3:12: services.web.image: expected a string"},
      {"services:\n  web:\n    image: nginx\n    profiles: debug\n",
       "/p/c.yaml:4:15: services.web.profiles: expected a list of strings"},
      {"services:\n  db:\n    image: postgres\n    environment:\n      PW: ${DB_PW:?set DB_PW}\n",
       "/p/c.yaml:5:11: services.db.environment.PW: required variable DB_PW is missing a value: "
       "set DB_PW"},
      {"services:\n  web:\n    image: nginx\n    command: echo ${5}\n",
       "/p/c.yaml:4:14: services.web.command: invalid interpolation format"},
      {"services:\n  web:\n    image: nginx\n    image: nginx:2\n",
       "/p/c.yaml:4:5: services.web.image: duplicate key (first defined at line 3, column 5)"},
      {"services:\n  web: {image: nginx, depends_on: [db]}\n",
       "/p/c.yaml:2:36: services.web.depends_on: service \"db\" is not defined"},
      {"services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: {a: {}}}\n",
       "/p/c.yaml:2:6: services.a.depends_on: dependency cycle a -> b -> a"},
      {"services:\n  a: {image: x, extends: b}\n  b: {extends: a}\n",
       "/p/c.yaml:2:6: services.a: extends cycle: /p/c.yaml:a -> /p/c.yaml:b -> /p/c.yaml:a"},
      {"services:\n  a: {extends: nothere}\n",
       "/p/c.yaml:2:16: services.a.extends: cannot extend service \"a\": no service \"nothere\""},
      {"include: [git@github.com:x/y.git]\nservices: {w: {image: x}}\n",
       "/p/c.yaml:1:11: include[0]: remote include not supported: git@github.com:x/y.git"},
      {"web:\n  image: nginx\n",
       "/p/c.yaml: the version 1 format (services at the top level) is not read by compose v2"},
      {"", "/p/c.yaml: the file is empty"},
      {"- a\n- b\n", "/p/c.yaml:1:1: expected a mapping with services:"},
  };
  for (const auto& c : cases) {
    auto p = Load({{"/p/c.yaml", c.text}});
    ASSERT_FALSE(p) << c.text;
    EXPECT_EQ(p.error().rfind(c.error, 0), 0u) << "got: " << p.error() << "\nwant: " << c.error;
  }
}

// An in-memory file tree for include:, extends.file and env_file:.
ComposeOptions WithFiles(std::map<std::string, std::string> files) {
  ComposeOptions o;
  o.working_dir = "/p";
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(files));
  o.read_file = [shared](const std::string& path) -> Result<std::string> {
    auto it = shared->find(path);
    if (it == shared->end()) return Error{path + " does not exist"};
    return it->second;
  };
  o.file_exists = [shared](const std::string& path) { return shared->count(path) > 0; };
  return o;
}

TEST(DockerComposeModel, ExtendsAnotherFileInheritsItsSettings) {
  auto opts = WithFiles({{"/p/common/base.yaml",
                          "services:\n  app:\n    image: nginx:${TAG:-1}\n    scale: 2\n"
                          "  other:\n    extends: app\n    deploy: {replicas: 2}\n"}});
  auto p = Load(
      {{"/p/c.yaml", "services:\n  web:\n    extends: {file: common/base.yaml, service: other}\n"}},
      {{"TAG", "7"}}, opts);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->Find("web")->image, "nginx:7");
  EXPECT_EQ(p->Find("web")->replicas, 2);
  auto missing = Load(
      {{"/p/c.yaml", "services:\n  web:\n    extends: {file: nope.yaml, service: x}\n"}}, {}, opts);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("/p/nope.yaml does not exist"), std::string::npos)
      << missing.error();
}

TEST(DockerComposeModel, IncludeBringsServicesTheFileOverrides) {
  auto opts = WithFiles({{"/p/db/compose.yaml", "services:\n  db:\n    image: pg:${PG}\n"},
                         {"/p/db/.env", "PG=15\n"},
                         {"/p/loop.yaml", "include: [c.yaml]\nservices: {x: {image: x}}\n"}});
  auto p = Load({{"/p/c.yaml",
                  "include:\n  - db/compose.yaml\nservices:\n  db:\n    scale: 2\n  web:\n"
                  "    image: nginx\n    depends_on: [db]\n"}},
                {}, opts);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->Find("db")->image, "pg:15");
  EXPECT_EQ(p->Find("db")->replicas, 2);
  auto loop = Load({{"/p/c.yaml", "include: [loop.yaml]\nservices: {w: {image: x}}\n"}}, {}, opts);
  ASSERT_FALSE(loop);
  EXPECT_NE(loop.error().find("include cycle: /p/c.yaml -> /p/loop.yaml -> /p/c.yaml"),
            std::string::npos)
      << loop.error();
  auto gone = Load({{"/p/c.yaml", "include: [absent.yaml]\n"}}, {}, opts);
  ASSERT_FALSE(gone);
  EXPECT_NE(gone.error().find("/p/absent.yaml does not exist"), std::string::npos) << gone.error();
}

TEST(DockerComposeModel, EnvFileRequiredUnlessSaidOtherwise) {
  auto opts = WithFiles({{"/p/a.env", "A=1\n"}});
  auto ok = Load({{"/p/c.yaml",
                   "services:\n  web:\n    image: x\n    env_file:\n      - a.env\n"
                   "      - {path: b.env, required: false}\n"}},
                 {}, opts);
  ASSERT_TRUE(ok) << ok.error();
  auto missing =
      Load({{"/p/c.yaml", "services:\n  web:\n    image: x\n    env_file: b.env\n"}}, {}, opts);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(),
            "/p/c.yaml:4:15: services.web.env_file: env file /p/b.env does not exist (write "
            "required: false in the long form to make it optional)");
}

TEST(DockerComposeModel, ResetAndOverrideTags) {
  auto p =
      Load({{"c.yaml", "services:\n  web:\n    image: x\n    profiles: [a]\n    scale: 3\n"},
            {"o.yaml", "services:\n  web:\n    profiles: !override [b]\n    scale: !reset\n"}});
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->Find("web")->profiles, std::vector<std::string>{"b"});
  EXPECT_EQ(p->Find("web")->replicas, 1);
}

TEST(DockerComposeModel, NoServicesIsAnError) {
  auto p = Load({{"c.yaml", "name: empty\nnetworks: {front: {}}\n"}});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error(), "no services defined in c.yaml");
}

TEST(DockerComposeModel, BoundedSizeAndAliasExpansion) {
  std::string big = "services:\n  web:\n    image: x\n    labels:\n";
  while (big.size() <= kMaxComposeFileBytes) big += "      - " + std::string(100, 'a') + "\n";
  auto large = Load({{"c.yaml", big}});
  ASSERT_FALSE(large);
  EXPECT_EQ(large.error().rfind("compose file too large: c.yaml is ", 0), 0u) << large.error();

  // A "billion laughs": ten levels of ten aliases each would be 1e10 nodes.
  std::string bomb = "x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "x-a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", " : "") + prev;
    bomb += "]\n";
  }
  bomb += "services:\n  web: {image: x}\n";
  auto laughs = Load({{"c.yaml", bomb}});
  ASSERT_FALSE(laughs);
  EXPECT_EQ(laughs.error().rfind("compose file too large: c.yaml expands to more than 100000", 0),
            0u)
      << laughs.error();
}

}  // namespace
}  // namespace infinity_sync
