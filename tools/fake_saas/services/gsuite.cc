#include "tools/fake_saas/services/gsuite.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "sources/common/base64.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/services/service_util.h"

namespace paws {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr const char* kActivitiesPrefix = "/admin/reports/v1/activity/users/all/applications/";
constexpr const char* kTokenPath = "/oauth2/v4/token";
constexpr const char* kJwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr const char* kAuditScope = "https://www.googleapis.com/auth/admin.reports.audit.readonly";
constexpr int64_t kMaxResults = 1000;  // the API's maximum and default
constexpr int64_t kRetentionMs = 180LL * 24 * 3600 * 1000;
constexpr int64_t kMaxAssertionLifetimeSec = 3600;

FakeResponse JsonResponse(int status, const std::string& body) {
  return FakeJsonResponse(status, body, "application/json; charset=UTF-8");
}

// Google's JSON error document (the "errors" list is what client libraries
// and upstream read the reason from).
FakeResponse GoogleError(int status, const std::string& state, const std::string& reason,
                         const std::string& domain, const std::string& message) {
  ordered_json err = {{"message", message}, {"domain", domain}, {"reason", reason}};
  return JsonResponse(status, ordered_json{{"error",
                                            {{"code", status},
                                             {"message", message},
                                             {"errors", ordered_json::array({err})},
                                             {"status", state}}}}
                                  .dump());
}

FakeResponse BadRequest(const std::string& message) {
  return GoogleError(400, "INVALID_ARGUMENT", "invalid", "global", message);
}

FakeResponse AuthError() {
  return GoogleError(401, "UNAUTHENTICATED", "authError", "global", "Invalid Credentials");
}

// The token endpoint answers in OAuth2's form (RFC 6749 §5.2).
FakeResponse OAuthError(int status, const std::string& error, const std::string& description) {
  return FakeOAuthError(status, error, description, "application/json; charset=UTF-8");
}

// What each application's events are called, a few per application.
std::vector<std::string> EventNames(const std::string& app) {
  static const std::map<std::string, std::vector<std::string>> kNames = {
      {"login", {"login_success", "login_failure", "logout", "login_challenge"}},
      {"admin",
       {"CHANGE_USER_PASSWORD", "CREATE_USER", "ASSIGN_ROLE", "CHANGE_APPLICATION_SETTING"}},
      {"drive", {"view", "edit", "download", "change_user_access"}},
      {"token", {"authorize", "revoke", "activity"}},
  };
  auto it = kNames.find(app);
  return it != kNames.end() ? it->second : std::vector<std::string>{app + "_event"};
}

// The uniqueQualifier of activity k: a decimal int64 from its event id.
std::string UniqueQualifier(const std::string& event_id) {
  std::string hex;
  for (char c : event_id) {
    if (c != '-') hex += c;
  }
  return std::to_string(static_cast<int64_t>(std::stoull(hex.substr(0, 15), nullptr, 16)));
}

std::string ActivityJson(const std::string& tenant, const std::string& app, int64_t k,
                         int64_t period_ms) {
  const std::string event_id = FakeEventId(tenant, app, k);
  const unsigned r = static_cast<unsigned>(std::stoul(event_id.substr(0, 8), nullptr, 16));
  const std::vector<std::string> names = EventNames(app);
  const unsigned user = (r >> 8) % 50;
  ordered_json a = {
      {"kind", "admin#reports#activity"},
      {"id",
       {{"time", FormatRfc3339(FromUnixMillis(k * period_ms))},
        {"uniqueQualifier", UniqueQualifier(event_id)},
        {"applicationName", app},
        {"customerId", "C0fake" + tenant}}},
      {"etag", "\"fake/" + event_id + "\""},
      {"actor",
       {{"email", "user" + std::to_string(user) + "@" + tenant + ".example"},
        {"profileId", std::to_string(100000000000000000ULL + user)}}},
      {"ipAddress", "10.1." + std::to_string(user / 10) + "." + std::to_string(user)},
      {"events",
       ordered_json::array(
           {{{"type", app},
             {"name", names[r % names.size()]},
             {"parameters",
              ordered_json::array({{{"name", "fake_sequence"}, {"intValue", std::to_string(k)}},
                                   {{"name", "fake_event_id"}, {"value", event_id}}})}}})},
  };
  return a.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// Whether `signature` over `signed_part` verifies with the PEM public key.
bool VerifyRs256(const std::string& pem, const std::string& signed_part,
                 const std::string& signature) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())),
                                                &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr, &EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return key && ctx &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestVerify(
             ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
             reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
}

