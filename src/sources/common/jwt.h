#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "paws/clock.h"
#include "paws/result.h"
#include "paws/secret.h"

namespace paws {

// The claims of a JWT assertion for an OAuth2 JWT bearer grant (RFC 7523).
// Empty strings are left out. Salesforce: iss = consumer key, sub = user
// name, aud = login URL, lifetime <= 3 min. Google service account: iss =
// client_email, sub = the user to act as, scope, aud = token URL, lifetime
// 1 h.
struct JwtClaims {
  std::string iss;
  std::string sub;
  std::string aud;
  std::string scope;
  // exp = iat + lifetime. Default: 3 min.
  Duration lifetime = std::chrono::minutes(3);
  // Whether to send iat. Default: yes.
  bool with_iat = true;
  // Further string claims, in this order.
  std::vector<std::pair<std::string, std::string>> extra;

  // The claims as compact JSON, iat = `now` (whole seconds).
  std::string ToJson(WallTime now) const;
};

// Signs JWTs with RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3):
// base64url(header) "." base64url(claims) "." base64url(signature), the
// header being {"alg":"RS256","typ":"JWT"} plus "kid" when given.
//
// Thread-safe: the key is only read after construction.
class JwtSigner {
 public:
  // Loads an RSA private key of at least 2048 bits from PEM: PKCS#8
  // ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY"). A PEM whose
  // newlines arrived as the two characters "\n" (a key pasted from a JSON
  // file into an environment variable) is accepted too. `kid`, when not
  // empty, goes into the header (Google: the private_key_id).
  // Errors: kInvalidArgument (PAWS000103) saying what is wrong with the key
  // (not PEM, encrypted, not RSA, too short); the key itself is never
  // quoted.
  static Result<std::unique_ptr<JwtSigner>> FromPem(const Secret& pem, std::string kid = "");

  ~JwtSigner();
  JwtSigner(const JwtSigner&) = delete;
  JwtSigner& operator=(const JwtSigner&) = delete;

  // The signed JWT for `claims_json` (a JSON object, used as given).
  // kInternal when OpenSSL fails to sign.
  Result<std::string> Sign(std::string_view claims_json) const;

  // The header JSON this signer puts on every token.
  const std::string& header_json() const { return header_json_; }

 private:
  class Impl;
  JwtSigner(std::unique_ptr<Impl> impl, std::string header_json);

  std::unique_ptr<Impl> impl_;
  const std::string header_json_;
};

}  // namespace paws
