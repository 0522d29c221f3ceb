#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/sync_status.h"

namespace infinity_sync {

// The one mapping between SyncStatus and the status document (SPEC section 4).
nlohmann::json ToJson(const SyncStatus& status);
nlohmann::json ToJson(const CheckResult& result);
nlohmann::json ToJson(const Action& action);

// Replaces byte sequences that are not UTF-8 (a program's output, an HTTP
// body) with U+FFFD in every text of `result`, so that the document, the
// history and the notifications can always be written as JSON.
void MakeValidUtf8(CheckResult* result);
std::string ValidUtf8(const std::string& text);

// Passes every text of `result` that is written anywhere (report lines,
// evidence, data, the fix's description) through RedactUrlsIn, so that no
// URL leaves the program with its credentials. The fix's argv, which is run,
// stays as it is.
void RedactUrls(CheckResult* result);

// A status document as read back (by `status` and the server): the parsed
// JSON plus the facts derived from it. Accepts the seed's shape too.
struct StatusDocument {
  nlohmann::json json;
  std::chrono::system_clock::time_point timestamp;
  bool has_timestamp = false;
  // Exit code per SPEC section 6, from the Status of every check in it.
  int exit_code = 0;
};

// Parses a document's text; the error names what is wrong with it.
Result<StatusDocument> ParseStatusDocument(const std::string& text);

// How far ahead of this machine's clock a document may be dated and still be
// fresh (clocks of the writer and the reader differ a little).
inline constexpr std::chrono::seconds kFutureSkewAllowed{60};

// Whether a document dated `timestamp` is fresh at `now`: it has a date, is
// not older than `fresh_for` and not dated more than kFutureSkewAllowed after
// `now`. `detail` is set when it is dated in the future that far, naming the
// skew ("dated 2 hours in the future (clock skew?)").
struct Freshness {
  bool fresh = false;
  std::string detail;
};
Freshness AssessFreshness(bool has_timestamp, std::chrono::system_clock::time_point timestamp,
                          std::chrono::system_clock::time_point now,
                          std::chrono::milliseconds fresh_for);

}  // namespace infinity_sync
