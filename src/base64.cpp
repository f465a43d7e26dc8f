#include "base64.hpp"

#include <array>
#include <cstdint>

namespace ddb::detail {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::uint8_t, 256> make_reverse() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = 0xff;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  return t;
}
constexpr auto reverse = make_reverse();

} // namespace

void base64_encode(const void* data, std::size_t size, std::string& out) {
  auto p = static_cast<const unsigned char*>(data);
  std::size_t at = out.size();
  out.resize(at + (size + 2) / 3 * 4);
  char* o = out.data() + at;
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    std::uint32_t v = std::uint32_t(p[i]) << 16 | std::uint32_t(p[i + 1]) << 8 | p[i + 2];
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = alphabet[v & 63];
  }
  if (std::size_t rest = size - i) {
    std::uint32_t v = std::uint32_t(p[i]) << 16 | (rest == 2 ? std::uint32_t(p[i + 1]) << 8 : 0);
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
}

std::ptrdiff_t base64_decode(std::string_view in, std::byte* out) noexcept {
  if (in.size() % 4) return -1;
  std::byte* o = out;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    auto c = [&](std::size_t k) { return reverse[static_cast<unsigned char>(in[i + k])]; };
    std::uint8_t a = c(0), b = c(1), x = c(2), y = c(3);
    bool last = i + 4 == in.size();
    if ((a | b) == 0xff) return -1;
    if (last && in[i + 3] == '=') {
      if (in[i + 2] == '=') {
        if (b & 15) return -1; // non-canonical padding bits
        *o++ = std::byte(a << 2 | b >> 4);
        break;
      }
      if (x == 0xff || (x & 3)) return -1;
      *o++ = std::byte(a << 2 | b >> 4);
      *o++ = std::byte((b & 15) << 4 | x >> 2);
      break;
    }
    if ((x | y) == 0xff) return -1;
    *o++ = std::byte(a << 2 | b >> 4);
    *o++ = std::byte((b & 15) << 4 | x >> 2);
    *o++ = std::byte((x & 3) << 6 | y);
  }
  return o - out;
}

} // namespace ddb::detail