// A JSON object from a base64url JWT part, or a discarded value.
json DecodePart(const std::string& part) {
  Result<std::string> text = Base64UrlDecode(part);
  return text.ok() ? json::parse(*text, nullptr, false) : json(json::value_t::discarded);
}

std::string Text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A page token names the window it belongs to and the next activity to
// list (the highest index left), so a token of another query is refused.
std::string PageToken(const std::string& app, int64_t start_ms, int64_t end_ms, int64_t next) {
  return Base64UrlEncode(app + ":" + std::to_string(start_ms) + ":" + std::to_string(end_ms) + ":" +
                         std::to_string(next));
}

class FakeGsuiteService : public FakeService {
 public:
  explicit FakeGsuiteService(FakeGsuiteOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "gsuite"; }

  std::optional<FakeResponse> Handle(const std::string& tenant, const std::string& rest,
                                     const FakeRequest& req, FakeServiceContext& ctx) override {
    if (rest == kTokenPath) return Token(tenant, req, ctx);
    const std::string prefix = kActivitiesPrefix;
    if (rest.rfind(prefix, 0) == 0) return Activities(tenant, rest.substr(prefix.size()), req, ctx);
    return std::nullopt;
  }

 private:
  struct Issued {
    std::string tenant;
    WallTime expires;
  };
  struct Bucket {
    int64_t minute = -1, in_minute = 0;
    int64_t day = -1, in_day = 0;
  };

