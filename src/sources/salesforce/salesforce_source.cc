#include "sources/salesforce/salesforce_source.h"

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "http/url.h"
#include "paws/codes.h"
#include "paws/collector_types.h"
#include "sources/common/api_client.h"
#include "sources/common/api_errors.h"
#include "sources/common/collection_start.h"
#include "sources/common/jwt.h"
#include "sources/common/oauth2.h"
#include "sources/common/paging.h"
#include "sources/salesforce/salesforce_soql.h"

namespace paws {
namespace {

using json = nlohmann::json;
// Records keep the key order Salesforce sent.
using ordered_json = nlohmann::ordered_json;

constexpr const char* kDefaultLogin = "https://login.salesforce.com";
constexpr const char* kSandboxLogin = "https://test.salesforce.com";
constexpr const char* kDefaultApiVersion = "58.0";
constexpr int kMinBatch = 200, kMaxBatch = 2000;  // Sforce-Query-Options batchSize
// Upstream's rule for the org's daily request limit: it resets within 24 h,
// plus an hour of margin.
constexpr Duration kQuotaWait = std::chrono::hours(25);
// How often a stream waiting for its quota looks again (no request sent):
// upstream's 900 s, which also keeps the stream within the health check's
// stall_after.
constexpr Duration kQuotaRecheck = std::chrono::minutes(15);
constexpr Duration kDefaultThrottle = std::chrono::seconds(60);
constexpr Duration kMaxThrottle = std::chrono::minutes(5);

struct SalesforceState {
  const SalesforceObject* object = nullptr;
  WallTime since, until;
  std::string next_page;  // "" when the window has not been paged yet
  std::optional<WallTime> quota_reset;
};

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

Status BadState(const std::string& what) {
  return Status::InvalidArgument("salesforce: state " + what, codes::kStateMalformed);
}

// What the collector-type registry knows of salesforce: the objects a
// collector may list and the field older upstream states named one in.
const CollectorType& SfType() {
  static const CollectorType* type = FindCollectorType("salesforce");
  assert(type != nullptr);
  return *type;
}

// The query table's entry of a stream the registry knows; nullptr for any
// other name. (salesforce_soql_test keeps the two lists the same.)
const SalesforceObject* FindObject(const std::string& stream) {
  return SfType().KnowsStream(stream) ? FindSalesforceObject(stream) : nullptr;
}

Status BadSpec(const CollectorSpec& spec, const std::string& what) {
  return Status::InvalidArgument("collector " + spec.id + ": " + what, codes::kConfigInvalid);
}

Duration Until(WallTime t, WallTime now) {
  return t > now ? std::chrono::ceil<Duration>(t - now) : Duration(0);
}

// The errorCode of Salesforce's error body [{"message", "errorCode"}].
std::pair<std::string, std::string> SfErrorOf(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_array() || j.empty() || !j[0].is_object()) return {};
  return {j[0].value("errorCode", ""), j[0].value("message", "")};
}

struct Params {
  std::string username, audience, token_url, api_version = kDefaultApiVersion;
  int batch = kMaxBatch;
};

class SalesforceSource : public Source {
 public:
  SalesforceSource(CollectorSpec spec, const SourceDeps& deps, Params params,
                   Result<std::unique_ptr<JwtSigner>> signer)
      : spec_(std::move(spec)),
        clock_(deps.clock),
        api_(deps.http, deps.clock, {.name = "salesforce"}),
        params_(std::move(params)),
        key_error_(signer.ok() ? Status::Ok() : signer.status()),
        key_parts_(KeyParts(spec_.secret.reveal())) {
    if (!signer.ok()) return;
    JwtBearerOptions o;
    o.token_url = params_.token_url;
    o.claims.iss = spec_.client_id;
    o.claims.sub = params_.username;
    o.claims.aud = params_.audience;
    tokens_.emplace(&api_, std::shared_ptr<const JwtSigner>(std::move(signer).value()), o);
  }

  Result<std::string> InitialState(const std::string& stream) override {
    const SalesforceObject* object = FindObject(stream);
    if (object == nullptr) {
      return Status::InvalidArgument("salesforce: collector " + spec_.id + " has no stream \"" +
                                     stream + "\" (objects: " + SfType().StreamList() + ")");
    }
    PAWS_ASSIGN_OR_RETURN(WallTime since, CollectionStart(spec_, clock_->Now()));
    return Serialize({object, since, since + spec_.poll_interval, "", std::nullopt}, Duration(0));
  }

  Result<PollResult> Poll(const std::string& state_json, MonoTime deadline) override {
    Result<PollResult> r = DoPoll(state_json, deadline);
    if (r.ok()) return r;
    return Redact(r.status());
  }

