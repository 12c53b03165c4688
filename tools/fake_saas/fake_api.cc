#include "tools/fake_saas/fake_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/url.h"
#include "tools/fake_saas/fake_events.h"
#include "tools/fake_saas/fake_service.h"
#include "tools/fake_saas/services/service_util.h"

namespace paws {
namespace {

using json = nlohmann::json;

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;
constexpr const char* kLogsSuffix = "/api/v1/logs";

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

const std::string* QueryParam(const FakeRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? nullptr : &it->second;
}

FakeResponse JsonResponse(int status, const json& body) {
  FakeResponse res;
  res.status = status;
  res.headers.emplace_back("Content-Type", "application/json");
  res.body = Dump(body);
  return res;
}

// An error in the format of Okta's API.
FakeResponse OktaError(int status, const std::string& code, const std::string& summary,
                       const std::string& cause = "") {
  json body = {{"errorCode", code},
               {"errorSummary", summary},
               {"errorLink", code},
               {"errorId", "oae" + std::to_string(status)},
               {"errorCauses", json::array()}};
  if (!cause.empty()) body["errorCauses"].push_back({{"errorSummary", cause}});
  return JsonResponse(status, body);
}

FakeResponse BadParam(const std::string& cause) {
  return OktaError(400, "E0000001", "Api validation failed: " + cause, cause);
}

FakeResponse AdminError(int status, const std::string& message) {
  return JsonResponse(status, {{"error", message}});
}

std::string EncodeQuery(const std::map<std::string, std::string>& query) {
  std::string out;
  for (const auto& [k, v] : query) {
    out += out.empty() ? "?" : "&";
    out += UrlEncode(k) + "=" + UrlEncode(v);
  }
  return out;
}

}  // namespace

FakeRequest FakeRequest::FromUrl(std::string method, const std::string& url, HttpHeaders headers,
                                 std::string body) {
  FakeRequest req;
  req.method = std::move(method);
  req.headers = std::move(headers);
  req.body = std::move(body);
  std::string origin = UrlOrigin(url);
  if (!origin.empty() && FakeHeaderOf(req.headers, "Host").empty()) {
    req.headers.emplace_back("Host", origin.substr(origin.find("://") + 3));
  }
  req.path = UrlDecode(UrlPath(url));
  size_t q = url.find('?');
  if (q != std::string::npos) {
    std::string_view rest = std::string_view(url).substr(q + 1);
    rest = rest.substr(0, rest.find('#'));
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      size_t eq = pair.find('=');
      std::string key = UrlDecode(pair.substr(0, eq));
      std::string value = eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1));
      if (!key.empty()) req.query.emplace(std::move(key), std::move(value));
      if (amp == std::string_view::npos) break;
      rest.remove_prefix(amp + 1);
    }
  }
  return req;
}

class FakeApi::ServiceContext : public FakeServiceContext {
 public:
  explicit ServiceContext(FakeApi* api) : api_(api) {}
  WallTime Now() override { return api_->clock_->Now(); }
  int64_t PeriodMs(const std::string& tenant) override {
    std::lock_guard<std::mutex> lock(api_->mu_);
    return api_->PeriodMsLocked(tenant);
  }
  std::optional<FakeFault> BeginRequest(const std::string& tenant,
                                        const std::string& stream) override {
    std::lock_guard<std::mutex> lock(api_->mu_);
    api_->served_[{tenant, stream}].requests++;
    return api_->TakeFaultLocked(tenant, stream);
  }
  void RecordServed(const std::string& tenant, const std::string& stream,
                    const std::vector<std::string>& ids) override {
    std::lock_guard<std::mutex> lock(api_->mu_);
    api_->served_[{tenant, stream}].ids.insert(ids.begin(), ids.end());
  }
  std::string RequiredToken(const std::string& tenant) override {
    std::lock_guard<std::mutex> lock(api_->mu_);
    auto it = api_->tenants_.find(tenant);
    return it == api_->tenants_.end() ? "" : it->second.token;
  }

 private:
  FakeApi* api_;
};

FakeApi::FakeApi(Clock* clock, FakeApiOptions options)
    : clock_(clock), options_(options), context_(std::make_unique<ServiceContext>(this)) {}

FakeApi::~FakeApi() = default;

void FakeApi::AddService(std::unique_ptr<FakeService> service) {
  services_.push_back(std::move(service));
}

