// Typed models: a C++ struct described with Boost.Describe, stored as one item, with composite
// keys built from its fields as single-table-orm builds them.
//
//     struct Integration {
//       std::string tenant_name;
//       std::string integration_id;
//       bool enabled = false;
//       std::optional<std::string> last_seen_run;           // absent when nullopt
//       std::vector<std::string> static_files;              // L of S
//       ddb::string_set labels;                              // SS (absent when empty)
//       Schedule schedule;                                   // a described struct: M
//
//       static constexpr std::string_view entity_name = "Integrations";      // the PK suffix
//       static constexpr ddb::table::key_fields partition_fields{"tenant_name"};
//       static constexpr ddb::table::key_fields sort_fields{"integration_id"};
//     };
//     BOOST_DESCRIBE_STRUCT(Integration, (), (tenant_name, integration_id, enabled, ...))
//
//     ddb::item item = ddb::table::to_item(integration);   // PK "T#tenant-2#Integrations",
//                                                          // SK "I#INT0001", plus every member
//     auto back = ddb::table::from_item<Integration>(item); // or from a page's item_view
//
// Key rule (single-table-orm's): for each key field in order, its identifier (by default the
// first letter of the member name, upper-cased: tenant_name -> `T`) and its value, joined by the
// delimiter; the partition key (and GSI1PK) then gets a suffix, by default the entity_name
// (single-table-orm: the class name), or `key_suffix` if the model has one (an empty key_suffix
// turns the suffix off). The sort key has no suffix:
//     partition_fields {apple, banana}, entity "Fruit" -> `A#<apple>#B#<banana>#Fruit`
// Differences from single-table-orm: values are escaped as in keys.hpp (`#` -> `\#`, `\` -> `\\`),
// so a value holding the delimiter cannot forge another key; an empty or unset key value is an
// error (single-table-orm silently dropped empty parts, making `A##B` and `A#B` collide); key
// fields are strings or integers (integers as decimal text, which sorts as text).
//
// GSI1 (single-table-orm's `GSI1PK`): declare `gsi1_fields`; if all of them are unset optionals
// the item gets no GSI1PK attribute (a sparse index), otherwise all must be set.
//
// Conversion errors are ddb::error: client_errc::wrong_type when an attribute has another type or
// a required attribute is missing (the message names the attribute path, e.g. `schedule.days[2]`),
// number_out_of_range / precision_loss from integer conversions, invalid_argument for bad keys.
// Attributes the struct does not describe (PK, SK, others) are ignored when reading.
#pragma once

