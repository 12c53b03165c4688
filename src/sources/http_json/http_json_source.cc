#include "sources/http_json/http_json_source.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "http/url.h"
#include "paws/codes.h"
#include "sources/common/api_client.h"
#include "sources/common/api_errors.h"
#include "sources/common/base64.h"
#include "sources/common/collection_start.h"
#include "sources/common/oauth2.h"
#include "sources/common/paging.h"
#include "sources/http_json/http_json_config.h"

namespace paws {
namespace {

using json = nlohmann::json;
// Records keep the key order the API sent.
using ordered_json = nlohmann::ordered_json;

constexpr Duration kMaxRequestTimeout = std::chrono::seconds(30);
// What to wait for when a page says no requests are left but not when they
// come back, and the most any reset header (possibly from a skewed clock)
// may make a stream wait: the health check's stall_after is 15 min.
constexpr Duration kDefaultThrottle = std::chrono::seconds(60);
constexpr Duration kMaxThrottle = std::chrono::minutes(5);

struct HttpJsonState {
  WallTime since;
  WallTime until;
  std::optional<std::string> cursor;  // the next page of the window
};

// What a page said besides its records.
struct PageInfo {
  size_t count = 0;                       // records on the page, before any filter
  std::optional<std::string> next_token;  // paging = token
};

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

Status BadState(const std::string& what) {
  return Status::InvalidArgument("http_json: state " + what, codes::kStateMalformed);
}

Duration Until(WallTime t, WallTime now) {
  return t > now ? std::chrono::ceil<Duration>(t - now) : Duration(0);
}

const ordered_json* Find(const ordered_json& doc, const JsonPath& path) {
  const ordered_json* cur = &doc;
  for (const std::string& key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

// The first of `paths` present (and not null) in `record`.
const ordered_json* FindFirst(const ordered_json& record, const std::vector<JsonPath>& paths) {
  for (const JsonPath& p : paths) {
    const ordered_json* v = Find(record, p);
    if (v != nullptr && !v->is_null()) return v;
  }
  return nullptr;
}

// A string as is, an integer as its digits; nullopt for anything else.
std::optional<std::string> Text(const ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  return std::nullopt;
}

std::optional<WallTime> ParseTime(const ordered_json& v, HttpJsonTime format) {
  if (format == HttpJsonTime::kRfc3339) {
    if (!v.is_string()) return std::nullopt;
    Result<WallTime> t = ParseRfc3339(v.get<std::string>());
    return t.ok() ? std::optional<WallTime>(*t) : std::nullopt;
  }
  double n = 0;
  if (v.is_number()) {
    n = v.get<double>();
  } else if (v.is_string() && !v.get<std::string>().empty()) {
    const std::string s = v.get<std::string>();
    char* end = nullptr;
    n = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  const double ms = format == HttpJsonTime::kEpochSeconds ? n * 1000 : n;
  // Beyond year 9999 or before 1970 is not a log record's time.
  if (!std::isfinite(ms) || ms < 0 || ms > 253402300800000.0) return std::nullopt;
  return FromUnixMillis(static_cast<int64_t>(std::llround(ms)));
}

class HttpJsonSource : public Source {
 public:
  HttpJsonSource(CollectorSpec spec, HttpJsonConfig config, const SourceDeps& deps)
      : spec_(std::move(spec)),
        config_(std::move(config)),
        clock_(deps.clock),
        api_(deps.http, deps.clock,
             {.name = "http_json", .max_request_timeout = kMaxRequestTimeout}) {
    const std::string& secret = spec_.secret.reveal();
    switch (config_.auth) {
      case HttpJsonAuth::kHeader: {
        std::string value = config_.auth_value;
        for (size_t at = value.find("{secret}"); at != std::string::npos;
             at = value.find("{secret}", at + secret.size())) {
          value.replace(at, 8, secret);
        }
        auth_ = {config_.auth_header, value};
        break;
      }
      case HttpJsonAuth::kBearer:
        auth_ = {"Authorization", "Bearer " + secret};
        break;
      case HttpJsonAuth::kBasic:
        auth_ = {"Authorization", "Basic " + Base64Encode(spec_.client_id + ":" + secret)};
        break;
      case HttpJsonAuth::kOAuth2:
        tokens_ = std::make_unique<ClientCredentialsToken>(&api_, config_.oauth2);
        break;
      case HttpJsonAuth::kNone:
        break;
    }
    // What an API or a transport might echo: the secret in any of the
    // forms it was sent in.
    for (const std::string& s : {secret, UrlEncode(secret), auth_.second}) {
      if (!s.empty()) secrets_.push_back(s);
    }
  }

  Result<std::string> InitialState(const std::string& stream) override {
    if (stream != config_.stream) {
      return Status::InvalidArgument("http_json: collector " + spec_.id + " has no stream \"" +
                                     stream + "\" (its one stream is \"" + config_.stream + "\")");
    }
    PAWS_ASSIGN_OR_RETURN(WallTime since, CollectionStart(spec_, clock_->Now()));
    return Serialize(HttpJsonState{since, since + spec_.poll_interval, std::nullopt});
  }

  Result<PollResult> Poll(const std::string& state_json, MonoTime deadline) override {
    Result<PollResult> r = DoPoll(state_json, deadline);
    if (r.ok()) return r;
    return Redact(r.status());
  }

 private:
  Result<PollResult> DoPoll(const std::string& state_json, MonoTime deadline) {
    PAWS_ASSIGN_OR_RETURN(HttpJsonState st, ParseState(state_json));
    PollResult result;
    const WallTime now = clock_->Now();
    if (st.until > now) {
      // Records of a window that has not ended could still appear behind a
      // cursor already past them: wait.
      result.next_state_json = Serialize(st);
      result.next_delay = Until(st.until, now);
      return result;
    }
    Duration throttle{0};
    if (st.since < st.until || st.cursor) {
      std::optional<std::string> cursor = st.cursor;
      const int max_pages = std::max(1, spec_.max_pages_per_cycle);
      for (int page = 1;; ++page) {
        const std::string url = PageUrl(st, cursor);
        Result<HttpResponse> res = Fetch(url, deadline);
        if (!res.ok()) {
          // Rate limited or out of time after some pages: keep them; the
          // next cycle starts at the page that failed. Anything else fails
          // the cycle, and the runtime retries it from its state.
          const Status& s = res.status();
          const bool keep = page > 1 && (s.code() == StatusCode::kRateLimited ||
                                         s.code() == StatusCode::kDeadlineExceeded);
          if (!keep) return s;
          Duration wait{0};
          if (s.code() == StatusCode::kRateLimited) {
            wait = s.retry_after() > Duration(0) ? std::min(s.retry_after(), kMaxThrottle)
                                                 : kDefaultThrottle;
          }
          return Paused(st, cursor, wait, std::move(result));
        }
        PageInfo info;
        PAWS_RETURN_IF_ERROR(ParsePage(res->body, url, st, &result.events, &info));
        PAWS_ASSIGN_OR_RETURN(std::optional<std::string> next, NextCursor(*res, url, cursor, info));
        std::optional<Duration> slow = Throttle(*res);
        if (!next) {
          throttle = slow.value_or(Duration(0));
          break;
        }
        if (slow || page >= max_pages) {
          return Paused(st, next, slow.value_or(Duration(0)), std::move(result));
        }
        cursor = std::move(next);
      }
    }
    // The window is complete. The next one is never collected before it has
    // ended; when it already has, we are behind and go on at once.
    HttpJsonState next{st.until, st.until + spec_.poll_interval, std::nullopt};
    result.next_delay = std::max(Until(next.until, clock_->Now()), throttle);
    result.next_state_json = Serialize(next);
    return result;
  }

  // The cycle stops inside the window; the next one starts at `cursor`.
  PollResult Paused(HttpJsonState st, std::optional<std::string> cursor, Duration delay,
                    PollResult result) const {
    st.cursor = std::move(cursor);
    result.next_state_json = Serialize(st);
    result.next_delay = delay;
    return result;
  }

  std::string PageUrl(const HttpJsonState& st, const std::optional<std::string>& cursor) const {
    switch (config_.paging) {
      case HttpJsonPaging::kLink:
        return cursor ? *cursor : ExpandUrlTemplate(config_, st.since, st.until, "");
      case HttpJsonPaging::kToken:
      case HttpJsonPaging::kOffset: {
        std::optional<std::string> c = cursor;
        if (!c && config_.paging == HttpJsonPaging::kOffset) {
          c = std::to_string(config_.offset_start);
        }
        if (config_.cursor_in_template) {
          return ExpandUrlTemplate(config_, st.since, st.until, c.value_or(""));
        }
        std::string url = ExpandUrlTemplate(config_, st.since, st.until, "");
        if (!c) return url;
        const std::string& name =
            config_.paging == HttpJsonPaging::kToken ? config_.token_param : config_.offset_param;
        return AppendQuery(url, {{name, *c}});
      }
      case HttpJsonPaging::kNone:
        break;
    }
    return ExpandUrlTemplate(config_, st.since, st.until, "");
  }

  // The cursor of the page after the one at `url`, or nullopt when the
  // window is complete.
  Result<std::optional<std::string>> NextCursor(const HttpResponse& res, const std::string& url,
                                                const std::optional<std::string>& cursor,
                                                const PageInfo& info) const {
    switch (config_.paging) {
      case HttpJsonPaging::kLink: {
        // A link to another origin would get the credential: an error.
        PAWS_ASSIGN_OR_RETURN(std::string next,
                              NextLink(res.headers, url, api_.Describe("GET", url)));
        // A bounded query is exhausted at an empty page, whatever its
        // links say; a link back to the same page would never end.
        if (next.empty() || info.count == 0 || next == url) return std::optional<std::string>();
        return std::optional<std::string>(next);
      }
      case HttpJsonPaging::kToken:
        if (!info.next_token || info.next_token->empty() || info.next_token == cursor) {
          return std::optional<std::string>();
        }
        return info.next_token;
      case HttpJsonPaging::kOffset: {
        if (info.count < static_cast<size_t>(config_.page_size)) {
          return std::optional<std::string>();
        }
        const int64_t at = cursor ? std::stoll(*cursor) : config_.offset_start;
        const int64_t step = config_.offset_counts_pages ? 1 : static_cast<int64_t>(info.count);
        return std::optional<std::string>(std::to_string(at + step));
      }
      case HttpJsonPaging::kNone:
        break;
    }
    return std::optional<std::string>();
  }

  // How long to wait when a successful page says the rate limit is used up;
  // nullopt when requests remain (or the API does not say).
  std::optional<Duration> Throttle(const HttpResponse& res) const {
    bool spent = false;
    for (const char* name :
         {"X-Rate-Limit-Remaining", "X-RateLimit-Remaining", "RateLimit-Remaining"}) {
      std::string v = res.Header(name);
      v.erase(0, v.find_first_not_of(" \t"));
      v.erase(v.find_last_not_of(" \t") + 1);
      if (!v.empty() && v.find_first_not_of('0') == std::string::npos) spent = true;
    }
    if (!spent) return std::nullopt;
    Duration wait = RetryAfter(res, clock_->Now());
    if (wait == Duration(0)) {
      // The IETF draft's RateLimit-Reset is delta-seconds.
      const std::string reset = res.Header("RateLimit-Reset");
      char* end = nullptr;
      const long long secs = std::strtoll(reset.c_str(), &end, 10);
      if (!reset.empty() && end == reset.c_str() + reset.size() && secs > 0) {
        wait = std::chrono::seconds(secs);
      }
    }
    const bool has_reset =
        !res.Header("Retry-After").empty() || !res.Header("X-Rate-Limit-Reset").empty() ||
        !res.Header("X-RateLimit-Reset").empty() || !res.Header("RateLimit-Reset").empty();
    if (!has_reset) return kDefaultThrottle;
    return std::min(wait, kMaxThrottle);
  }

  // GET `url` with the credential; with OAuth2 a 401 means the token we
  // hold was rejected (expired early, revoked): fetch another, try once more.
  Result<HttpResponse> Fetch(const std::string& url, MonoTime deadline) {
    std::optional<AccessToken> token;
    if (tokens_) {
      PAWS_ASSIGN_OR_RETURN(AccessToken t, tokens_->Get(deadline));
      token = std::move(t);
    }
    PAWS_ASSIGN_OR_RETURN(HttpResponse res, Send(url, token, deadline));
    if (res.status == 401 && tokens_) {
      tokens_->Invalidate(token->value);
      PAWS_ASSIGN_OR_RETURN(AccessToken t, tokens_->Get(deadline));
      token = std::move(t);
      PAWS_ASSIGN_OR_RETURN(res, Send(url, token, deadline));
    }
    const std::string token_value = token ? token->value.reveal() : "";
    const bool failed = res.status < 200 || res.status > 299;
    if (failed && !config_.quota_error_text.empty() &&
        res.body.find(config_.quota_error_text) != std::string::npos) {
      const Duration after = RetryAfter(res, clock_->Now());
      return QuotaExceeded(api_.Describe("GET", url),
                           after > Duration(0) ? after : config_.quota_retry);
    }
    std::vector<std::string> redact = secrets_;
    if (!token_value.empty()) redact.push_back(token_value);
    Status s = api_.Check(res, "GET", url, RedactingSummarizer(JsonErrorSummary, redact));
    if (!s.ok()) return Redact(s, token_value);
    return res;
  }

  Result<HttpResponse> Send(const std::string& url, const std::optional<AccessToken>& token,
                            MonoTime deadline) const {
    HttpHeaders headers = {{"Accept", "application/json"}};
    if (token) headers.emplace_back("Authorization", token->AuthorizationValue());
    if (!auth_.first.empty()) headers.push_back(auth_);
    Result<HttpResponse> res = api_.Get(url, headers, deadline);
    if (!res.ok()) return Redact(res.status(), token ? token->value.reveal() : "");
    return res;
  }

  Status ParsePage(const std::string& body, const std::string& url, const HttpJsonState& st,
                   std::vector<Event>* out, PageInfo* info) const {
    auto bad = [&](const std::string& what) {
      return Malformed(api_.Describe("GET", url) + ": " + what);
    };
    const ordered_json doc = ordered_json::parse(body, nullptr, false);
    if (doc.is_discarded()) return bad("response body is not JSON");
    const std::string where =
        config_.records_path.empty() ? "response body" : JoinJsonPath(config_.records_path);
    const ordered_json* records = Find(doc, config_.records_path);
    if (records == nullptr) return bad("response has no " + where);
    if (!records->is_array()) return bad(where + " is not a JSON array");
    if (config_.paging == HttpJsonPaging::kToken) {
      const ordered_json* token = Find(doc, config_.next_token_path);
      if (token != nullptr && !token->is_null()) {
        info->next_token = Text(*token);
        if (!info->next_token) {
          return bad(JoinJsonPath(config_.next_token_path) + " is not a string");
        }
      }
    }
    std::vector<Event> parsed;
    parsed.reserve(records->size());
    for (size_t i = 0; i < records->size(); ++i) {
      const ordered_json& r = (*records)[i];
      const std::string at = "record " + std::to_string(i);
      if (!r.is_object()) return bad(at + " is not an object");
      const ordered_json* id_value = FindFirst(r, config_.id_fields);
      std::optional<std::string> id = id_value ? Text(*id_value) : std::nullopt;
      if (!id || id->empty()) return bad(at + " has no " + JoinJsonPath(config_.id_fields[0]));
      const ordered_json* ts_value = FindFirst(r, config_.timestamp_fields);
      if (ts_value == nullptr) {
        return bad(at + " (" + *id + ") has no " + JoinJsonPath(config_.timestamp_fields[0]));
      }
      std::optional<WallTime> ts = ParseTime(*ts_value, config_.timestamp_format);
      if (!ts) return bad(at + " (" + *id + ") has an invalid timestamp");
      if (config_.filter_window && (*ts < st.since || *ts >= st.until)) continue;
      const ordered_json* type = FindFirst(r, config_.type_fields);
      std::optional<std::string> type_text = type ? Text(*type) : std::nullopt;
      parsed.push_back(Event{std::move(*id), *ts, type_text.value_or(""), Dump(r), true});
    }
    info->count = records->size();
    out->insert(out->end(), std::make_move_iterator(parsed.begin()),
                std::make_move_iterator(parsed.end()));
    return Status::Ok();
  }

  Result<HttpJsonState> ParseState(const std::string& state_json) const {
    const json j = json::parse(state_json, nullptr, false);
    if (!j.is_object()) return BadState("is not a JSON object");
    auto it = j.find("stream");
    if (it != j.end() && (!it->is_string() || it->get<std::string>() != config_.stream)) {
      return BadState("is not of the stream \"" + config_.stream + "\"");
    }
    HttpJsonState st;
    for (auto [key, out] : {std::pair{"since", &st.since}, std::pair{"until", &st.until}}) {
      it = j.find(key);
      Result<WallTime> t =
          it != j.end() && it->is_string() ? ParseRfc3339(it->get<std::string>()) : BadState("");
      if (!t.ok()) return BadState(std::string("has no valid ") + key);
      *out = *t;
    }
    if (st.since > st.until) return BadState("window is reversed (since > until)");
    it = j.find("cursor");
    // An okta state that is being paged continues with paging = link.
    if ((it == j.end() || it->is_null()) && config_.paging == HttpJsonPaging::kLink) {
      it = j.find("nextPage");
    }
    // Without paging a cursor means nothing: the window starts over.
    if (it == j.end() || it->is_null() || config_.paging == HttpJsonPaging::kNone) return st;
    switch (config_.paging) {
      case HttpJsonPaging::kLink:
        if (!it->is_string() || !SameOrigin(it->get<std::string>(), FirstUrl(st))) {
          return BadState("cursor is not a URL of the collector's API");
        }
        st.cursor = it->get<std::string>();
        break;
      case HttpJsonPaging::kToken:
        if (!it->is_string() || it->get<std::string>().empty()) {
          return BadState("cursor is not a non-empty string");
        }
        st.cursor = it->get<std::string>();
        break;
      case HttpJsonPaging::kOffset:
        if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0)) {
          return BadState("cursor is not a non-negative integer offset");
        }
        st.cursor = std::to_string(it->get<int64_t>());
        break;
      case HttpJsonPaging::kNone:
        break;
    }
    return st;
  }

  std::string FirstUrl(const HttpJsonState& st) const {
    return ExpandUrlTemplate(config_, st.since, st.until, "");
  }

  std::string Serialize(const HttpJsonState& st) const {
    ordered_json j = {{"stream", config_.stream},
                      {"since", FormatRfc3339(st.since)},
                      {"until", FormatRfc3339(st.until)}};
    if (st.cursor) {
      if (config_.paging == HttpJsonPaging::kOffset) {
        j["cursor"] = std::stoll(*st.cursor);
      } else {
        j["cursor"] = *st.cursor;
      }
    }
    j["poll_interval_sec"] =
        std::chrono::duration_cast<std::chrono::seconds>(spec_.poll_interval).count();
    return Dump(j);
  }

  Status Redact(Status s, const std::string& token = "") const {
    for (const std::string& secret : secrets_) s = RedactSecrets(s, {secret});
    if (!token.empty()) s = RedactSecrets(s, {token});
    return s;
  }

  const CollectorSpec spec_;
  const HttpJsonConfig config_;
  Clock* const clock_;
  const ApiClient api_;
  std::pair<std::string, std::string> auth_;  // the header of static credentials
  std::vector<std::string> secrets_;
  std::unique_ptr<ClientCredentialsToken> tokens_;  // auth = oauth2; uses api_
};

}  // namespace

Result<std::unique_ptr<Source>> MakeHttpJsonSource(const CollectorSpec& spec,
                                                   const SourceDeps& deps) {
  assert(deps.clock != nullptr && deps.http != nullptr);
  if (deps.clock == nullptr || deps.http == nullptr) {
    return Status::Internal("http_json: source needs a clock and an HTTP client");
  }
  PAWS_ASSIGN_OR_RETURN(HttpJsonConfig config, ParseHttpJsonConfig(spec));
  return std::unique_ptr<Source>(new HttpJsonSource(spec, std::move(config), deps));
}

}  // namespace paws