FakeResponse FakeApi::Handle(const FakeRequest& req) {
  try {
    return Route(req);
  } catch (const std::exception& e) {
    return OktaError(500, "E0000009", std::string("Internal Server Error: ") + e.what());
  }
}

FakeResponse FakeApi::Route(const FakeRequest& req) {
  if (req.path == "/healthz") return JsonResponse(200, {{"status", "ok"}});
  if (req.path.rfind("/admin/", 0) == 0) {
    try {
      return Admin(req);
    } catch (const json::exception& e) {
      return AdminError(400, std::string("bad request body: ") + e.what());
    }
  }
  // /t/<tenant>/api/v1/logs
  const std::string& p = req.path;
  size_t suffix = p.size() >= std::char_traits<char>::length(kLogsSuffix)
                      ? p.size() - std::char_traits<char>::length(kLogsSuffix)
                      : std::string::npos;
  if (p.rfind("/t/", 0) == 0 && suffix != std::string::npos && suffix > 3 &&
      p.compare(suffix, std::string::npos, kLogsSuffix) == 0) {
    std::string tenant = p.substr(3, suffix - 3);
    if (tenant.find('/') == std::string::npos) return Logs(tenant, req);
  }
  // /t/<tenant>/<a service's path>
  if (p.rfind("/t/", 0) == 0) {
    size_t slash = p.find('/', 3);
    if (slash != std::string::npos && slash > 3) {
      const std::string tenant = p.substr(3, slash - 3);
      const std::string rest = p.substr(slash);
      for (const auto& service : services_) {
        if (auto res = service->Handle(tenant, rest, req, *context_)) return *res;
      }
    }
  }
  return OktaError(404, "E0000007", "Not found: Resource not found: " + p + " (Path)");
}

FakeResponse FakeApi::Logs(const std::string& tenant, const FakeRequest& req) {
  if (req.method != "GET") {
    return OktaError(405, "E0000022", "The endpoint does not support the provided HTTP method");
  }
  const std::string* stream_param = QueryParam(req, "stream");
  const std::string stream = stream_param ? *stream_param : "default";
  const WallTime now = clock_->Now();

  std::lock_guard<std::mutex> lock(mu_);
  served_[{tenant, stream}].requests++;
  Tenant& t = tenants_[tenant];
  int64_t minute = ToUnixMillis(now) / 60000;
  if (t.minute != minute) {
    t.minute = minute;
    t.requests_in_minute = 0;
  }
  t.requests_in_minute++;

  Duration delay{0};
  if (std::optional<FakeFault> fault = TakeFaultLocked(tenant, stream)) {
    if (fault->kind == FakeFaultKind::kSlow) {
      delay = Duration(fault->delay_ms);  // then answer as usual
    } else if (std::optional<FakeResponse> res = FaultResponseLocked(*fault, stream, now)) {
      return *res;
    }
  }

  std::string auth = FakeHeaderOf(req.headers, "Authorization");
  bool authorized = auth.size() > 5 && auth.compare(0, 5, "SSWS ") == 0;
  if (authorized && !t.token.empty()) authorized = auth.substr(5) == t.token;
  if (!authorized) {
    FakeResponse res = OktaError(401, "E0000011", "Invalid token provided");
    AddRateHeadersLocked(tenant, false, &res);
    return res;
  }

  const std::string* since_text = QueryParam(req, "since");
  const std::string* until_text = QueryParam(req, "until");
  if (since_text == nullptr) return BadParam("since: missing");
  if (until_text == nullptr) return BadParam("until: missing");
  Result<WallTime> since = ParseRfc3339(*since_text);
  if (!since.ok()) return BadParam("since: not a valid date-time");
  Result<WallTime> until = ParseRfc3339(*until_text);
  if (!until.ok()) return BadParam("until: not a valid date-time");
  if (*since > *until) return BadParam("since: must not be after until");
  int64_t limit = kDefaultLimit;
  if (const std::string* l = QueryParam(req, "limit")) {
    if (!FakeParseCount(*l, &limit) || limit < 1) return BadParam("limit: not a positive integer");
    limit = std::min<int64_t>(limit, kMaxLimit);
  }
  int64_t after = 0;
  if (const std::string* a = QueryParam(req, "after")) {
    if (!FakeParseCount(*a, &after)) return BadParam("after: not a valid cursor");
  }

  const WallTime end = std::min(*until, now);  // never serve the future
  const int64_t period = PeriodMsLocked(tenant);
  const int64_t first = std::max(FakeFirstIndexAtOrAfter(ToUnixMillis(*since), period), after);
  const int64_t last = *since < end ? FakeFirstIndexAtOrAfter(ToUnixMillis(end), period) : 0;
  const int64_t count = std::max<int64_t>(0, std::min(limit, last - first));

  FakeResponse res;
  res.delay = delay;
  res.headers.emplace_back("Content-Type", "application/json");
  std::set<std::string>& served = served_[{tenant, stream}].ids;
  res.body = "[";
  for (int64_t k = first; k < first + count; ++k) {
    if (k > first) res.body += ",";
    res.body += FakeEventJson(tenant, stream, k, period);
    served.insert(FakeEventId(tenant, stream, k));
  }
  res.body += "]";

  std::string host = FakeHeaderOf(req.headers, "Host");
  const std::string base = "http://" + (host.empty() ? std::string("localhost") : host) + req.path;
  res.headers.emplace_back("Link", "<" + base + EncodeQuery(req.query) + ">; rel=\"self\"");
  if (first + count < last) {
    std::map<std::string, std::string> next = req.query;
    next["until"] = FormatRfc3339(end);
    next["limit"] = std::to_string(limit);
    next["after"] = std::to_string(first + count);
    res.headers.emplace_back("Link", "<" + base + EncodeQuery(next) + ">; rel=\"next\"");
  }
  AddRateHeadersLocked(tenant, false, &res);
  return res;
}

