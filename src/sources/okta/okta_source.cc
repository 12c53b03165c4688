#include "sources/okta/okta_source.h"

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>
#include <optional>

#include "http/url.h"
#include "paws/codes.h"
#include "sources/common/api_client.h"
#include "sources/common/api_errors.h"
#include "sources/common/collection_start.h"
#include "sources/common/paging.h"
#include "sources/okta/okta_events.h"

namespace paws {
namespace {

using json = nlohmann::json;
// The state keeps its keys in the order written.
using ordered_json = nlohmann::ordered_json;

constexpr int kDefaultLimit = 1000;
constexpr int kMaxLimit = 1000;  // the System Log API's maximum page size
constexpr Duration kMaxRequestTimeout = std::chrono::seconds(30);
// Okta's rate-limit windows are a minute long: what to wait for when a page
// says none are left but not when they come back, and the most a reset
// header (possibly from a skewed clock) may make a stream wait.
constexpr Duration kDefaultThrottle = std::chrono::seconds(60);
constexpr Duration kMaxThrottle = std::chrono::minutes(5);

struct OktaState {
  WallTime since;
  WallTime until;
  std::string next_page;
};

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

Status BadState(const std::string& what) {
  return Status::InvalidArgument("okta: state " + what, codes::kStateMalformed);
}

Status BadSpec(const CollectorSpec& spec, const std::string& what) {
  return Status::InvalidArgument("collector " + spec.id + ": " + what, codes::kConfigInvalid);
}

Duration Until(WallTime t, WallTime now) {
  return t > now ? std::chrono::ceil<Duration>(t - now) : Duration(0);
}

class OktaSource : public Source {
 public:
  OktaSource(CollectorSpec spec, const SourceDeps& deps, int limit)
      : spec_(std::move(spec)),
        clock_(deps.clock),
        api_(deps.http, deps.clock, {.name = "okta", .max_request_timeout = kMaxRequestTimeout}),
        limit_(limit),
        // Okta error bodies ({"errorCode", "errorSummary"}) could echo the
        // token; it is replaced before the summary is cut.
        summarize_(RedactingSummarizer(JsonErrorSummary, {spec_.secret.reveal()})) {
    while (!spec_.endpoint.empty() && spec_.endpoint.back() == '/') spec_.endpoint.pop_back();
  }

  Result<std::string> InitialState(const std::string& stream) override {
    if (stream != kOktaStream) {
      return Status::InvalidArgument("okta: collector " + spec_.id + " has no stream \"" + stream +
                                     "\" (its one stream is \"okta\")");
    }
    PAWS_ASSIGN_OR_RETURN(WallTime since, CollectionStart(spec_, clock_->Now()));
    OktaState st{since, {}, ""};
    st.until = st.since + spec_.poll_interval;
    return Serialize(st);
  }

  Result<PollResult> Poll(const std::string& state_json, MonoTime deadline) override {
    Result<PollResult> r = DoPoll(state_json, deadline);
    if (r.ok()) return r;
    // The token must never reach a message, whatever an API or a transport
    // put into one.
    return RedactSecrets(r.status(), {spec_.secret.reveal()});
  }

 private:
  Result<PollResult> DoPoll(const std::string& state_json, MonoTime deadline) {
    PAWS_ASSIGN_OR_RETURN(OktaState st, ParseState(state_json));
    PollResult result;
    const WallTime now = clock_->Now();
    if (st.until > now) {
      // Events of a window that has not ended could still be published
      // before its end, behind a cursor already past them: wait.
      result.next_state_json = Serialize(st);
      result.next_delay = Until(st.until, now);
      return result;
    }
    Duration throttle{0};
    if (st.since < st.until || !st.next_page.empty()) {
      std::string url = st.next_page.empty() ? WindowUrl(st) : st.next_page;
      const int max_pages = std::max(1, spec_.max_pages_per_cycle);
      for (int page = 1;; ++page) {
        Result<HttpResponse> res = Fetch(url, deadline);
        Status s = res.ok() ? api_.Check(*res, "GET", url, summarize_) : res.status();
        if (!s.ok()) {
          // Rate limited or out of time after some pages: keep them; the
          // next cycle starts at the page that failed. Anything else fails
          // the cycle, and the runtime retries it from its state.
          const bool keep = page > 1 && (s.code() == StatusCode::kRateLimited ||
                                         s.code() == StatusCode::kDeadlineExceeded);
          if (!keep) return s;
          Duration wait{0};
          if (s.code() == StatusCode::kRateLimited) {
            wait = s.retry_after() > Duration(0) ? std::min(s.retry_after(), kMaxThrottle)
                                                 : kDefaultThrottle;
          }
          return Paused(st, url, wait, std::move(result));
        }
        const size_t before = result.events.size();
        PAWS_RETURN_IF_ERROR(
            ParseOktaLogEvents(res->body, api_.Describe("GET", url), &result.events));
        const size_t count = result.events.size() - before;
        // A next link to another origin would get the token: an error.
        PAWS_ASSIGN_OR_RETURN(std::string next,
                              NextLink(res->headers, url, api_.Describe("GET", url)));
        // A bounded query is exhausted at an empty page, whatever its links
        // say; a link back to the same page would never end.
        if (count == 0 || next == url) next.clear();
        std::optional<Duration> slow = Throttle(*res);
        if (next.empty()) {
          throttle = slow.value_or(Duration(0));
          break;
        }
        if (slow || page >= max_pages) {
          return Paused(st, next, slow.value_or(Duration(0)), std::move(result));
        }
        url = next;
      }
    }
    // The window is complete. The next one is never collected before it has
    // ended; when it already has, we are behind and go on at once.
    OktaState next{st.until, st.until + spec_.poll_interval, ""};
    result.next_delay = std::max(Until(next.until, clock_->Now()), throttle);
    result.next_state_json = Serialize(next);
    return result;
  }

