#include "sources/o365/o365_source.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "http/url.h"
#include "paws/codes.h"
#include "paws/collector_types.h"
#include "sources/common/api_client.h"
#include "sources/common/api_errors.h"
#include "sources/common/collection_start.h"
#include "sources/common/oauth2.h"
#include "sources/common/paging.h"
#include "sources/o365/o365_records.h"

namespace paws {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;
using std::chrono::hours;

constexpr const char* kDefaultLoginUrl = "https://login.microsoftonline.com";
constexpr const char* kDefaultResource = "https://manage.office.com";
// The longest window one listing request may ask for, and how far back the
// API serves content; the margin keeps a request sent a little after `now`
// was read within the limit (upstream keeps 6.9999 days).
constexpr Duration kMaxWindow = hours(24);
constexpr Duration kRetention = hours(24 * 7);
constexpr Duration kRetentionMargin = std::chrono::minutes(1);
// What a rate limit without Retry-After costs, and the most a Retry-After
// (possibly from a skewed clock) may make a stream wait.
constexpr Duration kDefaultThrottle = std::chrono::seconds(60);
constexpr Duration kMaxThrottle = std::chrono::minutes(5);

struct O365State {
  std::string stream;
  WallTime since;
  WallTime until;
  std::string next_page;  // "" when the window's first page is next
};

struct O365Settings {
  std::string tenant_id;
  std::string publisher_id;
  std::string login_url;
  std::string resource;
};

// What the collector-type registry knows of o365: its content types and
// where an upstream state names one.
const CollectorType& O365Type() {
  static const CollectorType* type = FindCollectorType("o365");
  assert(type != nullptr);
  return *type;
}

bool KnownStream(const std::string& s) { return O365Type().KnowsStream(s); }

bool IsGuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool IsHttpUrl(const std::string& url) {
  const std::string origin = UrlOrigin(url);
  return origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0;
}

Status BadState(const std::string& what) {
  return Status::InvalidArgument("o365: state " + what, codes::kStateMalformed);
}

Status BadConfig(const CollectorSpec& spec, const std::string& what) {
  return Status::InvalidArgument("collector " + spec.id + ": " + what, codes::kConfigInvalid);
}

Duration Until(WallTime t, WallTime now) {
  return t > now ? std::chrono::ceil<Duration>(t - now) : Duration(0);
}

// How long a rate limit asks us to wait, within reason.
Duration Throttle(const Status& s) {
  return s.retry_after() > Duration(0) ? std::min<Duration>(s.retry_after(), kMaxThrottle)
                                       : kDefaultThrottle;
}

// A rate limit with the wait Throttle gives it; other statuses as they are.
Status WithThrottle(const Status& s) {
  if (s.code() != StatusCode::kRateLimited) return s;
  return Status::RateLimited(s.message(), Throttle(s)).WithCode(codes::kApiRateLimited);
}

ClientCredentialsOptions TokenOptions(const CollectorSpec& spec, const O365Settings& o) {
  ClientCredentialsOptions t;
  t.token_url = o.login_url + "/" + o.tenant_id + "/oauth2/token";
  t.client_id = spec.client_id;
  t.client_secret = spec.secret;
  t.resource = o.resource;
  return t;
}

class O365Source : public Source {
 public:
  O365Source(CollectorSpec spec, const SourceDeps& deps, O365Settings settings)
      : spec_(std::move(spec)),
        settings_(std::move(settings)),
        clock_(deps.clock),
        api_(deps.http, deps.clock, {.name = "o365"}),
        feed_(spec_.endpoint + "/api/v1.0/" + settings_.tenant_id + "/activity/feed/"),
        tokens_(&api_, TokenOptions(spec_, settings_)) {}

  Result<std::string> InitialState(const std::string& stream) override {
    if (!KnownStream(stream)) {
      return Status::InvalidArgument("o365: collector " + spec_.id + " has no stream \"" + stream +
                                     "\" (streams are content types such as Audit.Exchange)");
    }
    const WallTime now = clock_->Now();
    PAWS_ASSIGN_OR_RETURN(WallTime since, CollectionStart(spec_, now));
    return Serialize(O365State{stream, since, NextUntil(since, now), ""}, Duration(0));
  }

  Result<PollResult> Poll(const std::string& state_json, MonoTime deadline) override {
    Result<PollResult> r = DoPoll(state_json, deadline);
    if (r.ok()) return r;
    // Whatever an API or a transport echoed, the secret stays out.
    return RedactSecrets(r.status(), {spec_.secret.reveal(), UrlEncode(spec_.secret.reveal())});
  }

