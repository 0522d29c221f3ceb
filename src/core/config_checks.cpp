#include <algorithm>
#include <cctype>

#include "core/check_status.h"
#include "core/config_keys.h"
#include "core/dns_record_types.h"
#include "core/maintenance.h"
#include "core/redact.h"

// The checks of whole list entries once their keys are read: custom checks,
// notification targets and maintenance windows. Their rows are in config_keys.cpp.
namespace infinity_sync::config_detail {
namespace {

const std::vector<std::string>& CustomTypeNames() {
  static const std::vector<std::string> names = NamesOf(CustomCheckTypes());
  return names;
}

// "tcp, http, dns or command"
std::string OneOf(const std::vector<std::string>& names, const char* last) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? last : ", ";
    out += names[i];
  }
  return out;
}

const std::vector<std::string>& DnsRecordNames() {
  static const std::vector<std::string> names = NamesOf(kDnsRecordTypes);
  return names;
}

const std::vector<std::string>& NotifyTypeNames() {
  static const std::vector<std::string> names = NamesOf(NotifyTypes());
  return names;
}

}  // namespace

void CheckCustom(Walker& w, const YAML::Node& item, const std::string& path, CustomCheckConfig& c,
                 const std::vector<CustomCheckConfig>& before) {
  if (c.name.empty()) w.Fail(item, path + ".name", "missing: every check needs a name");
  for (char ch : c.name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') {
      w.Fail(item["name"], path + ".name",
             "\"" + c.name + "\" may hold only letters, digits, '-', '_' and '.'");
    }
  }
  for (const auto& builtin : BuiltinCheckNames()) {
    if (c.name == builtin) {
      w.Fail(item["name"], path + ".name", "\"" + c.name + "\" is the name of a built-in check");
    }
  }
  for (const auto& other : before) {
    if (other.name == c.name) {
      w.Fail(item["name"], path + ".name", "duplicate check name \"" + c.name + "\"");
    }
  }
  if (c.type.empty()) {
    w.Fail(item, path + ".type", "missing: one of " + OneOf(CustomTypeNames(), ", "));
  }
  const CustomCheckType* type = FindCustomCheckType(c.type);
  if (!type) {
    std::string hint = ClosestMatch(c.type, CustomTypeNames());
    w.Fail(item["type"], path + ".type",
           "unknown check type \"" + c.type + "\" (" +
               (hint.empty() ? "" : "did you mean \"" + hint + "\"? ") + "expected " +
               OneOf(CustomTypeNames(), " or ") + ")");
  }
  if (!type->has_needs(c)) {
    w.Fail(item, fmt::format("{}.{}", path, type->needs),
           fmt::format("missing: a {} check needs {}", type->name, type->needs));
  }
  if (type->kind == CustomCheckKind::kDns && DnsTypeNumber(c.record) == 0) {
    w.Fail(item["record"], path + ".record",
           "unknown record type \"" + c.record + "\" (expected " + OneOf(DnsRecordNames(), " or ") +
               ")");
  }
}

void CheckNotify(Walker& w, const YAML::Node& item, const std::string& path, NotifyConfig& n,
                 const std::vector<NotifyConfig>&) {
  if (!NotifyKindOf(n.type)) {
    w.Fail(Walker::Present(item["type"]) ? item["type"] : item, path + ".type",
           "expected " + OneOf(NotifyTypeNames(), " or ") + ", got \"" + n.type + "\"");
  }
  auto require = [&](const std::string& key, bool present, const std::string& why) {
    if (!present) w.Fail(item, path + "." + key, "missing: " + why);
  };
  if (n.type == "pagerduty") {
    require("routing_key", !n.routing_key.empty(), "the PagerDuty integration's routing key");
    if (n.url.empty()) n.url = "https://events.pagerduty.com/v2/enqueue";
  } else if (n.type == "email") {
    require("smtp_url", !n.smtp_url.empty(), "the mail server, smtp://HOST:PORT or smtps://");
    if (n.smtp_url.rfind("smtp://", 0) != 0 && n.smtp_url.rfind("smtps://", 0) != 0) {
      w.Fail(item["smtp_url"], path + ".smtp_url",
             "expected smtp://HOST[:PORT] or smtps://HOST[:PORT], got \"" + RedactUrl(n.smtp_url) +
                 "\"");
    }
    require("from", !n.from.empty(), "the sender address");
    require("to", !n.to.empty(), "at least one recipient");
    for (std::size_t j = 0; j < n.to.size(); ++j) {
      if (n.to[j].find('@') == std::string::npos ||
          n.to[j].find_first_of("\r\n<>, ") != std::string::npos) {
        w.Fail(item["to"][j], fmt::format("{}.to[{}]", path, j),
               "expected an address like ops@example.com, got \"" + n.to[j] + "\"");
      }
    }
    if (n.from.find('@') == std::string::npos ||
        n.from.find_first_of("\r\n") != std::string::npos) {
      w.Fail(item["from"], path + ".from",
             "expected an address like infinity-sync@example.com, got \"" + n.from + "\"");
    }
  } else {
    require("url", !n.url.empty(), "where to send the notification");
  }
  for (std::size_t j = 0; j < n.on.size(); ++j) {
    if (!ParseCheckStatus(n.on[j])) {
      std::string hint = ClosestMatch(n.on[j], CheckStatusNames());
      w.Fail(item["on"][j], fmt::format("{}.on[{}]", path, j),
             "unknown status \"" + n.on[j] + "\"" +
                 (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
  }
}

void CheckWindow(Walker& w, const YAML::Node& item, const std::string& path,
                 MaintenanceWindowConfig& m, const std::vector<MaintenanceWindowConfig>&) {
  bool fixed = m.from || m.to;
  if (fixed && !m.every.empty()) {
    w.Fail(item, path, "either from and to, or every (with timezone), not both");
  }
  if (fixed) {
    if (!m.from) w.Fail(item, path + ".from", "missing: a window with `to` needs `from`");
    if (!m.to) w.Fail(item, path + ".to", "missing: a window with `from` needs `to`");
    if (*m.to <= *m.from) w.Fail(item["to"], path + ".to", "must be after `from`");
    if (!m.timezone.empty()) {
      w.Fail(item["timezone"], path + ".timezone",
             "only for `every`: from and to carry their own offset");
    }
    return;
  }
  if (m.every.empty()) {
    w.Fail(item, path, "missing: from and to, or every (as in \"sat 02:00-04:00\")");
  }
  auto weekly = ParseWeeklyWindow(m.every);
  if (!weekly) w.Fail(item["every"], path + ".every", weekly.error());
  if (std::string bad = CheckTimeZone(m.timezone.empty() ? "UTC" : m.timezone); !bad.empty()) {
    w.Fail(item["timezone"], path + ".timezone", bad);
  }
}

}  // namespace infinity_sync::config_detail
