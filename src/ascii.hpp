// ASCII character tests for the configuration parsers (URLs, host names, settings): locale-free,
// unlike <cctype>.
#pragma once

#include <string>
#include <string_view>

namespace ddb::detail {

constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
/// What a host name (or an IPv4 address) may hold: letters, digits, '-', '.', '_'.
constexpr bool is_host_char(char c) noexcept {
  c = ascii_lower(c);
  return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '.' || c == '_';
}
inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

} // namespace ddb::detail
