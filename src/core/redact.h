#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace infinity_sync {

// How much of a URL RedactUrl hides.
enum class UrlRedaction {
  kSecrets,  // userinfo, and the values of query parameters that name a secret
  kPath,     // userinfo, path, query and fragment: "https://hooks.slack.com/***"
             // (webhook URLs carry their secret in the path)
};

// The one redaction of URLs: every URL the program writes (report, evidence,
// status file, history, API, events, notifications, logs) passes here first.
// The userinfo becomes "***" ("https://***@host/x"), and so does the value of
// every query parameter whose name contains token, key, secret, password,
// passwd, sig, signature, auth, credential or code, in any case
// ("?api_key=***&page=2"). Text that is not scheme://... comes back as is,
// except that kPath gives "***" for it.
std::string RedactUrl(std::string_view url, UrlRedaction how = UrlRedaction::kSecrets);

// `text` with every URL in it (scheme://... up to a space, a quote or <>)
// passed through RedactUrl. For free text that may quote URLs: a check's
// report lines, a program's output, an error message.
std::string RedactUrlsIn(std::string_view text);

// `text` quoted from an upstream answer, with the credentials the program
// sent in `headers` (the Authorization value and the token after its scheme,
// and any header whose name holds token, key, secret or auth) replaced by
// "***": an error page that echoes the request must not carry them further.
std::string RedactSentCredentials(std::string text,
                                  const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace infinity_sync
