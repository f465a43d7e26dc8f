#include <ddb/crc32.hpp>

#include <zlib.h>

#include <charconv>
#include <climits>

namespace ddb {

std::uint32_t crc32(std::string_view data) noexcept {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  auto p = reinterpret_cast<const Bytef*>(data.data());
  std::size_t left = data.size();
  while (left) { // zlib takes uInt lengths
    auto n = static_cast<uInt>(left < UINT_MAX ? left : UINT_MAX);
    crc = ::crc32(crc, p, n);
    p += n;
    left -= n;
  }
  return static_cast<std::uint32_t>(crc);
}

error_code check_crc32(std::string_view body, std::string_view header) noexcept {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  if (header.empty()) return {};
  if (header.front() < '0' || header.front() > '9') return client_errc::malformed_response;
  std::uint64_t expected = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), expected);
  if (ec != std::errc() || end != header.data() + header.size() || expected > 0xffffffffu)
    return client_errc::malformed_response;
  return crc32(body) == expected ? error_code() : error_code(client_errc::crc32_mismatch);
}

} // namespace ddb
