#include <ddb/error.hpp>
#include <ddb/number.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace ddb {
namespace {

// A number reduced to sign, significant digits (no leading/trailing zeros) and the decimal
// exponent of the first digit: 123.4 is {+, "1234", 2}; zero has no digits.
struct decimal {
  bool negative = false;
  char digits[39]; // at most 38 significant digits, plus room to detect a 39th
  int count = 0;
  long long exponent = 0;
};

// DynamoDB's limits: 38 significant digits, exponent of the first digit in [-130, 125].
constexpr int max_digits = 38;
constexpr long long min_exponent = -130, max_exponent = 125;

error_code decompose(std::string_view s, decimal& d) noexcept {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-')
    d.negative = true, ++i;
  else if (i < s.size() && s[i] == '+')
    ++i;
  bool any_digit = false, seen_nonzero = false;
  long long int_digits = 0; // digits before the point once the leading zeros are gone
  long long leading_fraction_zeros = 0;
  int trailing_zeros = 0; // zeros not yet known to be significant
  bool too_many = false;
  auto push = [&](char c) {
    if (c == '0') {
      ++trailing_zeros;
      return;
    }
    if (d.count + trailing_zeros + 1 > max_digits) {
      too_many = true;
      return;
    }
    std::memset(d.digits + d.count, '0', static_cast<std::size_t>(trailing_zeros));
    d.count += trailing_zeros;
    trailing_zeros = 0;
    d.digits[d.count++] = c;
  };
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    any_digit = true;
    if (s[i] != '0') seen_nonzero = true;
    if (seen_nonzero) ++int_digits, push(s[i]);
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      any_digit = true;
      if (!seen_nonzero && s[i] == '0') {
        ++leading_fraction_zeros;
        continue;
      }
      seen_nonzero = true;
      push(s[i]);
    }
  }
  if (!any_digit) return client_errc::invalid_number;
  long long exp10 = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i] == '-', ++i;
    if (i == s.size()) return client_errc::invalid_number;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
      if (exp10 < 1'000'000'000) exp10 = exp10 * 10 + (s[i] - '0'); // saturate: far out of range
    exp10 = neg ? -exp10 : exp10;
  }
  if (i != s.size()) return client_errc::invalid_number;
  if (too_many) return client_errc::number_out_of_range;
  if (d.count == 0) { // zero, whatever its exponent
    d.negative = false;
    d.exponent = 0;
    return {};
  }
  d.exponent = (int_digits > 0 ? int_digits - 1 : -(leading_fraction_zeros + 1)) + exp10;
  if (d.exponent < min_exponent || d.exponent > max_exponent) return client_errc::number_out_of_range;
  return {};
}

int compare_magnitude(const decimal& a, const decimal& b) noexcept {
  if (a.count == 0 || b.count == 0) return (a.count != 0) - (b.count != 0);
  if (a.exponent != b.exponent) return a.exponent < b.exponent ? -1 : 1;
  int n = std::min(a.count, b.count);
  if (int c = std::memcmp(a.digits, b.digits, static_cast<std::size_t>(n))) return c < 0 ? -1 : 1;
  return (a.count > b.count) - (a.count < b.count);
}

decimal checked(std::string_view text) {
  decimal d;
  if (auto ec = decompose(text, d)) throw error(ec, "bad number '" + std::string(text.substr(0, 64)) + "'");
  return d;
}

// The integer value of a decimal, or an error if it has a fraction or exceeds `limit`.
std::uint64_t integer_magnitude(const decimal& d, std::uint64_t limit, std::string_view text) {
  if (d.count == 0) return 0;
  if (d.exponent < 0 || d.count - 1 > d.exponent)
    throw error(client_errc::precision_loss, "number '" + std::string(text) + "' is not an integer");
  if (d.exponent > 19)
    throw error(client_errc::number_out_of_range, "number '" + std::string(text) + "' is too large");
  std::uint64_t v = 0;
  for (long long k = 0; k <= d.exponent; ++k) {
    unsigned digit = k < d.count ? static_cast<unsigned>(d.digits[k] - '0') : 0;
    if (v > (limit - digit) / 10)
      throw error(client_errc::number_out_of_range, "number '" + std::string(text) + "' does not fit");
    v = v * 10 + digit;
  }
  return v;
}

} // namespace

error_code validate_number(std::string_view text) noexcept {
  decimal d;
  return decompose(text, d);
}

number::number(std::string_view text) : text_(text) { checked(text); }

number number::parse(std::string_view text, error_code& ec) {
  decimal d;
  ec = decompose(text, d);
  return ec ? number() : number(unchecked{}, std::string(text));
}

number number::from_double(double v) {
  if (!std::isfinite(v))
    throw error(client_errc::invalid_number, "NaN and infinity are not DynamoDB numbers");
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v); // shortest text that reads back as v
  return number(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

void number::assign_integer(std::int64_t v) {
  char buf[24];
  text_.assign(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void number::assign_unsigned(std::uint64_t v) {
  char buf[24];
  text_.assign(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

std::int64_t number::to_int64() const {
  decimal d = checked(text_);
  std::uint64_t limit = d.negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  std::uint64_t m = integer_magnitude(d, limit, text_);
  return d.negative ? static_cast<std::int64_t>(0 - m) : static_cast<std::int64_t>(m);
}

std::uint64_t number::to_uint64() const {
  decimal d = checked(text_);
  std::uint64_t m = integer_magnitude(d, ~std::uint64_t{0}, text_);
  if (d.negative && m != 0)
    throw error(client_errc::number_out_of_range, "negative number '" + text_ + "' for an unsigned type");
  return m;
}

void number::throw_out_of_range() {
  throw error(client_errc::number_out_of_range, "number does not fit the integer type");
}

double number::to_double() const {
  decimal d = checked(text_);
  double v = 0;
  auto r = std::from_chars(text_.data() + (text_[0] == '+'), text_.data() + text_.size(), v);
  if (r.ec != std::errc() || !std::isfinite(v))
    throw error(client_errc::precision_loss, "number '" + text_ + "' is not representable as a double");
  // Exact round trip: the double's shortest text must be the same number.
  char buf[32];
  decimal back;
  auto w = std::to_chars(buf, buf + sizeof buf, v);
  if (decompose(std::string_view(buf, static_cast<std::size_t>(w.ptr - buf)), back) ||
      back.negative != d.negative || compare_magnitude(back, d) != 0)
    throw error(client_errc::precision_loss, "number '" + text_ + "' would lose precision as a double");
  return v;
}

int number::compare(const number& a, const number& b) noexcept {
  decimal x, y;
  // Both texts were validated on construction.
  decompose(a.text_, x);
  decompose(b.text_, y);
  if (x.count == 0 && y.count == 0) return 0;
  bool xn = x.count && x.negative, yn = y.count && y.negative;
  if (xn != yn) return xn ? -1 : 1;
  int m = compare_magnitude(x, y);
  return xn ? -m : m;
}

} // namespace ddb
