#include "sources/gsuite/gsuite_source.h"

#include <algorithm>
#include <cassert>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "http/url.h"
#include "paws/codes.h"
#include "paws/collector_types.h"
#include "sources/common/api_client.h"
#include "sources/common/api_errors.h"
#include "sources/common/collection_start.h"
#include "sources/common/jwt.h"
#include "sources/common/oauth2.h"
#include "sources/common/paging.h"
#include "sources/gsuite/gsuite_state.h"

namespace paws {
namespace {

using json = nlohmann::json;
// Activities keep the member order Google sent.
using ordered_json = nlohmann::ordered_json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kDefaultEndpoint = "https://admin.googleapis.com";
constexpr const char* kDefaultTokenUrl = "https://oauth2.googleapis.com/token";
constexpr const char* kAuditScope = "https://www.googleapis.com/auth/admin.reports.audit.readonly";
constexpr const char* kActivitiesPath = "/admin/reports/v1/activity/users/all/applications/";
constexpr int kMaxResults = 1000;  // the API's maximum (and default) page size
constexpr Duration kDefaultLag = seconds(600);
// How long the Reports API keeps activities; a margin keeps a request made
// a little later inside it.
constexpr Duration kRetention = hours(24 * 180) - minutes(5);
constexpr Duration kDefaultThrottle = seconds(60);  // a rate limit without Retry-After
constexpr Duration kMaxThrottle = minutes(5);
// The longest a cycle waits for a daily quota to reset (under the health
// check's default stall_after of 15 min); it then waits again.
constexpr Duration kMaxQuotaWait = minutes(10);

// The applications a gsuite collector can collect, as the collector-type
// registry lists them.
bool KnownApplication(const std::string& app) {
  const CollectorType* type = FindCollectorType("gsuite");
  assert(type != nullptr);
  return type != nullptr && type->KnowsStream(app);
}

Status BadSpec(const CollectorSpec& spec, const std::string& what) {
  return Status::InvalidArgument("collector " + spec.id + ": " + what, codes::kConfigInvalid);
}

Duration Until(WallTime t, WallTime now) {
  return t > now ? std::chrono::ceil<Duration>(t - now) : Duration(0);
}

// The reason of Google's error document {"error": {"code", "message",
// "errors": [{"reason"}], "status"}}: the first error's reason, else the
// status; "" for other bodies.
std::string GoogleReason(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return "";
  const json& e = j["error"];
  if (auto it = e.find("errors"); it != e.end() && it->is_array() && !it->empty() &&
                                  (*it)[0].is_object() && (*it)[0].contains("reason") &&
                                  (*it)[0]["reason"].is_string()) {
    return (*it)[0]["reason"].get<std::string>();
  }
  auto status = e.find("status");
  return status != e.end() && status->is_string() ? status->get<std::string>() : "";
}

// "<status> <reason>: <message>" of Google's error document; other
// documents as JsonErrorSummary does.
std::string GoogleErrorSummary(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) {
    return JsonErrorSummary(body);
  }
  const json& e = j["error"];
  std::string status =
      e.contains("status") && e["status"].is_string() ? e["status"].get<std::string>() : "";
  std::string reason = GoogleReason(body);
  if (reason == status) reason.clear();
  std::string message =
      e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
  std::string head = status.empty() ? reason : reason.empty() ? status : status + " " + reason;
  return head.empty() || message.empty() ? head + message : head + ": " + message;
}

bool IsRateReason(const std::string& reason) {
  return reason == "rateLimitExceeded" || reason == "userRateLimitExceeded" ||
         reason == "quotaExceeded" || reason == "RESOURCE_EXHAUSTED";
}

// When Google's daily quota resets: midnight Pacific Time, taken as UTC-8
// (as upstream does; an hour late during daylight saving time), plus a
// minute.
WallTime DailyQuotaReset(WallTime now) {
  const int64_t pacific_ms = ToUnixMillis(now) - 8LL * 3600 * 1000;
  const int64_t day_ms = 24LL * 3600 * 1000;
  const int64_t next_midnight_pacific = (pacific_ms / day_ms + 1) * day_ms;
  return FromUnixMillis(next_midnight_pacific + 8LL * 3600 * 1000 + 60 * 1000);
}

// The service account key as upstream operators have it: the JSON key
// file, or only its PEM private key.
struct ServiceAccountKey {
  std::string client_email;
  Secret private_key;
  std::string private_key_id;
  std::string token_uri;
};

Result<ServiceAccountKey> ParseKey(const Secret& secret, const std::string& email_param) {
  auto bad = [](const std::string& what) {
    return Status::Unauthenticated("gsuite: the secret " + what, codes::kApiUnauthenticated);
  };
  ServiceAccountKey key;
  const std::string& text = secret.reveal();
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && text[start] == '{') {
    json j = json::parse(text, nullptr, false);
    if (!j.is_object()) return bad("starts as JSON but is not a JSON object");
    auto str = [&](const char* k) {
      auto it = j.find(k);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (j.contains("type") && str("type") != "service_account") {
      return bad("is a JSON key of type \"" + str("type") + "\", not a service_account key");
    }
    key.client_email = str("client_email");
    key.private_key = Secret(str("private_key"));
    key.private_key_id = str("private_key_id");
    key.token_uri = str("token_uri");
    if (key.private_key.empty()) return bad("(a JSON key) has no private_key");
  } else if (text.find("-----BEGIN") != std::string::npos) {
    key.private_key = secret;
  } else {
    return bad("is neither a service account JSON key nor a PEM private key");
  }
  if (!email_param.empty()) key.client_email = email_param;
  if (key.client_email.empty()) {
    return bad("has no client_email; set param client_email to the service account's email");
  }
  return key;
}

struct GsuiteOptions {
  int max_results = kMaxResults;
  Duration lag = kDefaultLag;
  std::string token_url;  // "" -> the key's token_uri, else the default
  std::string scope = kAuditScope;
  std::string client_email;
  std::string subject;
};

class GsuiteSource : public Source {
 public:
  GsuiteSource(CollectorSpec spec, const SourceDeps& deps, GsuiteOptions options)
      : spec_(std::move(spec)),
        clock_(deps.clock),
        api_(deps.http, deps.clock, {.name = "gsuite"}),
        options_(std::move(options)) {}

