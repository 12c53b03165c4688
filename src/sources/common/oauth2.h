#pragma once

#include <memory>
#include <string>

#include "paws/secret.h"
#include "sources/common/api_client.h"
#include "sources/common/jwt.h"
#include "sources/common/token_cache.h"

namespace paws {

// How the client authenticates to the token endpoint (RFC 6749 §2.3.1).
enum class ClientAuth {
  kPost,   // client_id and client_secret in the form body
  kBasic,  // "Authorization: Basic base64(urlencode(id):urlencode(secret))"
};

struct ClientCredentialsOptions {
  std::string token_url;
  std::string client_id;
  Secret client_secret;
  // Default: kPost.
  ClientAuth client_auth = ClientAuth::kPost;
  // Each sent only when not empty: scope (space-separated), audience (Auth0),
  // resource (Azure AD v1, Office 365 Management API).
  std::string scope;
  std::string audience;
  std::string resource;
  // How long a token lives when the response has no expires_in.
  // Default: 15 min.
  Duration default_lifetime = std::chrono::minutes(15);
  // A token is refreshed min(max_refresh_margin, lifetime / 10) before it
  // expires. Default: 60 s.
  Duration max_refresh_margin = std::chrono::seconds(60);
};

// The OAuth2 client credentials grant (RFC 6749 §4.4): POSTs
// grant_type=client_credentials (form-encoded) to the token URL and caches
// the access token (TokenCache).
//
// Errors of Get:
//   kUnauthenticated (PAWS000301): 401/403, or 400 with error
//     invalid_client, unauthorized_client or invalid_grant;
//   kRateLimited (PAWS000302), kUnavailable (PAWS000303), kDeadlineExceeded
//     (PAWS000305): as ClassifyHttpStatus and ApiClient;
//   kInvalidArgument (PAWS000304): other statuses, or a response without
//     access_token.
// Messages name the token URL's path and quote the OAuth2 error and its
// description; they never contain the client secret or a token.
//
// `api` is not owned and must outlive this object. Thread-safe.
class ClientCredentialsToken : public TokenProvider {
 public:
  ClientCredentialsToken(const ApiClient* api, ClientCredentialsOptions options);

  Result<AccessToken> Get(MonoTime deadline) override { return cache_.Get(deadline); }
  void Invalidate(const Secret& rejected) override { cache_.Invalidate(rejected); }
  void Invalidate() override { cache_.Invalidate(); }

 private:
  Result<AccessToken> Fetch(MonoTime deadline) const;

  const ApiClient* const api_;
  const ClientCredentialsOptions options_;
  TokenCache cache_;
};

struct JwtBearerOptions {
  std::string token_url;
  // iat is the wall time of each request.
  JwtClaims claims;
  // As in ClientCredentialsOptions (Salesforce sends no expires_in).
  Duration default_lifetime = std::chrono::minutes(15);
  Duration max_refresh_margin = std::chrono::seconds(60);
};

// The OAuth2 JWT bearer grant (RFC 7523 §2.1): POSTs
// grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>,
// the JWT being `options.claims` signed by `signer`, and caches the token.
// Salesforce: token URL <login URL>/services/oauth2/token. Google service
// accounts: https://oauth2.googleapis.com/token.
// Errors as ClientCredentialsToken's, plus kInternal when signing fails;
// messages never contain the assertion. REQUIRES: signer != nullptr.
// `api` is not owned and must outlive this object. Thread-safe.
class JwtBearerToken : public TokenProvider {
 public:
  JwtBearerToken(const ApiClient* api, std::shared_ptr<const JwtSigner> signer,
                 JwtBearerOptions options);

  Result<AccessToken> Get(MonoTime deadline) override { return cache_.Get(deadline); }
  void Invalidate(const Secret& rejected) override { cache_.Invalidate(rejected); }
  void Invalidate() override { cache_.Invalidate(); }

 private:
  Result<AccessToken> Fetch(MonoTime deadline) const;

  const ApiClient* const api_;
  const std::shared_ptr<const JwtSigner> signer_;
  const JwtBearerOptions options_;
  TokenCache cache_;
};

// Sends a form-encoded token request (`form` is already encoded) and parses
// the answer as both grants above do; `redact` lists what must not appear
// in an error (besides the token it may have parsed). Exposed for sources
// with other grants.
Result<AccessToken> RequestToken(const ApiClient& api, const std::string& token_url,
                                 const HttpHeaders& headers, const std::string& form,
                                 Duration default_lifetime,
                                 std::initializer_list<std::string_view> redact, MonoTime deadline);

}  // namespace paws
