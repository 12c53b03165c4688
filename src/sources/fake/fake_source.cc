#include "sources/fake/fake_source.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

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
// Events keep the key order the API sent.
using ordered_json = nlohmann::ordered_json;

constexpr int kDefaultLimit = 1000;
constexpr int kMaxLimit = 1000;
constexpr Duration kMaxRequestTimeout = std::chrono::seconds(30);

struct FakeState {
  std::string stream;
  WallTime since;
  WallTime until;
  std::string next_page;
};

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

Status BadState(const std::string& what) {
  return Status::InvalidArgument("fake: state " + what, codes::kStateMalformed);
}

class FakeSource : public Source {
 public:
  FakeSource(CollectorSpec spec, const SourceDeps& deps, int limit)
      : spec_(std::move(spec)),
        clock_(deps.clock),
        api_(deps.http, deps.clock, {.name = "fake", .max_request_timeout = kMaxRequestTimeout}),
        limit_(limit),
        // Okta error bodies ({"errorCode", "errorSummary"}) may echo the
        // token; it is replaced before the summary is cut.
        summarize_(RedactingSummarizer(JsonErrorSummary, {spec_.secret.reveal()})) {
    while (!spec_.endpoint.empty() && spec_.endpoint.back() == '/') spec_.endpoint.pop_back();
  }

  Result<std::string> InitialState(const std::string& stream) override {
    if (std::find(spec_.streams.begin(), spec_.streams.end(), stream) == spec_.streams.end()) {
      return Status::InvalidArgument("fake: collector " + spec_.id + " has no stream \"" + stream +
                                     "\"");
    }
    PAWS_ASSIGN_OR_RETURN(WallTime since, CollectionStart(spec_, clock_->Now()));
    FakeState st{stream, since, {}, ""};
    st.until = st.since + spec_.poll_interval;
    return Serialize(st);
  }

  Result<PollResult> Poll(const std::string& state_json, MonoTime deadline) override {
    Result<PollResult> r = DoPoll(state_json, deadline);
    if (r.ok()) return r;
    // The secret must never reach a message, whatever an API or a transport
    // put into one.
    return RedactSecrets(r.status(), {spec_.secret.reveal()});
  }

 private:
  Result<PollResult> DoPoll(const std::string& state_json, MonoTime deadline) {
    PAWS_ASSIGN_OR_RETURN(FakeState st, ParseState(state_json));
    std::string url = st.next_page.empty() ? WindowUrl(st) : st.next_page;
    PollResult result;
    const int max_pages = std::max(1, spec_.max_pages_per_cycle);
    for (int page = 1;; ++page) {
      PAWS_ASSIGN_OR_RETURN(HttpResponse res, Fetch(url, deadline));
      CrashIfAsked(res);
      PAWS_RETURN_IF_ERROR(api_.Check(res, "GET", url, summarize_));
      PAWS_RETURN_IF_ERROR(
          ParseOktaLogEvents(res.body, api_.Describe("GET", url), &result.events));
      // A next link to another origin would get the credential: an error.
      PAWS_ASSIGN_OR_RETURN(std::string next,
                            NextLink(res.headers, url, api_.Describe("GET", url)));
      if (next.empty()) break;
      if (page >= max_pages) {
        st.next_page = next;
        result.next_state_json = Serialize(st);
        result.next_delay = Duration(0);
        return result;
      }
      url = next;
    }
    // The window is complete. The next one is never collected before it has
    // ended; when it already has, we are behind and go on at once.
    FakeState next{st.stream, st.until, st.until + spec_.poll_interval, ""};
    const WallTime now = clock_->Now();
    result.next_delay =
        next.until > now ? std::chrono::ceil<Duration>(next.until - now) : Duration(0);
    result.next_state_json = Serialize(next);
    return result;
  }

  Result<FakeState> ParseState(const std::string& state_json) const {
    json j = json::parse(state_json, nullptr, false);
    if (!j.is_object()) return BadState("is not a JSON object");
    FakeState st;
    auto text = [&](const char* key) -> std::string {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    st.stream = text("stream");
    if (st.stream.empty()) return BadState("has no stream");
    for (auto [key, out] : {std::pair{"since", &st.since}, std::pair{"until", &st.until}}) {
      Result<WallTime> t = ParseRfc3339(text(key));
      if (!t.ok()) return BadState(std::string("has no valid ") + key);
      *out = *t;
    }
    if (st.since >= st.until) return BadState("window is empty (since >= until)");
    if (j.contains("nextPage") && !j["nextPage"].is_null()) {
      st.next_page = text("nextPage");
      if (!SameOrigin(st.next_page, spec_.endpoint)) {
        return BadState("nextPage is not a URL of the collector's endpoint");
      }
    }
    return st;
  }

  std::string Serialize(const FakeState& st) const {
    ordered_json j = {{"stream", st.stream},
                      {"since", FormatRfc3339(st.since)},
                      {"until", FormatRfc3339(st.until)}};
    if (!st.next_page.empty()) j["nextPage"] = st.next_page;
    j["poll_interval_sec"] =
        std::chrono::duration_cast<std::chrono::seconds>(spec_.poll_interval).count();
    return Dump(j);
  }

  std::string WindowUrl(const FakeState& st) const {
    return spec_.endpoint + "/api/v1/logs?stream=" + UrlEncode(st.stream) +
           "&since=" + UrlEncode(FormatRfc3339(st.since)) +
           "&until=" + UrlEncode(FormatRfc3339(st.until)) + "&limit=" + std::to_string(limit_);
  }

  Result<HttpResponse> Fetch(const std::string& url, MonoTime deadline) const {
    return api_.Get(
        url, {{"Authorization", "SSWS " + spec_.secret.reveal()}, {"Accept", "application/json"}},
        deadline);
  }

  // The fake API's `crash` fault: this source stands in for a plugin that
  // takes the process down (a crash loop for the health check to find).
  static void CrashIfAsked(const HttpResponse& res) {
    if (res.Header("X-Fake-Crash") == "abort") {
      std::fputs("fake source: the API's crash fault: aborting\n", stderr);
      std::abort();
    }
  }

  CollectorSpec spec_;
  Clock* const clock_;
  const ApiClient api_;
  const int limit_;
  const ErrorSummarizer summarize_;
};

}  // namespace

Result<std::unique_ptr<Source>> MakeFakeSource(const CollectorSpec& spec, const SourceDeps& deps) {
  assert(deps.clock != nullptr && deps.http != nullptr);
  if (deps.clock == nullptr || deps.http == nullptr) {
    return Status::Internal("fake: source needs a clock and an HTTP client");
  }
  const std::string origin = UrlOrigin(spec.endpoint);
  if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(
        "collector " + spec.id + ": endpoint must be an http(s) URL, got \"" + spec.endpoint + "\"",
        codes::kConfigInvalid);
  }
  if (spec.poll_interval < std::chrono::seconds(1)) {
    return Status::InvalidArgument("collector " + spec.id + ": poll interval must be >= 1 s",
                                   codes::kConfigInvalid);
  }
  int limit = kDefaultLimit;
  if (auto it = spec.params.find("limit"); it != spec.params.end()) {
    const std::string& text = it->second;
    bool digits =
        !text.empty() && text.size() <= 4 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    limit = digits ? std::stoi(text) : 0;
    if (limit < 1 || limit > kMaxLimit) {
      return Status::InvalidArgument(
          "collector " + spec.id + ": param limit must be 1..1000, got \"" + text + "\"",
          codes::kConfigInvalid);
    }
  }
  return std::unique_ptr<Source>(new FakeSource(spec, deps, limit));
}

}  // namespace paws