  Result<std::string> InitialState(const std::string& stream) override {
    if (!KnownApplication(stream)) {
      return Status::InvalidArgument("gsuite: collector " + spec_.id + " has no stream \"" +
                                     stream + "\" (streams are Reports API application names)");
    }
    PAWS_ASSIGN_OR_RETURN(WallTime since, CollectionStart(spec_, clock_->Now()));
    GsuiteState st{stream, since, since + spec_.poll_interval, "", std::nullopt};
    return SerializeGsuiteState(st, 1);
  }

  Result<PollResult> Poll(const std::string& state_json, MonoTime deadline) override {
    Result<PollResult> r = DoPoll(state_json, deadline);
    if (r.ok()) return r;
    // Whatever an API or a transport echoed, the key stays out.
    std::string pem = key_pem_copy();
    return RedactSecrets(r.status(), {spec_.secret.reveal(), pem});
  }

 private:
  Result<PollResult> DoPoll(const std::string& state_json, MonoTime deadline) {
    PAWS_ASSIGN_OR_RETURN(GsuiteState st, ParseGsuiteState(state_json));
    if (!KnownApplication(st.application)) {
      return Status::InvalidArgument(
          "gsuite: state names an unknown application \"" + st.application + "\"",
          codes::kStateMalformed);
    }
    PollResult result;
    const WallTime now = clock_->Now();
    if (st.quota_reset && now < *st.quota_reset) {
      // The daily quota is spent: nothing until it resets.
      return Finish(st, std::min(Until(*st.quota_reset, now), kMaxQuotaWait), std::move(result));
    }
    st.quota_reset.reset();
    if (st.next_page.empty() && st.until + options_.lag > now) {
      // Activities of a window reach the API late: wait for its lag.
      return Finish(st, Until(st.until + options_.lag, now), std::move(result));
    }
    if (st.next_page.empty() && st.since < now - kRetention) {
      const WallTime oldest = now - kRetention;
      result.warnings.push_back(Status::InvalidArgument(
          "gsuite: " + st.application + ": activities before " + FormatRfc3339(oldest) +
              " are past the Reports API's 180 days and cannot be collected (window started " +
              FormatRfc3339(st.since) + ")",
          codes::kSourceGap));
      st.since = oldest;
      st.until = std::max(st.until, oldest);
    }
    PAWS_ASSIGN_OR_RETURN(TokenProvider * tokens, Tokens());
    const int max_pages = std::max(1, spec_.max_pages_per_cycle);
    for (int page = 1;; ++page) {
      const std::string url = PageUrl(st);
      AccessToken token;
      Result<HttpResponse> res = Fetch(tokens, url, deadline, &token);
      Status s = res.ok() ? Check(*res, url, token) : res.status();
      if (!s.ok()) {
        if (res.ok() && GoogleReason(res->body) == "dailyLimitExceeded") {
          st.quota_reset = DailyQuotaReset(clock_->Now());
          return Finish(st, std::min(Until(*st.quota_reset, clock_->Now()), kMaxQuotaWait),
                        std::move(result));
        }
        // Rate limited or out of time after some pages: keep them; the next
        // cycle starts at the page that failed.
        const bool keep = page > 1 && (s.code() == StatusCode::kRateLimited ||
                                       s.code() == StatusCode::kDeadlineExceeded);
        if (!keep) return s;
        Duration wait{0};
        if (s.code() == StatusCode::kRateLimited) wait = Throttle(s.retry_after());
        return Finish(st, wait, std::move(result));
      }
      std::string next;
      PAWS_RETURN_IF_ERROR(ParsePage(res->body, url, st.application, &result.events, &next));
      if (next.empty()) break;
      st.next_page = next;
      if (page >= max_pages || clock_->MonotonicNow() >= deadline) {
        return Finish(st, Duration(0), std::move(result));
      }
    }
    // The window is complete; the next is due once it has ended and lagged.
    GsuiteState next = NextGsuiteWindow(st, clock_->Now(), options_.lag, spec_.poll_interval);
    return Finish(next, Until(next.until + options_.lag, clock_->Now()), std::move(result));
  }