#include <ddb/error.hpp>
#include <ddb/error_code.hpp>
#include <ddb/expr/path.hpp>
#include <ddb/number.hpp>
#include <ddb/page.hpp>
#include <ddb/table/entity.hpp>
#include <ddb/table/item_key.hpp>
#include <ddb/table/keys.hpp>
#include <ddb/value.hpp>

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace ddb::table {

/// One member of a composite key, and the identifier written before its value.
class key_field {
public:
  /// The member `name`; identifier: its first letter, upper-cased (single-table-orm's default).
  constexpr key_field(const char* name) noexcept : name_(name) {}
  constexpr key_field(std::string_view name, std::string_view identifier) noexcept
      : name_(name), identifier_(identifier) {}

  constexpr std::string_view name() const noexcept { return name_; }
  std::string identifier() const {
    if (!identifier_.empty()) return std::string(identifier_);
    char c = name_.empty() ? '_' : name_[0];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return std::string(1, c);
  }

private:
  std::string_view name_;
  std::string_view identifier_;
};

/// The members a key is composed of, in order: `key_fields{"tenant_name", "region"}`.
template <std::size_t N>
class key_fields {
public:
  template <class... A>
    requires(sizeof...(A) == N && N > 0 && (std::constructible_from<key_field, const A&> && ...))
  constexpr key_fields(const A&... a) noexcept : fields_{key_field(a)...} {}

  constexpr auto begin() const noexcept { return fields_.begin(); }
  constexpr auto end() const noexcept { return fields_.end(); }
  constexpr std::size_t size() const noexcept { return N; }

private:
  std::array<key_field, N> fields_;
};
template <class... A>
key_fields(const A&...) -> key_fields<sizeof...(A)>;

/// A struct described with BOOST_DESCRIBE_STRUCT (members become attributes).
template <class T>
concept described = std::is_class_v<T> && boost::describe::has_describe_members<T>::value;

/// A described struct that is an entity and declares its partition and sort key fields.
template <class T>
concept model = described<T> && entity<T> && requires {
  T::partition_fields;
  T::sort_fields;
};

/// Attribute names and delimiter for models.
class model_options {
public:
  model_options() = default;
  explicit model_options(key_config keys) : keys_(std::move(keys)) {}

  model_options& keys(key_config k) {
    keys_ = std::move(k);
    return *this;
  }
  /// The attribute holding the GSI1 partition key (`GSI1PK`).
  model_options& gsi1_partition_key(std::string name) {
    gsi1_partition_key_ = std::move(name);
    return *this;
  }

  const key_config& keys() const noexcept { return keys_; }
  const std::string& gsi1_partition_key() const noexcept { return gsi1_partition_key_; }

private:
  key_config keys_;
  std::string gsi1_partition_key_ = "GSI1PK";
};

namespace detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
template <class>
inline constexpr bool always_false = false;

template <class T>
using members_of = boost::describe::describe_members<T, boost::describe::mod_public>;

/// Where a value is, for error messages: built only when an error is reported.
struct path {
  const path* parent = nullptr;
  std::string_view name; // a member name, or empty for a list element
  std::size_t index = 0;

  std::string str() const {
    std::string s = parent ? parent->str() : std::string();
    if (name.empty()) return s + "[" + std::to_string(index) + "]";
    return s.empty() ? std::string(name) : s + "." + std::string(name);
  }
};

[[noreturn]] inline void throw_wrong_type(const path& p, value_type wanted, value_type got) {
  throw ddb::error(client_errc::wrong_type, "attribute " + p.str() + ": expected " +
                                                std::string(type_tag(wanted)) + ", got " +
                                                std::string(type_tag(got)));
}
[[noreturn]] inline void throw_missing(const path& p) {
  throw ddb::error(client_errc::wrong_type, "attribute " + p.str() + " is missing");
}
[[noreturn]] inline void throw_null(const path& p) {
  throw ddb::error(client_errc::wrong_type,
                   "attribute " + p.str() + " is NULL (make the member an optional)");
}

// ---- encoding ------------------------------------------------------------------------------

template <class T>
ddb::value encode(const T& v);

template <class T>
ddb::item encode_members(const T& obj) {
  ddb::item out;
  boost::mp11::mp_for_each<members_of<T>>([&](auto d) {
    const auto& m = obj.*d.pointer;
    using M = std::remove_cvref_t<decltype(m)>;
    if constexpr (is_optional<M>::value) {
      if (!m) return; // absent, not NULL: keeps sparse indexes sparse and items small
    } else if constexpr (std::is_same_v<M, ddb::string_set>) {
      if (m.empty()) return; // DynamoDB has no empty sets
    }
    out.emplace(d.name, encode(m));
  });
  return out;
}

template <class T>
ddb::value encode(const T& v) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> || std::is_same_v<T, ddb::number> ||
                std::is_same_v<T, ddb::string_set> || std::is_same_v<T, ddb::value>)
    return ddb::value(v);
  else if constexpr (std::is_integral_v<T>)
    return ddb::value(v);
  else if constexpr (std::is_floating_point_v<T>)
    return ddb::value(static_cast<double>(v));
  else if constexpr (is_optional<T>::value)
    return v ? encode(*v) : ddb::value(ddb::null);
  else if constexpr (is_vector<T>::value) {
    ddb::list l;
    l.reserve(v.size());
    for (const auto& e : v) l.push_back(encode(e));
    return ddb::value(std::move(l));
  } else if constexpr (described<T>)
    return ddb::value(encode_members(v));
  else
    static_assert(always_false<T>, "ddb::table models: unsupported member type");
}

// ---- decoding (from ddb::value or a page's value_view) -------------------------------------

inline const ddb::value* lookup(const ddb::item& m, std::string_view name) {
  auto it = m.find(name);
  return it == m.end() ? nullptr : &it->second;
}
inline std::optional<value_view> lookup(const item_view& m, std::string_view name) { return m.find(name); }

inline std::string_view number_text(const ddb::value& v) { return v.as_number().text(); }
inline std::string_view number_text(const value_view& v) { return v.as_number(); }

