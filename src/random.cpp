#include "random.hpp"

#include <openssl/rand.h>

#include <exception>

namespace ddb::detail {

void secure_random_bytes(void* out, std::size_t size) {
  if (RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(size)) != 1) std::terminate();
}

std::string uuid_v4(std::uint64_t high, std::uint64_t low) {
  high = (high & ~std::uint64_t(0xf000)) | std::uint64_t(0x4000);           // version 4
  low = (low & ~(std::uint64_t(0xc0) << 56)) | (std::uint64_t(0x80) << 56); // variant 10xx
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto put = [&](std::uint64_t v, int from, int to) { // nibbles [from, to) counted from the top
    for (int n = from; n < to; ++n) out.push_back(hex[(v >> (60 - 4 * n)) & 0xf]);
  };
  put(high, 0, 8);
  out.push_back('-');
  put(high, 8, 12);
  out.push_back('-');
  put(high, 12, 16);
  out.push_back('-');
  put(low, 0, 4);
  out.push_back('-');
  put(low, 4, 16);
  return out;
}

std::string random_uuid_v4() {
  std::uint64_t words[2];
  secure_random_bytes(words, sizeof words);
  return uuid_v4(words[0], words[1]);
}

double random_unit() {
  std::uint64_t w;
  secure_random_bytes(&w, sizeof w);
  return static_cast<double>(w >> 11) * 0x1.0p-53;
}

} // namespace ddb::detail
