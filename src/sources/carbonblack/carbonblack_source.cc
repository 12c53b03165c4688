#include "sources/carbonblack/carbonblack_source.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "http/url.h"
#include "paws/codes.h"
#include "paws/collector_types.h"
#include "sources/common/api_client.h"
#include "sources/common/api_errors.h"
#include "sources/common/collection_start.h"

namespace paws {
namespace {

using json = nlohmann::json;
// Records keep the key order Carbon Black sent.
using ordered_json = nlohmann::ordered_json;

constexpr const char* kAudit = "AuditLogEvents";
constexpr int kDefaultRows = 500;  // upstream's page size
constexpr int kMaxRows = 10000;
// The search APIs serve rows 1..10000 of a result set (start + rows - 1).
constexpr int64_t kMaxReachable = 10000;
// What to wait after a 429 without Retry-After, and the most a Retry-After
// may make a stream wait (the health check's stall_after is 15 min).
constexpr Duration kDefaultThrottle = std::chrono::seconds(60);
constexpr Duration kMaxThrottle = std::chrono::minutes(5);

struct CbState {
  std::string stream;
  WallTime since;
  WallTime until;
  int64_t next_start = 0;  // 0: the window's first page
};

Status BadState(const std::string& what) {
  return Status::InvalidArgument("carbonblack: state " + what, codes::kStateMalformed);
}

Status BadSpec(const CollectorSpec& spec, const std::string& what) {
  return Status::InvalidArgument("collector " + spec.id + ": " + what, codes::kConfigInvalid);
}

// What the collector-type registry knows of carbonblack: its API names and
// the legacy state field older upstream collectors named the API in.
const CollectorType& CbType() {
  static const CollectorType* type = FindCollectorType("carbonblack");
  assert(type != nullptr);
  return *type;
}

bool KnownStream(const std::string& stream) { return CbType().KnowsStream(stream); }

Duration Until(WallTime t, WallTime now) {
  return t > now ? std::chrono::ceil<Duration>(t - now) : Duration(0);
}

// Carbon Black's error document {"success", "message", "error_code"} as
// "error_code: message"; other documents as JsonErrorSummary does.
std::string CbErrorSummary(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("error_code")) return JsonErrorSummary(body);
  auto text = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string code = text("error_code"), message = text("message");
  return code.empty() || message.empty() ? code + message : code + ": " + message;
}

std::string AuditId(const std::string& raw) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
  for (unsigned char c : raw) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(h));
  return std::string("audit-") + hex;
}

class CarbonBlackSource : public Source {
 public:
  CarbonBlackSource(CollectorSpec spec, const SourceDeps& deps, std::string org_key, int rows)
      : spec_(std::move(spec)),
        clock_(deps.clock),
        api_(deps.http, deps.clock, {.name = "carbonblack"}),
        org_key_(std::move(org_key)),
        rows_(rows),
        auth_token_(spec_.secret.reveal() + "/" + spec_.client_id),
        summarize_(RedactingSummarizer(CbErrorSummary, {spec_.secret.reveal(), auth_token_})) {}

  Result<std::string> InitialState(const std::string& stream) override {
    if (!KnownStream(stream)) {
      return Status::InvalidArgument("carbonblack: collector " + spec_.id + " has no stream \"" +
                                     stream + "\"");
    }
    PAWS_ASSIGN_OR_RETURN(WallTime since, CollectionStart(spec_, clock_->Now()));
    return Serialize(CbState{stream, since, since + spec_.poll_interval, 0});
  }

  Result<PollResult> Poll(const std::string& state_json, MonoTime deadline) override {
    Result<PollResult> r = DoPoll(state_json, deadline);
    if (r.ok()) return r;
    // Whatever an API or a transport echoed, the key stays out.
    const std::string& secret = spec_.secret.reveal();
    return RedactSecrets(r.status(), {auth_token_, secret, UrlEncode(secret)});
  }