  PollResult Finish(const GsuiteState& st, Duration delay, PollResult result) const {
    result.next_delay = delay;
    const int64_t secs = std::chrono::ceil<seconds>(delay).count();
    result.next_state_json = SerializeGsuiteState(st, std::max<int64_t>(1, secs));
    return result;
  }

  static Duration Throttle(Duration retry_after) {
    return retry_after > Duration(0) ? std::min<Duration>(retry_after, kMaxThrottle)
                                     : kDefaultThrottle;
  }

  // The token provider, made at the first poll from the key in the secret.
  Result<TokenProvider*> Tokens() {
    std::lock_guard<std::mutex> lock(mu_);
    if (tokens_) return tokens_.get();
    PAWS_ASSIGN_OR_RETURN(ServiceAccountKey key, ParseKey(spec_.secret, options_.client_email));
    Result<std::unique_ptr<JwtSigner>> signer =
        JwtSigner::FromPem(key.private_key, key.private_key_id);
    if (!signer.ok()) {
      return Status::Unauthenticated(
          "gsuite: the secret's private key cannot sign: " + signer.status().message(),
          codes::kApiUnauthenticated);
    }
    JwtBearerOptions o;
    o.token_url = !options_.token_url.empty() ? options_.token_url
                  : !key.token_uri.empty()    ? key.token_uri
                                              : kDefaultTokenUrl;
    o.claims.iss = key.client_email;
    o.claims.sub = options_.subject;
    o.claims.scope = options_.scope;
    o.claims.aud = o.token_url;
    o.claims.lifetime = hours(1);  // Google's maximum
    o.default_lifetime = hours(1);
    key_pem_ = key.private_key.reveal();
    tokens_ = std::make_unique<JwtBearerToken>(&api_, std::move(signer).value(), std::move(o));
    return tokens_.get();
  }

  std::string key_pem_copy() {
    std::lock_guard<std::mutex> lock(mu_);
    return key_pem_;
  }

  // GET `url` with the cached token; a 401 means the token we hold was
  // rejected (expired early, revoked): fetch another and try once more.
  Result<HttpResponse> Fetch(TokenProvider* tokens, const std::string& url, MonoTime deadline,
                             AccessToken* used) {
    PAWS_ASSIGN_OR_RETURN(*used, tokens->Get(deadline));
    PAWS_ASSIGN_OR_RETURN(HttpResponse res, Send(url, *used, deadline));
    if (res.status == 401) {
      tokens->Invalidate(used->value);
      PAWS_ASSIGN_OR_RETURN(*used, tokens->Get(deadline));
      PAWS_ASSIGN_OR_RETURN(res, Send(url, *used, deadline));
    }
    return res;
  }

