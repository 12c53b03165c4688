#include "tools/fake_saas/services/salesforce.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <vector>

#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/services/service_util.h"

namespace paws {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr int64_t kDefaultBatch = 2000;
constexpr int64_t kMinBatch = 200;
constexpr Duration kLocatorIdle = std::chrono::minutes(15);
constexpr const char* kJwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";

struct ObjectInfo {
  const char* name;
  const char* prefix;      // the Id's key prefix
  const char* date_field;  // what the source's window bounds
};

constexpr ObjectInfo kObjects[] = {
    {"LoginHistory", "0Ya", "LoginTime"}, {"EventLogFile", "0AT", "LogDate"},
    {"ApiEvent", "3Xa", "EventDate"},     {"LoginEvent", "3Xb", "EventDate"},
    {"LogoutEvent", "3Xc", "EventDate"},  {"LoginAsEvent", "3Xd", "EventDate"},
};

const ObjectInfo* FindObject(const std::string& name) {
  for (const ObjectInfo& o : kObjects) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

FakeResponse JsonResponse(int status, const std::string& body) {
  return FakeJsonResponse(status, body, "application/json;charset=UTF-8");
}

// The REST API's error body: an array of {message, errorCode}.
FakeResponse SfError(int status, const std::string& code, const std::string& message) {
  return JsonResponse(status, json::array({{{"message", message}, {"errorCode", code}}}).dump());
}

// The token endpoint's errors are OAuth2's {error, error_description}.
FakeResponse OAuthError(const std::string& error, const std::string& description) {
  return FakeOAuthError(400, error, description, "application/json;charset=UTF-8");
}

// Salesforce writes datetimes as "2026-01-01T00:00:00.000+0000".
std::string SfDate(int64_t ms) {
  std::string t = FormatRfc3339(FromUnixMillis(ms));
  return t.substr(0, t.size() - 1) + "+0000";
}

std::optional<std::string> Base64UrlDecode(std::string s) {
  std::replace(s.begin(), s.end(), '-', '+');
  std::replace(s.begin(), s.end(), '_', '/');
  while (s.size() % 4 != 0) s += '=';
  std::string out(s.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(s.data()),
                                static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

bool VerifyRs256(const std::string& pem, const std::string& signed_part, const std::string& sig) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = key != nullptr && ctx != nullptr &&
            EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()),
                             signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  BIO_free(bio);
  return ok;
}

// What a query selects: records [lo, hi) of `object`, in `desc` order.
struct Selection {
  const ObjectInfo* object = nullptr;
  int64_t lo = 0, hi = 0;
  bool desc = false;
};

struct Cursor {
  std::string tenant;
  Selection sel;
  int64_t batch = kDefaultBatch;
  WallTime last_used;
};

std::string RecordJson(const std::string& tenant, const ObjectInfo& o, int64_t k, int64_t period,
                       const std::string& version) {
  const std::string id = FakeSalesforceId(o.name, k);
  const std::string event_id = FakeEventId(tenant, o.name, k);
  const unsigned r = static_cast<unsigned>(std::stoul(event_id.substr(0, 8), nullptr, 16));
  const unsigned user = r % 50;
  const std::string ip = "10.1." + std::to_string(user / 10) + "." + std::to_string(user);
  const std::string user_id = "005FAKE" + std::to_string(100000 + user) + "AAA";
  ordered_json e = {{"attributes",
                     {{"type", o.name},
                      {"url", "/services/data/v" + version + "/sobjects/" + o.name + "/" + id}}},
                    {"Id", id}};
  const std::string date = SfDate(k * period);
  const std::string object = o.name;
  if (object == "LoginHistory") {
    e["UserId"] = user_id;
    e["Status"] = r % 7 == 0 ? "Invalid Password" : "Success";
    e["SourceIp"] = ip;
    e["LoginType"] = "Application";
    e["LoginTime"] = date;
    e["Browser"] = "Chrome 120";
    e["Application"] = "Browser";
  } else if (object == "EventLogFile") {
    static const char* kTypes[] = {"Login", "API", "Logout"};
    e["EventType"] = kTypes[r % 3];
    e["Interval"] = "Hourly";
    e["LogFile"] = e["attributes"]["url"].get<std::string>() + "/LogFile";
    e["LogFileLength"] = 1000 + r % 9000;
    e["Sequence"] = 1;
    e["LogDate"] = date;
  } else {
    e["EventDate"] = date;
    e["SourceIp"] = ip;
    e["UserId"] = user_id;
    e["Username"] = "user" + std::to_string(user) + "@" + tenant + ".example";
    e["SessionLevel"] = "STANDARD";
  }
  return e.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

class FakeSalesforceService : public FakeService {
 public:
  explicit FakeSalesforceService(FakeSalesforceOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "salesforce"; }

  std::optional<FakeResponse> Handle(const std::string& tenant, const std::string& rest,
                                     const FakeRequest& req, FakeServiceContext& ctx) override {
    if (rest == "/services/oauth2/token") return Token(tenant, req, ctx);
    static const std::regex kQuery(R"(/services/data/v(\d+\.\d)/query(?:/([A-Za-z0-9]+)-(\d+))?)");
    std::smatch m;
    if (!std::regex_match(rest, m, kQuery)) return std::nullopt;
    if (req.method != "GET") return SfError(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed");
    return Query(tenant, req, ctx, m[1], m[2], m[3]);
  }

 private:
  FakeResponse Token(const std::string& tenant, const FakeRequest& req, FakeServiceContext& ctx) {
    if (req.method != "POST") return SfError(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed");
    std::string form = req.body;
    std::replace(form.begin(), form.end(), '+', ' ');
    std::map<std::string, std::string> f = FakeRequest::FromUrl("POST", "http://f/?" + form).query;
    if (f["grant_type"] != kJwtBearer) {
      return OAuthError("unsupported_grant_type", "grant type not supported");
    }
    const std::string& jwt = f["assertion"];
    const size_t d1 = jwt.find('.'), d2 = jwt.rfind('.');
    if (d1 == std::string::npos || d1 == d2) return OAuthError("invalid_grant", "invalid assertion");
    std::optional<std::string> header = Base64UrlDecode(jwt.substr(0, d1));
    std::optional<std::string> claims = Base64UrlDecode(jwt.substr(d1 + 1, d2 - d1 - 1));
    std::optional<std::string> sig = Base64UrlDecode(jwt.substr(d2 + 1));
    json h = json::parse(header.value_or(""), nullptr, false);
    json c = json::parse(claims.value_or(""), nullptr, false);
    if (!sig || !h.is_object() || !c.is_object() || h.value("alg", "") != "RS256") {
      return OAuthError("invalid_grant", "invalid assertion");
    }
    if (!options_.public_key_pem.empty() &&
        !VerifyRs256(options_.public_key_pem, jwt.substr(0, d2), *sig)) {
      return OAuthError("invalid_grant", "invalid assertion");
    }
    const std::string required = ctx.RequiredToken(tenant);
    const std::string iss = c.value("iss", "");
    if (iss.empty() || (!required.empty() && iss != required)) {
      return OAuthError("invalid_client_id", "client identifier invalid");
    }
    if (c.value("sub", "").empty()) return OAuthError("invalid_grant", "user hasn't approved this consumer");
    if (c.value("aud", "") != options_.audience) {
      return OAuthError("invalid_grant", "audience is invalid");
    }
    const WallTime now = ctx.Now();
    const auto exp = c.find("exp");
    if (exp == c.end() || !exp->is_number_integer() ||
        exp->get<int64_t>() * 1000 <= ToUnixMillis(now)) {
      return OAuthError("invalid_grant", "expired authorization code");
    }
    std::string token;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::erase_if(tokens_, [&](const auto& t) { return t.second.second <= now; });
      token = "00DFAKE!" + FakeEventId(tenant, "salesforce/oauth", ++issued_);
      tokens_[token] = {tenant, now + options_.session_lifetime};
    }
    const std::string host = FakeHeaderOf(req.headers, "Host");
    const std::string instance = "http://" + (host.empty() ? "localhost" : host) + "/t/" + tenant;
    return JsonResponse(200, json{{"access_token", token},
                                  {"scope", "api"},
                                  {"instance_url", instance},
                                  {"id", instance + "/id/00DFAKE/005FAKE"},
                                  {"token_type", "Bearer"}}
                                 .dump());
  }

  FakeResponse Query(const std::string& tenant, const FakeRequest& req, FakeServiceContext& ctx,
                     const std::string& version, const std::string& locator,
                     const std::string& offset_text) {
    const WallTime now = ctx.Now();
    Cursor cur;
    int64_t offset = 0;
    if (locator.empty()) {
      auto q = req.query.find("q");
      if (q == req.query.end()) return SfError(400, "MALFORMED_QUERY", "q is missing");
      std::optional<FakeResponse> err = ParseSoql(q->second, tenant, now, ctx, &cur.sel);
      if (err) return *err;
      cur.tenant = tenant;
      cur.batch = BatchSize(req);
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = cursors_.find(locator);
      if (it == cursors_.end() || it->second.tenant != tenant ||
          it->second.last_used + kLocatorIdle <= now) {
        return SfError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
      }
      cur = it->second;
      offset = std::stoll(offset_text.substr(0, 12));
    }
    Duration delay{0};
    if (std::optional<FakeFault> fault = ctx.BeginRequest(tenant, cur.sel.object->name)) {
      if (fault->kind == FakeFaultKind::kSlow) {
        delay = Duration(fault->delay_ms);
      } else if (fault->kind != FakeFaultKind::kNone) {
        return FaultResponse(*fault);
      }
    }
    if (std::optional<FakeResponse> denied = CheckToken(tenant, req, now)) return *denied;
    const int64_t used = CountRequest(tenant, now);
    if (used > options_.daily_request_limit) {
      return SfError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
    }
    const Selection& s = cur.sel;
    const int64_t total = std::max<int64_t>(0, s.hi - s.lo);
    const int64_t end = std::min(total, offset + cur.batch);
    const int64_t period = ctx.PeriodMs(tenant);
    std::string records;
    std::vector<std::string> ids;
    for (int64_t i = offset; i < end; ++i) {
      const int64_t k = s.desc ? s.hi - 1 - i : s.lo + i;
      if (!records.empty()) records += ",";
      records += RecordJson(tenant, *s.object, k, period, version);
      ids.push_back(FakeSalesforceId(s.object->name, k));
    }
    ctx.RecordServed(tenant, s.object->name, ids);
    const bool done = end >= total;
    std::string body = "{\"totalSize\":" + std::to_string(total) +
                       ",\"done\":" + (done ? "true" : "false");
    if (!done) {
      std::string loc = locator;
      std::lock_guard<std::mutex> lock(mu_);
      if (loc.empty()) {
        std::erase_if(cursors_, [&](const auto& c) { return c.second.last_used + kLocatorIdle <= now; });
        loc = "0r8FAKE" + std::to_string(++locators_);
      }
      cur.last_used = now;
      cursors_[loc] = cur;
      body += ",\"nextRecordsUrl\":\"/t/" + tenant + "/services/data/v" + version + "/query/" +
              loc + "-" + std::to_string(end) + "\"";
    }
    body += ",\"records\":[" + records + "]}";
    FakeResponse res = JsonResponse(200, body);
    res.headers.emplace_back("Sforce-Limit-Info", "api-usage=" + std::to_string(used) + "/" +
                                                      std::to_string(options_.daily_request_limit));
    res.delay = delay;
    return res;
  }

  // The selection of a SOQL query, or its error response.
  std::optional<FakeResponse> ParseSoql(const std::string& soql, const std::string& tenant,
                                        WallTime now, FakeServiceContext& ctx, Selection* sel) {
    static const std::regex kFrom(R"(\bFROM\s+(\w+))", std::regex::icase);
    static const std::regex kCond(R"(\b(\w+)\s*(>=|<=|>|<)\s*('[^']*'|[0-9][0-9TZ:.+\-]*))");
    static const std::regex kOrder(R"(\bORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?)", std::regex::icase);
    static const std::regex kLimit(R"(\bLIMIT\s+(\d{1,9})\b)", std::regex::icase);
    std::smatch m;
    if (!std::regex_search(soql, m, kFrom)) {
      return SfError(400, "MALFORMED_QUERY", "unexpected token: no FROM clause");
    }
    sel->object = FindObject(m[1]);
    if (sel->object == nullptr) {
      return SfError(400, "INVALID_TYPE", "sObject type '" + m[1].str() + "' is not supported.");
    }
    const std::string where = m.suffix();
    const int64_t period = ctx.PeriodMs(tenant);
    std::optional<int64_t> lower;
    int64_t hi = FakeFirstIndexAtOrAfter(ToUnixMillis(now), period), lo = 0;
    for (auto it = std::sregex_iterator(where.begin(), where.end(), kCond);
         it != std::sregex_iterator(); ++it) {
      const std::string field = (*it)[1], op = (*it)[2], value = (*it)[3];
      if (field == "Id" && op == ">") {
        std::optional<int64_t> k = ParseFakeSalesforceId(value.substr(1, value.size() - 2));
        if (!k) return SfError(400, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: " + value);
        lo = std::max(lo, *k + 1);
        continue;
      }
      if (field != sel->object->date_field) continue;
      Result<WallTime> t = ParseRfc3339(value);
      if (!t.ok()) return SfError(400, "MALFORMED_QUERY", "invalid date: " + value);
      const int64_t k = FakeFirstIndexAtOrAfter(ToUnixMillis(*t), period);
      if (op == ">=") lower = std::max(lower.value_or(0), k);
      if (op == "<") hi = std::min(hi, k);
    }
    if (!lower) {
      return SfError(400, "MALFORMED_QUERY",
                     std::string("the fake needs a lower bound on ") + sel->object->date_field);
    }
    sel->lo = std::max(lo, *lower);
    sel->hi = std::max(hi, sel->lo);
    if (std::regex_search(where, m, kOrder)) {
      sel->desc = m[2].matched && (m[2] == "DESC" || m[2] == "desc");
    }
    if (std::regex_search(where, m, kLimit)) {
      const int64_t limit = std::stoll(m[1]);
      if (sel->desc) sel->lo = std::max(sel->lo, sel->hi - limit);
      else sel->hi = std::min(sel->hi, sel->lo + limit);
    }
    return std::nullopt;
  }

  static int64_t BatchSize(const FakeRequest& req) {
    static const std::regex kBatch(R"(batchSize\s*=\s*(\d{1,6}))");
    std::smatch m;
    const std::string options = FakeHeaderOf(req.headers, "Sforce-Query-Options");
    if (!std::regex_search(options, m, kBatch)) return kDefaultBatch;
    return std::clamp<int64_t>(std::stoll(m[1]), kMinBatch, kDefaultBatch);
  }

  std::optional<FakeResponse> CheckToken(const std::string& tenant, const FakeRequest& req,
                                         WallTime now) {
    const std::string auth = FakeHeaderOf(req.headers, "Authorization");
    const std::string bearer = "Bearer ";
    std::lock_guard<std::mutex> lock(mu_);
    auto it = auth.rfind(bearer, 0) == 0 ? tokens_.find(auth.substr(bearer.size())) : tokens_.end();
    if (it == tokens_.end() || it->second.first != tenant || it->second.second <= now) {
      return SfError(401, "INVALID_SESSION_ID", "Session expired or invalid");
    }
    return std::nullopt;
  }

  // Counts an API request in the tenant's UTC day; the count so far.
  int64_t CountRequest(const std::string& tenant, WallTime now) {
    const int64_t day = ToUnixMillis(now) / 86400000;
    std::lock_guard<std::mutex> lock(mu_);
    auto& [d, used] = usage_[tenant];
    if (d != day) d = day, used = 0;
    return ++used;
  }

  static FakeResponse FaultResponse(const FakeFault& fault) {
    FakeResponse res;
    switch (fault.kind) {
      case FakeFaultKind::k401:
        return SfError(401, "INVALID_SESSION_ID", "Session expired or invalid");
      case FakeFaultKind::k429:
        res = SfError(429, "REQUEST_LIMIT_EXCEEDED", "Too many requests, retry later.");
        res.headers.emplace_back("Retry-After", std::to_string(fault.retry_after_sec));
        return res;
      case FakeFaultKind::k500:
        return SfError(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred.");
      case FakeFaultKind::kCrash:
        res = JsonResponse(200, R"({"totalSize":0,"done":true,"records":[]})");
        res.headers.emplace_back("X-Fake-Crash", "abort");
        return res;
      case FakeFaultKind::kMalformed:
      default:
        return JsonResponse(200, R"({"totalSize":1,"done":true,"records":[{"Id":"0Ya)");
    }
  }

  const FakeSalesforceOptions options_;
  std::mutex mu_;
  std::map<std::string, std::pair<std::string, WallTime>> tokens_;  // tenant, expiry; guarded
  std::map<std::string, Cursor> cursors_;                           // guarded by mu_
  std::map<std::string, std::pair<int64_t, int64_t>> usage_;        // day, count; guarded
  int64_t issued_ = 0;                                              // guarded by mu_
  int64_t locators_ = 0;                                            // guarded by mu_
};

}  // namespace

std::string FakeSalesforceId(const std::string& object, int64_t k) {
  const ObjectInfo* o = FindObject(object);
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%013lld", static_cast<long long>(k));
  return std::string(o ? o->prefix : "000") + digits + "AA";
}

std::optional<int64_t> ParseFakeSalesforceId(const std::string& id) {
  if (id.size() != 18 || id.compare(16, 2, "AA") != 0) return std::nullopt;
  int64_t k = 0;
  for (size_t i = 3; i < 16; ++i) {
    if (id[i] < '0' || id[i] > '9') return std::nullopt;
    k = k * 10 + (id[i] - '0');
  }
  return k;
}

std::unique_ptr<FakeService> MakeFakeSalesforceService(FakeSalesforceOptions options) {
  return std::make_unique<FakeSalesforceService>(std::move(options));
}

}  // namespace paws