 private:
  Result<PollResult> DoPoll(const std::string& state_json, MonoTime deadline) {
    PAWS_ASSIGN_OR_RETURN(CbState st, ParseState(state_json));
    PollResult result;
    const WallTime now = clock_->Now();
    if (st.until > now) {
      // Records of a window that has not ended could still be created in it.
      result.next_state_json = Serialize(st);
      result.next_delay = Until(st.until, now);
      return result;
    }
    const std::string url = SearchUrl(st.stream);
    const int max_pages = std::max(1, spec_.max_pages_per_cycle);
    int64_t start = st.next_start > 0 ? st.next_start : 1;
    bool complete = st.since >= st.until;  // an empty window
    for (int page = 0; !complete; ++page) {
      if (page >= max_pages || (page > 0 && clock_->MonotonicNow() >= deadline)) {
        return Paused(st, start, Duration(0), std::move(result));
      }
      Result<HttpResponse> res = api_.Post(url, Headers(), RequestBody(st, start), deadline);
      Status s = res.ok() ? api_.Check(*res, "POST", url, summarize_) : res.status();
      if (s.code() == StatusCode::kRateLimited) {
        const Duration wait = s.retry_after() > Duration(0)
                                  ? std::min(s.retry_after(), kMaxThrottle)
                                  : kDefaultThrottle;
        if (page == 0) return Status::RateLimited(s.message(), wait).WithCode(s.paws_code());
        return Paused(st, start, wait, std::move(result));
      }
      if (!s.ok()) {
        if (page > 0 && s.code() == StatusCode::kDeadlineExceeded) {
          return Paused(st, start, Duration(0), std::move(result));
        }
        return s;
      }
      int64_t found = 0;
      std::vector<Event> events;
      PAWS_RETURN_IF_ERROR(ParsePage(res->body, url, st.stream, &events, &found));
      if (start == 1 && found > kMaxReachable && st.until - st.since > Duration(1)) {
        // Past row 10000 the API serves nothing: search the first half.
        st.until = st.since + std::chrono::floor<Duration>((st.until - st.since) / 2);
        continue;
      }
      start += static_cast<int64_t>(events.size());
      complete = events.empty() || start - 1 >= found;
      for (Event& e : events) result.events.push_back(std::move(e));
    }
    // The window is complete: the next one, up to now when we are behind.
    const WallTime after = clock_->Now();
    CbState next{st.stream, st.until, st.until + spec_.poll_interval, 0};
    if (after - st.until > spec_.poll_interval) {
      next.until = FromUnixMillis(ToUnixMillis(after));
    }
    result.next_delay = Until(next.until, after);
    result.next_state_json = Serialize(next);
    return result;
  }

  // The cycle stops inside the window; the next one asks for row `start`.
  PollResult Paused(CbState st, int64_t start, Duration delay, PollResult result) const {
    st.next_start = start;
    result.next_state_json = Serialize(st);
    result.next_delay = delay;
    return result;
  }

  HttpHeaders Headers() const {
    return {{"X-Auth-Token", auth_token_},
            {"Content-Type", "application/json"},
            {"Accept", "application/json"}};
  }

  std::string SearchUrl(const std::string& stream) const {
    if (stream == kAudit)
      return spec_.endpoint + "/audit_log/v1/orgs/" + org_key_ + "/logs/_search";
    std::string kind;
    if (stream == "SearchAlertsCBAnalytics") kind = "/cbanalytics";
    if (stream == "SearchAlertsVmware") kind = "/vmware";
    if (stream == "SearchAlertsWatchlist") kind = "/watchlist";
    return spec_.endpoint + "/appservices/v6/orgs/" + org_key_ + "/alerts" + kind + "/_search";
  }

  // [since, until) as Carbon Black's inclusive range [since, until - 1 ms].
  std::string RequestBody(const CbState& st, int64_t start) const {
    ordered_json body = {
        {"criteria",
         {{"create_time",
           {{"start", FormatRfc3339(st.since)}, {"end", FormatRfc3339(st.until - Duration(1))}}}}},
        {"rows", rows_},
        {"start", start},
        {"sort", ordered_json::array({{{"field", "create_time"}, {"order", "ASC"}}})},
    };
    return body.dump();
  }

  Status ParsePage(const std::string& body, const std::string& url, const std::string& stream,
                   std::vector<Event>* out, int64_t* found) const {
    auto bad = [&](const std::string& what) {
      return Malformed(api_.Describe("POST", url) + ": " + what);
    };
    ordered_json page = ordered_json::parse(body, nullptr, false);
    if (page.is_discarded()) return bad("response body is not JSON");
    if (!page.is_object()) return bad("response body is not a JSON object");
    auto n = page.find("num_found");
    if (n == page.end() || !n->is_number_integer() || n->get<int64_t>() < 0) {
      return bad("response has no num_found");
    }
    *found = n->get<int64_t>();
    auto results = page.find("results");
    if (results == page.end() || !results->is_array()) return bad("response has no results array");
    const bool audit = stream == kAudit;
    for (size_t i = 0; i < results->size(); ++i) {
      const ordered_json& r = (*results)[i];
      const std::string at = (audit ? "audit record " : "alert ") + std::to_string(i);
      if (!r.is_object()) return bad(at + " is not an object");
      Event e;
      e.raw_json = r.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
      e.raw_is_json = true;
      auto text = [&](const char* key) -> std::optional<std::string> {
        auto it = r.find(key);
        if (it == r.end() || !it->is_string() || it->get<std::string>().empty()) return {};
        return it->get<std::string>();
      };
      if (audit) {
        e.id = text("eventId").value_or(AuditId(e.raw_json));
        e.type_id = "audit";
      } else {
        std::optional<std::string> id = text("id");
        if (!id) return bad(at + " has no id");
        e.id = *id;
        e.type_id = text("type").value_or("");
      }
      if (std::optional<std::string> t = text("create_time")) {
        Result<WallTime> ts = ParseRfc3339(*t);
        if (!ts.ok()) return bad(at + " has an invalid create_time");
        e.timestamp = *ts;
      } else if (auto ms = r.find("eventTime"); audit && ms != r.end() && ms->is_number()) {
        e.timestamp = FromUnixMillis(ms->get<int64_t>());  // a v3 audit record
      } else {
        return bad(at + " has no create_time");
      }
      out->push_back(std::move(e));
    }
    return Status::Ok();
  }

