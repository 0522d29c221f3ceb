#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "checks/check.h"
#include "core/result.h"

namespace infinity_sync {

// gcloud's state as its own files hold it, read without starting gcloud (which
// costs most of a second per call):
//   folder          $CLOUDSDK_CONFIG, else $HOME/.config/gcloud
//   configuration   $CLOUDSDK_ACTIVE_CONFIG_NAME, else the `active_config` file, else "default"
//   properties      configurations/config_<configuration> (INI), each overridden by
//                   $CLOUDSDK_<SECTION>_<PROPERTY> ("core/project": CLOUDSDK_CORE_PROJECT)
struct GcloudConfig {
  std::string dir;            // empty: neither CLOUDSDK_CONFIG nor HOME is set
  std::string configuration;  // the active configuration's name
  std::string file;           // configurations/config_<configuration>
  bool file_exists = false;
  std::string file_error;                         // the file exists but cannot be read
  std::map<std::string, std::string> properties;  // "core/project" -> value, from the file

  // A property ("core", "project"): the environment variable when set and
  // non-empty, else the file's value, else "".
  std::string Property(const CheckContext& ctx, const std::string& section,
                       const std::string& name) const;
};

// Reads the folder, the active configuration and its properties. Never fails:
// what cannot be read is left empty (file_error says why).
GcloudConfig ReadGcloudConfig(const CheckContext& ctx);
// The same from an environment and a file system (for `init`, which has no check).
GcloudConfig ReadGcloudConfig(const EnvLookup& env, FileSystem& files);

// Parses a gcloud properties file (INI: "[section]", "key = value"; '#' and ';'
// comments) into "section/key" -> value (pure).
std::map<std::string, std::string> ParseGcloudIni(const std::string& text);

// An account's stored credentials (secrets: never log them).
struct GcloudAccountCredentials {
  std::string credential_json;  // credentials.db's value: an authorized_user, service_account, ...
  std::string access_token;     // access_tokens.db's cached token; empty when none
  std::optional<std::chrono::system_clock::time_point> token_expiry;  // UTC
};

// `account`'s row of `dir`/credentials.db and, when there is one, of
// `dir`/access_tokens.db, read with SQLite (read-only, never locking gcloud
// out). nullopt: the database or the account's row does not exist. An error:
// a database exists but cannot be read (corrupt, another schema); it names the file.
Result<std::optional<GcloudAccountCredentials>> ReadGcloudAccount(const std::string& dir,
                                                                  const std::string& account);

// gcloud's token_expiry ("2026-01-02 03:04:05" or with ".ffffff", UTC), or
// nullopt when it is not that shape (pure).
std::optional<std::chrono::system_clock::time_point> ParseGcloudTimestamp(const std::string& text);

}  // namespace infinity_sync
