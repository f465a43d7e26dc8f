// ddb::value and ddb::item: owning DynamoDB attribute values that read like the data.
#pragma once

#include <ddb/number.hpp>

#include <cstddef>
#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ddb {

/// The ten DynamoDB attribute types, named as on the wire in comments.
enum class value_type : std::uint8_t {
  string,     // S
  number,     // N
  binary,     // B
  boolean,    // BOOL
  null,       // NULL
  list,       // L
  map,        // M
  string_set, // SS
  number_set, // NS
  binary_set, // BS
};

/// The wire tag of a type: "S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS".
std::string_view type_tag(value_type t) noexcept;

/// Raw bytes of a binary attribute (base64 exists only on the wire).
using bytes = std::vector<std::byte>;
/// Bytes from text, for tests and literals: `ddb::to_bytes("\x01\x02")`.
bytes to_bytes(std::string_view s);

struct null_t {
  friend bool operator==(null_t, null_t) = default;
  friend auto operator<=>(null_t, null_t) = default;
};
/// The DynamoDB NULL value.
inline constexpr null_t null{};

class value;
/// A list attribute (L).
using list = std::vector<value>;
/// An item, and a map attribute (M): attribute names to values.
using item = std::map<std::string, value, std::less<>>;
/// Sets (SS, NS, BS). DynamoDB rejects empty sets; the serializer reports them before sending.
using string_set = std::set<std::string, std::less<>>;
using number_set = std::set<number>;
using binary_set = std::set<bytes>;

/// One attribute value of any DynamoDB type. Default-constructed it is NULL.
///
///     ddb::item user{{"PK", "USER#alice"}, {"age", 42}, {"admin", true},
///                    {"tags", ddb::string_set{"a", "b"}},
///                    {"address", ddb::item{{"city", "Oslo"}}}};
class value {
public:
  value() noexcept : v_(null_t{}) {}
  value(null_t) noexcept : v_(null_t{}) {}
  value(const char* s) : v_(std::string(s)) {}
  value(std::string s) noexcept : v_(std::move(s)) {}
  value(std::string_view s) : v_(std::string(s)) {}
  value(number n) noexcept : v_(std::move(n)) {}
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  value(I i) : v_(number(i)) {}
  /// Doubles become their shortest exact decimal; NaN and infinity throw.
  value(double d) : v_(number::from_double(d)) {}
  /// Only a real bool is a BOOL (pointers and integers do not silently convert).
  template <class B>
    requires std::same_as<B, bool>
  value(B b) noexcept : v_(b) {}
  value(bytes b) noexcept : v_(std::move(b)) {}
  value(list l) noexcept : v_(std::move(l)) {}
  value(item m) noexcept : v_(std::move(m)) {}
  value(string_set s) noexcept : v_(std::move(s)) {}
  value(number_set s) noexcept : v_(std::move(s)) {}
  value(binary_set s) noexcept : v_(std::move(s)) {}

  value_type type() const noexcept { return static_cast<value_type>(v_.index()); }
  bool is_null() const noexcept { return type() == value_type::null; }

  /// Typed access; throws ddb::error(client_errc::wrong_type) on a type mismatch.
  const std::string& as_string() const { return get<std::string, value_type::string>(); }
  const number& as_number() const { return get<number, value_type::number>(); }
  const bytes& as_binary() const { return get<bytes, value_type::binary>(); }
  bool as_bool() const { return get<bool, value_type::boolean>(); }
  const list& as_list() const { return get<list, value_type::list>(); }
  const item& as_map() const { return get<item, value_type::map>(); }
  const string_set& as_string_set() const { return get<string_set, value_type::string_set>(); }
  const number_set& as_number_set() const { return get<number_set, value_type::number_set>(); }
  const binary_set& as_binary_set() const { return get<binary_set, value_type::binary_set>(); }

  /// Pointer access: nullptr on a type mismatch.
  template <class T>
  const T* if_() const noexcept {
    return std::get_if<T>(&v_);
  }
  template <class T>
  T* if_() noexcept {
    return std::get_if<T>(&v_);
  }

  friend bool operator==(const value& a, const value& b) { return a.v_ == b.v_; }

  // Alternatives are in value_type order, so index() is the type.
  using storage =
      std::variant<std::string, number, bytes, bool, null_t, list, item, string_set, number_set, binary_set>;
  const storage& raw() const noexcept { return v_; }

private:
  template <class T, value_type W>
  const T& get() const {
    if (auto p = std::get_if<T>(&v_)) return *p;
    throw_wrong_type(W);
  }
  [[noreturn]] void throw_wrong_type(value_type wanted) const;

  storage v_;
};

/// Human-readable form, DynamoDB JSON style (`{"S":"x"}`); binary shown as base64.
std::ostream& operator<<(std::ostream& os, const value& v);
std::ostream& operator<<(std::ostream& os, const item& i);

} // namespace ddb