  Result<CbState> ParseState(const std::string& state_json) const {
    json j = json::parse(state_json, nullptr, false);
    if (!j.is_object()) return BadState("is not a JSON object");
    auto text = [&](const char* key) -> std::string {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    CbState st;
    // The newest upstream writes "stream", older ones the legacy field.
    const std::string& legacy = CbType().legacy_state_field;
    st.stream = j.contains("stream") ? text("stream") : text(legacy.c_str());
    if (j.contains("stream") && j.contains(legacy) && text(legacy.c_str()) != st.stream) {
      return BadState("has a stream and an " + legacy + " that differ");
    }
    if (!KnownStream(st.stream)) {
      return BadState("names no Carbon Black API (stream or " + legacy + ")");
    }
    for (auto [key, out] : {std::pair{"since", &st.since}, std::pair{"until", &st.until}}) {
      Result<WallTime> t = ParseRfc3339(text(key));
      if (!t.ok()) return BadState(std::string("has no valid ") + key);
      *out = *t;
    }
    if (st.since > st.until) return BadState("window is reversed (since > until)");
    if (auto it = j.find("nextPage"); it != j.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 1 ||
          it->get<int64_t>() > kMaxReachable + 1) {
        return BadState("nextPage is not a row number (1..10001)");
      }
      st.next_start = it->get<int64_t>();
    }
    return st;
  }

  std::string Serialize(const CbState& st) const {
    ordered_json j = {{"stream", st.stream},
                      {"since", FormatRfc3339(st.since)},
                      {"until", FormatRfc3339(st.until)},
                      {"nextPage", nullptr}};
    if (st.next_start > 0) j["nextPage"] = st.next_start;
    j["poll_interval_sec"] =
        std::chrono::duration_cast<std::chrono::seconds>(spec_.poll_interval).count();
    return j.dump();
  }

  const CollectorSpec spec_;
  Clock* const clock_;
  const ApiClient api_;
  const std::string org_key_;
  const int rows_;
  const std::string auth_token_;  // "<API secret key>/<API ID>"
  const ErrorSummarizer summarize_;
};

}  // namespace

Result<std::unique_ptr<Source>> MakeCarbonBlackSource(const CollectorSpec& spec,
                                                      const SourceDeps& deps) {
  assert(deps.clock != nullptr && deps.http != nullptr);
  if (deps.clock == nullptr || deps.http == nullptr) {
    return Status::Internal("carbonblack: source needs a clock and an HTTP client");
  }
  CollectorSpec s = spec;
  while (!s.endpoint.empty() && s.endpoint.back() == '/') s.endpoint.pop_back();
  const std::string origin = UrlOrigin(s.endpoint);
  if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
    return BadSpec(s,
                   "endpoint must be an http(s) URL such as https://defense.conferdeploy.net, "
                   "got \"" +
                       s.endpoint + "\"");
  }
  if (s.poll_interval < std::chrono::seconds(1)) return BadSpec(s, "poll interval must be >= 1 s");
  if (s.client_id.empty()) return BadSpec(s, "carbonblack needs client_id (the API ID)");
  if (s.secret.empty()) {
    return BadSpec(s, "carbonblack needs the API secret key (secret_env or secret_file)");
  }
  auto param = [&](const char* key) -> std::optional<std::string> {
    auto it = s.params.find(key);
    return it == s.params.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  const std::string org_key = param("org_key").value_or("");
  const bool org_ok = !org_key.empty() && std::all_of(org_key.begin(), org_key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
  if (!org_ok) {
    return BadSpec(s,
                   "param org_key must be the organisation key (upper-case letters and "
                   "digits), got \"" +
                       org_key + "\"");
  }
  int rows = kDefaultRows;
  if (std::optional<std::string> text = param("rows")) {
    const bool digits =
        !text->empty() && text->size() <= 5 &&
        std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
    rows = digits ? std::stoi(*text) : 0;
    if (rows < 1 || rows > kMaxRows) {
      return BadSpec(s, "param rows must be 1..10000, got \"" + *text + "\"");
    }
  }
  if (s.streams.empty()) return BadSpec(s, "streams must name at least one Carbon Black API");
  for (const std::string& stream : s.streams) {
    if (!KnownStream(stream)) {
      return BadSpec(s, "streams: \"" + stream + "\" is not one of " + CbType().StreamList());
    }
  }
  return std::unique_ptr<Source>(new CarbonBlackSource(std::move(s), deps, org_key, rows));
}

}  // namespace paws