  // The cycle stops inside the window; the next one starts at `url`.
  PollResult Paused(OktaState st, const std::string& url, Duration delay, PollResult result) const {
    st.next_page = url;
    result.next_state_json = Serialize(st);
    result.next_delay = delay;
    return result;
  }

  // How long to wait when a successful page says the rate limit is used up
  // (X-Rate-Limit-Remaining: 0); nullopt when requests remain.
  std::optional<Duration> Throttle(const HttpResponse& res) const {
    std::string remaining = res.Header("X-Rate-Limit-Remaining");
    remaining.erase(0, remaining.find_first_not_of(" \t"));
    remaining.erase(remaining.find_last_not_of(" \t") + 1);
    if (remaining.empty() || remaining.find_first_not_of('0') != std::string::npos) {
      return std::nullopt;
    }
    if (res.Header("X-Rate-Limit-Reset").empty() && res.Header("Retry-After").empty()) {
      return kDefaultThrottle;
    }
    return std::min(RetryAfter(res, clock_->Now()), kMaxThrottle);
  }

  Result<OktaState> ParseState(const std::string& state_json) const {
    json j = json::parse(state_json, nullptr, false);
    if (!j.is_object()) return BadState("is not a JSON object");
    auto text = [&](const char* key) -> std::string {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (j.contains("stream") && text("stream") != kOktaStream) {
      return BadState("names a stream other than \"okta\"");
    }
    OktaState st;
    for (auto [key, out] : {std::pair{"since", &st.since}, std::pair{"until", &st.until}}) {
      Result<WallTime> t = ParseRfc3339(text(key));
      if (!t.ok()) return BadState(std::string("has no valid ") + key);
      *out = *t;
    }
    if (st.since > st.until) return BadState("window is reversed (since > until)");
    if (j.contains("nextPage") && !j["nextPage"].is_null()) {
      st.next_page = text("nextPage");
      if (!SameOrigin(st.next_page, spec_.endpoint)) {
        return BadState("nextPage is not a URL of the collector's endpoint");
      }
    }
    return st;
  }

  std::string Serialize(const OktaState& st) const {
    ordered_json j = {{"since", FormatRfc3339(st.since)}, {"until", FormatRfc3339(st.until)}};
    if (!st.next_page.empty()) j["nextPage"] = st.next_page;
    j["poll_interval_sec"] =
        std::chrono::duration_cast<std::chrono::seconds>(spec_.poll_interval).count();
    return Dump(j);
  }

  std::string WindowUrl(const OktaState& st) const {
    return AppendQuery(spec_.endpoint + "/api/v1/logs", {{"since", FormatRfc3339(st.since)},
                                                         {"until", FormatRfc3339(st.until)},
                                                         {"limit", std::to_string(limit_)},
                                                         {"sortOrder", "ASCENDING"}});
  }

  Result<HttpResponse> Fetch(const std::string& url, MonoTime deadline) const {
    return api_.Get(
        url, {{"Authorization", "SSWS " + spec_.secret.reveal()}, {"Accept", "application/json"}},
        deadline);
  }

  CollectorSpec spec_;
  Clock* const clock_;
  const ApiClient api_;
  const int limit_;
  const ErrorSummarizer summarize_;
};

}  // namespace

Result<std::unique_ptr<Source>> MakeOktaSource(const CollectorSpec& spec, const SourceDeps& deps) {
  assert(deps.clock != nullptr && deps.http != nullptr);
  if (deps.clock == nullptr || deps.http == nullptr) {
    return Status::Internal("okta: source needs a clock and an HTTP client");
  }
  const std::string origin = UrlOrigin(spec.endpoint);
  if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
    return BadSpec(spec, "endpoint must be an http(s) URL such as https://acme.okta.com, got \"" +
                             spec.endpoint + "\"");
  }
  if (spec.poll_interval < std::chrono::seconds(1)) {
    return BadSpec(spec, "poll interval must be >= 1 s");
  }
  for (const std::string& stream : spec.streams) {
    if (stream != kOktaStream) {
      return BadSpec(spec, "okta has one stream, \"okta\"; got \"" + stream + "\"");
    }
  }
  int limit = kDefaultLimit;
  if (auto it = spec.params.find("limit"); it != spec.params.end()) {
    const std::string& text = it->second;
    const bool digits =
        !text.empty() && text.size() <= 4 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    limit = digits ? std::stoi(text) : 0;
    if (limit < 1 || limit > kMaxLimit) {
      return BadSpec(spec, "param limit must be 1..1000, got \"" + text + "\"");
    }
  }
  return std::unique_ptr<Source>(new OktaSource(spec, deps, limit));
}

}  // namespace paws
