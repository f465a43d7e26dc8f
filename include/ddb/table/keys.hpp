// Typed keys of the single-table pattern: partition_key<E>, sort_key<E>, prefix_sort_key<E>.
//
//     struct User { static constexpr std::string_view entity_name = "User"; };
//     struct Group { static constexpr std::string_view entity_name = "Group"; };
//
//     ddb::table::partition_key<User> pk("alice");     // pk.str() == "USER#alice", value() "alice"
//     ddb::table::sort_key<Group> sk("1");             // "GROUP#1"
//     ddb::table::prefix_sort_key<Group> all_groups;   // "GROUP#": begins_with matches every group
//     ddb::table::prefix_sort_key<Order> order_1("1", ddb::table::exact_segment);  // "ORDER#1#"
//
// The three are distinct types with explicit constructors and no conversions between them: a
// prefix key cannot stand for a full key, a partition key not for a sort key, a User key not for
// a Group key. "Partition" and "sort" are roles in the index queried: on the inverse index
// (index.hpp) a partition_key<Group> is matched against the SK attribute.
//
// Escaping: a value may contain anything; the delimiter and the escape character inside it are
// written as `\#` and `\\` (for the default delimiter `#`), so `USER#a\#b` is the user `a#b` and
// the key splits back unambiguously. Escaping keeps prefixes (value p is a prefix of value v
// exactly when escape(p) is a prefix of escape(v)), so begins_with still works; it does change
// the sort order of values that contain `#` or `\` (`\` sorts after letters).
//
// Limits: a full key's value must not be empty (`USER#` is what a prefix key for all users looks
// like; a full key equal to a bare prefix is a bug in practice). Encoded keys are limited as
// DynamoDB limits key attributes: partition keys to 2048 bytes, sort and prefix keys to 1024.
// Values must be valid UTF-8. Violations are ddb::error with client_errc::invalid_argument
// (invalid_utf8 for bad UTF-8), or an error_code from the make()/parse() overloads that take one.
#pragma once

#include <ddb/error.hpp>
#include <ddb/error_code.hpp>
#include <ddb/table/entity.hpp>
#include <ddb/value.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ddb::table {

/// Names of the key attributes and the delimiter between key segments.
/// The defaults are Dokklib's and single-table-orm's: `PK`, `SK`, `#`.
class key_config {
public:
  key_config() = default;

  /// The table's partition key attribute (`PK`).
  key_config& partition_key(std::string name) {
    partition_key_ = std::move(name);
    return *this;
  }
  /// The table's sort key attribute (`SK`).
  key_config& sort_key(std::string name) {
    sort_key_ = std::move(name);
    return *this;
  }
  /// The delimiter after the entity name (`#`). It must be printable ASCII and not `\`.
  key_config& delimiter(char d) {
    delimiter_ = d;
    return *this;
  }

  const std::string& partition_key() const noexcept { return partition_key_; }
  const std::string& sort_key() const noexcept { return sort_key_; }
  char delimiter() const noexcept { return delimiter_; }

  /// client_errc::invalid_argument when the delimiter is unusable or a name is empty.
  error_code validate() const noexcept {
    bool ok = delimiter_ > ' ' && delimiter_ < 0x7f && delimiter_ != key_escape && !partition_key_.empty() &&
              !sort_key_.empty() && partition_key_ != sort_key_;
    return ok ? error_code{} : make_error_code(client_errc::invalid_argument);
  }

private:
  std::string partition_key_ = "PK";
  std::string sort_key_ = "SK";
  char delimiter_ = '#';
};

/// DynamoDB's limits on key attribute values, in bytes of UTF-8.
inline constexpr std::size_t max_partition_key_bytes = 2048;
inline constexpr std::size_t max_sort_key_bytes = 1024;

/// Selects a prefix that ends at a segment boundary: `ORDER#1#`, which matches `ORDER#1#ITEM#3`
/// but neither `ORDER#10` nor the key `ORDER#1` itself.
struct exact_segment_t {
  explicit exact_segment_t() = default;
};
inline constexpr exact_segment_t exact_segment{};

/// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
constexpr bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
      n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else
      return false;
    if (s.size() - i <= n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return false;
    }
    i += n + 1;
  }
  return true;
}

