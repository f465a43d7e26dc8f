#include "crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

namespace ddb::detail {
namespace {

[[noreturn]] void fail(const char* what) { throw std::runtime_error(what); }

} // namespace

sha256::sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
  if (md_ == nullptr || ctx_ == nullptr) {
    EVP_MD_free(md_);
    EVP_MD_CTX_free(ctx_);
    fail("ddb: OpenSSL has no SHA-256");
  }
}

sha256::~sha256() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

digest256 sha256::operator()(std::string_view data) {
  digest256 out;
  if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 || EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx_, out.data(), nullptr) != 1)
    fail("ddb: SHA-256 failed");
  return out;
}

hmac_sha256::hmac_sha256() : mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr)) {
  ctx_ = mac_ != nullptr ? EVP_MAC_CTX_new(mac_) : nullptr;
  // Choose the digest once: passing it to every EVP_MAC_init would fetch it again.
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (ctx_ == nullptr || EVP_MAC_CTX_set_params(ctx_, params) != 1) {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
    fail("ddb: OpenSSL has no HMAC-SHA256");
  }
}

hmac_sha256::~hmac_sha256() {
  EVP_MAC_CTX_free(ctx_);
  EVP_MAC_free(mac_);
}

void hmac_sha256::set_key(const void* key, std::size_t size) {
  if (EVP_MAC_init(ctx_, static_cast<const unsigned char*>(key), size, nullptr) != 1)
    fail("ddb: HMAC key setup failed");
}

digest256 hmac_sha256::mac(std::string_view data) {
  digest256 out;
  std::size_t size = 0;
  // A null key restarts from the midstates saved by set_key().
  if (EVP_MAC_init(ctx_, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx_, out.data(), &size, out.size()) != 1 || size != out.size())
    fail("ddb: HMAC-SHA256 failed");
  return out;
}

void write_hex(char* out, const unsigned char* bytes, std::size_t size) noexcept {
  static constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0xf];
  }
}

} // namespace ddb::detail