std::optional<FakeResponse> FakeApi::FaultResponseLocked(const FakeFault& fault,
                                                         const std::string& stream, WallTime now) {
  FakeResponse res;
  switch (fault.kind) {
    case FakeFaultKind::k401:
      res = OktaError(401, "E0000011", "Invalid token provided");
      break;
    case FakeFaultKind::k429:
      res = OktaError(429, "E0000047", "API call exceeded rate limit due to too many requests.");
      res.headers.emplace_back("Retry-After", std::to_string(fault.retry_after_sec));
      AddRateHeadersLocked(fault.tenant, true, &res);
      // Okta's reset is when the limit frees up: honour retry_after_sec.
      for (auto& [k, v] : res.headers) {
        if (k == "X-Rate-Limit-Reset") {
          v = std::to_string(ToUnixMillis(now) / 1000 + fault.retry_after_sec);
        }
      }
      return res;
    case FakeFaultKind::k500:
      res = OktaError(500, "E0000009", "Internal Server Error");
      break;
    case FakeFaultKind::kMalformed:
      // A 200 whose body is a truncated array: not JSON.
      res.status = 200;
      res.headers.emplace_back("Content-Type", "application/json");
      res.body = "[{\"uuid\":\"" + FakeEventId(fault.tenant, stream, 0).substr(0, 13);
      break;
    case FakeFaultKind::kCrash:
      res.status = 200;
      res.headers.emplace_back("Content-Type", "application/json");
      res.headers.emplace_back("X-Fake-Crash", "abort");
      res.body = "[]";
      break;
    case FakeFaultKind::kSlow:
    case FakeFaultKind::kNone:
      return std::nullopt;
  }
  AddRateHeadersLocked(fault.tenant, false, &res);
  return res;
}

int64_t FakeApi::PeriodMsLocked(const std::string& tenant) {
  int rate = options_.rate_per_minute;
  auto it = tenants_.find(tenant);
  if (it != tenants_.end() && it->second.rate) rate = *it->second.rate;
  return std::max<int64_t>(1, 60000 / std::max(1, rate));
}

std::optional<FakeFault> FakeApi::TakeFaultLocked(const std::string& tenant,
                                                  const std::string& stream) {
  auto match = [&](const std::string& s) {
    return std::find_if(faults_.begin(), faults_.end(),
                        [&](const FakeFault& f) { return f.tenant == tenant && f.stream == s; });
  };
  auto it = match(stream);
  if (it == faults_.end()) it = match("");
  if (it == faults_.end()) return std::nullopt;
  FakeFault taken = *it;
  if (it->count > 0 && --it->count == 0) faults_.erase(it);
  return taken;
}

