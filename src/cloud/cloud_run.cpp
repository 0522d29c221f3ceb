#include "cloud/cloud_run.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/version.h"

namespace infinity_sync {
namespace {

using nlohmann::json;

// Readers that accept absence (the default) and refuse a wrong type with the
// field's path, so a surprising document is named rather than misread.
struct Reader {
  std::string error;

  std::string Str(const json& obj, const char* key, const std::string& path) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return "";
    if (!it->is_string()) {
      Fail(path + key + " is not a string");
      return "";
    }
    return it->get<std::string>();
  }
  // int64 is a JSON string in proto3 JSON; a number is accepted too.
  std::int64_t Int(const json& obj, const char* key, const std::string& path) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return 0;
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_string()) {
      const std::string& s = it->get_ref<const std::string&>();
      char* end = nullptr;
      long long v = std::strtoll(s.c_str(), &end, 10);
      if (!s.empty() && end != nullptr && *end == '\0') return v;
    }
    Fail(path + key + " is not an integer");
    return 0;
  }
  bool Bool(const json& obj, const char* key, const std::string& path) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return false;
    if (!it->is_boolean()) {
      Fail(path + key + " is not true or false");
      return false;
    }
    return it->get<bool>();
  }
  const json& Obj(const json& obj, const char* key, const std::string& path) {
    static const json kEmpty = json::object();
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return kEmpty;
    if (!it->is_object()) {
      Fail(path + key + " is not an object");
      return kEmpty;
    }
    return *it;
  }
  const json& Arr(const json& obj, const char* key, const std::string& path) {
    static const json kEmpty = json::array();
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return kEmpty;
    if (!it->is_array()) {
      Fail(path + key + " is not a list");
      return kEmpty;
    }
    return *it;
  }
  std::map<std::string, std::string> Map(const json& obj, const char* key,
                                         const std::string& path) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : Obj(obj, key, path).items()) {
      if (v.is_string())
        out[k] = v.get<std::string>();
      else
        Fail(path + key + "." + k + " is not a string");
    }
    return out;
  }
  CloudRunCondition Condition(const json& obj, const std::string& path) {
    return {Str(obj, "type", path), Str(obj, "state", path), Str(obj, "reason", path),
            Str(obj, "message", path)};
  }
  std::vector<CloudRunTraffic> Traffic(const json& obj, const char* key) {
    std::vector<CloudRunTraffic> out;
    const json& list = Arr(obj, key, "");
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string path = fmt::format("{}[{}].", key, i);
      if (!list[i].is_object()) {
        Fail(fmt::format("{}[{}] is not an object", key, i));
        continue;
      }
      out.push_back({Str(list[i], "type", path), Str(list[i], "revision", path),
                     static_cast<int>(Int(list[i], "percent", path)), Str(list[i], "tag", path)});
    }
    return out;
  }
  void Fail(std::string what) {
    if (error.empty()) error = std::move(what);
  }
};

bool SameCommit(const std::string& a, const std::string& b) {
  return a.size() >= 7 && b.size() >= 7 && (a.rfind(b, 0) == 0 || b.rfind(a, 0) == 0);
}

}  // namespace

std::string ShortRevision(const std::string& name) {
  auto slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

Result<CloudRunService> ParseCloudRunService(const std::string& json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return Error{"the Service is not valid JSON"};
  if (!j.is_object()) return Error{"the Service is not a JSON object"};
  Reader r;
  CloudRunService s;
  s.name = r.Str(j, "name", "");
  s.uri = r.Str(j, "uri", "");
  if (s.uri.empty()) {
    const json& urls = r.Arr(j, "urls", "");
    if (!urls.empty() && urls[0].is_string()) s.uri = urls[0].get<std::string>();
  }
  s.generation = r.Int(j, "generation", "");
  s.observed_generation = r.Int(j, "observedGeneration", "");
  s.reconciling = r.Bool(j, "reconciling", "");
  s.terminal = r.Condition(r.Obj(j, "terminalCondition", ""), "terminalCondition.");
  const json& conditions = r.Arr(j, "conditions", "");
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    if (conditions[i].is_object()) {
      s.conditions.push_back(r.Condition(conditions[i], fmt::format("conditions[{}].", i)));
    }
  }
  s.latest_ready_revision = r.Str(j, "latestReadyRevision", "");
  s.latest_created_revision = r.Str(j, "latestCreatedRevision", "");
  s.labels = r.Map(j, "labels", "");
  s.annotations = r.Map(j, "annotations", "");
  const json& tmpl = r.Obj(j, "template", "");
  s.template_labels = r.Map(tmpl, "labels", "template.");
  s.template_annotations = r.Map(tmpl, "annotations", "template.");
  const json& containers = r.Arr(tmpl, "containers", "template.");
  for (std::size_t i = 0; i < containers.size(); ++i) {
    if (!containers[i].is_object()) continue;
    std::string image = r.Str(containers[i], "image", fmt::format("template.containers[{}].", i));
    if (!image.empty()) s.images.push_back(image);
  }
  s.traffic = r.Traffic(j, "traffic");
  s.traffic_statuses = r.Traffic(j, "trafficStatuses");
  s.update_time = r.Str(j, "updateTime", "");
  if (!r.error.empty()) return Error{"the Service's " + r.error};
  return s;
}

