#include "checks/google_credentials.h"

#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace infinity_sync {

Result<GoogleCredentialsFile> ParseCredentialsFile(const std::string& text,
                                                   const std::string& path) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Error{path + ": not valid JSON"};
  if (!j.is_object()) return Error{path + ": not a JSON object"};
  auto field = [&](const char* name, bool required, std::string* out) -> std::optional<Error> {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) {
      if (required) return Error{path + ": field \"" + name + "\" is missing"};
      return std::nullopt;
    }
    if (!it->is_string()) return Error{path + ": field \"" + name + "\" is not a string"};
    *out = it->get<std::string>();
    if (required && out->empty()) return Error{path + ": field \"" + name + "\" is empty"};
    return std::nullopt;
  };
  auto fields = [&](std::initializer_list<std::pair<const char*, std::string*>> list,
                    bool required) -> std::optional<Error> {
    for (auto [name, out] : list) {
      if (auto e = field(name, required, out)) return e;
    }
    return std::nullopt;
  };
  auto object = [&](const char* name, nlohmann::json* out) -> std::optional<Error> {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return Error{path + ": field \"" + name + "\" is missing"};
    if (!it->is_object()) return Error{path + ": field \"" + name + "\" is not an object"};
    *out = *it;
    return std::nullopt;
  };
  GoogleCredentialsFile f;
  f.path = path;
  if (auto e = field("type", true, &f.type)) return *e;
  if (auto e = field("quota_project_id", false, &f.quota_project_id)) return *e;
  if (f.type == "service_account") {
    if (auto e =
            fields({{"client_email", &f.client_email}, {"private_key", &f.private_key}}, true)) {
      return *e;
    }
    if (auto e = fields({{"private_key_id", &f.private_key_id},
                         {"project_id", &f.project_id},
                         {"token_uri", &f.token_uri}},
                        false)) {
      return *e;
    }
  } else if (f.type == "authorized_user") {
    if (auto e = fields({{"client_id", &f.client_id},
                         {"client_secret", &f.client_secret},
                         {"refresh_token", &f.refresh_token}},
                        true)) {
      return *e;
    }
    if (auto e = field("token_uri", false, &f.token_uri)) return *e;
  } else if (f.type == "external_account") {
    if (auto e = fields({{"audience", &f.audience},
                         {"subject_token_type", &f.subject_token_type},
                         {"token_url", &f.token_uri}},
                        true)) {
      return *e;
    }
    if (auto e = fields({{"service_account_impersonation_url", &f.impersonation_url},
                         {"client_id", &f.client_id},
                         {"client_secret", &f.client_secret},
                         {"workforce_pool_user_project", &f.workforce_user_project}},
                        false)) {
      return *e;
    }
    if (auto e = object("credential_source", &f.credential_source)) return *e;
    const nlohmann::json& src = f.credential_source;
    if (src.contains("executable")) {
      return Error{path +
                   ": external_account with an executable-sourced credential_source is "
                   "not supported yet"};
    }
    if (src.contains("environment_id") && src["environment_id"].is_string() &&
        src["environment_id"].get<std::string>().rfind("aws", 0) == 0) {
      return Error{path + ": external_account with an AWS credential_source (environment_id \"" +
                   src["environment_id"].get<std::string>() + "\") is not supported yet"};
    }
    bool has_file = src.contains("file") && src["file"].is_string();
    bool has_url = src.contains("url") && src["url"].is_string();
    if (has_file == has_url) {
      return Error{path +
                   ": field \"credential_source\" needs exactly one of \"file\" and \"url\""};
    }
    if (src.contains("format")) {
      const nlohmann::json& fmt = src["format"];
      std::string type = fmt.is_object() ? fmt.value("type", "text") : "";
      if (type != "text" && type != "json") {
        return Error{path +
                     ": field \"credential_source.format.type\" must be \"text\" or \"json\""};
      }
      if (type == "json" && (!fmt.contains("subject_token_field_name") ||
                             !fmt["subject_token_field_name"].is_string())) {
        return Error{path +
                     ": field \"credential_source.format.subject_token_field_name\" is "
                     "missing"};
      }
    }
  } else if (f.type == "impersonated_service_account") {
    if (auto e = field("service_account_impersonation_url", true, &f.impersonation_url)) return *e;
    if (auto e = object("source_credentials", &f.source_credentials)) return *e;
    if (auto it = j.find("delegates"); it != j.end() && it->is_array()) {
      for (const auto& d : *it) {
        if (d.is_string()) f.delegates.push_back(d.get<std::string>());
      }
    }
  } else if (f.type == "external_account_authorized_user") {
    if (auto e = fields({{"client_id", &f.client_id},
                         {"client_secret", &f.client_secret},
                         {"refresh_token", &f.refresh_token},
                         {"token_url", &f.token_uri}},
                        true)) {
      return *e;
    }
  } else {
    return Error{path + ": field \"type\" is \"" + f.type +
                 "\"; supported: service_account, authorized_user, external_account, "
                 "impersonated_service_account, external_account_authorized_user"};
  }
  if (f.token_uri.empty()) f.token_uri = kDefaultGoogleTokenUri;
  return f;
}

Result<TokenAnswer> ParseTokenResponse(int http_status, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (http_status != 200) {
    if (j.is_object() && j.contains("error") && j["error"].is_string()) {
      std::string text = j["error"].get<std::string>();
      if (j.contains("error_description") && j["error_description"].is_string()) {
        text += ": " + j["error_description"].get<std::string>();
      }
      return Error{fmt::format("{} (HTTP {})", text, http_status)};
    }
    return Error{fmt::format("HTTP {}", http_status)};
  }
  if (!j.is_object()) return Error{"the token answer is not a JSON object"};
  auto tok = j.find("access_token");
  if (tok == j.end() || !tok->is_string() || tok->get<std::string>().empty()) {
    return Error{"the token answer has no access_token"};
  }
  TokenAnswer answer;
  answer.access_token = tok->get<std::string>();
  auto exp = j.find("expires_in");
  if (exp != j.end() && exp->is_number_integer()) answer.expires_in = exp->get<std::int64_t>();
  if (exp != j.end() && exp->is_string()) {
    answer.expires_in = std::strtoll(exp->get<std::string>().c_str(), nullptr, 10);
  }
  return answer;
}

std::optional<AdcLocation> LocateAdcFile(const CheckContext& ctx) {
  std::string env = ctx.Env("GOOGLE_APPLICATION_CREDENTIALS");
  if (!env.empty()) return AdcLocation{env, true};
  std::string dir = ctx.Env("CLOUDSDK_CONFIG");
  if (dir.empty()) {
    std::string home = ctx.Env("HOME");
    if (home.empty()) return std::nullopt;
    dir = home + "/.config/gcloud";
  }
  std::string path = dir + "/application_default_credentials.json";
  if (!ctx.Exists(path)) return std::nullopt;
  return AdcLocation{path, false};
}

std::string ImpersonatedEmail(const std::string& url) {
  const std::string marker = "/serviceAccounts/";
  auto at = url.find(marker);
  if (at == std::string::npos) return "";
  at += marker.size();
  auto end = url.find(':', at);
  return url.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

}  // namespace infinity_sync