 private:
  // The private key and each line of it (an API could echo a part).
  static std::vector<std::string> KeyParts(const std::string& pem) {
    std::vector<std::string> parts = {pem};
    for (size_t at = 0; at < pem.size();) {
      const size_t end = std::min(pem.find('\n', at), pem.size());
      std::string line = pem.substr(at, end - at);
      while (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() >= 16 && line.find("-----") == std::string::npos) parts.push_back(line);
      at = end + 1;
    }
    return parts;
  }

  // The private key must never reach a message, nor any line of it.
  Status Redact(Status s) const {
    for (const std::string& part : key_parts_) s = RedactSecrets(s, {part});
    return s;
  }

  Result<PollResult> DoPoll(const std::string& state_json, MonoTime deadline) {
    PAWS_ASSIGN_OR_RETURN(SalesforceState st, ParseState(state_json));
    PollResult result;
    const WallTime now = clock_->Now();
    if (st.quota_reset && *st.quota_reset > now) {
      // The org's API requests are spent: send nothing until they reset.
      result.next_state_json = Serialize(st, kQuotaRecheck);
      result.next_delay = std::min(kQuotaRecheck, Until(*st.quota_reset, now));
      return result;
    }
    st.quota_reset.reset();
    if (st.until > now) {
      // Records of a window that has not ended could still arrive behind a
      // cursor already past them: wait.
      result.next_delay = Until(st.until, now);
      result.next_state_json = Serialize(st, result.next_delay);
      return result;
    }
    if (!key_error_.ok()) {
      return Status::Unauthenticated(
          "salesforce: collector " + spec_.id + ": the private key is not usable: " +
              key_error_.message(),
          codes::kApiUnauthenticated);
    }
    PAWS_ASSIGN_OR_RETURN(AccessToken token, tokens_->Get(deadline));
    PAWS_ASSIGN_OR_RETURN(const std::string instance, InstanceUrl(token));
    std::string url = AppendQuery(
        instance + "/services/data/v" + params_.api_version + "/query",
        {{"q", SalesforceWindowQuery(*st.object, st.since, st.until, st.next_page)}});
    const int max_pages = std::max(1, spec_.max_pages_per_cycle);
    for (int page = 1;; ++page) {
      std::string sent_token;
      Result<HttpResponse> res = Fetch(url, deadline, &sent_token);
      bool daily_quota = false;
      Status s = res.ok() ? Check(*res, url, sent_token, &daily_quota) : res.status();
      if (!s.ok()) {
        if (daily_quota) return QuotaSpent(st, s, std::move(result));
        const bool keep = page > 1 && (s.code() == StatusCode::kRateLimited ||
                                       s.code() == StatusCode::kDeadlineExceeded);
        if (!keep) return s;
        Duration wait{0};
        if (s.code() == StatusCode::kRateLimited) {
          wait = s.retry_after() > Duration(0) ? std::min(s.retry_after(), kMaxThrottle)
                                               : kDefaultThrottle;
        }
        return Paused(st, wait, std::move(result));
      }
      std::string next;
      PAWS_RETURN_IF_ERROR(ParsePage(res->body, url, *st.object, &result.events, &next));
      if (next.empty()) break;
      // The next page is a path of the instance; an absolute URL elsewhere
      // would get the token.
      if (next.front() == '/') next = UrlOrigin(instance) + next;
      PAWS_RETURN_IF_ERROR(CheckSameOrigin(next, instance, api_.Describe("GET", url)));
      if (page >= max_pages || clock_->MonotonicNow() >= deadline) {
        return Paused(st, Duration(0), std::move(result));
      }
      url = next;
    }
    // The window is complete: the next one, larger while far behind.
    const WallTime after = clock_->Now();
    Duration size = spec_.poll_interval;
    if (after - st.until > std::chrono::hours(24)) {
      size = std::chrono::hours(24);
    } else if (after - st.until > std::chrono::hours(1)) {
      size = std::chrono::hours(1);
    }
    SalesforceState next{st.object, st.until, st.until + size, "", std::nullopt};
    result.next_delay = Until(next.until, after);
    result.next_state_json = Serialize(next, result.next_delay);
    return result;
  }

  // The cycle stops inside the window: the next state points after what
  // `result` holds.
  PollResult Paused(SalesforceState st, Duration delay, PollResult result) const {
    PointAfter(&st, &result);
    result.next_delay = delay;
    result.next_state_json = Serialize(st, delay);
    return result;
  }

