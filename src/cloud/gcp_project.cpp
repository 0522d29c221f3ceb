#include "cloud/gcp_project.h"

#include <fmt/format.h>

#include "cloud/google_credentials.h"

namespace infinity_sync {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

}  // namespace

GcpProject DiscoverGcpProject(const CheckContext& ctx, std::vector<std::string>* evidence) {
  GcpProject p;
  if (!ctx.config.gcp.project.empty()) {
    p.id = ctx.config.gcp.project;
    p.source = "gcp.project";
    return p;
  }
  p.tried.push_back("gcp.project");
  for (const char* var : {"CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"}) {
    std::string value = ctx.Env(var);
    if (!value.empty()) {
      p.id = value;
      p.source = var;
      return p;
    }
    p.tried.push_back(std::string("$") + var);
  }

  if (auto where = LocateAdcFile(ctx)) {
    // A broken file is the credentials' problem to report; here it has no project.
    if (auto text = ctx.ports.fs.ReadFile(where->path, kCredentialsFileLimit)) {
      if (auto file = ParseCredentialsFile(*text, where->path); file && !file->project_id.empty()) {
        p.id = file->project_id;
        p.source = "credentials file " + where->path;
        return p;
      }
    }
    p.tried.push_back("the project of " + where->path);
  } else {
    p.tried.push_back("an ADC file");
  }

  if (ctx.ports.process.Exists("gcloud")) {
    ProcessRequest req;
    req.argv = {"gcloud", "config", "get-value", "project"};
    req.env = {{"CLOUDSDK_CORE_DISABLE_PROMPTS", "1"}};
    req.timeout = std::min(ctx.Remaining(), std::chrono::milliseconds(20'000));
    ProcessResult res = ctx.ports.process.Run(req);
    evidence->push_back(fmt::format("gcloud config get-value project -> {} ({} ms)",
                                    res.Succeeded() ? "exit 0" : res.Describe(req.argv),
                                    res.duration.count()));
    // Empty output (exit 0) means unset; "(unset)" is what older versions print.
    std::string value = res.Succeeded() ? Trim(res.out) : "";
    if (!value.empty() && value != "(unset)") {
      p.id = value;
      p.source = "gcloud config";
      return p;
    }
    p.tried.push_back("gcloud config");
  }

  HttpRequest req;
  req.url = "http://" + MetadataHost(ctx) + "/computeMetadata/v1/project/project-id";
  req.headers = {{"Metadata-Flavor", "Google"}};
  req.timeout = std::min(ctx.Remaining(), std::chrono::milliseconds(3'000));
  HttpResponse res = ctx.ports.http.Send(req);
  evidence->push_back(fmt::format("GET {} -> {} ({:.0f} ms)", RedactUrl(req.url),
                                  res.answered ? "HTTP " + std::to_string(res.status) : res.error,
                                  res.timings.total_ms));
  if (res.answered && res.status == 200 && !Trim(res.body).empty()) {
    p.id = Trim(res.body);
    p.source = "metadata server";
    return p;
  }
  p.tried.push_back("the metadata server at " + MetadataHost(ctx));
  return p;
}

}  // namespace infinity_sync