template <class V>
void expect(const V& v, value_type t, const path& p) {
  if (v.type() != t) throw_wrong_type(p, t, v.type());
}

template <class T, class V>
T decode(const V& v, const path& p);

template <class T, class M>
void decode_members(const M& m, T& out, const path* parent) {
  boost::mp11::mp_for_each<members_of<T>>([&](auto d) {
    auto& member = out.*d.pointer;
    using F = std::remove_cvref_t<decltype(member)>;
    path p{parent, d.name};
    auto found = lookup(m, d.name);
    if (found && !found->is_null())
      member = decode<F>(*found, p);
    else if constexpr (is_optional<F>::value)
      member.reset();
    else if constexpr (std::is_same_v<F, ddb::string_set>)
      member.clear();
    else if (!found)
      throw_missing(p);
    else
      throw_null(p);
  });
}

template <class T, class V>
T decode(const V& v, const path& p) {
  if constexpr (std::is_same_v<T, ddb::value>) {
    if constexpr (std::is_same_v<V, ddb::value>)
      return v;
    else
      return v.to_value();
  } else if constexpr (is_optional<T>::value) {
    if (v.is_null()) return std::nullopt;
    return decode<typename T::value_type>(v, p);
  } else if constexpr (std::is_same_v<T, std::string>) {
    expect(v, value_type::string, p);
    return std::string(v.as_string());
  } else if constexpr (std::is_same_v<T, bool>) {
    expect(v, value_type::boolean, p);
    return v.as_bool();
  } else if constexpr (std::is_same_v<T, ddb::number>) {
    expect(v, value_type::number, p);
    return ddb::number(number_text(v));
  } else if constexpr (std::is_integral_v<T>) {
    expect(v, value_type::number, p);
    try {
      return ddb::number(number_text(v)).template to<T>();
    } catch (const ddb::error& e) {
      throw ddb::error(e.code(), "attribute " + p.str() + ": " + std::string(number_text(v)));
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    // The member is a double by choice: the nearest double, not an exactness check.
    expect(v, value_type::number, p);
    auto text = number_text(v);
    double d = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc() || end != text.data() + text.size())
      throw ddb::error(client_errc::number_out_of_range, "attribute " + p.str() + ": " + std::string(text));
    return static_cast<T>(d);
  } else if constexpr (std::is_same_v<T, ddb::string_set>) {
    ddb::string_set out;
    if (v.type() == value_type::list) { // a list of strings reads as a set too
      std::size_t i = 0;
      for (const auto& e : v.as_list()) out.insert(decode<std::string>(e, path{&p, {}, i++}));
      return out;
    }
    expect(v, value_type::string_set, p);
    if constexpr (std::is_same_v<V, ddb::value>)
      return v.as_string_set();
    else {
      for (auto e : v.elements()) out.emplace(e.as_string());
      return out;
    }
  } else if constexpr (is_vector<T>::value) {
    using E = typename T::value_type;
    T out;
    if constexpr (std::is_same_v<E, std::string>) {
      if (v.type() == value_type::string_set) { // and a set reads as a vector of strings
        if constexpr (std::is_same_v<V, ddb::value>)
          out.assign(v.as_string_set().begin(), v.as_string_set().end());
        else
          for (auto e : v.elements()) out.emplace_back(e.as_string());
        return out;
      }
    }
    expect(v, value_type::list, p);
    std::size_t i = 0;
    for (const auto& e : v.as_list()) out.push_back(decode<E>(e, path{&p, {}, i++}));
    return out;
  } else if constexpr (described<T>) {
    expect(v, value_type::map, p);
    T out{};
    decode_members(v.as_map(), out, &p);
    return out;
  } else {
    static_assert(always_false<T>, "ddb::table models: unsupported member type");
  }
}

// ---- composite keys --------------------------------------------------------------------------

template <class F>
inline constexpr bool is_key_type =
    std::is_same_v<F, std::string> || (std::is_integral_v<F> && !std::is_same_v<F, bool>);

template <class F>
struct key_member : std::bool_constant<is_key_type<F>> {};
template <class U>
struct key_member<std::optional<U>> : std::bool_constant<is_key_type<U>> {};
template <class F>
inline constexpr bool is_key_member = key_member<F>::value;

