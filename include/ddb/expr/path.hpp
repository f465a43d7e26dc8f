// Document paths: the attribute (or the element inside a map or list) an expression names.
//
//     ddb::expr::path("address.city")     // the map `address`, its key `city`
//     ddb::expr::path("tags[2]")          // the third element of the list `tags`
//     ddb::expr::attr("orders[0].lines")  // the same parser, for reading conditions aloud
//     ddb::expr::path::name("a.b")        // one top-level attribute whose name holds a dot
//     ddb::expr::path("address").dot("zip code")[0]
//
// Every name in a path becomes an ExpressionAttributeNames placeholder when rendered, so reserved
// words (`name`, `size`, `status`) and any characters are fine. A malformed path (an empty name,
// `a..b`, `tags[x]`, `[0]` first, over 32 levels) is not an exception: it is remembered, and the
// request or table operation that renders it fails with client_errc::invalid_expression before
// anything is sent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::expr {

class path {
public:
  /// One step: a map key / attribute name, or (when is_index) a list index.
  struct element {
    std::string name;
    std::size_t index = 0;
    bool is_index = false;
  };

  /// Parses `text` (names separated by `.`, list indexes as `[N]`).
  path(const char* text) : path(std::string_view(text)) {}
  path(const std::string& text) : path(std::string_view(text)) {}
  explicit path(std::string_view text);

  /// The top-level attribute `attribute`, taken literally (dots and brackets are part of it).
  static path name(std::string attribute);

  /// This path, then the map key `key` (literally).
  path dot(std::string key) const;
  /// This path, then every element of `rest`.
  path then(const path& rest) const;
  /// This path, then the list index `i`.
  path operator[](std::size_t i) const;

  const std::vector<element>& elements() const noexcept { return elements_; }
  /// The top-level attribute's name ("" for a malformed path).
  std::string_view attribute() const noexcept;
  /// Why the path is malformed, or "" when it is well formed.
  const std::string& error() const noexcept { return error_; }
  /// The path as written: `address.city`, `tags[2]` (names are not escaped).
  std::string str() const;
  /// True when one path is the other or contains it (`a` and `a.b`): DynamoDB rejects two
  /// update actions on overlapping paths.
  bool overlaps(const path& other) const noexcept;

  /// The most levels DynamoDB accepts in one path.
  static constexpr std::size_t max_depth = 32;

private:
  path() = default;
  void check_depth();

  std::vector<element> elements_;
  std::string error_;
};

/// A path, spelled for conditions: `attr("age") >= 18`.
inline path attr(std::string_view text) { return path(text); }

} // namespace ddb::expr
