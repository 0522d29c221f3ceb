// The settings of one service the docker check reads (image, build, env_file,
// depends_on, healthcheck, profiles, scale, deploy.replicas), applied onto the
// state merged so far with compose's !reset and !override rules.
#include <algorithm>

#include "cloud/compose_reader.h"

namespace infinity_sync::compose_internal {

Status FileReader::ApplyService(const YAML::Node& svc, const std::string& path,
                                ServiceState* state) const {
  if (!svc.IsMap()) return Fail(svc, path, "expected a mapping of service settings");
  if (state->where.empty()) state->where = Where(svc);
  for (const auto& [key_node, v] : Entries(svc)) {
    const std::string key = key_node.Scalar();
    std::string kp = path + "." + key;
    bool reset = IsReset(v);
    bool replace = IsOverride(v);
    if (key == "image") {
      if (reset) {
        state->image.reset();
      } else {
        auto s = String(v, kp);
        if (!s) return Error{s.error()};
        state->image = Placed<std::string>{*s, Where(v)};
      }
    } else if (key == "build") {
      state->build = !reset && !v.IsNull();
    } else if (key == "env_file") {
      if (reset) continue;
      if (auto ok = CheckEnvFiles(v, kp); !ok) return ok;
    } else if (key == "depends_on") {
      if (reset || replace) state->depends_on.clear();
      if (reset || v.IsNull()) continue;
      if (v.IsSequence()) {
        auto names = Strings(v, kp);
        if (!names) return Error{names.error()};
        for (std::size_t i = 0; i < names->size(); ++i) {
          state->depends_on.emplace((*names)[i], Where(v[i]));
        }
      } else if (v.IsMap()) {
        for (const auto& [dep_key, dep] : Entries(v)) {
          auto name = String(dep_key, kp);
          if (!name) return Error{name.error()};
          state->depends_on.emplace(*name, Where(dep_key));
        }
      } else {
        return Fail(v, kp, "expected a list of services or a mapping of service: condition");
      }
    } else if (key == "healthcheck") {
      if (reset || replace) {
        state->healthcheck = false;
        state->healthcheck_disabled.reset();
      }
      if (reset) continue;
      if (!v.IsMap()) return Fail(v, kp, "expected a mapping (test, interval, ...)");
      state->healthcheck = true;
      if (YAML::Node d = Get(v, "disable"); d.IsDefined()) {
        auto b = Bool(d, kp + ".disable");
        if (!b) return Error{b.error()};
        state->healthcheck_disabled = *b;
      }
      if (YAML::Node t = Get(v, "test"); t.IsDefined()) {
        bool none =
            (t.IsSequence() && t.size() >= 1 && t[0].IsScalar() && t[0].Scalar() == "NONE") ||
            (t.IsScalar() && t.Scalar() == "NONE");
        if (none) state->healthcheck_disabled = true;
      }
    } else if (key == "profiles") {
      if (reset || replace) state->profiles.reset();
      if (reset) continue;
      auto list = Strings(v, kp);
      if (!list) return Error{list.error()};
      // Sequences merge: the later file's profiles are added, once each.
      auto& have = state->profiles.emplace(state->profiles.value_or(std::vector<std::string>{}));
      for (auto& p : *list) {
        if (std::find(have.begin(), have.end(), p) == have.end()) have.push_back(p);
      }
    } else if (key == "scale") {
      if (reset) {
        state->scale.reset();
      } else {
        auto n = Count(v, kp);
        if (!n) return Error{n.error()};
        state->scale = Placed<int>{*n, Where(v)};
      }
    } else if (key == "deploy") {
      if (reset || replace) state->replicas.reset();
      if (reset || v.IsNull()) continue;
      if (!v.IsMap()) return Fail(v, kp, "expected a mapping (replicas, resources, ...)");
      YAML::Node r = Get(v, "replicas");
      if (!r.IsDefined()) continue;
      if (IsReset(r)) {
        state->replicas.reset();
      } else {
        auto n = Count(r, kp + ".replicas");
        if (!n) return Error{n.error()};
        state->replicas = Placed<int>{*n, Where(r)};
      }
    }
  }
  return Ok{};
}

}  // namespace infinity_sync::compose_internal