  // Sets st->next_page after the events of `result`, of the window of `st`.
  void PointAfter(SalesforceState* st, PollResult* result) const {
    std::vector<Event>& events = result->events;
    if (!events.empty() && st->object->order == SalesforceOrder::kIdAscending) {
      st->next_page = events.back().id;
    } else if (!events.empty()) {
      // Newest first: the rest of the window is at or before the last record.
      // Records of its very time may be on the next page, so those collected
      // are left out and the next cycle takes them all again.
      const WallTime last = events.back().timestamp;
      auto first_equal = std::find_if(events.begin(), events.end(),
                                      [&](const Event& e) { return e.timestamp <= last; });
      if (first_equal != events.begin()) {
        events.erase(first_equal, events.end());
        st->next_page = FormatRfc3339(last + Duration(1));
      } else {
        st->next_page = FormatRfc3339(last);
        result->warnings.push_back(Status::InvalidArgument(
            "salesforce: " + std::string(st->object->name) + ": every record of the cycle has " +
                "the time " + FormatRfc3339(last) + "; others of that time may be skipped",
            codes::kSourceGap));
      }
    }
  }

  // REQUEST_LIMIT_EXCEEDED: keep what was collected, then wait for the reset.
  PollResult QuotaSpent(SalesforceState st, const Status& s, PollResult result) const {
    PointAfter(&st, &result);
    st.quota_reset = clock_->Now() + kQuotaWait;
    result.next_delay = kQuotaRecheck;
    result.next_state_json = Serialize(st, kQuotaRecheck);
    result.warnings.push_back(WithMessage(
        s, s.message() + "; no request until apiQuotaResetDate " + FormatRfc3339(*st.quota_reset)));
    return result;
  }


  Result<std::string> InstanceUrl(const AccessToken& token) const {
    auto it = token.fields.find("instance_url");
    const std::string what = api_.Describe("POST", params_.token_url);
    if (it == token.fields.end()) return Malformed(what + ": token response has no instance_url");
    std::string url = it->second;
    while (!url.empty() && url.back() == '/') url.pop_back();
    const std::string origin = UrlOrigin(url);
    // An https login must not hand the token to a plain-http instance.
    const bool https = spec_.endpoint.rfind("https://", 0) == 0;
    const bool ok = origin.rfind("https://", 0) == 0 || (!https && origin.rfind("http://", 0) == 0);
    if (!ok) {
      return Malformed(what + ": instance_url is not an " + (https ? "https" : "http(s)") + " URL");
    }
    return url;
  }

  // GET `url` with the cached token; a 401 (INVALID_SESSION_ID: the session
  // expired or was revoked) gets a fresh token and one more try.
  // `sent_token` is the token of the last request, for redaction.
  Result<HttpResponse> Fetch(const std::string& url, MonoTime deadline, std::string* sent_token) {
    PAWS_ASSIGN_OR_RETURN(AccessToken token, tokens_->Get(deadline));
    Result<HttpResponse> res = Send(url, token, deadline);
    if (res.ok() && res->status == 401) {
      tokens_->Invalidate(token.value);
      PAWS_ASSIGN_OR_RETURN(token, tokens_->Get(deadline));
      res = Send(url, token, deadline);
    }
    *sent_token = token.value.reveal();
    return res;
  }

  Result<HttpResponse> Send(const std::string& url, const AccessToken& token,
                            MonoTime deadline) const {
    Result<HttpResponse> res = api_.Get(url,
                                        {{"Authorization", token.AuthorizationValue()},
                                         {"Accept", "application/json"},
                                         {"Sforce-Query-Options",
                                          "batchSize=" + std::to_string(params_.batch)}},
                                        deadline);
    if (!res.ok()) return RedactSecrets(res.status(), {token.value.reveal()});
    return res;
  }

  // The Status of a response. REQUEST_LIMIT_EXCEEDED is kRateLimited: for
  // the daily limit with *daily_quota set, for the concurrent one with a
  // minute to wait. A 503 with Retry-After is kRateLimited too.
  Status Check(const HttpResponse& res, const std::string& url, const std::string& token,
               bool* daily_quota) const {
    std::vector<std::string> secrets = key_parts_;
    secrets.push_back(token);
    Status s = api_.Check(res, "GET", url, RedactingSummarizer(JsonErrorSummary, secrets));
    if (s.ok()) return s;
    s = RedactSecrets(s, {token});
    auto [code, message] = SfErrorOf(res.body);
    if (code == "REQUEST_LIMIT_EXCEEDED" && res.status != 429) {
      const bool concurrent = message.find("Concurrent") != std::string::npos;
      *daily_quota = !concurrent;
      return WithMessage(QuotaExceeded("", concurrent ? kDefaultThrottle : kQuotaWait),
                         s.message());
    }
    if (res.status == 503 && RetryAfter(res, clock_->Now()) > Duration(0)) {
      return WithMessage(QuotaExceeded("", RetryAfter(res, clock_->Now())), s.message());
    }
    return s;
  }

