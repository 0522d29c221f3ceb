#include "checks/gcp_project.h"

#include <fmt/format.h>

#include "checks/gcloud_files.h"
#include "checks/google_credentials.h"

namespace infinity_sync {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

}  // namespace

GcpProject DiscoverGcpProject(const CheckContext& ctx) {
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

  GcloudConfig gcloud = ReadGcloudConfig(ctx);
  if (std::string value = gcloud.Property(ctx, "core", "project"); !value.empty()) {
    p.id = value;
    p.source = "gcloud configuration " + gcloud.configuration;
    return p;
  }
  p.tried.push_back(gcloud.file.empty() ? std::string("a gcloud configuration")
                                        : "[core] project in " + gcloud.file);

  // Only a service account belongs to a project; an authorized_user's
  // quota_project_id is a billing project, sent as x-goog-user-project.
  if (auto where = LocateAdcFile(ctx)) {
    // A broken file is the credentials' problem to report; here it has no project.
    if (auto text = ctx.ReadFile(where->path, kCredentialsFileLimit)) {
      if (auto file = ParseCredentialsFile(*text, where->path); file && !file->project_id.empty()) {
        p.id = file->project_id;
        p.source = "credentials file " + where->path;
        return p;
      }
    }
    p.tried.push_back("the project_id of " + where->path);
  } else {
    p.tried.push_back("a service account file");
  }

  GoogleTokenSource own;
  GoogleTokenSource& source = TokenSourceFor(ctx, own);
  if (source.MetadataServerPresent(ctx)) {
    if (auto value = MetadataGet(ctx, "project/project-id"); value && !Trim(*value).empty()) {
      p.id = Trim(*value);
      p.source = "metadata server";
      return p;
    }
  }
  p.tried.push_back("the metadata server at " + MetadataPingHost(ctx));
  return p;
}

GcpRegion DiscoverGcpRegion(const CheckContext& ctx) {
  if (!ctx.config.gcp.region.empty()) return {ctx.config.gcp.region, "gcp.region"};
  if (std::string value = ctx.Env("CLOUDSDK_RUN_REGION"); !value.empty()) {
    return {value, "CLOUDSDK_RUN_REGION"};
  }
  GcloudConfig gcloud = ReadGcloudConfig(ctx);
  if (auto it = gcloud.properties.find("run/region");
      it != gcloud.properties.end() && !it->second.empty()) {
    return {it->second, "gcloud configuration " + gcloud.configuration};
  }
  return {"us-central1", "default"};
}

}  // namespace infinity_sync