/// Appends `raw` to `out` with the delimiter and `\` escaped (`a#b\c` -> `a\#b\\c`).
inline void append_escaped(std::string& out, std::string_view raw, char delimiter = '#') {
  for (char c : raw) {
    if (c == delimiter || c == key_escape) out.push_back(key_escape);
    out.push_back(c);
  }
}

/// `raw` with the delimiter and `\` escaped.
inline std::string escape_key_value(std::string_view raw, char delimiter = '#') {
  std::string out;
  out.reserve(raw.size());
  append_escaped(out, raw, delimiter);
  return out;
}

/// Reverses escape_key_value. An unescaped delimiter, a `\` before anything but the delimiter
/// or `\`, or a trailing `\` is client_errc::invalid_argument: the text is not one escaped value.
inline std::optional<std::string> unescape_key_value(std::string_view encoded, char delimiter,
                                                     error_code& ec) {
  std::string out;
  out.reserve(encoded.size());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c == key_escape) {
      if (i + 1 == encoded.size() || (encoded[i + 1] != delimiter && encoded[i + 1] != key_escape)) {
        ec = client_errc::invalid_argument;
        return std::nullopt;
      }
      c = encoded[++i];
    } else if (c == delimiter) {
      ec = client_errc::invalid_argument;
      return std::nullopt;
    }
    out.push_back(c);
  }
  ec = {};
  return out;
}

/// Throwing form of unescape_key_value.
inline std::string unescape_key_value(std::string_view encoded, char delimiter = '#') {
  error_code ec;
  auto out = unescape_key_value(encoded, delimiter, ec);
  if (!out) throw ddb::error(ec, "not an escaped key value: '" + std::string(encoded) + "'");
  return std::move(*out);
}

/// The role of a key in the index it is used with.
enum class key_role { partition, sort, prefix };

namespace detail {

inline std::size_t key_limit(key_role r) noexcept {
  return r == key_role::partition ? max_partition_key_bytes : max_sort_key_bytes;
}

/// The stored text of a key (`USER#al\#ice`) and what it was made of. Shared by the key
/// templates as a member, never as a public base, so the key types stay unrelated.
class encoded_key {
public:
  /// Builds `key_name + delimiter + escape(value)` (plus a delimiter for exact-segment
  /// prefixes); on failure sets `ec` and `why`.
  static std::optional<encoded_key> make(std::string_view key_name, std::string_view value,
                                         const key_config& cfg, key_role role, bool exact, error_code& ec,
                                         const char*& why) {
    if ((ec = cfg.validate())) return why = "unusable key_config", std::nullopt;
    if (key_name.find(cfg.delimiter()) != std::string_view::npos)
      return ec = client_errc::invalid_argument, why = "the entity key name contains the delimiter",
             std::nullopt;
    if (value.empty() && (role != key_role::prefix || exact))
      return ec = client_errc::invalid_argument, why = "the key value is empty", std::nullopt;
    if (!is_valid_utf8(value)) return ec = client_errc::invalid_utf8, why = "the key value", std::nullopt;
    encoded_key k;
    k.text_.reserve(key_name.size() + 1 + value.size() + (exact ? 1 : 0));
    k.text_.append(key_name);
    k.text_.push_back(cfg.delimiter());
    k.prefix_size_ = k.text_.size();
    append_escaped(k.text_, value, cfg.delimiter());
    if (k.text_.size() - k.prefix_size_ != value.size()) k.raw_.assign(value); // escaping changed it
    if (exact) k.text_.push_back(cfg.delimiter());
    if (k.text_.size() > key_limit(role))
      return ec = client_errc::invalid_argument, why = "the encoded key is over DynamoDB's size limit",
             std::nullopt;
    k.exact_ = exact;
    ec = {};
    return k;
  }

  /// Reads a stored key back: `stored` must be `key_name + delimiter + escaped value`.
  /// A different entity prefix is client_errc::wrong_type.
  static std::optional<encoded_key> parse(std::string_view key_name, std::string_view stored,
                                          const key_config& cfg, key_role role, error_code& ec,
                                          const char*& why) {
    if ((ec = cfg.validate())) return why = "unusable key_config", std::nullopt;
    if (stored.size() <= key_name.size() || stored.substr(0, key_name.size()) != key_name ||
        stored[key_name.size()] != cfg.delimiter())
      return ec = client_errc::wrong_type, why = "the key has another entity prefix", std::nullopt;
    auto raw = unescape_key_value(stored.substr(key_name.size() + 1), cfg.delimiter(), ec);
    if (!raw) return why = "the key value is not one escaped segment", std::nullopt;
    return make(key_name, *raw, cfg, role, false, ec, why);
  }

