// The /admin/ endpoints of FakeApi: thin JSON wrappers over its C++ admin
// methods, so that tests in other processes can drive the fake.

#include <nlohmann/json.hpp>

#include "tools/fake_saas/fake_api.h"

namespace paws {
namespace {

using json = nlohmann::json;

// More ids than this in one /admin/events answer is refused.
constexpr size_t kMaxListedEvents = 100000;

FakeResponse Json(int status, const json& body) {
  FakeResponse res;
  res.status = status;
  res.headers.emplace_back("Content-Type", "application/json");
  res.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return res;
}

FakeResponse Error(int status, const std::string& message) {
  return Json(status, {{"error", message}});
}

FakeResponse Ok() { return Json(200, {{"ok", true}}); }

std::string Param(const FakeRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? "" : it->second;
}

// The request body as a JSON object, or null when it is not one.
json BodyObject(const FakeRequest& req) {
  json body = json::parse(req.body, nullptr, false);
  return body.is_object() ? body : json();
}

int IntField(const json& body, const char* name, int fallback) {
  if (!body.contains(name)) return fallback;
  return body.at(name).get<int>();  // throws type_error: answered with 400
}

json FaultJson(const FakeFault& f) {
  json j = {{"tenant", f.tenant}, {"kind", FakeFaultKindName(f.kind)}};
  if (!f.stream.empty()) j["stream"] = f.stream;
  if (f.kind == FakeFaultKind::k429) j["retry_after_sec"] = f.retry_after_sec;
  if (f.kind == FakeFaultKind::kSlow) j["delay_ms"] = f.delay_ms;
  if (f.count > 0) j["count"] = f.count;
  return j;
}

}  // namespace

FakeResponse FakeApi::Admin(const FakeRequest& req) {
  if (req.path == "/admin/served") {
    if (req.method != "GET") return Error(405, "GET only");
    return AdminServed(req);
  }
  if (req.path == "/admin/reset") {
    if (req.method != "POST") return Error(405, "POST only");
    ResetServed();
    return Ok();
  }
  if (req.path == "/admin/faults") return AdminFaults(req);
  if (req.path == "/admin/config") return AdminConfig(req);
  if (req.path == "/admin/events") {
    if (req.method != "GET") return Error(405, "GET only");
    return AdminEvents(req);
  }
  return Error(404, "no such admin endpoint: " + req.path);
}

FakeResponse FakeApi::AdminServed(const FakeRequest& req) {
  const std::string tenant = Param(req, "tenant");
  const std::string stream = Param(req, "stream");
  std::lock_guard<std::mutex> lock(mu_);
  if (!tenant.empty() && req.query.count("stream")) {
    auto it = served_.find({tenant, stream});
    json ids = json::array();
    int64_t requests = 0;
    if (it != served_.end()) {
      for (const auto& id : it->second.ids) ids.push_back(id);
      requests = it->second.requests;
    }
    return Json(200,
                {{"tenant", tenant}, {"stream", stream}, {"ids", ids}, {"requests", requests}});
  }
  json streams = json::array();
  for (const auto& [key, served] : served_) {
    if (!tenant.empty() && key.first != tenant) continue;
    streams.push_back({{"tenant", key.first},
                       {"stream", key.second},
                       {"served", served.ids.size()},
                       {"requests", served.requests}});
  }
  return Json(200, {{"streams", streams}});
}

FakeResponse FakeApi::AdminFaults(const FakeRequest& req) {
  if (req.method == "DELETE") {
    ClearFaults();
    return Ok();
  }
  if (req.method == "GET") {
    json list = json::array();
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& f : faults_) list.push_back(FaultJson(f));
    return Json(200, {{"faults", list}});
  }
  if (req.method != "POST") return Error(405, "GET, POST or DELETE");
  json body = BodyObject(req);
  if (!body.is_object()) return Error(400, "body must be a JSON object");
  FakeFault fault;
  fault.tenant = body.value("tenant", "");
  fault.stream = body.value("stream", "");
  Result<FakeFaultKind> kind = ParseFakeFaultKind(body.value("kind", ""));
  if (!kind.ok()) return Error(400, kind.status().message());
  fault.kind = *kind;
  fault.retry_after_sec = IntField(body, "retry_after_sec", 1);
  fault.delay_ms = IntField(body, "delay_ms", 0);
  fault.count = IntField(body, "count", -1);
  Status s = SetFault(fault);
  if (!s.ok()) return Error(400, s.message());
  return Ok();
}

FakeResponse FakeApi::AdminConfig(const FakeRequest& req) {
  if (req.method == "GET") {
    json tenants = json::array();
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, t] : tenants_) {
      tenants.push_back({{"tenant", name},
                         {"rate", t.rate.value_or(options_.rate_per_minute)},
                         {"token_required", !t.token.empty()}});
    }
    return Json(200, {{"rate", options_.rate_per_minute}, {"tenants", tenants}});
  }
  if (req.method != "POST") return Error(405, "GET or POST");
  json body = BodyObject(req);
  if (!body.is_object()) return Error(400, "body must be a JSON object");
  std::optional<int> rate;
  std::optional<std::string> token;
  if (body.contains("rate")) rate = body.at("rate").get<int>();
  if (body.contains("token")) token = body.at("token").get<std::string>();
  Status s = ConfigureTenant(body.value("tenant", ""), rate, token);
  if (!s.ok()) return Error(400, s.message());
  return Ok();
}

FakeResponse FakeApi::AdminEvents(const FakeRequest& req) {
  const std::string tenant = Param(req, "tenant");
  const std::string stream = req.query.count("stream") ? Param(req, "stream") : "default";
  Result<WallTime> since = ParseRfc3339(Param(req, "since"));
  Result<WallTime> until = ParseRfc3339(Param(req, "until"));
  if (tenant.empty() || !since.ok() || !until.ok()) {
    return Error(400, "tenant, since and until (RFC 3339) are required");
  }
  int64_t period = Period(tenant).count();
  int64_t span = std::chrono::duration_cast<Duration>(*until - *since).count();
  if (span / period > static_cast<int64_t>(kMaxListedEvents)) {
    return Error(400, "window holds more than " + std::to_string(kMaxListedEvents) + " events");
  }
  std::vector<std::string> ids = EventIds(tenant, stream, *since, *until);
  return Json(200, {{"tenant", tenant}, {"stream", stream}, {"ids", ids}, {"count", ids.size()}});
}

}  // namespace paws