/// True when every field names a public described member of a key type (string, integer, or
/// an optional of one): checked at compile time, so a misspelt field does not compile.
template <class T, std::size_t N>
constexpr bool valid_key_fields(const key_fields<N>& fields) {
  for (const key_field& f : fields) {
    bool ok = false;
    boost::mp11::mp_for_each<members_of<T>>([&](auto d) {
      using F = std::remove_cvref_t<decltype(std::declval<T&>().*d.pointer)>;
      if (std::string_view(d.name) == f.name()) ok = is_key_member<F>;
    });
    if (!ok) return false;
  }
  return true;
}

/// The text of key field `name` of `obj`, or nullopt when it is an unset optional.
template <class T>
std::optional<std::string> key_field_text(const T& obj, std::string_view name) {
  std::optional<std::string> out;
  boost::mp11::mp_for_each<members_of<T>>([&](auto d) {
    using F = std::remove_cvref_t<decltype(obj.*d.pointer)>;
    if constexpr (is_key_member<F>) {
      if (std::string_view(d.name) != name) return;
      const auto& m = obj.*d.pointer;
      auto text = [](const auto& x) {
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(x)>, std::string>)
          return x;
        else
          return std::to_string(x);
      };
      if constexpr (is_optional<F>::value) {
        if (m) out = text(*m);
      } else
        out = text(m);
    }
  });
  return out;
}

inline void check_key_part(std::string_view part, char delimiter, const char* what) {
  if (part.empty() || part.find(delimiter) != std::string_view::npos ||
      part.find(key_escape) != std::string_view::npos)
    throw ddb::error(client_errc::invalid_argument, std::string(what) + " '" + std::string(part) +
                                                        "' is empty or holds the delimiter or '\\'");
}

/// `ID#value#ID#value[#suffix]`, or nullopt when all fields are unset and `optional_key`.
template <class T, std::size_t N>
std::optional<std::string> compose_key(const T& obj, const key_fields<N>& fields, std::string_view suffix,
                                       char delimiter, std::size_t limit, bool optional_key) {
  std::string key;
  std::size_t unset = 0;
  for (const key_field& f : fields) {
    auto value = key_field_text(obj, f.name());
    if (!value) {
      ++unset;
      continue;
    }
    if (value->empty())
      throw ddb::error(client_errc::invalid_argument, "key field " + std::string(f.name()) + " is empty");
    if (!is_valid_utf8(*value))
      throw ddb::error(client_errc::invalid_utf8, "key field " + std::string(f.name()));
    auto id = f.identifier();
    check_key_part(id, delimiter, "key identifier");
    if (!key.empty()) key.push_back(delimiter);
    key += id;
    key.push_back(delimiter);
    append_escaped(key, *value, delimiter);
  }
  if (unset == N && optional_key) return std::nullopt;
  if (unset != 0) throw ddb::error(client_errc::invalid_argument, "a key field is not set");
  if (!suffix.empty()) {
    check_key_part(suffix, delimiter, "key suffix");
    key.push_back(delimiter);
    key += suffix;
  }
  if (key.size() > limit)
    throw ddb::error(client_errc::invalid_argument, "key over DynamoDB's size limit: " + key);
  return key;
}

template <class T>
constexpr std::string_view key_suffix() {
  if constexpr (requires { T::key_suffix; })
    return T::key_suffix;
  else
    return T::entity_name;
}

template <class T>
concept has_gsi1 = requires { T::gsi1_fields; };

template <model T>
constexpr void check_model() {
  static_assert(valid_key_fields<T>(T::partition_fields),
                "partition_fields: every name must be a described string or integer member");
  static_assert(valid_key_fields<T>(T::sort_fields),
                "sort_fields: every name must be a described string or integer member");
  if constexpr (has_gsi1<T>)
    static_assert(valid_key_fields<T>(T::gsi1_fields),
                  "gsi1_fields: every name must be a described string or integer member");
}

} // namespace detail

/// The partition key of a model: `T#tenant-2#Integrations`.
template <model T>
std::string model_partition_key(const T& m, const key_config& cfg = {}) {
  detail::check_model<T>();
  return *detail::compose_key(m, T::partition_fields, detail::key_suffix<T>(), cfg.delimiter(),
                              max_partition_key_bytes, false);
}

/// The sort key of a model: `I#INT0001` (no suffix).
template <model T>
std::string model_sort_key(const T& m, const key_config& cfg = {}) {
  detail::check_model<T>();
  return *detail::compose_key(m, T::sort_fields, {}, cfg.delimiter(), max_sort_key_bytes, false);
}