Result<CloudRunRevision> ParseCloudRunRevision(const std::string& json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return Error{"the Revision is not valid JSON"};
  if (!j.is_object()) return Error{"the Revision is not a JSON object"};
  Reader r;
  CloudRunRevision rev;
  rev.name = r.Str(j, "name", "");
  rev.labels = r.Map(j, "labels", "");
  rev.annotations = r.Map(j, "annotations", "");
  rev.create_time = r.Str(j, "createTime", "");
  const json& containers = r.Arr(j, "containers", "");
  for (std::size_t i = 0; i < containers.size(); ++i) {
    if (!containers[i].is_object()) continue;
    std::string image = r.Str(containers[i], "image", fmt::format("containers[{}].", i));
    if (!image.empty()) rev.images.push_back(image);
  }
  if (!r.error.empty()) return Error{"the Revision's " + r.error};
  return rev;
}

std::string RevisionCommit(const CloudRunRevision& revision, const std::string& commit_label,
                           std::string* source) {
  for (const auto& [map, what] :
       {std::pair{&revision.labels, "label"}, std::pair{&revision.annotations, "annotation"}}) {
    auto it = map->find(commit_label);
    if (it != map->end() && !it->second.empty()) {
      if (source != nullptr) *source = what;
      return it->second;
    }
  }
  return "";
}

std::vector<ServingTarget> ServingTargets(const CloudRunService& s) {
  const auto& traffic = s.traffic_statuses.empty() ? s.traffic : s.traffic_statuses;
  std::vector<ServingTarget> out;
  for (const auto& t : traffic) {
    if (t.percent <= 0) continue;
    bool latest = t.type == "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST";
    std::string revision =
        t.revision.empty() && latest ? ShortRevision(s.latest_ready_revision) : t.revision;
    revision = ShortRevision(revision);
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const ServingTarget& o) { return o.revision == revision; });
    if (same != out.end()) {
      same->percent += t.percent;
      same->latest = same->latest || latest;
      if (same->tag.empty()) same->tag = t.tag;
      continue;
    }
    out.push_back({revision, t.percent, latest, t.tag});
  }
  std::stable_sort(out.begin(), out.end(), [](const ServingTarget& a, const ServingTarget& b) {
    return a.percent > b.percent;
  });
  return out;
}

