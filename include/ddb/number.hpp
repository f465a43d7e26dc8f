// ddb::number: a DynamoDB number kept as its exact decimal text.
#pragma once

#include <boost/system/error_code.hpp>

#include <compare>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace ddb {

/// A DynamoDB number (type `N`): an exact decimal string, validated as DynamoDB does
/// (at most 38 significant digits, magnitude 1E-130 to 9.99...E+125, or zero).
/// Equality and ordering are numeric: `number("1.50") == number("1.5")`.
/// Conversions never lose precision: they throw `ddb::error` (or set an error_code) instead.
class number {
public:
  /// Zero.
  number() : text_("0") {}

  /// Any integer is exact. (bool is not a number.)
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  number(I v) {
    if constexpr (std::is_signed_v<I>)
      assign_integer(static_cast<std::int64_t>(v));
    else
      assign_unsigned(static_cast<std::uint64_t>(v));
  }

  /// Parses and validates decimal text such as "-12.5e3"; throws ddb::error on bad input.
  explicit number(std::string_view text);

  /// Non-throwing parse: on failure sets `ec` (client_errc::invalid_number or number_out_of_range).
  static number parse(std::string_view text, boost::system::error_code& ec);

  /// The shortest decimal that reads back as `d`; throws for NaN/infinity or out of range.
  static number from_double(double d);

  /// The text exactly as given (or as produced by the constructor).
  std::string_view text() const noexcept { return text_; }
  const std::string& str() const noexcept { return text_; }

  /// Exact conversion to an integer type; throws client_errc::precision_loss for fractions and
  /// client_errc::number_out_of_range if it does not fit.
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  I to() const {
    if constexpr (std::is_signed_v<I>) {
      std::int64_t v = to_int64();
      if (v < static_cast<std::int64_t>(std::numeric_limits<I>::min()) ||
          v > static_cast<std::int64_t>(std::numeric_limits<I>::max()))
        throw_out_of_range();
      return static_cast<I>(v);
    } else {
      std::uint64_t v = to_uint64();
      if (v > static_cast<std::uint64_t>(std::numeric_limits<I>::max())) throw_out_of_range();
      return static_cast<I>(v);
    }
  }

  /// Converts to double only when the double reads back as the same number
  /// ("0.1" is fine, "0.10000000000000000001" throws client_errc::precision_loss).
  double to_double() const;

  friend bool operator==(const number& a, const number& b) noexcept { return compare(a, b) == 0; }
  friend std::strong_ordering operator<=>(const number& a, const number& b) noexcept {
    return compare(a, b) <=> 0;
  }

private:
  struct unchecked {};
  number(unchecked, std::string text) : text_(std::move(text)) {}
  void assign_integer(std::int64_t v);
  void assign_unsigned(std::uint64_t v);
  std::int64_t to_int64() const;
  std::uint64_t to_uint64() const;
  [[noreturn]] static void throw_out_of_range();
  static int compare(const number& a, const number& b) noexcept;

  std::string text_;
};

/// Validates DynamoDB number text without building a number (used by the parsers).
boost::system::error_code validate_number(std::string_view text) noexcept;

} // namespace ddb