 private:
  Result<PollResult> DoPoll(const std::string& state_json, MonoTime deadline) {
    PAWS_ASSIGN_OR_RETURN(O365State st, ParseState(state_json));
    PollResult result;
    const WallTime now = clock_->Now();
    Clamp(&st, now, &result.warnings);
    if (st.until > now) {
      // Content of a window that has not ended can still be created in it.
      result.next_delay = Until(st.until, now);
      result.next_state_json = Serialize(st, result.next_delay);
      return result;
    }
    // At most 24 h per request; the rest of a longer window comes next.
    const WallTime part_end = std::min(st.until, st.since + kMaxWindow);
    if (st.since < part_end || !st.next_page.empty()) {
      PAWS_RETURN_IF_ERROR(WithThrottle(Subscribe(st.stream, false, deadline)));
      std::string url =
          st.next_page.empty() ? ListUrl(st.stream, st.since, part_end) : st.next_page;
      const int max_pages = std::max(1, spec_.max_pages_per_cycle);
      for (int page = 1;; ++page) {
        std::string next;
        std::vector<Event> events;
        Status s = page > 1 && clock_->MonotonicNow() >= deadline
                       ? Status::DeadlineExceeded("o365: deadline reached between pages")
                       : FetchPage(st.stream, url, deadline, &events, &next);
        if (!s.ok()) {
          // Rate limited or out of time after some pages: keep them; the
          // next cycle starts at the page that failed. Anything else fails
          // the cycle and the runtime retries it from its state.
          const bool rate = s.code() == StatusCode::kRateLimited;
          if (page == 1 || (!rate && s.code() != StatusCode::kDeadlineExceeded)) {
            return WithThrottle(s);
          }
          return Paused(st, url, rate ? Throttle(s) : Duration(0), std::move(result));
        }
        std::move(events.begin(), events.end(), std::back_inserter(result.events));
        if (next.empty()) break;
        if (page >= max_pages) return Paused(st, next, Duration(0), std::move(result));
        url = next;
      }
    }
    // The window (or its first 24 h) is complete.
    O365State next{st.stream, part_end, st.until, ""};
    if (part_end >= st.until) next.until = NextUntil(part_end, clock_->Now());
    result.next_delay = Until(next.until, clock_->Now());
    result.next_state_json = Serialize(next, result.next_delay);
    return result;
  }

  // The window after one ending at `since`: up to now when behind (at most
  // 24 h), else one poll interval.
  WallTime NextUntil(WallTime since, WallTime now) const {
    return std::min(since + kMaxWindow, std::max(since + spec_.poll_interval, now));
  }

  // A window older than the API serves starts at its limit instead; the
  // interval lost is reported.
  void Clamp(O365State* st, WallTime now, std::vector<Status>* warnings) const {
    const WallTime floor = now - kRetention + kRetentionMargin;
    if (st->since >= floor) return;
    warnings->push_back(Status(StatusCode::kNotFound,
                               "o365: stream " + st->stream + ": content created in [" +
                                   FormatRfc3339(st->since) + ", " + FormatRfc3339(floor) +
                                   ") is older than the 7 days the Management Activity API "
                                   "serves and cannot be collected; collection goes on from " +
                                   FormatRfc3339(floor),
                               codes::kSourceGap));
    st->since = floor;
    st->next_page.clear();
    if (st->until <= floor) st->until = NextUntil(floor, now);
  }

  PollResult Paused(O365State st, const std::string& url, Duration delay, PollResult result) const {
    st.next_page = url;
    result.next_delay = delay;
    result.next_state_json = Serialize(st, delay);
    return result;
  }

