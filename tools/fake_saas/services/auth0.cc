#include "tools/fake_saas/services/auth0.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "http/url.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/services/service_util.h"

namespace paws {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr int64_t kDefaultTake = 50;  // take and per_page
constexpr int64_t kMaxTake = 100;
constexpr int64_t kMaxSearchResults = 1000;  // what paging by search reaches
constexpr const char* kLogIdPrefix = "90020";
constexpr size_t kLogIdDigits = 20;

FakeResponse JsonResponse(int status, const std::string& body) {
  return FakeJsonResponse(status, body, "application/json");
}

// Auth0's Management API error document.
FakeResponse Auth0Error(int status, const std::string& error, const std::string& message,
                        const std::string& code) {
  return JsonResponse(
      status,
      json{{"statusCode", status}, {"error", error}, {"message", message}, {"errorCode", code}}
          .dump());
}

FakeResponse BadQuery(const std::string& message) {
  return Auth0Error(400, "Bad Request", message, "invalid_query_string");
}

// The token endpoint answers in OAuth2's form (RFC 6749 §5.2).
FakeResponse OAuthError(int status, const std::string& error, const std::string& description) {
  return FakeOAuthError(status, error, description, "application/json");
}

// The string members of a JSON body, or of a form-encoded one.
std::map<std::string, std::string> TokenRequestFields(const FakeRequest& req) {
  std::map<std::string, std::string> fields;
  if (FakeHeaderOf(req.headers, "Content-Type").find("json") != std::string::npos) {
    json j = json::parse(req.body, nullptr, false);
    if (!j.is_object()) return fields;
    for (const auto& [k, v] : j.items()) {
      if (v.is_string()) fields[k] = v.get<std::string>();
    }
    return fields;
  }
  // A form body is encoded as a query string is.
  std::string form = req.body;
  std::replace(form.begin(), form.end(), '+', ' ');
  return FakeRequest::FromUrl("POST", "http://form/?" + form).query;
}

// Log event type codes and their descriptions, as Auth0 documents them.
constexpr std::pair<const char*, const char*> kKinds[] = {
    {"s", "Success Login"},    {"f", "Failed Login"},        {"sapi", "Success API Operation"},
    {"slo", "Success Logout"}, {"fp", "Incorrect password"}, {"seacft", "Success Exchange"},
};

std::string LogEventJson(const std::string& tenant, int64_t k, int64_t period_ms) {
  const std::string event_id = FakeEventId(tenant, kFakeAuth0Stream, k);
  // The id's hex digits are as good a source of variety as any.
  const unsigned r = static_cast<unsigned>(std::stoul(event_id.substr(0, 8), nullptr, 16));
  const auto& [type, description] = kKinds[r % std::size(kKinds)];
  const unsigned user = (r >> 8) % 50;
  ordered_json e = {
      {"date", FormatRfc3339(FromUnixMillis(k * period_ms))},
      {"type", type},
      {"description", description},
      {"connection", "Username-Password-Authentication"},
      {"client_id", "fakeClient000000000000000000000001"},
      {"ip", "10.0." + std::to_string(user / 10) + "." + std::to_string(user)},
      {"user_id", "auth0|fake" + std::to_string(user)},
      {"user_name", "user" + std::to_string(user) + "@" + tenant + ".example"},
      {"details",
       {{"fake", {{"stream", kFakeAuth0Stream}, {"sequence", k}, {"event_id", event_id}}}}},
      {"log_id", FakeAuth0LogId(k)},
  };
  return e.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// The start of "date:[<RFC 3339> TO *]" (Lucene range syntax, inclusive).
std::optional<WallTime> ParseDateFrom(const std::string& q) {
  const std::string head = "date:[", tail = " TO *]";
  if (q.size() <= head.size() + tail.size() || q.rfind(head, 0) != 0 ||
      q.compare(q.size() - tail.size(), tail.size(), tail) != 0) {
    return std::nullopt;
  }
  Result<WallTime> t = ParseRfc3339(q.substr(head.size(), q.size() - head.size() - tail.size()));
  return t.ok() ? std::optional<WallTime>(*t) : std::nullopt;
}

class FakeAuth0Service : public FakeService {
 public:
  explicit FakeAuth0Service(FakeAuth0Options options) : options_(options) {}

  std::string_view name() const override { return "auth0"; }

  std::optional<FakeResponse> Handle(const std::string& tenant, const std::string& rest,
                                     const FakeRequest& req, FakeServiceContext& ctx) override {
    if (rest == "/oauth/token") return Token(tenant, req, ctx);
    if (rest == "/api/v2/logs") return Logs(tenant, req, ctx);
    return std::nullopt;
  }

 private:
  struct Issued {
    std::string tenant;
    WallTime expires;
  };
  struct Bucket {
    int64_t minute = -1;
    int64_t used = 0;
  };

  FakeResponse Token(const std::string& tenant, const FakeRequest& req, FakeServiceContext& ctx) {
    if (req.method != "POST") return Auth0Error(404, "Not Found", "Not Found", "not_found");
    std::map<std::string, std::string> f = TokenRequestFields(req);
    if (f["grant_type"].empty()) return OAuthError(400, "invalid_request", "Missing grant_type");
    if (f["grant_type"] != "client_credentials") {
      return OAuthError(403, "unsupported_grant_type", "Unsupported grant type");
    }
    const std::string required = ctx.RequiredToken(tenant);
    const std::string& secret = f["client_secret"];
    if (f["client_id"].empty() || secret.empty() || (!required.empty() && secret != required)) {
      return OAuthError(401, "access_denied", "Unauthorized");
    }
    const std::string suffix = "/t/" + tenant + "/api/v2/";
    const std::string& aud = f["audience"];
    if (aud.size() < suffix.size() ||
        aud.compare(aud.size() - suffix.size(), suffix.size(), suffix)) {
      return OAuthError(403, "access_denied", "Service not enabled within domain: " + aud);
    }
    const WallTime now = ctx.Now();
    std::string token;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::erase_if(tokens_, [&](const auto& t) { return t.second.expires <= now; });
      token = "fake-auth0-at-" + FakeEventId(tenant, "auth0/oauth", ++issued_);
      tokens_[token] = Issued{tenant, now + options_.token_lifetime};
    }
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(options_.token_lifetime);
    return JsonResponse(200, json{{"access_token", token},
                                  {"scope", "read:logs"},
                                  {"expires_in", secs.count()},
                                  {"token_type", "Bearer"}}
                                 .dump());
  }

  FakeResponse Logs(const std::string& tenant, const FakeRequest& req, FakeServiceContext& ctx) {
    if (req.method != "GET") return Auth0Error(404, "Not Found", "Not Found", "not_found");
    const WallTime now = ctx.Now();
    Duration delay{0};
    if (std::optional<FakeFault> fault = ctx.BeginRequest(tenant, kFakeAuth0Stream)) {
      if (fault->kind == FakeFaultKind::kSlow) {
        delay = Duration(fault->delay_ms);
      } else if (fault->kind != FakeFaultKind::kNone) {
        return FaultResponse(*fault, now);
      }
    }
    if (std::optional<FakeResponse> denied = CheckToken(tenant, req, now)) return *denied;
    const int64_t remaining = Take(tenant, now);
    if (remaining < 0) return TooMany(now, (ToUnixMillis(now) / 60000 + 1) * 60);
    FakeResponse res = Page(tenant, req, now, ctx);
    res.delay = delay;
    if (res.status == 200) AddRateHeaders(remaining, now, &res);
    return res;
  }

  // The events a request asks for, or its error.
  FakeResponse Page(const std::string& tenant, const FakeRequest& req, WallTime now,
                    FakeServiceContext& ctx) {
    const int64_t period = ctx.PeriodMs(tenant);
    const int64_t end =
        FakeFirstIndexAtOrAfter(ToUnixMillis(now), period);  // nothing from the future
    int64_t first = 0, count = kDefaultTake;
    const bool checkpoint = req.query.count("from") > 0;
    if (checkpoint) {  // any other parameter is ignored
      std::optional<int64_t> k = ParseFakeAuth0LogId(FakeQueryOr(req, "from"));
      if (!k) return BadQuery("Invalid log id: from");
      if (!FakeParseCount(FakeQueryOr(req, "take", "50"), &count) || count < 1 || count > kMaxTake) {
        return BadQuery("take must be an integer between 1 and 100");
      }
      first = *k + 1;
    } else {
      int64_t page = 0;
      if (!FakeParseCount(FakeQueryOr(req, "per_page", "50"), &count) || count < 1 || count > kMaxTake ||
          !FakeParseCount(FakeQueryOr(req, "page", "0"), &page)) {
        return BadQuery("per_page must be 1..100 and page a non-negative integer");
      }
      if ((page + 1) * count > kMaxSearchResults) {
        return BadQuery("You can only page through the first 1000 records");
      }
      const std::string sort = FakeQueryOr(req, "sort", "date:1");
      if (sort != "date:1" || FakeQueryOr(req, "include_totals") == "true") {
        return BadQuery("the fake supports sort=date:1 without include_totals only");
      }
      const std::string q = FakeQueryOr(req, "q");
      std::optional<WallTime> since = q.empty() ? WallTime{} : ParseDateFrom(q);
      if (!since) return BadQuery("the fake supports q=date:[<time> TO *] only");
      first = FakeFirstIndexAtOrAfter(ToUnixMillis(*since), period) + page * count;
    }
    const int64_t last = std::min(end, first + count);
    FakeResponse res = JsonResponse(200, "[");
    std::vector<std::string> ids;
    for (int64_t k = first; k < last; ++k) {
      if (k > first) res.body += ",";
      res.body += LogEventJson(tenant, k, period);
      ids.push_back(FakeAuth0LogId(k));
    }
    res.body += "]";
    ctx.RecordServed(tenant, kFakeAuth0Stream, ids);
    if (checkpoint) {
      // The next page by checkpoint; the same URL when nothing was new.
      const std::string host = FakeHeaderOf(req.headers, "Host");
      const std::string next = ids.empty() ? FakeQueryOr(req, "from") : ids.back();
      res.headers.emplace_back("Link", "<http://" + (host.empty() ? "localhost" : host) + req.path +
                                           "?from=" + UrlEncode(next) +
                                           "&take=" + std::to_string(count) + ">; rel=\"next\"");
    }
    return res;
  }

  std::optional<FakeResponse> CheckToken(const std::string& tenant, const FakeRequest& req,
                                         WallTime now) {
    const std::string auth = FakeHeaderOf(req.headers, "Authorization");
    const std::string bearer = "Bearer ";
    if (auth.rfind(bearer, 0) != 0 || auth.size() == bearer.size()) {
      return Auth0Error(401, "Unauthorized", "Missing authentication", "missing_token");
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tokens_.find(auth.substr(bearer.size()));
    if (it == tokens_.end() || it->second.tenant != tenant) {
      return Auth0Error(401, "Unauthorized", "Invalid token", "invalid_token");
    }
    if (it->second.expires <= now) {
      return Auth0Error(401, "Unauthorized", "Expired token received for JSON Web Token validation",
                        "invalid_token");
    }
    return std::nullopt;
  }

  // Counts a log request in the tenant's minute: the requests left after
  // it, or -1 when there were none left.
  int64_t Take(const std::string& tenant, WallTime now) {
    const int64_t minute = ToUnixMillis(now) / 60000;
    std::lock_guard<std::mutex> lock(mu_);
    Bucket& b = buckets_[tenant];
    if (b.minute != minute) b = Bucket{minute, 0};
    if (b.used >= options_.rate_limit_per_minute) return -1;
    return options_.rate_limit_per_minute - ++b.used;
  }

  // The rate limit headers; the limit resets at the next minute unless
  // `reset` (epoch seconds) says otherwise.
  void AddRateHeaders(int64_t remaining, WallTime now, FakeResponse* res, int64_t reset = 0) const {
    if (reset == 0) reset = (ToUnixMillis(now) / 60000 + 1) * 60;
    res->headers.emplace_back("X-RateLimit-Limit", std::to_string(options_.rate_limit_per_minute));
    res->headers.emplace_back("X-RateLimit-Remaining", std::to_string(remaining));
    res->headers.emplace_back("X-RateLimit-Reset", std::to_string(reset));
  }

  FakeResponse TooMany(WallTime now, int64_t reset) const {
    FakeResponse res =
        Auth0Error(429, "Too Many Requests", "Global limit has been reached", "too_many_requests");
    AddRateHeaders(0, now, &res, reset);
    return res;
  }

  FakeResponse FaultResponse(const FakeFault& fault, WallTime now) const {
    FakeResponse res;
    switch (fault.kind) {
      case FakeFaultKind::k401:
        return Auth0Error(401, "Unauthorized", "Invalid token", "invalid_token");
      case FakeFaultKind::k429:  // the limit frees up when the fault says
        return TooMany(now, ToUnixMillis(now) / 1000 + fault.retry_after_sec);
      case FakeFaultKind::k500:
        return Auth0Error(500, "Internal Server Error", "Internal Server Error", "internal_error");
      case FakeFaultKind::kCrash:  // only the fake source crashes on it
        res = JsonResponse(200, "[]");
        res.headers.emplace_back("X-Fake-Crash", "abort");
        return res;
      case FakeFaultKind::kMalformed:
      default:
        return JsonResponse(200, "[{\"date\":\"2026-01-01T00:00:00.000Z\",\"log_id\":\"9002");
    }
  }

  const FakeAuth0Options options_;
  std::mutex mu_;
  std::map<std::string, Issued> tokens_;   // guarded by mu_
  std::map<std::string, Bucket> buckets_;  // guarded by mu_
  int64_t issued_ = 0;                     // guarded by mu_
};

}  // namespace

std::string FakeAuth0LogId(int64_t k) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%020lld", static_cast<long long>(k));
  return kLogIdPrefix + std::string(digits);
}

std::optional<int64_t> ParseFakeAuth0LogId(const std::string& id) {
  const std::string prefix = kLogIdPrefix;
  if (id.size() != prefix.size() + kLogIdDigits || id.rfind(prefix, 0) != 0) return std::nullopt;
  // k < 10^18: the first two of the 20 digits are zeros.
  int64_t k = 0;
  if (id.compare(prefix.size(), 2, "00") != 0 || !FakeParseCount(id.substr(prefix.size() + 2), &k)) {
    return std::nullopt;
  }
  return k;
}

std::unique_ptr<FakeService> MakeFakeAuth0Service(FakeAuth0Options options) {
  return std::make_unique<FakeAuth0Service>(options);
}

}  // namespace paws