  Result<HttpResponse> Send(const std::string& url, const AccessToken& token,
                            MonoTime deadline) const {
    Result<HttpResponse> res = api_.Get(
        url, {{"Authorization", token.AuthorizationValue()}, {"Accept", "application/json"}},
        deadline);
    if (!res.ok()) return RedactSecrets(res.status(), {token.value.reveal()});
    return res;
  }

  // The Status of a response: Google's rate-limit reasons are rate limits
  // whatever the status (403 mostly), not a refused credential.
  Status Check(const HttpResponse& res, const std::string& url, const AccessToken& token) {
    ErrorSummarizer summarize = RedactingSummarizer(
        GoogleErrorSummary, {spec_.secret.reveal(), token.value.reveal(), key_pem_copy()});
    Status s = api_.Check(res, "GET", url, summarize);
    if (s.ok()) return s;
    const std::string reason = GoogleReason(res.body);
    if (s.code() != StatusCode::kRateLimited && IsRateReason(reason)) {
      // A quota error (403 rateLimitExceeded, ...): the message keeps the
      // status and Google's reason.
      s = WithMessage(
          QuotaExceeded(api_.Describe("GET", url), Throttle(RetryAfter(res, clock_->Now()))),
          s.message());
    } else if (s.code() == StatusCode::kRateLimited && s.retry_after() <= Duration(0)) {
      s = Status::RateLimited(s.message(), kDefaultThrottle).WithCode(codes::kApiRateLimited);
    }
    return RedactSecrets(s, {token.value.reveal()});
  }

  std::string PageUrl(const GsuiteState& st) const {
    QueryParams q = {{"startTime", FormatRfc3339(st.since)},
                     {"endTime", FormatRfc3339(st.until)},
                     {"maxResults", std::to_string(options_.max_results)}};
    if (!st.next_page.empty()) q.emplace_back("pageToken", st.next_page);
    return AppendQuery(spec_.endpoint + kActivitiesPath + UrlEncode(st.application), q);
  }

  Status ParsePage(const std::string& body, const std::string& url, const std::string& app,
                   std::vector<Event>* out, std::string* next) const {
    auto bad = [&](const std::string& what) {
      return Malformed(api_.Describe("GET", url) + ": " + what);
    };
    ordered_json page = ordered_json::parse(body, nullptr, false);
    if (page.is_discarded()) return bad("response body is not JSON");
    if (!page.is_object()) return bad("response body is not a JSON object (an activities list)");
    if (auto it = page.find("nextPageToken"); it != page.end() && !it->is_null()) {
      if (!it->is_string()) return bad("nextPageToken is not a string");
      *next = it->get<std::string>();
    }
    auto items = page.find("items");
    if (items == page.end() || items->is_null()) return Status::Ok();  // an empty page
    if (!items->is_array()) return bad("items is not an array");
    std::vector<Event> parsed;
    parsed.reserve(items->size());
    for (size_t i = 0; i < items->size(); ++i) {
      const ordered_json& a = (*items)[i];
      const std::string at = "activity " + std::to_string(i);
      if (!a.is_object()) return bad(at + " is not an object");
      auto id = a.find("id");
      if (id == a.end() || !id->is_object()) return bad(at + " has no id");
      auto time = id->find("time");
      if (time == id->end() || !time->is_string()) return bad(at + " has no id.time");
      Result<WallTime> ts = ParseRfc3339(time->get<std::string>());
      if (!ts.ok()) return bad(at + " has an invalid id.time");
      auto uq = id->find("uniqueQualifier");
      std::string qualifier;
      if (uq != id->end() && uq->is_string()) qualifier = uq->get<std::string>();
      if (uq != id->end() && uq->is_number_integer()) qualifier = uq->dump();
      if (qualifier.empty()) return bad(at + " has no id.uniqueQualifier");
      std::string type = app;
      if (auto ev = a.find("events"); ev != a.end() && ev->is_array() && !ev->empty() &&
                                      (*ev)[0].is_object() && (*ev)[0].contains("name") &&
                                      (*ev)[0]["name"].is_string() &&
                                      !(*ev)[0]["name"].get<std::string>().empty()) {
        type = (*ev)[0]["name"].get<std::string>();
      }
      parsed.push_back(Event{time->get<std::string>() + "/" + qualifier, *ts, std::move(type),
                             a.dump(-1, ' ', false, ordered_json::error_handler_t::replace), true});
    }
    out->insert(out->end(), std::make_move_iterator(parsed.begin()),
                std::make_move_iterator(parsed.end()));
    return Status::Ok();
  }

