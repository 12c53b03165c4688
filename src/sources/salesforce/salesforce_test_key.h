#pragma once

// A throwaway RSA key for tests of the salesforce source and its fake,
// generated at test time (no key material is kept in the repository).

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <string>

namespace paws {

struct SalesforceTestKey {
  std::string private_pem;  // PKCS#8
  std::string public_pem;   // SubjectPublicKeyInfo

  // A new 2048-bit key; both strings empty if OpenSSL fails.
  static SalesforceTestKey Generate() {
    SalesforceTestKey k;
    EVP_PKEY* key = EVP_RSA_gen(2048);
    if (key == nullptr) return k;
    auto pem = [&](bool is_private) {
      BIO* bio = BIO_new(BIO_s_mem());
      const int ok = is_private
                         ? PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr)
                         : PEM_write_bio_PUBKEY(bio, key);
      char* data = nullptr;
      const long n = BIO_get_mem_data(bio, &data);
      std::string out = ok == 1 && n > 0 ? std::string(data, static_cast<size_t>(n)) : "";
      BIO_free(bio);
      return out;
    };
    k.private_pem = pem(true);
    k.public_pem = pem(false);
    EVP_PKEY_free(key);
    return k;
  }
};

}  // namespace paws
