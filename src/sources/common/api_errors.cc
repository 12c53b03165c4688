#include "sources/common/api_errors.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "http/url.h"
#include "paws/codes.h"
#include "paws/secret.h"

namespace paws {
namespace {

using json = nlohmann::json;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A non-negative decimal number ("120", "1767225600.5"), or nullopt.
std::optional<double> Number(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text.size() > 24 || text.front() < '0' || text.front() > '9') {
    return std::nullopt;
  }
  double v = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

Duration Seconds(double s) {
  if (s <= 0) return Duration(0);
  // Far beyond any sane wait; keeps the conversion in range.
  s = std::min(s, 1e9);
  return Duration(static_cast<int64_t>(std::ceil(s * 1000)));
}

Duration Until(WallTime t, WallTime now) {
  return t > now ? std::chrono::ceil<Duration>(t - now) : Duration(0);
}

int MonthNumber(const char* name) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (std::string_view(name) == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

// A string member as text, a number member as its decimal form, else "".
std::string Member(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

std::string Join(const std::string& a, const std::string& sep, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + sep + b;
}

std::string Summarize(const json& j) {
  if (j.is_array()) return j.empty() ? "" : Summarize(j.front());
  if (!j.is_object()) return "";
  if (j.contains("errorSummary"))
    return Join(Member(j, "errorCode"), " ", Member(j, "errorSummary"));
  if (auto it = j.find("error"); it != j.end() && it->is_object()) {
    return Join(Join(Member(*it, "code"), " ", Member(*it, "status")), ": ",
                Member(*it, "message"));
  }
  if (j.contains("error")) return Join(Member(j, "error"), ": ", Member(j, "error_description"));
  if (j.contains("errorCode")) return Join(Member(j, "errorCode"), ": ", Member(j, "message"));
  return Member(j, "message");
}

}  // namespace

std::string ErrorExcerpt(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (text.size() <= kMaxErrorExcerpt) return text;
  size_t cut = kMaxErrorExcerpt;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

std::string RequestName(std::string_view method, std::string_view url) {
  return std::string(method) + " " + UrlPath(url);
}

Status ClassifyHttpStatus(const HttpResponse& res, const std::string& what, WallTime now,
                          const ErrorSummarizer& summarize) {
  const int code = res.status;
  if (code >= 200 && code < 300) return Status::Ok();
  std::string msg = what + ": HTTP " + std::to_string(code);
  if (summarize) {
    std::string summary = ErrorExcerpt(summarize(res.body));
    if (!summary.empty()) msg += " (" + summary + ")";
  }
  if (code == 401 || code == 403) return Status::Unauthenticated(msg, codes::kApiUnauthenticated);
  if (code == 429) {
    return Status::RateLimited(msg, RetryAfter(res, now)).WithCode(codes::kApiRateLimited);
  }
  if (code >= 500 || code == 408) return Status::Unavailable(msg, codes::kApiUnavailable);
  return Status::InvalidArgument(msg, codes::kApiMalformed);
}

Duration RetryAfter(const HttpResponse& res, WallTime now) {
  const std::string retry_after = res.Header("Retry-After");
  if (!retry_after.empty()) {
    if (std::optional<double> secs = Number(retry_after)) return Seconds(*secs);
    if (std::optional<WallTime> at = ParseHttpDate(retry_after)) return Until(*at, now);
  }
  for (const char* name : {"X-Rate-Limit-Reset", "X-RateLimit-Reset"}) {
    std::optional<double> reset = Number(res.Header(name));
    if (!reset) continue;
    if (*reset < 1e9) return Seconds(*reset);  // delta-seconds, not a time
    return Until(WallTime(std::chrono::milliseconds(static_cast<int64_t>(*reset * 1000))), now);
  }
  return Duration(0);
}

std::optional<WallTime> ParseHttpDate(std::string_view text) {
  const std::string s(Trim(text));
  char wday[10] = {}, mon[4] = {};
  int d = 0, y = 0, hh = 0, mm = 0, ss = 0, n = -1;
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  bool ok = std::sscanf(s.c_str(), "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", wday, &d,
                        mon, &y, &hh, &mm, &ss, &n) == 7 &&
            n == static_cast<int>(s.size());
  if (!ok) {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year is taken
    // as the one in 1970..2069.
    n = -1;
    ok = std::sscanf(s.c_str(), "%9[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", wday, &d, mon,
                     &y, &hh, &mm, &ss, &n) == 7 &&
         n == static_cast<int>(s.size());
    if (ok) y += y < 70 ? 2000 : 1900;
  }
  if (!ok) {
    // asctime: "Sun Nov  6 08:49:37 1994"
    n = -1;
    ok = std::sscanf(s.c_str(), "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", wday, mon, &d, &hh,
                     &mm, &ss, &y, &n) == 7 &&
         n == static_cast<int>(s.size());
  }
  const int m = ok ? MonthNumber(mon) : 0;
  if (m == 0 || hh > 23 || mm > 59 || ss > 60 || hh < 0 || mm < 0 || ss < 0) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return WallTime(std::chrono::sys_days(ymd) + std::chrono::hours(hh) + std::chrono::minutes(mm) +
                  std::chrono::seconds(ss));
}

Status QuotaExceeded(const std::string& what, Duration retry_after) {
  return Status::RateLimited(what + ": quota exceeded", retry_after)
      .WithCode(codes::kApiRateLimited);
}

Status Malformed(const std::string& what) {
  return Status::InvalidArgument(what, codes::kApiMalformed);
}

std::string JsonErrorSummary(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "";
  try {
    return Summarize(j);
  } catch (const json::exception&) {
    return "";  // an unexpected shape is not a summary
  }
}

Status WithMessage(const Status& s, std::string message) {
  if (s.code() == StatusCode::kRateLimited) {
    return Status::RateLimited(std::move(message), s.retry_after()).WithCode(s.paws_code());
  }
  return Status(s.code(), std::move(message), s.paws_code());
}

namespace {

void Redact(std::string* text, std::string_view secret) {
  if (secret.empty()) return;
  for (size_t p = text->find(secret); p != std::string::npos; p = text->find(secret, p)) {
    text->replace(p, secret.size(), Secret::kRedacted);
    p += std::char_traits<char>::length(Secret::kRedacted);
  }
}

}  // namespace

Status RedactSecrets(const Status& s, std::initializer_list<std::string_view> secrets) {
  std::string msg = s.message();
  for (std::string_view secret : secrets) Redact(&msg, secret);
  return msg == s.message() ? s : WithMessage(s, std::move(msg));
}

ErrorSummarizer RedactingSummarizer(ErrorSummarizer inner, std::vector<std::string> secrets) {
  return [inner = std::move(inner), secrets = std::move(secrets)](const std::string& body) {
    std::string summary = inner ? inner(body) : "";
    for (const std::string& secret : secrets) Redact(&summary, secret);
    return summary;
  };
}

}  // namespace paws
