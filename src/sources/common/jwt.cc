#include "sources/common/jwt.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "paws/codes.h"
#include "sources/common/base64.h"

namespace paws {
namespace {

constexpr int kMinRsaBits = 2048;

Status BadKey(const std::string& what) {
  return Status::InvalidArgument("private key " + what, codes::kConfigInvalid);
}

// Encrypted keys are refused before OpenSSL sees them; this keeps it from
// ever prompting on the terminal for a pass phrase.
int NoPassphrase(char*, int, int, void*) { return -1; }

// Copies of the key are wiped when they go.
struct WipedString {
  std::string text;
  ~WipedString() { OPENSSL_cleanse(text.data(), text.size()); }
};

}  // namespace

std::string JwtClaims::ToJson(WallTime now) const {
  const int64_t iat =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const int64_t exp = iat + std::chrono::duration_cast<std::chrono::seconds>(lifetime).count();
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (auto [key, value] : {std::pair{"iss", &iss}, std::pair{"sub", &sub}, std::pair{"aud", &aud},
                            std::pair{"scope", &scope}}) {
    if (!value->empty()) j[key] = *value;
  }
  if (with_iat) j["iat"] = iat;
  j["exp"] = exp;
  for (const auto& [key, value] : extra) j[key] = value;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

class JwtSigner::Impl {
 public:
  explicit Impl(EVP_PKEY* key) : key_(key) {}
  ~Impl() { EVP_PKEY_free(key_); }

  Result<std::string> Sign(std::string_view input) {
    // OpenSSL allows sharing a key between threads for signing, but caches
    // provider data on it lazily; one signature at a time costs nothing
    // here (a token is signed once an hour).
    std::lock_guard<std::mutex> lock(mu_);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    size_t len = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    if (ctx == nullptr ||
        EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) != 1) {
      ERR_clear_error();
      return Status::Internal("jwt: cannot set up RS256 signing");
    }
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                       input.size()) != 1) {
      ERR_clear_error();
      return Status::Internal("jwt: RS256 signing failed");
    }
    sig.resize(len);
    return sig;
  }

 private:
  std::mutex mu_;
  EVP_PKEY* const key_;
};

JwtSigner::JwtSigner(std::unique_ptr<Impl> impl, std::string header_json)
    : impl_(std::move(impl)), header_json_(std::move(header_json)) {}

JwtSigner::~JwtSigner() = default;

Result<std::unique_ptr<JwtSigner>> JwtSigner::FromPem(const Secret& pem, std::string kid) {
  WipedString text{pem.reveal()};
  std::string& t = text.text;
  if (t.find('\n') == std::string::npos) {
    for (size_t p = t.find("\\n"); p != std::string::npos; p = t.find("\\n", p)) {
      t.replace(p, 2, "\n");
      p += 1;
    }
  }
  if (t.empty()) return BadKey("is empty");
  if (t.find("-----BEGIN ") == std::string::npos) return BadKey("is not PEM (no -----BEGIN line)");
  if (t.find("PRIVATE KEY-----") == std::string::npos) {
    return BadKey("is not a private key (a public key or certificate?)");
  }
  if (t.find("ENCRYPTED") != std::string::npos) {
    return BadKey("is encrypted; an unencrypted key is needed");
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(t.data(), static_cast<int>(t.size())), &BIO_free);
  EVP_PKEY* key =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr) : nullptr;
  if (key == nullptr) {
    // Reason strings are static texts ("bad base64 decode"), never key data.
    const char* reason = ERR_reason_error_string(ERR_peek_last_error());
    ERR_clear_error();
    return BadKey(std::string("cannot be read as PEM") +
                  (reason != nullptr ? std::string(" (") + reason + ")" : ""));
  }
  auto impl = std::make_unique<Impl>(key);
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
    return BadKey("is not an RSA key (RS256 needs one)");
  if (int bits = EVP_PKEY_get_bits(key); bits < kMinRsaBits) {
    return BadKey("has " + std::to_string(bits) + " bits; at least " + std::to_string(kMinRsaBits) +
                  " are needed");
  }
  nlohmann::ordered_json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!kid.empty()) header["kid"] = kid;
  return std::unique_ptr<JwtSigner>(
      new JwtSigner(std::move(impl),
                    header.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)));
}

Result<std::string> JwtSigner::Sign(std::string_view claims_json) const {
  std::string input = Base64UrlEncode(header_json_) + "." + Base64UrlEncode(claims_json);
  PAWS_ASSIGN_OR_RETURN(std::string sig, impl_->Sign(input));
  return input + "." + Base64UrlEncode(sig);
}

}  // namespace paws