  const std::string& str() const noexcept { return text_; }
  std::string_view prefix() const noexcept { return std::string_view(text_).substr(0, prefix_size_); }
  std::string_view value() const noexcept {
    if (!raw_.empty()) return raw_;
    std::string_view v(text_);
    v.remove_prefix(prefix_size_);
    if (exact_) v.remove_suffix(1);
    return v;
  }
  bool exact() const noexcept { return exact_; }

  friend bool operator==(const encoded_key& a, const encoded_key& b) noexcept { return a.text_ == b.text_; }

private:
  encoded_key() = default;

  std::string text_; // what DynamoDB stores
  std::string raw_;  // the unescaped value, only when escaping changed it
  std::size_t prefix_size_ = 0;
  bool exact_ = false;
};

template <key_role R, class E>
encoded_key make_or_throw(std::string_view value, const key_config& cfg, bool exact = false) {
  error_code ec;
  const char* why = "";
  auto k = encoded_key::make(entity_key_name<E>(), value, cfg, R, exact, ec, why);
  if (!k) throw ddb::error(ec, std::string(why) + " (" + std::string(std::string_view(E::entity_name)) + ")");
  return std::move(*k);
}

template <key_role R, class E>
encoded_key parse_or_throw(std::string_view stored, const key_config& cfg) {
  error_code ec;
  const char* why = "";
  auto k = encoded_key::parse(entity_key_name<E>(), stored, cfg, R, ec, why);
  if (!k) throw ddb::error(ec, std::string(why) + ": '" + std::string(stored) + "'");
  return std::move(*k);
}

} // namespace detail

namespace detail {

/// The accessors the three key templates share. A CRTP base, so that each key type has its own
/// base and no two key types are related by inheritance (nothing converts between them).
template <class Derived>
class key_base {
public:
  /// The stored text: `USER#alice`.
  const std::string& str() const noexcept { return k_.str(); }
  /// The entity prefix: `USER#`.
  std::string_view prefix() const noexcept { return k_.prefix(); }
  /// The value as given (unescaped): `alice`.
  std::string_view value() const noexcept { return k_.value(); }
  /// The key as a DynamoDB string attribute value.
  ddb::value to_value() const { return ddb::value(k_.str()); }

  friend bool operator==(const Derived& a, const Derived& b) noexcept { return a.k_ == b.k_; }

protected:
  explicit key_base(encoded_key k) noexcept : k_(std::move(k)) {}
  encoded_key k_;
};

} // namespace detail

/// The partition key of an item of entity E: `USER#alice`.
template <entity E>
class partition_key : public detail::key_base<partition_key<E>> {
public:
  using entity_type = E;
  static constexpr key_role role = key_role::partition;

  /// Throws ddb::error for an empty, oversized or non-UTF-8 value.
  explicit partition_key(std::string_view value, const key_config& cfg = {})
      : base(detail::make_or_throw<role, E>(value, cfg)) {}

  /// Non-throwing construction: nullopt with `ec` set on failure.
  static std::optional<partition_key> make(std::string_view value, error_code& ec,
                                           const key_config& cfg = {}) {
    const char* why = "";
    auto k = detail::encoded_key::make(entity_key_name<E>(), value, cfg, role, false, ec, why);
    return k ? std::optional<partition_key>(partition_key(std::move(*k))) : std::nullopt;
  }
  /// Reads a stored key (`USER#alice`); another entity's key is client_errc::wrong_type.
  static partition_key parse(std::string_view stored, const key_config& cfg = {}) {
    return partition_key(detail::parse_or_throw<role, E>(stored, cfg));
  }
  static std::optional<partition_key> parse(std::string_view stored, error_code& ec,
                                            const key_config& cfg = {}) {
    const char* why = "";
    auto k = detail::encoded_key::parse(entity_key_name<E>(), stored, cfg, role, ec, why);
    return k ? std::optional<partition_key>(partition_key(std::move(*k))) : std::nullopt;
  }

private:
  using base = detail::key_base<partition_key<E>>;
  explicit partition_key(detail::encoded_key k) noexcept : base(std::move(k)) {}
};