  // One listing page and every blob it lists. `next` is the next page, ""
  // at the last one.
  Status FetchPage(const std::string& stream, const std::string& url, MonoTime deadline,
                   std::vector<Event>* events, std::string* next) {
    const std::string what = api_.Describe("GET", url);
    std::string token;
    PAWS_ASSIGN_OR_RETURN(HttpResponse res, Request("GET", url, deadline, &token));
    const std::string code = O365ErrorCode(res.body);
    if (res.status == 400 && (code == "AF20022" || code == "AF20023")) {
      // The subscription is gone (or disabled): start it again, retry once.
      PAWS_RETURN_IF_ERROR(Subscribe(stream, true, deadline));
      PAWS_ASSIGN_OR_RETURN(res, Request("GET", url, deadline, &token));
    }
    PAWS_RETURN_IF_ERROR(Check(res, "GET", url, token));
    *next = res.Header("NextPageUri");
    // A page or a blob elsewhere would get the token: never followed.
    if (!next->empty()) PAWS_RETURN_IF_ERROR(CheckSameOrigin(*next, spec_.endpoint, what));
    std::vector<std::string> uris;
    PAWS_RETURN_IF_ERROR(ParseO365Listing(res.body, what, &uris));
    for (const std::string& uri : uris) {
      PAWS_RETURN_IF_ERROR(CheckSameOrigin(uri, spec_.endpoint, what + ": contentUri"));
      PAWS_ASSIGN_OR_RETURN(HttpResponse blob, Request("GET", uri, deadline, &token));
      PAWS_RETURN_IF_ERROR(Check(blob, "GET", uri, token));
      PAWS_RETURN_IF_ERROR(ParseO365Records(blob.body, api_.Describe("GET", uri), events));
    }
    return Status::Ok();
  }

