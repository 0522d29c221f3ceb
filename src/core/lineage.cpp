#include "core/lineage.h"

#include "core/time_format.h"

namespace infinity_sync {

using nlohmann::json;

namespace {

json OrNull(const std::string& s) { return s.empty() ? json() : json(s); }

std::string StrOf(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

json ToJson(const Lineage& lineage) {
  json hops = json::array();
  for (const auto& h : lineage.hops) {
    json hop = {{"hop", h.hop},
                {"commit", OrNull(h.commit)},
                {"state", h.state},
                {"detail", h.detail},
                {"at", h.at ? json(FormatIso8601(*h.at)) : json()}};
    if (h.hop == "local") hop["branch"] = OrNull(h.branch);
    if (h.hop == "cloudrun") {
      json serving = json::array();
      for (const auto& s : h.serving) {
        serving.push_back(
            {{"revision", s.revision}, {"percent", s.percent}, {"commit", OrNull(s.commit)}});
      }
      hop["serving"] = std::move(serving);
    }
    hops.push_back(std::move(hop));
  }
  return {{"commit", OrNull(lineage.commit)},
          {"deployBranch", OrNull(lineage.deploy_branch)},
          {"hops", std::move(hops)},
          {"live", lineage.live ? json(*lineage.live) : json()}};
}

Result<Lineage> LineageFromJson(const json& j) {
  if (!j.is_object()) return Error{"lineage is not an object"};
  Lineage l;
  l.commit = StrOf(j, "commit");
  l.deploy_branch = StrOf(j, "deployBranch");
  if (auto live = j.find("live"); live != j.end() && live->is_boolean()) l.live = live->get<bool>();
  auto hops = j.find("hops");
  if (hops == j.end() || !hops->is_array()) return Error{"lineage.hops is not a list"};
  for (std::size_t i = 0; i < hops->size(); ++i) {
    const json& h = (*hops)[i];
    if (!h.is_object() || StrOf(h, "hop").empty()) {
      return Error{"lineage.hops[" + std::to_string(i) + "] has no hop name"};
    }
    LineageHop hop;
    hop.hop = StrOf(h, "hop");
    hop.commit = StrOf(h, "commit");
    hop.state = StrOf(h, "state");
    hop.detail = StrOf(h, "detail");
    hop.branch = StrOf(h, "branch");
    if (auto at = StrOf(h, "at"); !at.empty()) hop.at = ParseIso8601(at);
    if (auto s = h.find("serving"); s != h.end() && s->is_array()) {
      for (const auto& item : *s) {
        if (!item.is_object()) continue;
        LineageHop::Serving sv;
        sv.revision = StrOf(item, "revision");
        sv.percent = item.contains("percent") && item["percent"].is_number_integer()
                         ? item["percent"].get<int>()
                         : 0;
        sv.commit = StrOf(item, "commit");
        hop.serving.push_back(sv);
      }
    }
    l.hops.push_back(std::move(hop));
  }
  return l;
}

}  // namespace infinity_sync
