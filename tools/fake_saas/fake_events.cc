#include "tools/fake_saas/fake_events.h"

#include <fmt/format.h>

#include <cstdio>
#include <iterator>
#include <nlohmann/json.hpp>

#include "paws/clock.h"

namespace paws {
namespace {

uint64_t Fnv1a(const std::string& s, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// The splitmix64 finalizer: a bijection on 64-bit values, which is what
// makes ids of one stream unique.
uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t StreamHash(const std::string& tenant, const std::string& stream) {
  return Fnv1a(stream, Fnv1a(tenant) ^ 0x2f);
}

// `s` as a JSON string literal, escaped.
std::string JsonString(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct EventKind {
  const char* type;
  const char* message;
  const char* legacy;
};

constexpr EventKind kKinds[] = {
    {"user.session.start", "User login to Okta", "core.user_auth.login_success"},
    {"user.session.end", "User logout from Okta", "core.user_auth.logout_success"},
    {"user.authentication.sso", "User single sign on to app", "app.auth.sso"},
    {"policy.evaluate_sign_on", "Evaluation of sign-on policy", ""},
    {"user.authentication.auth_via_mfa", "Authentication of user via MFA",
     "core.user.factor.attempt_success"},
    {"user.account.update_password", "User update password for Okta",
     "core.user.config.password_update.success"},
    {"app.oauth2.token.grant", "OAuth2 token granted", ""},
    {"system.api_token.create", "Create API token", "api.token.create"},
};

}  // namespace

int64_t FakeFirstIndexAtOrAfter(int64_t t_ms, int64_t period_ms) {
  if (t_ms <= 0) return 0;
  return (t_ms + period_ms - 1) / period_ms;
}

std::string FakeEventId(const std::string& tenant, const std::string& stream, int64_t k) {
  uint64_t h = StreamHash(tenant, stream);
  uint64_t lo = Mix64(static_cast<uint64_t>(k) ^ Mix64(h));
  uint64_t hi = Mix64(lo ^ h);
  hi = (hi & ~uint64_t{0xF000}) | 0x4000;  // looks like a version 4 UUID
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

std::string FakeEventJson(const std::string& tenant, const std::string& stream, int64_t k,
                          int64_t period_ms) {
  uint64_t r = Mix64(StreamHash(tenant, stream) + static_cast<uint64_t>(k));
  const EventKind& kind = kKinds[r % (sizeof(kKinds) / sizeof(kKinds[0]))];
  unsigned user = static_cast<unsigned>((r >> 8) % 50);
  bool failure = (r >> 16) % 10 == 0;
  // Written out rather than built as a JSON value: the API serves pages of
  // thousands of events, and building each as a tree was most of its cost.
  // Keys are in sorted order, the order nlohmann::json writes, and the
  // tenant and stream (which come from a URL) are escaped.
  std::string legacy = kind.legacy[0] ? fmt::format("\"{}\"", kind.legacy) : "null";
  std::string out;
  out.reserve(900);
  fmt::format_to(
      std::back_inserter(out),
      R"j({{"actor":{{"alternateId":{},"detailEntry":null,"displayName":"User {}","id":"00u{:017x}",)j"
      R"j("type":"User"}},"authenticationContext":{{"authenticationStep":0,"externalSessionId":"102{}"}},)j"
      R"j("client":{{"device":"Computer","ipAddress":"10.{}.{}.{}","userAgent":{{"browser":"FIREFOX",)j"
      R"j("os":"Linux","rawUserAgent":"Mozilla/5.0 (X11; Linux x86_64)"}},"zone":"null"}},)j"
      R"j("debugContext":{{"debugData":{{"sequence":{},"stream":{}}}}},"displayMessage":"{}",)j"
      R"j("eventType":"{}","legacyEventType":{},"outcome":{{"reason":{},"result":"{}"}},)j"
      R"j("published":"{}","securityContext":{{}},"severity":"{}","target":[],)j"
      R"j("transaction":{{"detail":{{}},"id":"tx{}","type":"WEB"}},"uuid":"{}","version":"0"}})j",
      JsonString("user" + std::to_string(user) + "@" + tenant + ".example.com"), user,
      Mix64(user + StreamHash(tenant, "")) >> 4, r % 100000, (r >> 24) & 0xFF, (r >> 32) & 0xFF,
      (r >> 40) & 0xFF, k, JsonString(stream), kind.message, kind.type, legacy,
      failure ? "\"INVALID_CREDENTIALS\"" : "null", failure ? "FAILURE" : "SUCCESS",
      FormatRfc3339(FromUnixMillis(k * period_ms)), failure ? "WARN" : "INFO", k,
      FakeEventId(tenant, stream, k));
  return out;
}

}  // namespace paws