  Status ParsePage(const std::string& body, const std::string& url, const SalesforceObject& object,
                   std::vector<Event>* out, std::string* next) const {
    auto bad = [&](const std::string& what) {
      return Malformed(api_.Describe("GET", url) + ": " + what);
    };
    ordered_json page = ordered_json::parse(body, nullptr, false);
    if (page.is_discarded()) return bad("response body is not JSON");
    if (!page.is_object()) return bad("response body is not a query result object");
    auto done = page.find("done");
    auto records = page.find("records");
    if (done == page.end() || !done->is_boolean()) return bad("query result has no done");
    if (records == page.end() || !records->is_array()) return bad("query result has no records");
    const std::string field(object.date_field);
    std::vector<Event> parsed;
    parsed.reserve(records->size());
    for (size_t i = 0; i < records->size(); ++i) {
      const ordered_json& r = (*records)[i];
      const std::string at = "record " + std::to_string(i);
      if (!r.is_object()) return bad(at + " is not an object");
      auto id = r.find("Id");
      if (id == r.end() || !id->is_string() || !IsValidSalesforceId(id->get<std::string>())) {
        return bad(at + " has no valid Id");
      }
      auto date = r.find(field);
      Result<WallTime> ts = date != r.end() && date->is_string()
                                ? ParseSalesforceTime(date->get<std::string>())
                                : Status::InvalidArgument("");
      if (!ts.ok()) return bad(at + " (" + id->get<std::string>() + ") has no valid " + field);
      std::string type(object.name);
      auto attributes = r.find("attributes");
      if (attributes != r.end() && attributes->is_object()) {
        auto t = attributes->find("type");
        if (t != attributes->end() && t->is_string() && !t->get<std::string>().empty()) {
          type = t->get<std::string>();
        }
      }
      parsed.push_back(Event{id->get<std::string>(), *ts, std::move(type), Dump(r), true});
    }
    next->clear();
    if (!done->get<bool>()) {
      auto link = page.find("nextRecordsUrl");
      if (link == page.end() || !link->is_string() || link->get<std::string>().empty()) {
        return bad("query result is not done but has no nextRecordsUrl");
      }
      if (parsed.empty()) return bad("query result is not done but has no records");
      *next = link->get<std::string>();
    }
    out->insert(out->end(), std::make_move_iterator(parsed.begin()),
                std::make_move_iterator(parsed.end()));
    return Status::Ok();
  }

  Result<SalesforceState> ParseState(const std::string& state_json) const {
    json j = json::parse(state_json, nullptr, false);
    if (!j.is_object()) return BadState("is not a JSON object");
    auto text = [&](const char* key) -> std::optional<std::string> {
      auto it = j.find(key);
      if (it == j.end() || it->is_null()) return std::nullopt;
      return it->is_string() ? it->get<std::string>() : std::string("\x01");
    };
    // Newer upstream states name the object in "stream", older ones in the
    // type's legacy field.
    const std::string& field = SfType().legacy_state_field;
    std::optional<std::string> stream = text("stream"), legacy = text(field.c_str());
    if (stream && legacy && *stream != *legacy) {
      return BadState("has a stream unlike its " + field);
    }
    SalesforceState st;
    st.object = FindObject(stream ? *stream : legacy.value_or(""));
    if (st.object == nullptr) {
      return BadState("names no known object (" + SfType().StreamList() + ")");
    }
    for (auto [key, out] : {std::pair{"since", &st.since}, std::pair{"until", &st.until}}) {
      Result<WallTime> t = ParseRfc3339(text(key).value_or(""));
      if (!t.ok()) return BadState(std::string("has no valid ") + key);
      *out = *t;
    }
    if (st.since > st.until) return BadState("window is reversed (since > until)");
    if (std::optional<std::string> next = text("nextPage")) {
      if (st.object->order == SalesforceOrder::kIdAscending) {
        if (!IsValidSalesforceId(*next)) return BadState("nextPage is not a record Id");
        st.next_page = *next;
      } else {
        // Upstream kept the EventDate as Salesforce wrote it.
        Result<WallTime> t = ParseSalesforceTime(*next);
        if (!t.ok() || *t < st.since || *t > st.until) {
          return BadState("nextPage is not a time of the window");
        }
        st.next_page = FormatRfc3339(*t);
      }
    }
    if (std::optional<std::string> reset = text("apiQuotaResetDate")) {
      Result<WallTime> t = ParseRfc3339(*reset);
      if (!t.ok()) return BadState("apiQuotaResetDate is not a time");
      st.quota_reset = *t;
    }
    return st;
  }

