#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace infinity_sync {

// What `infinity-sync init` found in a repository; empty strings mean "not found".
struct InitFindings {
  std::string project;                     // the repository folder's name
  std::string remote;                      // "origin" when that remote exists
  std::string remote_url;                  // its URL, shown in a comment
  std::string branch;                      // the current branch, shown in a comment
  std::vector<std::string> compose_files;  // relative to the repository root
  std::string gcp_project;                 // gcloud's [core] project
  std::string gcp_region;                  // gcloud's [run] region
  std::string gcloud_config;               // the gcloud configuration file read
};

// The starter infinity-sync.yaml: found values set, every other key of the
// configuration present as a commented default. Always parses with ParseConfig.
std::string RenderStarterConfig(const InitFindings& found);

}  // namespace infinity_sync
