// Mail: the RFC 5322 message and its hand-over through libcurl's SMTP.
#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <ctime>
#include <mutex>

#include <fmt/format.h>

#include "notify/senders.h"

namespace infinity_sync {
namespace {

constexpr std::chrono::milliseconds kMinAttempt{100};

// Header values must not break the header block.
std::string OneHeaderLine(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

bool IsAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (static_cast<unsigned char>(c)) < 0x80; });
}

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// RFC 2047 encoded words of at most 45 bytes of text each (well under the 75
// characters a word may have), folded onto continuation lines.
std::string EncodedWords(const std::string& text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = std::min(text.size(), pos + 45);
    while (end < text.size() && end > pos && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
      --end;
    out += (pos ? "\r\n " : "") + std::string("=?UTF-8?B?") + Base64(text.substr(pos, end - pos)) +
           "?=";
    pos = end;
  }
  return out;
}

// Message bodies end lines with CRLF, and no line may exceed 998 bytes.
std::string CrlfText(const std::string& text) {
  std::string out;
  std::size_t column = 0;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      out += "\r\n";
      column = 0;
      continue;
    }
    if (column >= 990) {
      out += "\r\n";
      column = 0;
    }
    out += c;
    ++column;
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

struct Upload {
  const std::string* data;
  std::size_t pos = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t nitems, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t n = std::min(size * nitems, up->data->size() - up->pos);
  std::copy_n(up->data->data() + up->pos, n, buffer);
  up->pos += n;
  return n;
}

SendResult CurlSend(const MailRequest& r) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  SendResult result;
  result.attempts = 1;
  CURL* h = curl_easy_init();
  if (h == nullptr) {
    result.error = "cannot start an SMTP exchange";
    return result;
  }
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_slist* rcpt = nullptr;
  for (const auto& to : r.to) rcpt = curl_slist_append(rcpt, ("<" + to + ">").c_str());
  std::string from = "<" + r.from + ">";
  Upload upload{&r.message};
  curl_easy_setopt(h, CURLOPT_URL, r.smtp_url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.timeout.count()));
  // smtp://: STARTTLS whenever the server offers it (and then verified);
  // smtps:// is TLS from the first byte whatever this says.
  curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!r.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, r.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, "/etc/ssl/certs");
  }
  if (!r.username.empty()) curl_easy_setopt(h, CURLOPT_USERNAME, r.username.c_str());
  if (!r.password.empty()) curl_easy_setopt(h, CURLOPT_PASSWORD, r.password.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  result.http_status = static_cast<int>(code);
  if (rc == CURLE_OK) {
    result.ok = true;
    result.answer = fmt::format("{} accepted for {} recipient{}", code, r.to.size(),
                                r.to.size() == 1 ? "" : "s");
  } else {
    result.error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    if (code >= 400) result.error = fmt::format("SMTP {}: {}", code, result.error);
  }
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(h);
  return result;
}

// Hides the URL (it may hold user:password) wherever an error quotes it.
std::string Scrubbed(std::string text, const MailRequest& r) {
  for (const std::string& secret : {r.smtp_url, r.password}) {
    if (secret.empty()) continue;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

}  // namespace

std::string Rfc5322Date(std::chrono::system_clock::time_point t) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string EmailMessage(const std::string& from, const std::vector<std::string>& to,
                         const std::string& subject, const std::string& text,
                         std::chrono::system_clock::time_point date,
                         const std::string& message_id) {
  std::string recipients;
  for (std::size_t i = 0; i < to.size(); ++i) recipients += (i ? ", " : "") + OneHeaderLine(to[i]);
  std::string subj = OneHeaderLine(subject);
  std::string out;
  out += "Date: " + Rfc5322Date(date) + "\r\n";
  out += "From: " + OneHeaderLine(from) + "\r\n";
  out += "To: " + recipients + "\r\n";
  out += "Subject: " + (IsAscii(subj) ? subj : EncodedWords(subj)) + "\r\n";
  out += "Message-ID: <" + OneHeaderLine(message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  out += CrlfText(text);
  return out;
}

Mailer CurlMailer() { return CurlSend; }

SendResult SendMailWithRetry(const Mailer& mailer, const Clock& clock, const Sleeper& sleep,
                             MailRequest request, const RetryPolicy& policy) {
  using std::chrono::milliseconds;
  SendResult result;
  milliseconds backoff = policy.first_backoff;
  int attempts = 0;
  while (attempts < policy.max_attempts) {
    auto left = std::chrono::duration_cast<milliseconds>(policy.deadline - clock.SteadyNow());
    if (left < kMinAttempt) {
      result.error = (attempts ? result.error + "; " : "") + "out of time";
      result.attempts = attempts;
      return result;
    }
    request.timeout = std::min(policy.attempt_timeout, left);
    ++attempts;
    result = mailer(request);
    result.attempts = attempts;
    result.error = Scrubbed(result.error, request);
    if (result.ok) return result;
    if (result.http_status >= 500) return result;  // a permanent refusal
    if (attempts >= policy.max_attempts) break;
    left = std::chrono::duration_cast<milliseconds>(policy.deadline - clock.SteadyNow());
    if (left - backoff < kMinAttempt) {
      result.error += "; out of time";
      return result;
    }
    sleep(backoff);
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
  return result;
}

}  // namespace infinity_sync
