// Prefix stripping: `{PK: "USER#alice", SK: "GROUP#1"}` read back as `{PK: "alice", SK: "1"}`.
//
// Only KEY attributes are stripped: the table's PK and SK and the key attributes of its indexes
// (table_schema::key_attributes()). Dokklib stripped every string attribute that looked like
// `ENTITY#rest`, which also rewrote ordinary data such as a comment "NOTE#1 is wrong" or a
// URL fragment; ddb leaves non-key attributes exactly as stored.
//
// A key value loses its first segment (everything up to the first delimiter) and is unescaped
// (`USER#a\#b` -> `a#b`). A value with no delimiter, with an empty first segment or with nothing
// after the delimiter is kept as it is (Dokklib did the same for the last two). If the rest has
// further unescaped delimiters it is a composite key (`T#acme#I#7`, single-table-orm style) and
// is kept verbatim after the first segment (`acme#I#7`), escapes and all.
//
// To read a key as a specific entity (and fail on another entity's key), use
// partition_key<E>::parse / sort_key<E>::parse instead.
#pragma once

#include <ddb/page.hpp>
#include <ddb/table/index.hpp>
#include <ddb/table/keys.hpp>
#include <ddb/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ddb::table {

/// A stored key value without its entity prefix (the rules above); `delimiter` as in key_config.
inline std::string strip_key_prefix(std::string_view stored, char delimiter = '#') {
  auto at = stored.find(delimiter);
  // The entity key name never holds the escape character, so the first delimiter ends it.
  if (at == 0 || at == std::string_view::npos || at + 1 == stored.size() ||
      stored.substr(0, at).find(key_escape) != std::string_view::npos)
    return std::string(stored);
  auto rest = stored.substr(at + 1);
  error_code ec;
  if (auto raw = unescape_key_value(rest, delimiter, ec)) return std::move(*raw);
  return std::string(rest); // composite (or not written by ddb): keep the rest verbatim
}

/// Strips the entity prefix from the key attributes of `item`, in place. Non-key attributes,
/// and key attributes that are not strings, are left alone.
inline void strip_prefixes(ddb::item& item, const table_schema& schema = table_schema()) {
  for (auto& name : schema.key_attributes()) {
    auto it = item.find(name);
    if (it == item.end()) continue;
    if (auto s = it->second.if_<std::string>()) *s = strip_key_prefix(*s, schema.keys().delimiter());
  }
}

/// An owning copy of `item` with the key attributes stripped.
inline ddb::item stripped(ddb::item item, const table_schema& schema = table_schema()) {
  strip_prefixes(item, schema);
  return item;
}

/// An owning copy of a page's item with the key attributes stripped.
inline ddb::item stripped(item_view item, const table_schema& schema = table_schema()) {
  return stripped(item.to_item(), schema);
}

} // namespace ddb::table
