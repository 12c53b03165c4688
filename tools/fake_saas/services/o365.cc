#include "tools/fake_saas/services/o365.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "http/url.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/services/service_util.h"

namespace paws {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr const char* kResource = "https://manage.office.com";
constexpr int64_t kRetentionMs = 7LL * 24 * 3600 * 1000;  // what listing and blobs serve
constexpr int64_t kMaxWindowMs = 24LL * 3600 * 1000;      // the longest listing window
constexpr size_t kIndexDigits = 20;                       // of contentIds and nextPage

FakeResponse JsonResponse(int status, const std::string& body) {
  return FakeJsonResponse(status, body, "application/json; charset=utf-8");
}

// The Management Activity API's error document.
FakeResponse ApiError(int status, const std::string& code, const std::string& message) {
  return JsonResponse(status, json{{"error", {{"code", code}, {"message", message}}}}.dump());
}

// What ASP.NET answers for a missing, unknown or expired bearer token.
FakeResponse Denied() {
  return JsonResponse(401,
                      json{{"Message", "Authorization has been denied for this request."}}.dump());
}

FakeResponse WindowError() {
  return ApiError(400, "AF20055",
                  "Start time and end time must both be specified (or both omitted) and they must "
                  "be no more than 24 hours apart, with the start time no more than 7 days in the "
                  "past.");
}

// Azure AD's token error document (the v1 endpoint's shape).
FakeResponse AadError(int status, const std::string& error, int code, const std::string& text) {
  return JsonResponse(status,
                      json{{"error", error},
                           {"error_description", "AADSTS" + std::to_string(code) + ": " + text},
                           {"error_codes", {code}},
                           {"timestamp", "2026-01-01 00:00:00Z"},
                           {"trace_id", "00000000-0000-0000-0000-000000000000"},
                           {"correlation_id", "00000000-0000-0000-0000-000000000000"}}
                          .dump());
}

bool IsGuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool IsContentType(const std::string& s) {
  return std::find(std::begin(kFakeO365ContentTypes), std::end(kFakeO365ContentTypes), s) !=
         std::end(kFakeO365ContentTypes);
}

// The API's date forms: YYYY-MM-DD, YYYY-MM-DDTHH:MM, YYYY-MM-DDTHH:MM:SS,
// each optionally with fractions and "Z" (always UTC).
std::optional<WallTime> ParseApiTime(std::string text) {
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) text.pop_back();
  if (text.size() == 10) text += "T00:00";
  if (text.size() == 16) text += ":00";
  Result<WallTime> t = ParseRfc3339(text + "Z");
  return t.ok() ? std::optional<WallTime>(*t) : std::nullopt;
}

std::optional<int64_t> ParseIndex(const std::string& text) {
  if (text.size() != kIndexDigits) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    if (i < 2 && text[i] != '0') return std::nullopt;  // < 10^18: no overflow
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

std::string Index(int64_t b) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%020lld", static_cast<long long>(b));
  return digits;
}

// Record types, workloads and operations as the API's schema names them.
struct Kind {
  int record_type;
  const char* workload;
  const char* operation;
};
const std::map<std::string, std::vector<Kind>>& KindsByContentType() {
  static const auto* kinds = new std::map<std::string, std::vector<Kind>>{
      {"Audit.AzureActiveDirectory",
       {{15, "AzureActiveDirectory", "UserLoggedIn"},
        {15, "AzureActiveDirectory", "UserLoginFailed"},
        {8, "AzureActiveDirectory", "Add user."}}},
      {"Audit.Exchange",
       {{2, "Exchange", "MailItemsAccessed"},
        {2, "Exchange", "Send"},
        {1, "Exchange", "Set-Mailbox"}}},
      {"Audit.SharePoint",
       {{6, "SharePoint", "FileAccessed"},
        {6, "OneDrive", "FileModified"},
        {4, "SharePoint", "PageViewed"}}},
      {"Audit.General",
       {{25, "MicrosoftTeams", "MemberAdded"}, {25, "MicrosoftTeams", "TeamCreated"}}},
      {"DLP.All", {{13, "Exchange", "DlpRuleMatch"}, {11, "SharePoint", "DlpRuleMatch"}}},
  };
  return *kinds;
}

