#include "sources/common/oauth2.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "http/url.h"
#include "paws/codes.h"
#include "sources/common/base64.h"
#include "sources/common/paging.h"

namespace paws {
namespace {

using json = nlohmann::json;

constexpr const char* kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

// Token responses carry credentials in these members; no message, log or
// AccessToken::fields ever gets them.
bool IsCredentialMember(const std::string& key) {
  return key == "access_token" || key == "refresh_token" || key == "id_token";
}

// OAuth2 errors (RFC 6749 §5.2) that mean the credential is wrong, whatever
// status they come with.
bool IsCredentialError(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  auto it = j.find("error");
  if (it == j.end() || !it->is_string()) return false;
  const std::string& e = it->get_ref<const std::string&>();
  // invalid_client_id: Salesforce's answer to an unknown consumer key.
  return e == "invalid_client" || e == "unauthorized_client" || e == "invalid_grant" ||
         e == "invalid_client_id";
}

// expires_in in seconds: a number, or a string of digits (Azure AD v1 sends
// "3599"). nullopt when absent, invalid or not positive.
std::optional<Duration> ExpiresIn(const json& j) {
  auto it = j.find("expires_in");
  if (it == j.end()) return std::nullopt;
  double secs = 0;
  if (it->is_number()) {
    secs = it->get<double>();
  } else if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    secs = static_cast<double>(v);
  }
  if (!std::isfinite(secs) || secs <= 0) return std::nullopt;
  return Duration(static_cast<int64_t>(std::min(secs, 1e9) * 1000));
}

Result<AccessToken> ParseTokenResponse(const std::string& body, const std::string& what,
                                       Duration default_lifetime,
                                       const ErrorSummarizer& summarize) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Malformed(what + ": token response is not a JSON object");
  auto token = j.find("access_token");
  if (token == j.end() || !token->is_string() || token->get_ref<const std::string&>().empty()) {
    std::string summary = ErrorExcerpt(summarize(body));
    return Malformed(what + ": token response has no access_token" +
                     (summary.empty() ? "" : " (" + summary + ")"));
  }
  AccessToken out;
  out.value = Secret(token->get<std::string>());
  if (auto type = j.find("token_type"); type != j.end() && type->is_string()) {
    out.token_type = type->get<std::string>();
  }
  out.lifetime = ExpiresIn(j).value_or(default_lifetime);
  for (const auto& [key, value] : j.items()) {
    if (value.is_string() && !IsCredentialMember(key)) out.fields[key] = value.get<std::string>();
  }
  return out;
}

}  // namespace

Result<AccessToken> RequestToken(const ApiClient& api, const std::string& token_url,
                                 const HttpHeaders& headers, const std::string& form,
                                 Duration default_lifetime,
                                 std::initializer_list<std::string_view> redact,
                                 MonoTime deadline) {
  HttpHeaders all = headers;
  all.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  all.emplace_back("Accept", "application/json");
  Result<HttpResponse> res = api.Post(token_url, all, form, deadline);
  // Every error passes through here: the form and headers hold the
  // credential, an error body may echo it.
  auto fail = [&](const Status& s) { return RedactSecrets(s, redact); };
  if (!res.ok()) return fail(res.status());
  const ErrorSummarizer summarize =
      RedactingSummarizer(JsonErrorSummary, std::vector<std::string>(redact.begin(), redact.end()));
  Status s = api.Check(*res, "POST", token_url, summarize);
  if (!s.ok()) {
    if ((res->status == 400 || res->status == 401) && IsCredentialError(res->body)) {
      s = Status::Unauthenticated(s.message(), codes::kApiUnauthenticated);
    }
    return fail(s);
  }
  Result<AccessToken> token =
      ParseTokenResponse(res->body, api.Describe("POST", token_url), default_lifetime, summarize);
  if (!token.ok()) return fail(token.status());
  return token;
}

ClientCredentialsToken::ClientCredentialsToken(const ApiClient* api,
                                               ClientCredentialsOptions options)
    : api_(api),
      options_(std::move(options)),
      cache_(
          api->clock(), [this](MonoTime deadline) { return Fetch(deadline); },
          options_.max_refresh_margin) {}

Result<AccessToken> ClientCredentialsToken::Fetch(MonoTime deadline) const {
  const std::string& secret = options_.client_secret.reveal();
  QueryParams form = {{"grant_type", "client_credentials"}};
  HttpHeaders headers;
  std::string basic;
  if (options_.client_auth == ClientAuth::kBasic) {
    basic = Base64Encode(UrlEncode(options_.client_id) + ":" + UrlEncode(secret));
    headers.emplace_back("Authorization", "Basic " + basic);
  } else {
    form.emplace_back("client_id", options_.client_id);
    form.emplace_back("client_secret", secret);
  }
  for (auto [key, value] :
       {std::pair{"scope", &options_.scope}, std::pair{"audience", &options_.audience},
        std::pair{"resource", &options_.resource}}) {
    if (!value->empty()) form.emplace_back(key, *value);
  }
  const std::string encoded_secret = UrlEncode(secret);
  return RequestToken(*api_, options_.token_url, headers, BuildQuery(form),
                      options_.default_lifetime, {secret, encoded_secret, basic}, deadline);
}

JwtBearerToken::JwtBearerToken(const ApiClient* api, std::shared_ptr<const JwtSigner> signer,
                               JwtBearerOptions options)
    : api_(api),
      signer_(std::move(signer)),
      options_(std::move(options)),
      cache_(
          api->clock(), [this](MonoTime deadline) { return Fetch(deadline); },
          options_.max_refresh_margin) {}

Result<AccessToken> JwtBearerToken::Fetch(MonoTime deadline) const {
  PAWS_ASSIGN_OR_RETURN(std::string assertion,
                        signer_->Sign(options_.claims.ToJson(api_->clock()->Now())));
  const std::string form = BuildQuery({{"grant_type", kJwtBearerGrant}, {"assertion", assertion}});
  // The signature alone identifies the assertion; a server that quotes a
  // part of it must not get that part into a message either.
  const std::string_view signature = std::string_view(assertion).substr(assertion.rfind('.') + 1);
  return RequestToken(*api_, options_.token_url, {}, form, options_.default_lifetime,
                      {assertion, signature}, deadline);
}

}  // namespace paws
