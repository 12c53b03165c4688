#include "sources/auth0/auth0_source.h"

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>

#include "http/url.h"
#include "paws/codes.h"
#include "sources/common/api_client.h"
#include "sources/common/api_errors.h"
#include "sources/common/collection_start.h"
#include "sources/common/oauth2.h"
#include "sources/common/paging.h"

namespace paws {
namespace {

using json = nlohmann::json;
// Events keep the key order the API sent.
using ordered_json = nlohmann::ordered_json;

constexpr const char* kStream = "auth0";
constexpr int kMaxTake = 100;  // the API's maximum of take and per_page

// How long to wait for a spent rate limit: until its reset, at least 1 s
// and at most 5 min (a reset far off is more likely a bad clock than a
// real wait; the health check's stall_after is 15 min). A minute when the
// API gave no reset.
Duration RateWait(Duration until_reset, bool has_reset) {
  if (!has_reset) return std::chrono::minutes(1);
  return std::clamp<Duration>(until_reset, std::chrono::seconds(1), std::chrono::minutes(5));
}

// Where the next page starts: a date before the first event, a log id after.
struct Auth0State {
  WallTime since;
  std::string last_log_id;
};

Status BadState(const std::string& what) {
  return Status::InvalidArgument("auth0: state " + what, codes::kStateMalformed);
}

Status BadConfig(const CollectorSpec& spec, const std::string& what) {
  return Status::InvalidArgument("collector " + spec.id + ": " + what, codes::kConfigInvalid);
}

// Auth0's error document {"statusCode", "error", "message", "errorCode"}
// as "errorCode: message"; other documents as JsonErrorSummary does.
std::string Auth0ErrorSummary(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("statusCode")) return JsonErrorSummary(body);
  auto text = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string code = text("errorCode").empty() ? text("error") : text("errorCode");
  std::string message = text("message");
  return code.empty() || message.empty() ? code + message : code + ": " + message;
}

// The Management API's client credentials: {endpoint}/oauth/token for the
// audience {endpoint}/api/v2/ unless the `audience` param says otherwise.
ClientCredentialsOptions TokenOptions(const CollectorSpec& spec, const std::string& audience) {
  ClientCredentialsOptions o;
  o.token_url = spec.endpoint + "/oauth/token";
  o.client_id = spec.client_id;
  o.client_secret = spec.secret;
  o.audience = audience.empty() ? spec.endpoint + "/api/v2/" : audience;
  return o;
}

class Auth0Source : public Source {
 public:
  Auth0Source(CollectorSpec spec, const SourceDeps& deps, int take, const std::string& audience)
      : spec_(std::move(spec)),
        clock_(deps.clock),
        api_(deps.http, deps.clock, {.name = "auth0"}),
        take_(take),
        tokens_(&api_, TokenOptions(spec_, audience)) {}

  Result<std::string> InitialState(const std::string& stream) override {
    if (stream != kStream) {
      return Status::InvalidArgument("auth0: collector " + spec_.id + " has no stream \"" + stream +
                                     "\" (its one stream is \"auth0\")");
    }
    PAWS_ASSIGN_OR_RETURN(WallTime since, CollectionStart(spec_, clock_->Now()));
    Auth0State st{since, ""};
    return Serialize(st);
  }

  Result<PollResult> Poll(const std::string& state_json, MonoTime deadline) override {
    Result<PollResult> r = DoPoll(state_json, deadline);
    if (r.ok()) return r;
    // Whatever an API or a transport echoed, the secret stays out.
    return RedactSecrets(r.status(), {spec_.secret.reveal(), UrlEncode(spec_.secret.reveal())});
  }

 private:
  Result<PollResult> DoPoll(const std::string& state_json, MonoTime deadline) {
    PAWS_ASSIGN_OR_RETURN(Auth0State st, ParseState(state_json));
    PollResult result;
    bool more = false;  // the last page was full: more events are likely waiting
    Duration wait{0};   // until the rate limit frees up
    const int max_pages = std::max(1, spec_.max_pages_per_cycle);
    for (int page = 0; page < max_pages; ++page) {
      // Past the deadline, what is collected is kept rather than lost.
      if (page > 0 && clock_->MonotonicNow() >= deadline) break;
      const std::string url = PageUrl(st);
      Result<HttpResponse> res = Fetch(url, deadline);
      if (!res.ok()) {
        if (page == 0 || res.status().code() != StatusCode::kRateLimited) return res.status();
        wait = RateWait(res.status().retry_after(), true);
        break;
      }
      const size_t before = result.events.size();
      PAWS_RETURN_IF_ERROR(ParseEvents(res->body, url, &result.events));
      if (result.events.size() > before) st.last_log_id = result.events.back().id;
      more = result.events.size() - before >= static_cast<size_t>(take_);
      if (res->Header("X-RateLimit-Remaining") == "0") {
        // The quota of this window is spent: slow down until it resets.
        wait = RateWait(RetryAfter(*res, clock_->Now()), !res->Header("X-RateLimit-Reset").empty());
        break;
      }
      if (!more) break;
    }
    result.next_delay = std::max(more ? Duration(0) : spec_.poll_interval, wait);
    result.next_state_json = Serialize(st);
    return result;
  }