  const CollectorSpec spec_;
  Clock* const clock_;
  const ApiClient api_;
  const GsuiteOptions options_;
  std::mutex mu_;
  std::unique_ptr<JwtBearerToken> tokens_;  // guarded by mu_ until set; uses api_
  std::string key_pem_;                     // guarded by mu_
};

// A parameter as a whole number in [lo, hi]; nullopt otherwise.
std::optional<int64_t> Number(const std::string& text, int64_t lo, int64_t hi) {
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const int64_t v = std::stoll(text);
  return v >= lo && v <= hi ? std::optional<int64_t>(v) : std::nullopt;
}

bool IsHttpUrl(const std::string& url) {
  const std::string origin = UrlOrigin(url);
  return origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0;
}

// Scopes as the JWT's space-separated claim: from a space- or
// comma-separated list, or upstream's JSON list of strings.
std::optional<std::string> ParseScope(const std::string& text) {
  std::vector<std::string> scopes;
  json j = json::parse(text, nullptr, false);
  if (j.is_array()) {
    for (const json& s : j) {
      if (!s.is_string()) return std::nullopt;
      scopes.push_back(s.get<std::string>());
    }
  } else {
    std::string cur;
    for (char c : text + " ") {
      if (c == ' ' || c == ',' || c == '\t') {
        if (!cur.empty()) scopes.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
  }
  std::string out;
  for (const std::string& s : scopes) {
    if (s.empty()) return std::nullopt;
    out += (out.empty() ? "" : " ") + s;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

Result<std::unique_ptr<Source>> MakeGsuiteSource(const CollectorSpec& spec,
                                                 const SourceDeps& deps) {
  assert(deps.clock != nullptr && deps.http != nullptr);
  if (deps.clock == nullptr || deps.http == nullptr) {
    return Status::Internal("gsuite: source needs a clock and an HTTP client");
  }
  CollectorSpec s = spec;
  if (s.endpoint.empty()) s.endpoint = kDefaultEndpoint;
  while (!s.endpoint.empty() && s.endpoint.back() == '/') s.endpoint.pop_back();
  if (!IsHttpUrl(s.endpoint)) {
    return BadSpec(s, "endpoint must be an http(s) URL such as " + std::string(kDefaultEndpoint) +
                          ", got \"" + spec.endpoint + "\"");
  }
  if (s.poll_interval < seconds(1)) return BadSpec(s, "poll interval must be >= 1 s");
  if (s.secret.empty()) {
    return BadSpec(s, "gsuite needs the service account's JSON key (secret_env or secret_file)");
  }
  for (const std::string& stream : s.streams) {
    if (!KnownApplication(stream)) {
      return BadSpec(s,
                     "stream \"" + stream +
                         "\" is not a Reports API application (login, admin, drive, token, ...)");
    }
  }
  GsuiteOptions o;
  auto param = [&](const char* key) -> const std::string* {
    auto it = s.params.find(key);
    return it == s.params.end() ? nullptr : &it->second;
  };
  if (const std::string* v = param("max_results")) {
    std::optional<int64_t> n = Number(*v, 1, kMaxResults);
    if (!n) return BadSpec(s, "param max_results must be 1..1000, got \"" + *v + "\"");
    o.max_results = static_cast<int>(*n);
  }
  if (const std::string* v = param("lag_sec")) {
    std::optional<int64_t> n = Number(*v, 0, 86400);
    if (!n) return BadSpec(s, "param lag_sec must be 0..86400, got \"" + *v + "\"");
    o.lag = seconds(*n);
  }
  if (const std::string* v = param("token_url")) {
    if (!IsHttpUrl(*v)) return BadSpec(s, "param token_url must be an http(s) URL");
    o.token_url = *v;
  }
  if (const std::string* v = param("scope")) {
    std::optional<std::string> scope = ParseScope(*v);
    if (!scope) return BadSpec(s, "param scope must list scopes (space-separated or JSON list)");
    o.scope = *scope;
  }
  if (const std::string* v = param("client_email")) o.client_email = *v;
  o.subject = s.client_id;
  if (const std::string* v = param("subject")) o.subject = *v;
  if (o.subject.empty()) {
    return BadSpec(s,
                   "gsuite needs client_id: the email of the Workspace admin the service account "
                   "acts as (domain-wide delegation)");
  }
  return std::unique_ptr<Source>(new GsuiteSource(std::move(s), deps, std::move(o)));
}

}  // namespace paws