void FakeApi::AddRateHeadersLocked(const std::string& tenant, bool exhausted, FakeResponse* res) {
  const Tenant& t = tenants_[tenant];
  int64_t remaining =
      exhausted ? 0 : std::max<int64_t>(0, options_.rate_limit_per_minute - t.requests_in_minute);
  res->headers.emplace_back("X-Rate-Limit-Limit", std::to_string(options_.rate_limit_per_minute));
  res->headers.emplace_back("X-Rate-Limit-Remaining", std::to_string(remaining));
  res->headers.emplace_back("X-Rate-Limit-Reset", std::to_string((t.minute + 1) * 60));
}

Status FakeApi::SetFault(const FakeFault& fault) {
  if (fault.tenant.empty()) return Status::InvalidArgument("fault: tenant is required");
  if (fault.retry_after_sec < 0 || fault.delay_ms < 0 || fault.count == 0 || fault.count < -1) {
    return Status::InvalidArgument("fault: retry_after_sec, delay_ms and count must be positive");
  }
  std::lock_guard<std::mutex> lock(mu_);
  faults_.erase(std::remove_if(faults_.begin(), faults_.end(),
                               [&](const FakeFault& f) {
                                 return f.tenant == fault.tenant && f.stream == fault.stream;
                               }),
                faults_.end());
  if (fault.kind != FakeFaultKind::kNone) faults_.push_back(fault);
  return Status::Ok();
}

void FakeApi::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.clear();
}

Status FakeApi::ConfigureTenant(const std::string& tenant, std::optional<int> rate,
                                std::optional<std::string> token) {
  if (tenant.empty()) return Status::InvalidArgument("config: tenant is required");
  if (rate && (*rate < 1 || *rate > 60000)) {
    return Status::InvalidArgument("config: rate must be 1..60000 events per minute");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& t = tenants_[tenant];
  if (rate) t.rate = rate;
  if (token) t.token = *token;
  return Status::Ok();
}

void FakeApi::ResetServed() {
  std::lock_guard<std::mutex> lock(mu_);
  served_.clear();
}

std::vector<std::string> FakeApi::ServedIds(const std::string& tenant, const std::string& stream) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = served_.find({tenant, stream});
  if (it == served_.end()) return {};
  return {it->second.ids.begin(), it->second.ids.end()};
}

int64_t FakeApi::Requests(const std::string& tenant, const std::string& stream) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = served_.find({tenant, stream});
  return it == served_.end() ? 0 : it->second.requests;
}

std::vector<std::string> FakeApi::EventIds(const std::string& tenant, const std::string& stream,
                                           WallTime since, WallTime until) {
  WallTime end = std::min(until, clock_->Now());
  int64_t period = Period(tenant).count();
  std::vector<std::string> ids;
  if (since >= end) return ids;
  int64_t last = FakeFirstIndexAtOrAfter(ToUnixMillis(end), period);
  for (int64_t k = FakeFirstIndexAtOrAfter(ToUnixMillis(since), period); k < last; ++k) {
    ids.push_back(FakeEventId(tenant, stream, k));
  }
  return ids;
}

Duration FakeApi::Period(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  return Duration(PeriodMsLocked(tenant));
}

std::string_view FakeFaultKindName(FakeFaultKind kind) {
  switch (kind) {
    case FakeFaultKind::kNone:
      return "none";
    case FakeFaultKind::k401:
      return "401";
    case FakeFaultKind::k429:
      return "429";
    case FakeFaultKind::k500:
      return "500";
    case FakeFaultKind::kSlow:
      return "slow";
    case FakeFaultKind::kMalformed:
      return "malformed";
    case FakeFaultKind::kCrash:
      return "crash";
  }
  return "none";
}

Result<FakeFaultKind> ParseFakeFaultKind(std::string_view name) {
  for (FakeFaultKind k : {FakeFaultKind::kNone, FakeFaultKind::k401, FakeFaultKind::k429,
                          FakeFaultKind::k500, FakeFaultKind::kSlow, FakeFaultKind::kMalformed,
                          FakeFaultKind::kCrash}) {
    if (FakeFaultKindName(k) == name) return k;
  }
  return Status::InvalidArgument("unknown fault kind \"" + std::string(name) +
                                 "\" (401, 429, 500, slow, malformed, crash, none)");
}

}  // namespace paws
