// item_key: the primary key of one item in stored form (`USER#alice`, `GROUP#1`), made from typed
// keys. Batches and transactions span entities, so they carry keys in this type-erased form and
// map results back to the caller's typed keys.
//
//     ddb::table::item_key k(partition_key<User>("alice"), sort_key<Group>("1"));
//     k.partition();   // "USER#alice"
//     k.to_item();     // {PK: "USER#alice", SK: "GROUP#1"}
#pragma once

#include <ddb/error.hpp>
#include <ddb/error_code.hpp>
#include <ddb/table/keys.hpp>
#include <ddb/value.hpp>

#include <compare>
#include <optional>
#include <string>
#include <utility>

namespace ddb::table {

class item_key {
public:
  /// From typed keys.
  template <any_partition_key P, any_sort_key S>
  item_key(const P& pk, const S& sk) : pk_(pk.str()), sk_(sk.str()) {}

  /// From stored texts, as read from an item (no checks).
  static item_key stored(std::string partition, std::string sort) {
    return item_key(std::move(partition), std::move(sort), 0);
  }

  /// The key of `item` under `cfg`'s attribute names, or nullopt when either attribute is missing
  /// or not a string.
  static std::optional<item_key> of(const ddb::item& item, const key_config& cfg = {}) {
    auto p = item.find(cfg.partition_key());
    auto s = item.find(cfg.sort_key());
    if (p == item.end() || s == item.end()) return std::nullopt;
    auto ps = p->second.if_<std::string>();
    auto ss = s->second.if_<std::string>();
    if (!ps || !ss) return std::nullopt;
    return stored(*ps, *ss);
  }

  /// The stored partition key text: `USER#alice`.
  const std::string& partition() const noexcept { return pk_; }
  /// The stored sort key text: `GROUP#1`.
  const std::string& sort() const noexcept { return sk_; }

  /// `{PK: partition, SK: sort}` under `cfg`'s attribute names.
  ddb::item to_item(const key_config& cfg = {}) const {
    ddb::item out;
    out.emplace(cfg.partition_key(), ddb::value(pk_));
    out.emplace(cfg.sort_key(), ddb::value(sk_));
    return out;
  }

  friend bool operator==(const item_key&, const item_key&) = default;
  friend std::strong_ordering operator<=>(const item_key&, const item_key&) = default;

private:
  item_key(std::string pk, std::string sk, int) : pk_(std::move(pk)), sk_(std::move(sk)) {}
  std::string pk_;
  std::string sk_;
};

/// Keys accepted by batches and transactions: `std::pair<partition_key<A>, sort_key<B>>` (one
/// entity pair per call, results typed the same) or item_key (any mix of entities).
inline const item_key& to_item_key(const item_key& k) noexcept { return k; }
template <any_partition_key P, any_sort_key S>
item_key to_item_key(const std::pair<P, S>& k) {
  return item_key(k.first, k.second);
}

template <class K>
concept typed_item_key = requires(const K& k) {
  { to_item_key(k) } -> std::convertible_to<item_key>;
};

/// `item` with the key attributes of `key` set; a key attribute already in `item` with another
/// value is client_errc::invalid_argument (an item cannot be written under two keys).
inline ddb::item with_key(ddb::item item, const item_key& key, const key_config& cfg = {}) {
  auto set = [&](const std::string& name, const std::string& text) {
    auto [it, inserted] = item.try_emplace(name, ddb::value(text));
    if (!inserted && it->second != ddb::value(text))
      throw ddb::error(client_errc::invalid_argument,
                       "attribute " + name + " of the item differs from its key " + text);
  };
  set(cfg.partition_key(), key.partition());
  set(cfg.sort_key(), key.sort());
  return item;
}

} // namespace ddb::table
