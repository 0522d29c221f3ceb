#include "checks/gcloud_files.h"

#include <sqlite3.h>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <memory>
#include <sstream>

namespace infinity_sync {
namespace {

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Opens `path` read-only; nullopt-in-Result when the file does not exist.
Result<std::optional<Db>> OpenReadOnly(const std::string& path) {
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
  } else {
    return std::optional<Db>();
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return Error{path + ": cannot open the SQLite database: " +
                 (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))};
  }
  // gcloud may be writing at this moment: wait briefly for its lock.
  sqlite3_busy_timeout(db.get(), 200);
  return std::optional<Db>(std::move(db));
}

// One row of `sql` (one text parameter), its columns as text; nullopt when no row.
Result<std::optional<std::vector<std::string>>> QueryRow(sqlite3* db, const std::string& path,
                                                         const char* sql, const std::string& arg,
                                                         int columns) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return Error{path + ": not a gcloud database of the known layout (" + sqlite3_errmsg(db) + ")"};
  }
  Stmt stmt(raw);
  sqlite3_bind_text(stmt.get(), 1, arg.c_str(), static_cast<int>(arg.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::optional<std::vector<std::string>>();
  if (rc != SQLITE_ROW) return Error{path + ": cannot be read: " + sqlite3_errmsg(db)};
  std::vector<std::string> row;
  for (int i = 0; i < columns; ++i) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), i));
    int len = sqlite3_column_bytes(stmt.get(), i);
    row.emplace_back(text != nullptr ? std::string(text, static_cast<std::size_t>(len)) : "");
  }
  return std::optional<std::vector<std::string>>(std::move(row));
}

}  // namespace

std::map<std::string, std::string> ParseGcloudIni(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line, section;
  while (std::getline(in, line)) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      section = Trim(t.substr(1, t.size() - 2));
      continue;
    }
    auto eq = t.find_first_of("=:");
    if (eq == std::string::npos || section.empty()) continue;
    std::string key = Trim(t.substr(0, eq));
    if (!key.empty()) out[section + "/" + key] = Trim(t.substr(eq + 1));
  }
  return out;
}

std::string GcloudConfig::Property(const CheckContext& ctx, const std::string& section,
                                   const std::string& name) const {
  std::string env = ctx.Env("CLOUDSDK_" + Upper(section) + "_" + Upper(name));
  if (!env.empty()) return env;
  auto it = properties.find(section + "/" + name);
  return it != properties.end() ? it->second : "";
}

GcloudConfig ReadGcloudConfig(const CheckContext& ctx) {
  return ReadGcloudConfig(ctx.ports.env, ctx.ports.fs);
}

GcloudConfig ReadGcloudConfig(const EnvLookup& env, FileSystem& files) {
  auto var = [&](const std::string& name) { return env(name).value_or(""); };
  GcloudConfig c;
  c.dir = var("CLOUDSDK_CONFIG");
  if (c.dir.empty()) {
    std::string home = var("HOME");
    if (home.empty()) return c;
    c.dir = home + "/.config/gcloud";
  }
  c.configuration = Trim(var("CLOUDSDK_ACTIVE_CONFIG_NAME"));
  if (c.configuration.empty()) {
    if (files.Stat(c.dir + "/active_config")) {
      if (auto text = files.ReadFile(c.dir + "/active_config")) c.configuration = Trim(*text);
    }
  }
  if (c.configuration.empty()) c.configuration = "default";
  c.file = c.dir + "/configurations/config_" + c.configuration;
  if (!files.Stat(c.file)) return c;
  c.file_exists = true;
  auto text = files.ReadFile(c.file);
  if (!text) {
    c.file_error = c.file + " cannot be read: " + text.error();
    return c;
  }
  c.properties = ParseGcloudIni(*text);
  return c;
}

Result<std::optional<GcloudAccountCredentials>> ReadGcloudAccount(const std::string& dir,
                                                                  const std::string& account) {
  using Found = std::optional<GcloudAccountCredentials>;
  std::string creds_path = dir + "/credentials.db";
  auto creds_db = OpenReadOnly(creds_path);
  if (!creds_db) return Error{creds_db.error()};
  if (!*creds_db) return Found();
  auto row = QueryRow((*creds_db)->get(), creds_path,
                      "SELECT value FROM credentials WHERE account_id = ?", account, 1);
  if (!row) return Error{row.error()};
  if (!*row) return Found();
  GcloudAccountCredentials out;
  out.credential_json = (**row)[0];

  std::string tokens_path = dir + "/access_tokens.db";
  auto tokens_db = OpenReadOnly(tokens_path);
  if (!tokens_db) return Error{tokens_db.error()};
  if (*tokens_db) {
    auto token = QueryRow(
        (*tokens_db)->get(), tokens_path,
        "SELECT access_token, token_expiry FROM access_tokens WHERE account_id = ?", account, 2);
    if (!token) return Error{token.error()};
    if (*token) {
      out.access_token = (**token)[0];
      out.token_expiry = ParseGcloudTimestamp((**token)[1]);
      // A token whose life cannot be read is not trusted.
      if (!out.token_expiry) out.access_token.clear();
    }
  }
  return Found(std::move(out));
}

std::optional<std::chrono::system_clock::time_point> ParseGcloudTimestamp(const std::string& text) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  char sep = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &year, &month, &day, &sep, &hour,
                  &minute, &second, &used) != 7 ||
      (sep != ' ' && sep != 'T')) {
    return std::nullopt;
  }
  std::string rest = text.substr(static_cast<std::size_t>(used));
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
    rest = rest.substr(i);
  }
  if (rest == "Z" || rest == "+00:00") rest.clear();
  if (!rest.empty() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace infinity_sync