CloudRunAssessment AssessCloudRunService(const CloudRunService& s,
                                         const std::string& commit_label) {
  CloudRunAssessment a;
  const std::string& state = s.terminal.state;
  bool generation_seen = s.observed_generation == s.generation;
  a.ready = !s.reconciling && state == "CONDITION_SUCCEEDED" && generation_seen;

  const CloudRunCondition* failed = nullptr;
  for (const auto& c : s.conditions) {
    if (c.state == "CONDITION_FAILED" && failed == nullptr) failed = &c;
  }
  bool latest_not_ready =
      !s.latest_created_revision.empty() && s.latest_created_revision != s.latest_ready_revision;
  if (state == "CONDITION_FAILED") {
    a.rollout_failed = true;
    a.failure = s.terminal.message.empty() ? s.terminal.reason : s.terminal.message;
  } else if (latest_not_ready && failed != nullptr && !s.reconciling) {
    a.rollout_failed = true;
    a.failure = failed->type + ": " + (failed->message.empty() ? failed->reason : failed->message);
  }
  if (a.rollout_failed) {
    a.ready = false;
    if (a.failure.empty()) a.failure = "the Ready condition failed";
    if (latest_not_ready) {
      a.failure = "revision " + ShortRevision(s.latest_created_revision) +
                  " did not become ready: " + a.failure;
    }
  } else if (!a.ready) {
    a.in_progress = true;
    a.failure = s.reconciling      ? "a rollout is in progress"
                : !generation_seen ? fmt::format("generation {} is not yet observed (at {})",
                                                 s.generation, s.observed_generation)
                : state.empty()    ? "the service has no Ready condition yet"
                                   : "the service is " + state;
  }

  const std::pair<const std::map<std::string, std::string>*, const char*> sources[] = {
      {&s.labels, "service label"},
      {&s.annotations, "service annotation"},
      {&s.template_labels, "template label"},
      {&s.template_annotations, "template annotation"}};
  for (const auto& [map, what] : sources) {
    auto it = map->find(commit_label);
    if (it != map->end() && !it->second.empty()) {
      a.deployed_commit = it->second;
      a.commit_source = what;
      break;
    }
  }

  const auto& traffic = s.traffic_statuses.empty() ? s.traffic : s.traffic_statuses;
  bool all_latest =
      traffic.empty() || (traffic.size() == 1 && traffic[0].percent == 100 &&
                          (traffic[0].type == "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" ||
                           traffic[0].revision == ShortRevision(s.latest_ready_revision)));
  if (!all_latest) {
    for (const auto& t : traffic) {
      if (t.percent == 0) continue;
      std::string target = t.type == "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" || t.revision.empty()
                               ? "latest"
                               : t.revision;
      a.traffic_split += fmt::format("{}{}% {}{}", a.traffic_split.empty() ? "" : ", ", t.percent,
                                     target, t.tag.empty() ? "" : " (tag " + t.tag + ")");
    }
  }
  return a;
}

std::string ParseGoogleRpcError(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return "";
  auto err = j.find("error");
  if (err == j.end() || !err->is_object()) return "";
  std::string status = err->value("status", "");
  std::string message = err->contains("message") && (*err)["message"].is_string()
                            ? (*err)["message"].get<std::string>()
                            : "";
  if (status.empty()) return message;
  return message.empty() ? status : status + ": " + message;
}

CloudRunFetch GetCloudRunService(const CallScope& scope, const std::string& api_url,
                                 const std::string& project, const std::string& region,
                                 const std::string& service, const std::string& token,
                                 const std::string& ca_file, const std::string& quota_project) {
  std::string base = api_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  HttpRequest req;
  req.url =
      fmt::format("{}/v2/projects/{}/locations/{}/services/{}", base, project, region, service);
  req.headers = {{"Authorization", "Bearer " + token},
                 {"Accept", "application/json"},
                 {"User-Agent", std::string("infinity-sync/") + kVersion}};
  if (!quota_project.empty()) req.headers.emplace_back("x-goog-user-project", quota_project);
  req.timeout = scope.Remaining();
  req.ca_file = ca_file;
  return {scope.Send(req), req.url};
}

CloudRunFetch GetCloudRunRevision(const CallScope& scope, const std::string& api_url,
                                  const std::string& project, const std::string& region,
                                  const std::string& service, const std::string& revision,
                                  const std::string& token, const std::string& ca_file,
                                  const std::string& quota_project) {
  std::string base = api_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  HttpRequest req;
  req.url = fmt::format("{}/v2/projects/{}/locations/{}/services/{}/revisions/{}", base, project,
                        region, service, ShortRevision(revision));
  req.headers = {{"Authorization", "Bearer " + token},
                 {"Accept", "application/json"},
                 {"User-Agent", std::string("infinity-sync/") + kVersion}};
  if (!quota_project.empty()) req.headers.emplace_back("x-goog-user-project", quota_project);
  req.timeout = scope.Remaining();
  req.ca_file = ca_file;
  return {scope.Send(req), req.url};
}

bool CommitsMatch(const std::string& deployed, const std::string& head) {
  return SameCommit(deployed, head);
}

}  // namespace infinity_sync
