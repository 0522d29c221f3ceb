#include "core/redact.h"

#include <algorithm>
#include <cctype>

namespace infinity_sync {
namespace {

constexpr std::string_view kMask = "***";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool NamesASecret(std::string_view name) {
  static constexpr std::string_view kWords[] = {"token",  "key",      "secret", "password",
                                                "passwd", "sig",      "auth",   "credential",
                                                "code",   "signature"};
  std::string lower = Lower(name);
  for (std::string_view w : kWords) {
    if (lower.find(w) != std::string::npos) return true;
  }
  return false;
}

bool IsSchemeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

// Where the "scheme://" before `sep` (the index of "://") starts, or npos
// when what precedes it is no scheme.
std::size_t SchemeStart(std::string_view text, std::size_t sep) {
  std::size_t start = sep;
  while (start > 0 && IsSchemeChar(text[start - 1])) --start;
  while (start < sep && !std::isalpha(static_cast<unsigned char>(text[start]))) ++start;
  return start == sep ? std::string_view::npos : start;
}

// The query with the values of secret-naming parameters masked.
std::string RedactQuery(std::string_view query) {
  std::string out;
  while (true) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && NamesASecret(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1));
      out.append(kMask);
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos) break;
    out += '&';
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace

std::string RedactUrl(std::string_view url, UrlRedaction how) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos || SchemeStart(url, sep) != 0) {
    return how == UrlRedaction::kPath ? std::string(kMask) : std::string(url);
  }
  std::size_t host_start = sep + 3;
  std::size_t authority_end = url.find_first_of("/?#", host_start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::string_view authority = url.substr(host_start, authority_end - host_start);
  std::string out(url.substr(0, host_start));
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    out.append(kMask);
    out.append(authority.substr(at));
  } else {
    out.append(authority);
  }
  if (how == UrlRedaction::kPath) return out + "/***";
  std::string_view rest = url.substr(authority_end);
  auto q = rest.find('?');
  if (q == std::string_view::npos) return out.append(rest);
  out.append(rest.substr(0, q + 1));
  rest.remove_prefix(q + 1);
  auto hash = rest.find('#');
  out += RedactQuery(rest.substr(0, hash));
  if (hash != std::string_view::npos) out.append(rest.substr(hash));
  return out;
}

std::string RedactUrlsIn(std::string_view text) {
  std::string out;
  std::size_t done = 0;  // text[0, done) is in `out`
  std::size_t from = 0;
  while (true) {
    auto sep = text.find("://", from);
    if (sep == std::string_view::npos) break;
    std::size_t start = SchemeStart(text, sep);
    from = sep + 3;
    if (start == std::string_view::npos || start < done) continue;
    std::size_t end = sep + 3;
    while (end < text.size()) {
      unsigned char c = static_cast<unsigned char>(text[end]);
      if (std::isspace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`') break;
      ++end;
    }
    // Punctuation that ends a sentence or closes a bracket is not the URL's.
    while (end > sep + 3 &&
           std::string_view(").,;]}").find(text[end - 1]) != std::string_view::npos) {
      --end;
    }
    out.append(text.substr(done, start - done));
    out += RedactUrl(text.substr(start, end - start));
    done = end;
    from = std::max(from, end);
  }
  out.append(text.substr(done));
  return out;
}

std::string RedactSentCredentials(std::string text,
                                  const std::vector<std::pair<std::string, std::string>>& headers) {
  auto scrub = [&text](std::string_view needle) {
    // Short values ("x", "1") would mask unrelated text; real credentials are long.
    if (needle.size() < 8) return;
    for (auto pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + kMask.size())) {
      text.replace(pos, needle.size(), kMask);
    }
  };
  for (const auto& [name, value] : headers) {
    std::string lower = Lower(name);
    bool credential = lower == "authorization" || lower == "proxy-authorization" ||
                      lower == "cookie" || NamesASecret(lower);
    if (!credential) continue;
    // "Bearer TOKEN", "token TOKEN", "Basic B64": the credential on its own
    // too, as pages echo it without the scheme.
    auto space = value.find(' ');
    if (space != std::string::npos) {
      std::string_view credential_part = std::string_view(value).substr(space + 1);
      while (!credential_part.empty() && credential_part.front() == ' ') {
        credential_part.remove_prefix(1);
      }
      scrub(value);
      scrub(credential_part);
    } else {
      scrub(value);
    }
  }
  return text;
}

}  // namespace infinity_sync