/// The full sort key of an item of entity E: `GROUP#1`.
template <entity E>
class sort_key : public detail::key_base<sort_key<E>> {
public:
  using entity_type = E;
  static constexpr key_role role = key_role::sort;

  /// Throws ddb::error for an empty, oversized or non-UTF-8 value.
  explicit sort_key(std::string_view value, const key_config& cfg = {})
      : base(detail::make_or_throw<role, E>(value, cfg)) {}

  static std::optional<sort_key> make(std::string_view value, error_code& ec, const key_config& cfg = {}) {
    const char* why = "";
    auto k = detail::encoded_key::make(entity_key_name<E>(), value, cfg, role, false, ec, why);
    return k ? std::optional<sort_key>(sort_key(std::move(*k))) : std::nullopt;
  }
  static sort_key parse(std::string_view stored, const key_config& cfg = {}) {
    return sort_key(detail::parse_or_throw<role, E>(stored, cfg));
  }
  static std::optional<sort_key> parse(std::string_view stored, error_code& ec, const key_config& cfg = {}) {
    const char* why = "";
    auto k = detail::encoded_key::parse(entity_key_name<E>(), stored, cfg, role, ec, why);
    return k ? std::optional<sort_key>(sort_key(std::move(*k))) : std::nullopt;
  }

private:
  using base = detail::key_base<sort_key<E>>;
  explicit sort_key(detail::encoded_key k) noexcept : base(std::move(k)) {}
};

/// A sort key prefix for begins_with queries: all keys of entity E (`GROUP#`), or those whose
/// value starts with a partial value (`GROUP#ad` matches `GROUP#admins`), or with
/// exact_segment those under one whole value (`ORDER#1#`).
template <entity E>
class prefix_sort_key : public detail::key_base<prefix_sort_key<E>> {
public:
  using entity_type = E;
  static constexpr key_role role = key_role::prefix;

  /// Every key of the entity: `GROUP#`.
  explicit prefix_sort_key(const key_config& cfg = {}) : base(detail::make_or_throw<role, E>({}, cfg)) {}
  /// Keys whose value begins with `partial` (which may be empty).
  explicit prefix_sort_key(std::string_view partial, const key_config& cfg = {})
      : base(detail::make_or_throw<role, E>(partial, cfg)) {}
  /// Keys below the whole value `value` (not empty): `ORDER#1#`.
  prefix_sort_key(std::string_view value, exact_segment_t, const key_config& cfg = {})
      : base(detail::make_or_throw<role, E>(value, cfg, true)) {}

  static std::optional<prefix_sort_key> make(std::string_view partial, error_code& ec,
                                             const key_config& cfg = {}) {
    const char* why = "";
    auto k = detail::encoded_key::make(entity_key_name<E>(), partial, cfg, role, false, ec, why);
    return k ? std::optional<prefix_sort_key>(prefix_sort_key(std::move(*k))) : std::nullopt;
  }

  /// True for exact-segment prefixes (str() then ends with the delimiter).
  bool exact() const noexcept { return this->k_.exact(); }

private:
  using base = detail::key_base<prefix_sort_key<E>>;
  explicit prefix_sort_key(detail::encoded_key k) noexcept : base(std::move(k)) {}
};

namespace detail {
template <class K, template <class> class T>
struct is_key_of : std::false_type {};
template <template <class> class T, class E>
struct is_key_of<T<E>, T> : std::true_type {};
} // namespace detail

/// Any entity's partition key (for operations generic over entities).
template <class K>
concept any_partition_key = detail::is_key_of<std::remove_cvref_t<K>, partition_key>::value;
/// Any entity's full sort key.
template <class K>
concept any_sort_key = detail::is_key_of<std::remove_cvref_t<K>, sort_key>::value;
/// Any entity's sort key prefix.
template <class K>
concept any_prefix_key = detail::is_key_of<std::remove_cvref_t<K>, prefix_sort_key>::value;

/// The Key of GetItem/DeleteItem/UpdateItem: `{PK: pk, SK: sk}` under the configured names.
template <any_partition_key P, any_sort_key S>
ddb::item key_item(const P& pk, const S& sk, const key_config& cfg = {}) {
  ddb::item key;
  key.emplace(cfg.partition_key(), pk.to_value());
  key.emplace(cfg.sort_key(), sk.to_value());
  return key;
}

} // namespace ddb::table