  FakeResponse Token(const std::string& tenant, const FakeRequest& req, FakeServiceContext& ctx) {
    if (req.method != "POST") return GoogleError(405, "", "", "", "Method Not Allowed");
    std::string form = req.body;
    std::replace(form.begin(), form.end(), '+', ' ');
    std::map<std::string, std::string> f = FakeRequest::FromUrl("POST", "http://f/?" + form).query;
    if (f["grant_type"] != kJwtBearer) {
      return OAuthError(400, "unsupported_grant_type", "Invalid grant_type: " + f["grant_type"]);
    }
    const std::string& jwt = f["assertion"];
    const size_t a = jwt.find('.'), b = jwt.rfind('.');
    if (a == std::string::npos || a == b) {
      return OAuthError(400, "invalid_grant", "Invalid JWT: not a signed JWT");
    }
    json header = DecodePart(jwt.substr(0, a));
    json claims = DecodePart(jwt.substr(a + 1, b - a - 1));
    Result<std::string> signature = Base64UrlDecode(jwt.substr(b + 1));
    if (!header.is_object() || Text(header, "alg") != "RS256" || !claims.is_object() ||
        !signature.ok()) {
      return OAuthError(400, "invalid_grant", "Invalid JWT: bad header, claims or signature");
    }
    if (!options_.public_key_pem.empty() &&
        !VerifyRs256(options_.public_key_pem, jwt.substr(0, b), *signature)) {
      return OAuthError(400, "invalid_grant", "Invalid JWT Signature.");
    }
    const std::string required = ctx.RequiredToken(tenant);
    const std::string iss = Text(claims, "iss");
    if (iss.empty() || (!required.empty() && iss != required)) {
      return OAuthError(400, "invalid_grant", "Invalid grant: account not found");
    }
    const std::string aud = Text(claims, "aud"), suffix = "/t/" + tenant + kTokenPath;
    if (aud.size() < suffix.size() ||
        aud.compare(aud.size() - suffix.size(), suffix.size(), suffix)) {
      return OAuthError(400, "invalid_grant", "Invalid JWT: Failed audience check.");
    }
    const int64_t now_sec = ToUnixMillis(ctx.Now()) / 1000;
    auto number = [&](const char* key) {
      auto it = claims.find(key);
      return it != claims.end() && it->is_number_integer() ? it->get<int64_t>() : int64_t{-1};
    };
    const int64_t iat = number("iat"), exp = number("exp");
    if (iat < 0 || exp <= now_sec || exp - iat > kMaxAssertionLifetimeSec || iat > now_sec + 300) {
      return OAuthError(400, "invalid_grant",
                        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                        "reasonable timeframe. Check your iat and exp values in the JWT claim.");
    }
    const std::string scope = Text(claims, "scope");
    if (Text(claims, "sub").empty() || scope.find(kAuditScope) == std::string::npos) {
      return OAuthError(401, "unauthorized_client",
                        "Client is unauthorized to retrieve access tokens using this method, or "
                        "client not authorized for any of the scopes requested.");
    }
    std::string token;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::erase_if(tokens_, [&](const auto& t) { return t.second.expires <= ctx.Now(); });
      token = "ya29.fake-" + FakeEventId(tenant, "gsuite/oauth", ++issued_);
      tokens_[token] = Issued{tenant, ctx.Now() + options_.token_lifetime};
    }
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(options_.token_lifetime);
    return JsonResponse(
        200, json{{"access_token", token}, {"expires_in", secs.count()}, {"token_type", "Bearer"}}
                 .dump());
  }

  FakeResponse Activities(const std::string& tenant, const std::string& app, const FakeRequest& req,
                          FakeServiceContext& ctx) {
    const std::vector<std::string>& apps = FakeGsuiteApplications();
    if (req.method != "GET") return GoogleError(405, "", "", "", "Method Not Allowed");
    if (std::find(apps.begin(), apps.end(), app) == apps.end()) {
      return BadRequest("Invalid value '" + app + "'. Values must match the application names.");
    }
    const WallTime now = ctx.Now();
    Duration delay{0};
    if (std::optional<FakeFault> fault = ctx.BeginRequest(tenant, app)) {
      if (fault->kind == FakeFaultKind::kSlow) {
        delay = Duration(fault->delay_ms);
      } else if (fault->kind != FakeFaultKind::kNone) {
        return FaultResponse(*fault);
      }
    }
    if (std::optional<FakeResponse> denied = CheckToken(tenant, req, now)) return *denied;
    if (std::optional<FakeResponse> limited = Quota(tenant, now)) return *limited;
    FakeResponse res = Page(tenant, app, req, now, ctx);
    res.delay = delay;
    return res;
  }

  FakeResponse Page(const std::string& tenant, const std::string& app, const FakeRequest& req,
                    WallTime now, FakeServiceContext& ctx) {
    const int64_t now_ms = ToUnixMillis(now);
    auto time_param = [&](const char* name, int64_t fallback) -> std::optional<int64_t> {
      const std::string text = FakeQueryOr(req, name);
      if (text.empty()) return fallback;
      Result<WallTime> t = ParseRfc3339(text);
      return t.ok() ? std::optional<int64_t>(ToUnixMillis(*t)) : std::nullopt;
    };
    std::optional<int64_t> start = time_param("startTime", now_ms - kRetentionMs);
    std::optional<int64_t> end = time_param("endTime", now_ms);
    if (!start || !end) return BadRequest("Invalid value for startTime or endTime: not RFC 3339");
    if (*start > *end) return BadRequest("Start time must be less than or equal to the end time.");
    if (*start > now_ms) return BadRequest("Start time can not be in the future.");
    int64_t max_results = kMaxResults;
    if (!FakeParseCount(FakeQueryOr(req, "maxResults", "1000"), &max_results) || max_results < 1 ||
        max_results > kMaxResults) {
      return BadRequest("Invalid value for maxResults: must be between 1 and 1000");
    }
    // Activities in [start, end), no older than the retention, none from
    // the future; listed newest first.
    const int64_t period = ctx.PeriodMs(tenant);
    const int64_t first = FakeFirstIndexAtOrAfter(std::max(*start, now_ms - kRetentionMs), period);
    const int64_t last = FakeFirstIndexAtOrAfter(std::min(*end, now_ms), period) - 1;
    int64_t hi = last;
    if (const std::string token = FakeQueryOr(req, "pageToken"); !token.empty()) {
      std::optional<int64_t> next = ParsePageToken(token, app, *start, *end);
      if (!next) return BadRequest("Invalid value for pageToken");
      hi = std::min(*next, last);
    }
    const int64_t lo = std::max(first, hi - max_results + 1);
    ordered_json body = {{"kind", "admin#reports#activities"},
                         {"etag", "\"fake/" + std::to_string(hi) + "\""}};
    std::string items;
    std::vector<std::string> ids;
    for (int64_t k = hi; k >= lo; --k) {
      if (!items.empty()) items += ",";
      items += ActivityJson(tenant, app, k, period);
      ids.push_back(FakeGsuiteEventId(tenant, app, k, period));
    }
    // Serialized by hand so the activities keep their member order.
    std::string text = body.dump();
    text.pop_back();
    if (!ids.empty()) text += ",\"items\":[" + items + "]";
    if (lo > first) {
      text += ",\"nextPageToken\":" + json(PageToken(app, *start, *end, lo - 1)).dump();
    }
    text += "}";
    ctx.RecordServed(tenant, app, ids);
    return JsonResponse(200, text);
  }

  static std::optional<int64_t> ParsePageToken(const std::string& token, const std::string& app,
                                               int64_t start_ms, int64_t end_ms) {
    Result<std::string> text = Base64UrlDecode(token);
    const std::string prefix =
        app + ":" + std::to_string(start_ms) + ":" + std::to_string(end_ms) + ":";
    int64_t next = 0;
    if (!text.ok() || text->rfind(prefix, 0) != 0 ||
        !FakeParseCount(text->substr(prefix.size()), &next)) {
      return std::nullopt;
    }
    return next;
  }

  std::optional<FakeResponse> CheckToken(const std::string& tenant, const FakeRequest& req,
                                         WallTime now) {
    const std::string auth = FakeHeaderOf(req.headers, "Authorization");
    const std::string bearer = "Bearer ";
    if (auth.rfind(bearer, 0) != 0) {
      return GoogleError(401, "UNAUTHENTICATED", "required", "global", "Login Required.");
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tokens_.find(auth.substr(bearer.size()));
    if (it == tokens_.end() || it->second.tenant != tenant || it->second.expires <= now) {
      return AuthError();
    }
    return std::nullopt;
  }

  // Counts a request against the tenant's per-minute and daily quotas.
  std::optional<FakeResponse> Quota(const std::string& tenant, WallTime now) {
    const int64_t ms = ToUnixMillis(now);
    std::lock_guard<std::mutex> lock(mu_);
    Bucket& b = buckets_[tenant];
    if (b.minute != ms / 60000) b.minute = ms / 60000, b.in_minute = 0;
    if (b.day != ms / 86400000) b.day = ms / 86400000, b.in_day = 0;
    if (options_.queries_per_day > 0 && b.in_day >= options_.queries_per_day) {
      return GoogleError(403, "PERMISSION_DENIED", "dailyLimitExceeded", "usageLimits",
                         "Daily Limit Exceeded");
    }
    if (b.in_minute >= options_.queries_per_minute) {
      return GoogleError(403, "PERMISSION_DENIED", "rateLimitExceeded", "usageLimits",
                         "Quota exceeded for quota metric 'Queries' and limit 'Queries per "
                         "minute per user'");
    }
    ++b.in_minute;
    ++b.in_day;
    return std::nullopt;
  }

  FakeResponse FaultResponse(const FakeFault& fault) const {
    FakeResponse res;
    switch (fault.kind) {
      case FakeFaultKind::k401:
        return AuthError();
      case FakeFaultKind::k429:
        res = GoogleError(429, "RESOURCE_EXHAUSTED", "rateLimitExceeded", "usageLimits",
                          "Rate Limit Exceeded");
        res.headers.emplace_back("Retry-After", std::to_string(fault.retry_after_sec));
        return res;
      case FakeFaultKind::k500:
        return GoogleError(500, "INTERNAL", "backendError", "global", "Backend Error");
      case FakeFaultKind::kCrash:
        res = JsonResponse(200, R"({"kind":"admin#reports#activities"})");
        res.headers.emplace_back("X-Fake-Crash", "abort");
        return res;
      case FakeFaultKind::kMalformed:
      default:
        return JsonResponse(200, R"({"kind":"admin#reports#activities","items":[{"id":{"time")");
    }
  }

  const FakeGsuiteOptions options_;
  std::mutex mu_;
  std::map<std::string, Issued> tokens_;   // guarded by mu_
  std::map<std::string, Bucket> buckets_;  // guarded by mu_
  int64_t issued_ = 0;                     // guarded by mu_
};

}  // namespace

const std::vector<std::string>& FakeGsuiteApplications() {
  static const std::vector<std::string> kApps = {"access_evaluation",
                                                 "access_transparency",
                                                 "admin",
                                                 "admin_data_action",
                                                 "assignments",
                                                 "calendar",
                                                 "chat",
                                                 "chrome",
                                                 "classroom",
                                                 "context_aware_access",
                                                 "data_studio",
                                                 "drive",
                                                 "gcp",
                                                 "gplus",
                                                 "groups",
                                                 "groups_enterprise",
                                                 "jamboard",
                                                 "keep",
                                                 "login",
                                                 "meet",
                                                 "mobile",
                                                 "rules",
                                                 "saml",
                                                 "token",
                                                 "user_accounts",
                                                 "vault"};
  return kApps;
}

std::string FakeGsuiteEventId(const std::string& tenant, const std::string& application, int64_t k,
                              int64_t period_ms) {
  return FormatRfc3339(FromUnixMillis(k * period_ms)) + "/" +
         UniqueQualifier(FakeEventId(tenant, application, k));
}

std::unique_ptr<FakeService> MakeFakeGsuiteService(FakeGsuiteOptions options) {
  return std::make_unique<FakeGsuiteService>(std::move(options));
}

}  // namespace paws
