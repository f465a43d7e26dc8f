// SHA-256 and HMAC-SHA256 on OpenSSL 3 EVP, with fetched algorithms and reused contexts.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

// OpenSSL's own struct names, so that this header does not pull in <openssl/evp.h>.
struct evp_md_st;
struct evp_md_ctx_st;
struct evp_mac_st;
struct evp_mac_ctx_st;

namespace ddb::detail {

using digest256 = std::array<unsigned char, 32>;

/// SHA-256 with the digest fetched once and one context reused: a one-shot SHA256() fetches
/// the algorithm on every call (about 2x slower). Not thread-safe.
class sha256 {
public:
  sha256();
  ~sha256();
  sha256(const sha256&) = delete;
  sha256& operator=(const sha256&) = delete;

  digest256 operator()(std::string_view data);

private:
  evp_md_st* md_;
  evp_md_ctx_st* ctx_;
};

/// HMAC-SHA256 that keeps its key: after set_key(), each mac() restarts from the saved
/// inner/outer midstates instead of hashing the key again. Not thread-safe.
class hmac_sha256 {
public:
  hmac_sha256();
  ~hmac_sha256();
  hmac_sha256(const hmac_sha256&) = delete;
  hmac_sha256& operator=(const hmac_sha256&) = delete;

  void set_key(const void* key, std::size_t size);
  /// HMAC of `data` under the last key set.
  digest256 mac(std::string_view data);

private:
  evp_mac_st* mac_;
  evp_mac_ctx_st* ctx_;
};

/// Writes the lowercase hex of `bytes` to `out`: 2 * size characters, no terminator.
void write_hex(char* out, const unsigned char* bytes, std::size_t size) noexcept;

} // namespace ddb::detail
