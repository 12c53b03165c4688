#pragma once

#include <string>

#include "paws/clock.h"
#include "paws/http.h"
#include "paws/result.h"
#include "paws/secret.h"

namespace paws::aws {

// What AWS Signature Version 4 needs to know about the caller.
struct AwsCredentials {
  std::string access_key_id;
  Secret secret_access_key;
  // Empty unless the credentials are temporary (STS).
  std::string session_token;
};

// Where and when a request is signed.
struct SigningParams {
  std::string region;   // "us-east-1"
  std::string service;  // "dynamodb", "sqs"
  WallTime time;        // the request time; truncated to whole seconds
  // Adds and signs an x-amz-content-sha256 header holding the payload hash.
  // Default: false.
  bool sign_body = false;
  // Removes "." and ".." segments and duplicate slashes from the path, and
  // URI-encodes every path segment (a "%20" in the path becomes "%2520", as
  // every AWS service but S3 expects). When false (S3-style) the path is kept
  // as written; characters outside the unreserved set are encoded, but
  // existing %XX escapes are left alone. Default: true.
  bool normalize_path = true;
  // Sends the session token without signing it (added after the signature is
  // computed), as some services require. Default: false.
  bool omit_session_token = false;
};

// The intermediate strings of one signature, so that tests can check each.
struct SignedParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header value ("" for presigning)
};

// Signs `req` for header authentication: removes any Authorization and
// X-Amz-Date header (and X-Amz-Security-Token / x-amz-content-sha256 when it
// sets them), then adds X-Amz-Date, X-Amz-Security-Token (when the credentials
// carry one), x-amz-content-sha256 (when params.sign_body) and Authorization.
// Every header of the request is signed except Authorization, User-Agent,
// Expect, Connection, Transfer-Encoding and X-Amzn-Trace-Id, which proxies and
// HTTP libraries may change. When there is no Host header, the host of the
// URL is signed (with its port when not the scheme's default), as curl sends
// it. Query parameters in req->url are decoded and re-encoded, so they may be
// given raw or percent-encoded; '+' is a literal plus.
//
// Returns kInvalidArgument (PAWS000103) naming the bad field when the URL is
// not absolute, a header name is not a token, a header value holds a control
// character (a line break is allowed only as obs-fold), the credentials,
// region or service are empty or malformed, or the time is outside
// 1970..9999; `req` is then unchanged. Never puts the secret key, a derived
// key, the session token or a header value in a message.
Result<SignedParts> SignRequest(HttpRequest* req, const AwsCredentials& creds,
                                const SigningParams& params);

// Signs `req` for query-string authentication (a presigned URL valid for
// `expires`): appends X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Security-Token (when the
// credentials carry one) and X-Amz-Signature to req->url. Headers are signed
// as by SignRequest, but none is added; params.sign_body is ignored (the
// payload hash is always the body's SHA-256).
//
// Errors as SignRequest, and kInvalidArgument when `expires` is not between
// 1 s and 7 days (604800 s).
Result<SignedParts> PresignRequest(HttpRequest* req, const AwsCredentials& creds,
                                   const SigningParams& params, Duration expires);

// Lower-case hex SHA-256 of `data` (the payload hash).
std::string Sha256Hex(const std::string& data);

}  // namespace paws::aws