/// The GSI1 partition key, or nullopt when the model has no gsi1_fields or all are unset.
template <model T>
std::optional<std::string> model_gsi1_partition_key(const T& m, const key_config& cfg = {}) {
  detail::check_model<T>();
  if constexpr (detail::has_gsi1<T>)
    return detail::compose_key(m, T::gsi1_fields, detail::key_suffix<T>(), cfg.delimiter(),
                               max_partition_key_bytes, true);
  else
    return std::nullopt;
}

/// The primary key of a model (its partition and sort key fields; other members are ignored), for
/// batches and transactions: `batch_get(c, table, keys)` with `keys` of `model_key(probe)`.
template <model T>
item_key model_key(const T& m, const key_config& cfg = {}) {
  return item_key::stored(model_partition_key(m, cfg), model_sort_key(m, cfg));
}

/// The members of a described struct as attributes (no keys).
template <described T>
ddb::item to_attributes(const T& obj) {
  return detail::encode_members(obj);
}

/// A whole item: the members plus PK, SK and (when declared and set) GSI1PK.
template <model T>
ddb::item to_item(const T& m, const model_options& opt = {}) {
  ddb::item out = detail::encode_members(m);
  out.insert_or_assign(opt.keys().partition_key(), ddb::value(model_partition_key(m, opt.keys())));
  out.insert_or_assign(opt.keys().sort_key(), ddb::value(model_sort_key(m, opt.keys())));
  if (auto g = model_gsi1_partition_key(m, opt.keys()))
    out.insert_or_assign(opt.gsi1_partition_key(), ddb::value(std::move(*g)));
  return out;
}

/// The attributes of a model besides its primary key: the members plus (when declared and set)
/// GSI1PK. What insert_arg/put_arg of a model write next to model_key().
template <model T>
ddb::item model_attributes(const T& m, const model_options& opt = {}) {
  ddb::item out = detail::encode_members(m);
  if (auto g = model_gsi1_partition_key(m, opt.keys()))
    out.insert_or_assign(opt.gsi1_partition_key(), ddb::value(std::move(*g)));
  return out;
}

/// Reads a described struct from an item; throws ddb::error (see the top of this file).
template <described T>
T from_item(const ddb::item& item) {
  T out{};
  detail::decode_members(item, out, nullptr);
  return out;
}

/// Reads a described struct straight from a page's item (no owning copy of the item).
template <described T>
T from_item(const item_view& item) {
  T out{};
  detail::decode_members(item, out, nullptr);
  return out;
}

/// Non-throwing form: false with `ec` set (and `out` partly assigned) on failure.
template <described T, class Item>
  requires(std::same_as<Item, ddb::item> || std::same_as<Item, item_view>)
bool from_item(const Item& item, T& out, error_code& ec) {
  try {
    detail::decode_members(item, out, nullptr);
    ec = {};
    return true;
  } catch (const ddb::error& e) {
    ec = e.code();
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Member paths for expressions

namespace detail {
template <class P>
struct member_of;
template <class C, class M>
struct member_of<M C::*> {
  using type = C;
};
/// The described name of the member `Member` points to, or "" if it is not described.
template <auto Member>
consteval std::string_view member_name() {
  using C = typename member_of<decltype(Member)>::type;
  std::string_view name;
  boost::mp11::mp_for_each<members_of<C>>([&](auto d) {
    if constexpr (std::is_same_v<std::remove_cv_t<decltype(d.pointer)>, decltype(Member)>)
      if (d.pointer == Member) name = d.name;
  });
  return name;
}
} // namespace detail

/// The attribute a described member is stored as, as an expression path checked by the compiler:
/// `field<&Account::balance>() >= 5`; nested: `field<&User::address>().then(field<&Address::city>())`.
/// A member missing from BOOST_DESCRIBE_STRUCT does not compile.
template <auto Member>
  requires std::is_member_object_pointer_v<decltype(Member)> &&
           described<typename detail::member_of<decltype(Member)>::type>
expr::path field() {
  constexpr std::string_view name = detail::member_name<Member>();
  static_assert(!name.empty(), "field<&T::m>(): m is not a public member named in BOOST_DESCRIBE_STRUCT");
  return expr::path::name(std::string(name));
}

} // namespace ddb::table
