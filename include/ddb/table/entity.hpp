// Entities of the single-table pattern: types that name what a key points at.
//
// An entity carries no data; it gives a key its prefix and its type, so that a user key cannot
// be passed where a group key is expected. Any type with a constexpr `entity_name` is one:
//
//     struct User { static constexpr std::string_view entity_name = "User"; };
//     using Group = ddb::table::named_entity<"Group">;     // the same, without writing a struct
//
// Dokklib's prefix rule: the name upper-cased plus the delimiter, `User` -> `USER#`. An entity may
// give the text before the delimiter itself (for data written by other tools):
//
//     struct Tenant { static constexpr std::string_view entity_name = "Tenant", key_name = "T"; };
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace ddb::table {

/// The escape character of key values (see keys.hpp); never allowed in entity key names.
inline constexpr char key_escape = '\\';

namespace detail {

/// A key name can be written and read back unambiguously: not empty, no escape character.
/// (The delimiter is configurable, so it is checked when a key is built.)
constexpr bool valid_key_name(std::string_view name) noexcept {
  return !name.empty() && name.find(key_escape) == std::string_view::npos;
}

template <class E>
concept has_key_name = requires {
  { E::key_name } -> std::convertible_to<std::string_view>;
};

} // namespace detail

/// A type usable as an entity: it has a compile-time `entity_name` (and, optionally, `key_name`).
template <class E>
concept entity = requires {
  { E::entity_name } -> std::convertible_to<std::string_view>;
  // The name must be a constant expression: a runtime name could not be checked here.
  typename std::integral_constant<std::size_t, std::string_view(E::entity_name).size()>;
};

/// The text of an entity's keys before the delimiter: `key_name` if the entity has one, otherwise
/// `entity_name` upper-cased. Only ASCII letters are upper-cased (Python's str.upper() also maps
/// other letters; names outside ASCII are kept as they are).
template <entity E>
std::string entity_key_name() {
  if constexpr (detail::has_key_name<E>) {
    static_assert(detail::valid_key_name(E::key_name), "key_name must be non-empty and contain no '\\'");
    return std::string(std::string_view(E::key_name));
  } else {
    static_assert(detail::valid_key_name(E::entity_name),
                  "entity_name must be non-empty and contain no '\\'");
    std::string s{std::string_view(E::entity_name)};
    std::transform(s.begin(), s.end(), s.begin(),
                   [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; });
    return s;
  }
}

/// A string literal as a template argument: `named_entity<"User">`.
template <std::size_t N>
struct fixed_string {
  char text[N]{};
  constexpr fixed_string(const char (&s)[N]) noexcept { std::copy_n(s, N, text); }
  constexpr std::string_view view() const noexcept { return {text, N - 1}; }
};

/// An entity declared by name only: `using User = ddb::table::named_entity<"User">;`.
/// Different names are different types.
template <fixed_string Name>
struct named_entity {
  static constexpr std::string_view entity_name = Name.view();
};

} // namespace ddb::table
