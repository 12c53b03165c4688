#include "tools/fake_saas/services/service_util.h"

#include <nlohmann/json.hpp>

namespace paws {

FakeResponse FakeJsonResponse(int status, std::string body, const std::string& content_type) {
  FakeResponse res;
  res.status = status;
  res.headers.emplace_back("Content-Type", content_type);
  res.body = std::move(body);
  return res;
}

FakeResponse FakeOAuthError(int status, const std::string& error, const std::string& description,
                            const std::string& content_type) {
  nlohmann::json body = {{"error", error}, {"error_description", description}};
  return FakeJsonResponse(status, body.dump(), content_type);
}

std::string FakeHeaderOf(const HttpHeaders& headers, const std::string& name) {
  return HttpResponse{0, headers, {}}.Header(name);
}

std::string FakeQueryOr(const FakeRequest& req, const std::string& name, std::string fallback) {
  auto it = req.query.find(name);
  return it == req.query.end() ? fallback : it->second;
}

bool FakeParseCount(const std::string& text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace paws