// The record's CreationTime: UTC to the second, without an offset, as the
// API writes it.
std::string CreationTime(int64_t ms) {
  std::string t = FormatRfc3339(FromUnixMillis(ms - ms % 1000));  // "...T00:00:00.000Z"
  return t.substr(0, 19);
}

std::string RecordJson(const std::string& tenant, const std::string& tid, const std::string& ct,
                       int64_t k, int64_t period_ms) {
  const std::string id = FakeEventId(tenant, ct, k);
  const unsigned r = static_cast<unsigned>(std::stoul(id.substr(0, 8), nullptr, 16));
  const std::vector<Kind>& kinds = KindsByContentType().at(ct);
  const Kind& kind = kinds[r % kinds.size()];
  const unsigned user = (r >> 8) % 50;
  const std::string upn = "user" + std::to_string(user) + "@" + tenant + ".example";
  ordered_json e = {
      {"CreationTime", CreationTime(k * period_ms)},
      {"Id", id},
      {"Operation", kind.operation},
      {"OrganizationId", tid},
      {"RecordType", kind.record_type},
      {"ResultStatus", "Succeeded"},
      {"UserKey", "1003BFFD" + Index(user).substr(12)},
      {"UserType", 0},
      {"Version", 1},
      {"Workload", kind.workload},
      {"ClientIP", "10.1." + std::to_string(user / 10) + "." + std::to_string(user)},
      {"ObjectId", upn},
      {"UserId", upn},
      {"FakeSequence", k},
  };
  return e.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::map<std::string, std::string> FormFields(const FakeRequest& req) {
  std::string form = req.body;
  std::replace(form.begin(), form.end(), '+', ' ');
  return FakeRequest::FromUrl("POST", "http://form/?" + form).query;
}

class FakeO365Service : public FakeService {
 public:
  explicit FakeO365Service(FakeO365Options options) : options_(options) {}

  std::string_view name() const override { return "o365"; }

  std::optional<FakeResponse> Handle(const std::string& tenant, const std::string& rest,
                                     const FakeRequest& req, FakeServiceContext& ctx) override {
    const std::string token_suffix = "/oauth2/token";
    if (rest.size() > token_suffix.size() + 1 &&
        rest.compare(rest.size() - token_suffix.size(), token_suffix.size(), token_suffix) == 0 &&
        rest.find('/', 1) == rest.size() - token_suffix.size()) {
      // Only a GUID: "/services/oauth2/token" is another service's.
      const std::string tid = rest.substr(1, rest.size() - token_suffix.size() - 1);
      if (IsGuid(tid)) return Token(tenant, tid, req, ctx);
    }
    const std::string api = "/api/v1.0/";
    if (rest.rfind(api, 0) != 0) return std::nullopt;
    const size_t slash = rest.find('/', api.size());
    if (slash == std::string::npos) return std::nullopt;
    const std::string tid = rest.substr(api.size(), slash - api.size());
    const std::string op = rest.substr(slash);
    const std::string audit = "/activity/feed/audit/";
    if (op != "/activity/feed/subscriptions/start" && op != "/activity/feed/subscriptions/list" &&
        op != "/activity/feed/subscriptions/content" && op.rfind(audit, 0) != 0) {
      return std::nullopt;
    }
    if (!IsGuid(tid)) {
      return ApiError(400, "AF20013",
                      "The tenant ID passed in the URL (" + tid + ") is not a valid GUID.");
    }
    if (op.rfind(audit, 0) == 0) return Blob(tenant, tid, op.substr(audit.size()), req, ctx);
    if (op == "/activity/feed/subscriptions/content") return List(tenant, tid, req, ctx);
    return Subscriptions(tenant, tid, op, req, ctx);
  }

 private:
  struct Issued {
    std::string tenant, tid;
    WallTime expires;
  };
  struct Bucket {
    int64_t minute = -1;
    int64_t used = 0;
  };

  FakeResponse Token(const std::string& tenant, const std::string& tid, const FakeRequest& req,
                     FakeServiceContext& ctx) {
    if (req.method != "POST")
      return AadError(405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
    std::map<std::string, std::string> f = FormFields(req);
    if (f["grant_type"] != "client_credentials") {
      return AadError(400, "unsupported_grant_type", 70003,
                      "The app requested an unsupported grant type.");
    }
    if (f["client_id"].empty()) {
      return AadError(400, "invalid_request", 900144,
                      "The request body must contain the following parameter: 'client_id'.");
    }
    const std::string required = ctx.RequiredToken(tenant);
    const std::string& secret = f["client_secret"];
    if (secret.empty() || (!required.empty() && secret != required)) {
      return AadError(401, "invalid_client", 7000215, "Invalid client secret provided.");
    }
    if (f["resource"] != kResource) {
      return AadError(
          400, "invalid_resource", 500011,
          "The resource principal named " + f["resource"] + " was not found in the tenant.");
    }
    const WallTime now = ctx.Now();
    std::string token;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::erase_if(tokens_, [&](const auto& t) { return t.second.expires <= now; });
      token = "fake-o365-at-" + FakeEventId(tenant, "o365/oauth", ++issued_);
      tokens_[token] = Issued{tenant, tid, now + options_.token_lifetime};
    }
    const int64_t secs =
        std::chrono::duration_cast<std::chrono::seconds>(options_.token_lifetime).count();
    const int64_t now_s = ToUnixMillis(now) / 1000;
    // Azure AD v1 sends the numbers as strings.
    return JsonResponse(200, json{{"token_type", "Bearer"},
                                  {"expires_in", std::to_string(secs)},
                                  {"ext_expires_in", std::to_string(secs)},
                                  {"expires_on", std::to_string(now_s + secs)},
                                  {"not_before", std::to_string(now_s)},
                                  {"resource", kResource},
                                  {"access_token", token}}
                                 .dump());
  }

  // The checks every API request passes: the token, then the rate limit.
  std::optional<FakeResponse> Admit(const std::string& tenant, const std::string& tid,
                                    const FakeRequest& req, WallTime now) {
    const std::string auth = FakeHeaderOf(req.headers, "Authorization");
    const std::string bearer = "Bearer ";
    std::lock_guard<std::mutex> lock(mu_);
    auto it = auth.rfind(bearer, 0) == 0 ? tokens_.find(auth.substr(bearer.size())) : tokens_.end();
    if (it == tokens_.end() || it->second.tenant != tenant || it->second.expires <= now) {
      return Denied();
    }
    if (it->second.tid != tid) {
      return ApiError(403, "AF20010",
                      "The tenant ID passed in the URL (" + tid +
                          ") does not match the tenant ID passed in the access "
                          "token (" +
                          it->second.tid + ").");
    }
    const int64_t minute = ToUnixMillis(now) / 60000;
    Bucket& b = buckets_[tenant];
    if (b.minute != minute) b = Bucket{minute, 0};
    if (b.used >= options_.rate_limit_per_minute) {
      return ApiError(429, "AF429",
                      "Too many requests. Method=" + req.path.substr(req.path.rfind('/') + 1) +
                          ", PublisherId=" + FakeQueryOr(req, "PublisherIdentifier", tid));
    }
    ++b.used;
    return std::nullopt;
  }

  // Takes the request's fault; a response when it answers instead.
  std::optional<FakeResponse> Fault(const std::string& tenant, const std::string& ct,
                                    FakeServiceContext& ctx, Duration* delay) {
    std::optional<FakeFault> fault = ctx.BeginRequest(tenant, ct);
    if (!fault || fault->kind == FakeFaultKind::kNone) return std::nullopt;
    FakeResponse res;
    switch (fault->kind) {
      case FakeFaultKind::kSlow:
        *delay = std::chrono::milliseconds(fault->delay_ms);
        return std::nullopt;
      case FakeFaultKind::k401:
        return Denied();
      case FakeFaultKind::k429:
        res = ApiError(429, "AF429", "Too many requests. Method=fault, PublisherId=fault");
        res.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_sec));
        return res;
      case FakeFaultKind::k500:
        return ApiError(500, "AF50000", "An internal error occurred. Retry the request.");
      case FakeFaultKind::kCrash:
        res = JsonResponse(200, "[]");
        res.headers.emplace_back("X-Fake-Crash", "abort");
        return res;
      case FakeFaultKind::kMalformed:
      default:
        return JsonResponse(200, "[{\"contentUri\":\"http://");
    }
  }

  std::string Key(const std::string& tenant, const std::string& tid, const std::string& ct) const {
    return tenant + "/" + tid + "/" + ct;
  }

  FakeResponse Subscriptions(const std::string& tenant, const std::string& tid,
                             const std::string& op, const FakeRequest& req,
                             FakeServiceContext& ctx) {
    if (std::optional<FakeResponse> denied = Admit(tenant, tid, req, ctx.Now())) return *denied;
    std::lock_guard<std::mutex> lock(mu_);
    if (op == "/activity/feed/subscriptions/list") {
      if (req.method != "GET") return ApiError(405, "AF20001", "Method not allowed.");
      json list = json::array();
      for (const char* ct : kFakeO365ContentTypes) {
        if (Subscribed(tenant, tid, ct)) {
          list.push_back({{"contentType", ct}, {"status", "enabled"}, {"webhook", nullptr}});
        }
      }
      return JsonResponse(200, list.dump());
    }
    if (req.method != "POST") return ApiError(405, "AF20001", "Method not allowed.");
    const std::string ct = FakeQueryOr(req, "contentType");
    if (ct.empty()) return ApiError(400, "AF20001", "Missing parameter: contentType.");
    if (!IsContentType(ct))
      return ApiError(400, "AF20020", "The specified content type is not valid.");
    if (Subscribed(tenant, tid, ct)) {
      return ApiError(400, "AF20024", "The subscription is already enabled. No property change.");
    }
    subscriptions_.insert(Key(tenant, tid, ct));
    return JsonResponse(
        200, json{{"contentType", ct}, {"status", "enabled"}, {"webhook", nullptr}}.dump());
  }

  // REQUIRES: mu_ held.
  bool Subscribed(const std::string& tenant, const std::string& tid, const std::string& ct) const {
    return options_.subscribed || subscriptions_.count(Key(tenant, tid, ct)) > 0;
  }

  FakeResponse List(const std::string& tenant, const std::string& tid, const FakeRequest& req,
                    FakeServiceContext& ctx) {
    const std::string ct = FakeQueryOr(req, "contentType");
    const WallTime now = ctx.Now();
    Duration delay{0};
    if (std::optional<FakeResponse> f = Fault(tenant, ct, ctx, &delay)) return *f;
    if (std::optional<FakeResponse> denied = Admit(tenant, tid, req, now)) return *denied;
    if (req.method != "GET") return ApiError(405, "AF20001", "Method not allowed.");
    if (ct.empty()) return ApiError(400, "AF20001", "Missing parameter: contentType.");
    if (!IsContentType(ct))
      return ApiError(400, "AF20020", "The specified content type is not valid.");
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!Subscribed(tenant, tid, ct)) {
        return ApiError(400, "AF20022", "No subscription found for the specified content type.");
      }
    }
    const int64_t now_ms = ToUnixMillis(now);
    int64_t start = now_ms - kMaxWindowMs, end = now_ms;
    const bool has_start = req.query.count("startTime") > 0,
               has_end = req.query.count("endTime") > 0;
    if (has_start != has_end) return WindowError();
    if (has_start) {
      std::optional<WallTime> s = ParseApiTime(FakeQueryOr(req, "startTime"));
      std::optional<WallTime> e = ParseApiTime(FakeQueryOr(req, "endTime"));
      if (!s || !e) return WindowError();
      start = ToUnixMillis(*s);
      end = ToUnixMillis(*e);
      if (end <= start || end - start > kMaxWindowMs || start < now_ms - kRetentionMs) {
        return WindowError();
      }
    }
    // Blob b is created at (b + 1) * d: those created in [start, end), not
    // in the future.
    const int64_t d =
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.blob_duration).count();
    const int64_t first = std::max<int64_t>(0, FakeFirstIndexAtOrAfter(start, d) - 1);
    const int64_t stop = std::min(FakeFirstIndexAtOrAfter(end, d), now_ms / d + 1) - 1;
    int64_t b = first;
    if (req.query.count("nextPage")) {
      std::optional<int64_t> p = ParseIndex(FakeQueryOr(req, "nextPage"));
      if (!p || *p < first || *p >= std::max(first, stop)) {
        return ApiError(400, "AF20031",
                        "Invalid nextPage Input: " + FakeQueryOr(req, "nextPage") + ".");
      }
      b = *p;
    }
    const std::string host = FakeHeaderOf(req.headers, "Host");
    const std::string origin = "http://" + (host.empty() ? "localhost" : host);
    const std::string base = origin + "/t/" + tenant + "/api/v1.0/" + tid + "/activity/feed/";
    json page = json::array();
    const int64_t last = std::min(stop, b + std::max(1, options_.page_size));
    for (; b < last; ++b) {
      const std::string id = FakeO365ContentId(ct, b);
      page.push_back(
          {{"contentType", ct},
           {"contentId", id},
           {"contentUri", base + "audit/" + id},
           {"contentCreated", FormatRfc3339(FromUnixMillis((b + 1) * d))},
           {"contentExpiration", FormatRfc3339(FromUnixMillis((b + 1) * d + kRetentionMs))}});
    }
    FakeResponse res = JsonResponse(200, page.dump());
    res.delay = delay;
    if (b < stop) {
      std::string next = base + "subscriptions/content?contentType=" + UrlEncode(ct);
      if (has_start) {
        next += "&startTime=" + UrlEncode(FakeQueryOr(req, "startTime")) +
                "&endTime=" + UrlEncode(FakeQueryOr(req, "endTime"));
      }
      res.headers.emplace_back("NextPageUri", next + "&nextPage=" + Index(b));
    }
    return res;
  }

  FakeResponse Blob(const std::string& tenant, const std::string& tid,
                    const std::string& content_id, const FakeRequest& req,
                    FakeServiceContext& ctx) {
    const size_t dollar = content_id.find('$');
    std::optional<int64_t> b;
    std::string ct;
    if (dollar != std::string::npos) {
      b = ParseIndex(content_id.substr(0, dollar));
      ct = content_id.substr(dollar + 1);
      std::replace(ct.begin(), ct.end(), '_', '.');
    }
    const WallTime now = ctx.Now();
    Duration delay{0};
    if (std::optional<FakeResponse> f = Fault(tenant, ct, ctx, &delay)) return *f;
    if (std::optional<FakeResponse> denied = Admit(tenant, tid, req, now)) return *denied;
    if (!b || !IsContentType(ct) || req.method != "GET") {
      return ApiError(400, "AF20052", "Content ID " + content_id + " in the URL is invalid.");
    }
    const int64_t d =
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.blob_duration).count();
    const int64_t created = (*b + 1) * d, now_ms = ToUnixMillis(now);
    if (created > now_ms) {
      return ApiError(404, "AF20050", "The specified content (" + content_id + ") does not exist.");
    }
    if (created < now_ms - kRetentionMs) {
      return ApiError(400, "AF20051",
                      "Content requested with the key " + content_id +
                          " has already expired. Content older than 7 days cannot "
                          "be retrieved.");
    }
    const int64_t period = ctx.PeriodMs(tenant);
    const int64_t k0 = FakeFirstIndexAtOrAfter(*b * d, period);
    const int64_t k1 = FakeFirstIndexAtOrAfter(created, period);
    FakeResponse res = JsonResponse(200, "[");
    std::vector<std::string> ids;
    for (int64_t k = k0; k < k1; ++k) {
      if (k > k0) res.body += ",";
      res.body += RecordJson(tenant, tid, ct, k, period);
      ids.push_back(FakeEventId(tenant, ct, k));
    }
    res.body += "]";
    res.delay = delay;
    ctx.RecordServed(tenant, ct, ids);
    return res;
  }

  const FakeO365Options options_;
  std::mutex mu_;
  std::map<std::string, Issued> tokens_;   // guarded by mu_
  std::map<std::string, Bucket> buckets_;  // guarded by mu_
  std::set<std::string> subscriptions_;    // Key(); guarded by mu_
  int64_t issued_ = 0;                     // guarded by mu_
};

}  // namespace

std::string FakeO365ContentId(const std::string& content_type, int64_t b) {
  std::string ct = content_type;
  std::replace(ct.begin(), ct.end(), '.', '_');
  return Index(b) + "$" + ct;
}

std::unique_ptr<FakeService> MakeFakeO365Service(FakeO365Options options) {
  return std::make_unique<FakeO365Service>(options);
}

}  // namespace paws
