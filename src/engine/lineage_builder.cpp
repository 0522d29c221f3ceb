#include "engine/lineage_builder.h"

#include <fmt/format.h>

#include "cloud/cloud_run.h"
#include "core/time_format.h"

namespace infinity_sync {
namespace {

using nlohmann::json;

std::string Str(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

int Int(const json& obj, const char* key, int fallback = 0) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

std::string Short(const std::string& sha) { return sha.substr(0, 7); }

std::optional<std::chrono::system_clock::time_point> Time(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return ParseIso8601(text);
}

const json& DataOf(const CheckResult* r) {
  static const json kEmpty = json::object();
  return r != nullptr && r->data.is_object() ? r->data : kEmpty;
}

}  // namespace

Lineage BuildLineage(const SyncStatus& status, const Config& config) {
  Lineage l;
  const CheckResult* gcp = status.Find("GCPSync");
  const CheckResult* git = status.Find("GitSync");
  const CheckResult* cf = status.Find("CloudflareCheck");
  const json& g = DataOf(gcp);
  const std::string tip = Str(g, "deployBranchCommit");
  l.commit = tip;
  l.deploy_branch = Str(g, "deployBranch");

  // local: HEAD, from the gcp check (against the deploy branch) or, without
  // it, from the git check (against the upstream).
  LineageHop local{"local", "", "unknown", "", "", status.timestamp, {}};
  if (std::string head = Str(g, "head"); !head.empty()) {
    local.commit = head;
    local.branch = Str(g, "headBranch");
    local.state = Int(g, "dirty") > 0 ? "dirty" : "clean";
    local.detail = Str(g, "headPosition");
  } else if (std::string head = Str(DataOf(git), "head"); !head.empty()) {
    const json& d = DataOf(git);
    local.commit = head;
    local.branch = Str(d, "branch");
    local.state = Int(d, "dirty") > 0 ? "dirty" : "clean";
    local.detail = fmt::format("HEAD on {}: {} ahead, {} behind {}", Str(d, "branch"),
                               Int(d, "ahead"), Int(d, "behind"), Str(d, "upstream"));
  } else {
    local.detail =
        gcp == nullptr && git == nullptr ? "not read (git and gcp did not run)" : "HEAD unknown";
  }
  l.hops.push_back(local);

  // remote: the deploy branch's tip as last fetched.
  LineageHop remote{"remote", tip, "unknown", "", "", Time(Str(g, "fetchedAt")), {}};
  if (gcp == nullptr) {
    remote.detail = "not read (the gcp check did not run)";
  } else if (tip.empty()) {
    remote.detail =
        l.deploy_branch.empty() ? "deploy branch unknown" : l.deploy_branch + " does not exist";
  } else {
    bool head_on_it = !local.commit.empty() && g.contains("headAhead") && Int(g, "headAhead") == 0;
    remote.state = head_on_it ? "pushed" : "unpushed";
    remote.detail = fmt::format("{} at {}{}", l.deploy_branch, Short(tip),
                                head_on_it ? "" : " (HEAD's commits are not on it)");
  }
  l.hops.push_back(remote);

  // ci: GitHub's verdict on the tip.
  const json ci = g.is_object() && g.contains("ci") ? g["ci"] : json::object();
  LineageHop ci_hop{"ci", Str(ci, "commit"), Str(ci, "state"), Str(ci, "detail"), "", {}, {}};
  if (ci_hop.state.empty()) ci_hop.state = "unknown";
  if (gcp == nullptr) ci_hop.detail = "not asked (the gcp check did not run)";
  l.hops.push_back(ci_hop);

  // cloudrun: what serves, and whether it is the tip.
  LineageHop run{"cloudrun", Str(g, "deployedCommit"),          "unknown", "",
                 "",         Time(Str(g, "serviceUpdateTime")), {}};
  bool other_commit = false;
  int tip_percent = 0, known_percent = 0;
  if (g.contains("serving") && g["serving"].is_array()) {
    for (const auto& s : g["serving"]) {
      LineageHop::Serving sv{Str(s, "revision"), Int(s, "percent"), Str(s, "commit")};
      if (!sv.commit.empty()) {
        known_percent += sv.percent;
        if (!tip.empty() && CommitsMatch(sv.commit, tip)) {
          tip_percent += sv.percent;
        } else if (!tip.empty()) {
          other_commit = true;
        }
      }
      run.serving.push_back(sv);
    }
  }
  std::string serving_text;
  for (const auto& s : run.serving) {
    serving_text += fmt::format("{}{}% {} ({})", serving_text.empty() ? "" : ", ", s.percent,
                                s.revision, s.commit.empty() ? "commit unknown" : Short(s.commit));
  }
  if (gcp == nullptr) {
    run.detail = "not read (the gcp check did not run)";
  } else if (gcp->status == CheckStatus::kNotConfigured) {
    run.state = "notConfigured";
    run.detail = "Cloud Run is not configured";
  } else if (gcp->status == CheckStatus::kNotDeployed) {
    run.state = "stale";
    run.detail = "the service is not deployed";
    other_commit = !tip.empty();
  } else if (run.serving.empty()) {
    run.detail = "serving revisions unknown (" + std::string(ToString(gcp->status)) + ")";
  } else if (tip.empty()) {
    run.detail = serving_text;
  } else {
    run.state = tip_percent == 100     ? "live"
                : tip_percent > 0      ? "partial"
                : known_percent == 100 ? "stale"
                                       : "unknown";
    run.detail = serving_text;
  }
  l.hops.push_back(run);

  // live, before the edge has its say.
  std::optional<bool> live;
  if (!tip.empty()) {
    if (tip_percent == 100) {
      live = true;
    } else if (other_commit) {
      live = false;
    }
  }

  // edge: the commit the public site names.
  if (config.cloudflare.version.enabled() && !config.cloudflare.domain.empty()) {
    const json& c = DataOf(cf);
    LineageHop edge{"edge", Str(c, "edgeCommit"), "unknown", "", "", status.timestamp, {}};
    if (cf == nullptr) {
      edge.detail = "not read (the cloudflare check did not run)";
      edge.at.reset();
    } else if (edge.commit.empty()) {
      edge.detail = Str(c, "edgeCommitError");
      if (edge.detail.empty()) {
        edge.detail =
            "the edge was not asked (CloudflareCheck " + std::string(ToString(cf->status)) + ")";
      }
    } else if (tip.empty()) {
      edge.detail = "edge serves " + Short(edge.commit);
    } else if (CommitsMatch(edge.commit, tip)) {
      edge.state = "live";
      edge.detail = "edge serves " + Short(edge.commit);
    } else {
      edge.state = "stale";
      edge.detail = "edge serves " + Short(edge.commit) + ", not " + Short(tip);
    }
    l.hops.push_back(edge);
    if (live == true) {
      if (edge.state == "stale") live = false;
      if (edge.state == "unknown") live.reset();
    } else if (live == std::nullopt && edge.state == "stale") {
      live = false;
    }
  }
  l.live = live;
  return l;
}

void CompareEdgeWithCloudRun(SyncStatus* status) {
  const CheckResult* gcp = status->Find("GCPSync");
  std::string served = Str(DataOf(gcp), "deployedCommit");
  for (auto& named : status->results) {
    if (named.key != "CloudflareCheck") continue;
    CheckResult& cf = named.result;
    std::string edge = Str(DataOf(&cf), "edgeCommit");
    if (edge.empty() || served.empty()) return;
    bool same = CommitsMatch(edge, served);
    cf.data["edgeMatchesCloudRun"] = same;
    if (same) {
      cf.Ok("Edge serves " + Short(edge) + ", the commit Cloud Run serves");
    } else {
      cf.Warn("Edge serves " + Short(edge) + ", Cloud Run serves " + Short(served) +
              ": stale cache or another origin");
    }
  }
}

void AddLineage(SyncStatus* status, const Config& config) {
  CompareEdgeWithCloudRun(status);
  status->lineage = BuildLineage(*status, config);
}

}  // namespace infinity_sync