  // poll_interval_sec is upstream's: the delay before the next poll.
  std::string Serialize(const SalesforceState& st, Duration delay) const {
    const std::string name(st.object->name);
    ordered_json j = {{"stream", name},
                      {"since", FormatRfc3339(st.since)},
                      {"until", FormatRfc3339(st.until)},
                      {"nextPage", nullptr},
                      {"apiQuotaResetDate", nullptr}};
    if (!st.next_page.empty()) j["nextPage"] = st.next_page;
    if (st.quota_reset) j["apiQuotaResetDate"] = FormatRfc3339(*st.quota_reset);
    j["poll_interval_sec"] =
        std::max<int64_t>(1, std::chrono::ceil<std::chrono::seconds>(delay).count());
    return Dump(j);
  }

  const CollectorSpec spec_;
  Clock* const clock_;
  const ApiClient api_;
  const Params params_;
  const Status key_error_;
  const std::vector<std::string> key_parts_;
  std::optional<JwtBearerToken> tokens_;  // set when the key is usable; uses api_
};

}  // namespace

Result<std::unique_ptr<Source>> MakeSalesforceSource(const CollectorSpec& spec,
                                                     const SourceDeps& deps) {
  assert(deps.clock != nullptr && deps.http != nullptr);
  if (deps.clock == nullptr || deps.http == nullptr) {
    return Status::Internal("salesforce: source needs a clock and an HTTP client");
  }
  CollectorSpec s = spec;
  while (!s.endpoint.empty() && s.endpoint.back() == '/') s.endpoint.pop_back();
  auto is_http = [](const std::string& url) {
    const std::string origin = UrlOrigin(url);
    return origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0;
  };
  if (!is_http(s.endpoint)) {
    return BadSpec(s, "endpoint must be the login URL, such as https://login.salesforce.com, got \"" +
                          s.endpoint + "\"");
  }
  if (s.poll_interval < std::chrono::seconds(1)) return BadSpec(s, "poll interval must be >= 1 s");
  if (s.client_id.empty()) return BadSpec(s, "salesforce needs client_id (the consumer key)");
  if (s.secret.empty()) {
    return BadSpec(s, "salesforce needs the private key (secret_env or secret_file)");
  }
  for (const std::string& stream : s.streams) {
    if (FindObject(stream) == nullptr) {
      return BadSpec(s, "streams: \"" + stream + "\" is not one of " + SfType().StreamList());
    }
  }
  Params p;
  auto param = [&](const char* key) -> std::optional<std::string> {
    auto it = s.params.find(key);
    return it == s.params.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  p.username = param("username").value_or("");
  if (p.username.empty()) return BadSpec(s, "param username (the Salesforce user) is required");
  p.audience = param("audience").value_or(
      UrlOrigin(s.endpoint) == "https://test.salesforce.com" ? kSandboxLogin : kDefaultLogin);
  if (p.audience.empty()) return BadSpec(s, "param audience must not be empty");
  p.token_url = param("token_url").value_or(s.endpoint + "/services/oauth2/token");
  if (!is_http(p.token_url)) return BadSpec(s, "param token_url must be an http(s) URL");
  p.api_version = param("api_version").value_or(kDefaultApiVersion);
  if (!std::regex_match(p.api_version, std::regex(R"([1-9][0-9]\.0)"))) {
    return BadSpec(s, "param api_version must look like 58.0, got \"" + p.api_version + "\"");
  }
  if (std::optional<std::string> batch = param("batch_size")) {
    const bool digits = !batch->empty() && batch->size() <= 4 &&
                        std::all_of(batch->begin(), batch->end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    p.batch = digits ? std::stoi(*batch) : 0;
    if (p.batch < kMinBatch || p.batch > kMaxBatch) {
      return BadSpec(s, "param batch_size must be 200..2000, got \"" + *batch + "\"");
    }
  }
  // A key that does not load is reported by Poll as a credential failure,
  // where the operator looks for one.
  Result<std::unique_ptr<JwtSigner>> signer = JwtSigner::FromPem(s.secret);
  return std::unique_ptr<Source>(new SalesforceSource(std::move(s), deps, std::move(p),
                                                      std::move(signer)));
}

}  // namespace paws