  // GET `url` with the cached token; a 401 means the token we hold was
  // rejected (expired early, revoked): fetch another and try once more.
  Result<HttpResponse> Fetch(const std::string& url, MonoTime deadline) {
    PAWS_ASSIGN_OR_RETURN(AccessToken token, tokens_.Get(deadline));
    PAWS_ASSIGN_OR_RETURN(HttpResponse res, Send(url, token, deadline));
    if (res.status == 401) {
      tokens_.Invalidate(token.value);
      PAWS_ASSIGN_OR_RETURN(token, tokens_.Get(deadline));
      PAWS_ASSIGN_OR_RETURN(res, Send(url, token, deadline));
    }
    const std::string& secret = spec_.secret.reveal();
    Status s = api_.Check(res, "GET", url,
                          RedactingSummarizer(Auth0ErrorSummary, {secret, token.value.reveal()}));
    if (!s.ok()) return RedactSecrets(s, {token.value.reveal()});
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

  std::string PageUrl(const Auth0State& st) const {
    const std::string take = std::to_string(take_);
    if (!st.last_log_id.empty()) {
      // By checkpoint: the events after that log id, in log id order.
      return AppendQuery(spec_.endpoint + "/api/v2/logs",
                         {{"from", st.last_log_id}, {"take", take}});
    }
    // No event yet: the first page by search, from the date on.
    return AppendQuery(spec_.endpoint + "/api/v2/logs",
                       {{"q", "date:[" + FormatRfc3339(st.since) + " TO *]"},
                        {"sort", "date:1"},
                        {"per_page", take},
                        {"page", "0"}});
  }

  Result<Auth0State> ParseState(const std::string& state_json) const {
    json j = json::parse(state_json, nullptr, false);
    if (!j.is_object()) return BadState("is not a JSON object");
    auto it = j.find("stream");  // absent from upstream states
    if (it != j.end() && (!it->is_string() || it->get<std::string>() != kStream)) {
      return BadState("is not of the stream \"auth0\"");
    }
    Auth0State st;
    it = j.find("last_log_id");
    if (it != j.end() && !it->is_null()) {
      if (!it->is_string() || it->get<std::string>().empty()) {
        return BadState("last_log_id is not a non-empty string");
      }
      st.last_log_id = it->get<std::string>();
      return st;
    }
    it = j.find("since");
    Result<WallTime> since =
        it != j.end() && it->is_string() ? ParseRfc3339(it->get<std::string>()) : BadState("");
    if (!since.ok()) return BadState("has neither a last_log_id nor a valid since");
    st.since = *since;
    return st;
  }

  std::string Serialize(const Auth0State& st) const {
    ordered_json j = {{"stream", kStream}};
    if (st.last_log_id.empty()) {
      j["since"] = FormatRfc3339(st.since);
    } else {
      j["last_log_id"] = st.last_log_id;
    }
    j["poll_interval_sec"] =
        std::chrono::duration_cast<std::chrono::seconds>(spec_.poll_interval).count();
    return j.dump();
  }

  Status ParseEvents(const std::string& body, const std::string& url,
                     std::vector<Event>* out) const {
    auto bad = [&](const std::string& what) {
      return Malformed(api_.Describe("GET", url) + ": " + what);
    };
    ordered_json events = ordered_json::parse(body, nullptr, false);
    if (events.is_discarded()) return bad("response body is not JSON");
    if (!events.is_array()) return bad("response body is not a JSON array of log events");
    for (size_t i = 0; i < events.size(); ++i) {
      const ordered_json& e = events[i];
      const std::string at = "log event " + std::to_string(i);
      if (!e.is_object()) return bad(at + " is not an object");
      auto id = e.find("log_id");
      if (id == e.end() || !id->is_string() || id->get<std::string>().empty()) {
        return bad(at + " has no log_id");
      }
      auto date = e.find("date");
      if (date == e.end() || !date->is_string()) return bad(at + " has no date");
      Result<WallTime> ts = ParseRfc3339(date->get<std::string>());
      if (!ts.ok()) return bad(at + " has an invalid date");
      auto type = e.find("type");
      out->push_back(Event{id->get<std::string>(), *ts,
                           type != e.end() && type->is_string() ? type->get<std::string>() : "",
                           e.dump(-1, ' ', false, ordered_json::error_handler_t::replace), true});
    }
    return Status::Ok();
  }

  const CollectorSpec spec_;
  Clock* const clock_;
  const ApiClient api_;
  const int take_;
  ClientCredentialsToken tokens_;  // uses api_
};

}  // namespace

Result<std::unique_ptr<Source>> MakeAuth0Source(const CollectorSpec& spec, const SourceDeps& deps) {
  assert(deps.clock != nullptr && deps.http != nullptr);
  if (deps.clock == nullptr || deps.http == nullptr) {
    return Status::Internal("auth0: source needs a clock and an HTTP client");
  }
  CollectorSpec s = spec;
  while (!s.endpoint.empty() && s.endpoint.back() == '/') s.endpoint.pop_back();
  const std::string origin = UrlOrigin(s.endpoint);
  if (origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
    return BadConfig(s,
                     "endpoint must be an http(s) URL such as https://<tenant>.auth0.com, got \"" +
                         s.endpoint + "\"");
  }
  if (s.poll_interval < std::chrono::seconds(1))
    return BadConfig(s, "poll interval must be >= 1 s");
  if (s.client_id.empty()) return BadConfig(s, "auth0 needs client_id (the application's)");
  if (s.secret.empty())
    return BadConfig(s, "auth0 needs the client secret (secret_env or secret_file)");
  int take = kMaxTake;
  if (auto it = s.params.find("take"); it != s.params.end()) {
    const std::string& text = it->second;
    const bool digits =
        !text.empty() && text.size() <= 3 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    take = digits ? std::stoi(text) : 0;
    if (take < 1 || take > kMaxTake)
      return BadConfig(s, "param take must be 1..100, got \"" + text + "\"");
  }
  std::string audience;
  if (auto it = s.params.find("audience"); it != s.params.end()) {
    audience = it->second;
    if (audience.empty()) return BadConfig(s, "param audience must not be empty");
  }
  return std::unique_ptr<Source>(new Auth0Source(std::move(s), deps, take, audience));
}

}  // namespace paws