  // Starts the stream's subscription unless this source did (`again`: even
  // then). Enabled already (AF20024) is as good as started.
  Status Subscribe(const std::string& stream, bool again, MonoTime deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!again && subscribed_.count(stream)) return Status::Ok();
    }
    const std::string url = AppendQuery(feed_ + "subscriptions/start", {{"contentType", stream}});
    std::string token;
    PAWS_ASSIGN_OR_RETURN(HttpResponse res, Request("POST", url, deadline, &token));
    if (!(res.status == 400 && O365ErrorCode(res.body) == "AF20024")) {
      PAWS_RETURN_IF_ERROR(Check(res, "POST", url, token));
    }
    std::lock_guard<std::mutex> lock(mu_);
    subscribed_.insert(stream);
    return Status::Ok();
  }

  // The request with the cached token (and the PublisherIdentifier); a 401
  // means the token we hold was rejected (expired early, revoked): fetch
  // another and try once more. An HTTP error status is returned as is;
  // `used` is the token of the response (to keep out of messages).
  Result<HttpResponse> Request(const std::string& method, const std::string& url, MonoTime deadline,
                               std::string* used) {
    const std::string full =
        QueryParam(url, "PublisherIdentifier").empty()
            ? AppendQuery(url, {{"PublisherIdentifier", settings_.publisher_id}})
            : url;
    PAWS_ASSIGN_OR_RETURN(AccessToken token, tokens_.Get(deadline));
    Result<HttpResponse> res = Send(method, full, token, deadline);
    if (res.ok() && res->status == 401) {
      tokens_.Invalidate(token.value);
      PAWS_ASSIGN_OR_RETURN(token, tokens_.Get(deadline));
      res = Send(method, full, token, deadline);
    }
    *used = token.value.reveal();
    return res;
  }

  Result<HttpResponse> Send(const std::string& method, const std::string& url,
                            const AccessToken& token, MonoTime deadline) const {
    HttpRequest req;
    req.method = method;
    req.url = url;
    req.headers = {{"Authorization", token.AuthorizationValue()},
                   {"Accept", "application/json"},
                   {"Content-Type", "application/json; charset=utf-8"}};
    Result<HttpResponse> res = api_.Send(std::move(req), deadline);
    if (!res.ok()) return RedactSecrets(res.status(), {token.value.reveal()});
    return res;
  }

  // The Status of a response: the API's error code and message quoted, the
  // AF429 error a rate limit whatever its status.
  Status Check(const HttpResponse& res, const std::string& method, const std::string& url,
               const std::string& token) const {
    ErrorSummarizer summarize =
        RedactingSummarizer(O365ErrorSummary, {spec_.secret.reveal(), token});
    Status s = api_.Check(res, method, url, summarize);
    if (!s.ok() && s.code() != StatusCode::kRateLimited && O365ErrorCode(res.body) == "AF429") {
      s = QuotaExceeded(s.message(), RetryAfter(res, clock_->Now()));
    }
    return RedactSecrets(s, {token});
  }

  std::string ListUrl(const std::string& stream, WallTime since, WallTime until) const {
    return AppendQuery(feed_ + "subscriptions/content", {{"contentType", stream},
                                                         {"startTime", FormatRfc3339(since)},
                                                         {"endTime", FormatRfc3339(until)}});
  }

  Result<O365State> ParseState(const std::string& state_json) const {
    json j = json::parse(state_json, nullptr, false);
    if (!j.is_object()) return BadState("is not a JSON object");
    auto text = [&](const char* key) -> std::string {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    O365State st;
    st.stream = StreamOfState(O365Type(), state_json);
    if (!KnownStream(st.stream)) return BadState("has no stream that is an O365 content type");
    for (auto [key, out] : {std::pair{"since", &st.since}, std::pair{"until", &st.until}}) {
      Result<WallTime> t = ParseRfc3339(text(key));
      if (!t.ok()) return BadState(std::string("has no valid ") + key);
      *out = *t;
    }
    if (st.since > st.until) return BadState("window is reversed (since > until)");
    auto next = j.find("nextPage");
    if (next != j.end() && !next->is_null()) {
      st.next_page = text("nextPage");
      if (!SameOrigin(st.next_page, spec_.endpoint)) {
        return BadState("nextPage is not a URL of the collector's endpoint");
      }
    }
    return st;
  }

  // poll_interval_sec is the delay the state is written with, as upstream:
  // 1 while catching up.
  std::string Serialize(const O365State& st, Duration delay) const {
    const int64_t secs = std::chrono::ceil<std::chrono::seconds>(delay).count();
    ordered_json j = {{"stream", st.stream},
                      {"since", FormatRfc3339(st.since)},
                      {"until", FormatRfc3339(st.until)},
                      {"nextPage", st.next_page.empty() ? json(nullptr) : json(st.next_page)},
                      {"poll_interval_sec", std::max<int64_t>(1, secs)}};
    return j.dump();
  }

  const CollectorSpec spec_;
  const O365Settings settings_;
  Clock* const clock_;
  const ApiClient api_;
  const std::string feed_;         // {endpoint}/api/v1.0/{tenant_id}/activity/feed/
  ClientCredentialsToken tokens_;  // uses api_
  std::mutex mu_;
  std::set<std::string> subscribed_;  // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<Source>> MakeO365Source(const CollectorSpec& spec, const SourceDeps& deps) {
  assert(deps.clock != nullptr && deps.http != nullptr);
  if (deps.clock == nullptr || deps.http == nullptr) {
    return Status::Internal("o365: source needs a clock and an HTTP client");
  }
  CollectorSpec s = spec;
  while (!s.endpoint.empty() && s.endpoint.back() == '/') s.endpoint.pop_back();
  if (!IsHttpUrl(s.endpoint)) {
    return BadConfig(s,
                     "endpoint must be an http(s) URL such as https://manage.office.com, got \"" +
                         s.endpoint + "\"");
  }
  if (s.poll_interval < std::chrono::seconds(1))
    return BadConfig(s, "poll interval must be >= 1 s");
  if (s.client_id.empty()) return BadConfig(s, "o365 needs client_id (the Azure AD application's)");
  if (s.secret.empty())
    return BadConfig(s, "o365 needs the client secret (secret_env or secret_file)");
  for (const std::string& stream : s.streams) {
    if (!KnownStream(stream)) {
      return BadConfig(s, "streams: \"" + stream + "\" is not an O365 content type (" +
                              O365Type().StreamList() + ")");
    }
  }
  auto param = [&](const char* key, std::string fallback) {
    auto it = s.params.find(key);
    return it == s.params.end() ? fallback : it->second;
  };
  O365Settings o;
  o.tenant_id = param("tenant_id", "");
  if (!IsGuid(o.tenant_id)) {
    return BadConfig(
        s, "param tenant_id must be the Azure AD tenant id (a GUID), got \"" + o.tenant_id + "\"");
  }
  o.publisher_id = param("publisher_id", o.tenant_id);
  if (!IsGuid(o.publisher_id)) {
    return BadConfig(s, "param publisher_id must be a GUID, got \"" + o.publisher_id + "\"");
  }
  o.login_url = param("login_url", kDefaultLoginUrl);
  while (!o.login_url.empty() && o.login_url.back() == '/') o.login_url.pop_back();
  if (!IsHttpUrl(o.login_url)) {
    return BadConfig(s, "param login_url must be an http(s) URL, got \"" + o.login_url + "\"");
  }
  o.resource = param("resource", kDefaultResource);
  if (o.resource.empty()) return BadConfig(s, "param resource must not be empty");
  return std::unique_ptr<Source>(new O365Source(std::move(s), deps, std::move(o)));
}

}  // namespace paws
