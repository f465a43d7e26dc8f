// Batches of the single-table layer: BatchGetItem and BatchWriteItem over typed keys.
//
//     using key = std::pair<partition_key<User>, sort_key<Group>>;
//     std::vector<key> keys = ...;                                   // any number, duplicates allowed
//     auto got = co_await ddb::table::batch_get(c, "app", keys, schema);
//     for (auto& e : got.items()) use(e.key, e.item);                // item: nullopt when absent
//     if (auto* it = got.find(keys[0])) ...;                         // nullptr: not processed
//     retry_later(got.unprocessed());                                // left at the deadline
//
//     std::vector<std::pair<key, ddb::item>> puts = ...;             // attributes without the keys
//     std::vector<key> deletes = ...;
//     auto w = co_await ddb::table::batch_write(c, "app", puts, deletes, schema);
//     w.unprocessed_puts(), w.unprocessed_deletes();                 // typed, never silently lost
//
// Both split the work into requests DynamoDB accepts (100 keys per BatchGetItem, 25 writes per
// BatchWriteItem), merge duplicate keys (DynamoDB rejects a request naming a key twice; for puts of
// one key the last one wins; a put and a delete of one key is client_errc::invalid_argument, thrown
// before anything is sent), and send again what DynamoDB left unprocessed, with exponential backoff
// and full jitter (ddb::retry_state's computation), until batch_options::timeout. What is still
// unprocessed then is returned as typed keys. Up to batch_options::parallelism() requests (default
// 4) are in flight at once, each on its own pooled connection. A request that fails (after the
// client's own retries) stops new requests; once those in flight are done, its ddb::error is
// thrown; writes already acknowledged stay written. Cancellation cancels every request in flight.
//
// Keys: `std::pair<partition_key<A>, sort_key<B>>` (results typed the same) or item_key (any mix of
// entities). Items returned have the entity prefixes stripped from their key attributes (strip.hpp).
// To write whole items (models: to_item()), use the overload taking `std::vector<ddb::item>`.
//
// GCC 12: name the vectors and options before `co_await` (no braced lists inside the expression).
#pragma once

#include <ddb/async.hpp>
#include <ddb/client.hpp>
#include <ddb/requests.hpp>
#include <ddb/responses.hpp>
#include <ddb/retry_policy.hpp>
#include <ddb/table/index.hpp>
#include <ddb/table/item_key.hpp>
#include <ddb/table/model.hpp>
#include <ddb/value.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ddb::table {

/// Options of batch_get and batch_write (a class, not an aggregate: see the toolchain notes).
class batch_options {
public:
  batch_options() = default;

  /// How long to keep sending unprocessed keys/items again, from the call (default 30 s).
  batch_options& timeout(std::chrono::milliseconds t) {
    timeout_ = t;
    return *this;
  }
  /// Backoff before resending unprocessed work: full jitter over min(max, base * 2^n).
  batch_options& backoff(std::chrono::milliseconds base, std::chrono::milliseconds max) {
    base_delay_ = base;
    max_backoff_ = max;
    return *this;
  }
  /// batch_get: strongly consistent reads.
  batch_options& consistent_read(bool on = true) {
    consistent_read_ = on;
    return *this;
  }
  /// batch_get: read only these attributes (the key attributes are always added, to map items
  /// back to keys). Names are passed as placeholders, so reserved words are fine.
  batch_options& attributes(std::vector<std::string> names) {
    attributes_ = std::move(names);
    return *this;
  }
  /// Requests in flight at once (default 4; 1 sends them one at a time). Each takes a connection
  /// of the client's pool while it is out.
  batch_options& parallelism(unsigned n) {
    parallelism_ = n == 0 ? 1 : n;
    return *this;
  }

  std::chrono::milliseconds timeout() const noexcept { return timeout_; }
  std::chrono::milliseconds base_delay() const noexcept { return base_delay_; }
  std::chrono::milliseconds max_backoff() const noexcept { return max_backoff_; }
  bool consistent_read() const noexcept { return consistent_read_; }
  const std::vector<std::string>& attributes() const noexcept { return attributes_; }
  unsigned parallelism() const noexcept { return parallelism_; }

private:
  std::chrono::milliseconds timeout_{30'000};
  std::chrono::milliseconds base_delay_{50};
  std::chrono::milliseconds max_backoff_{5'000};
  bool consistent_read_ = false;
  std::vector<std::string> attributes_;
  unsigned parallelism_ = 4;
};

/// What batch_get found: every distinct processed key once (request order) with its item or
/// nullopt, and the keys still unprocessed at the deadline.
template <class Key>
class batch_get_result {
public:
  struct entry {
    Key key;
    std::optional<ddb::item> item; // nullopt: no such item
  };

  batch_get_result() = default;

  /// Processed keys, each once, in the order first requested.
  const std::vector<entry>& items() const noexcept { return entries_; }
  /// Keys DynamoDB had not processed when batch_options::timeout ran out.
  const std::vector<Key>& unprocessed() const noexcept { return unprocessed_; }
  bool complete() const noexcept { return unprocessed_.empty(); }
  /// The item of `key` (nullopt inside: no such item), or nullptr when the key was not requested
  /// or not processed.
  const std::optional<ddb::item>* find(const Key& key) const {
    auto it = index_.find(to_item_key(key));
    return it == index_.end() ? nullptr : &entries_[it->second].item;
  }
  /// The number of keys that had an item.
  std::size_t found() const noexcept {
    std::size_t n = 0;
    for (auto& e : entries_) n += e.item.has_value();
    return n;
  }

  /// CapacityUnits of all the call's requests, as DynamoDB reported them (ask with
  /// client_options::report_consumed_capacity).
  double consumed_capacity() const noexcept { return consumed_; }

  // Building (used by batch_get).
  void add(Key key, std::optional<ddb::item> item) {
    index_.emplace(to_item_key(key), entries_.size());
    entries_.push_back(entry{std::move(key), std::move(item)});
  }
  void add_unprocessed(Key key) { unprocessed_.push_back(std::move(key)); }
  void set_consumed_capacity(double units) noexcept { consumed_ = units; }

private:
  std::vector<entry> entries_;
  std::vector<Key> unprocessed_;
  std::map<item_key, std::size_t> index_;
  double consumed_ = 0;
};

/// What batch_write could not write before batch_options::timeout (empty when all went through).
template <class Key>
class batch_write_result {
public:
  batch_write_result() = default;

  /// The puts left, as given (for equal keys, the one that won).
  const std::vector<std::pair<Key, ddb::item>>& unprocessed_puts() const noexcept { return puts_; }
  const std::vector<Key>& unprocessed_deletes() const noexcept { return deletes_; }
  bool complete() const noexcept { return puts_.empty() && deletes_.empty(); }
  /// CapacityUnits of all the call's requests, as DynamoDB reported them.
  double consumed_capacity() const noexcept { return consumed_; }
  void set_consumed_capacity(double units) noexcept { consumed_ = units; }

  void add_put(Key key, ddb::item item) { puts_.emplace_back(std::move(key), std::move(item)); }
  void add_delete(Key key) { deletes_.push_back(std::move(key)); }

private:
  std::vector<std::pair<Key, ddb::item>> puts_;
  std::vector<Key> deletes_;
  double consumed_ = 0;
};

namespace detail {

// ---- pure logic (no I/O), unit-tested in tests/unit/table_batch_test.cpp ----------------------

/// Distinct keys in first-seen order, and for each input the index of its distinct key.
struct merged_keys {
  std::vector<item_key> unique;
  std::vector<std::size_t> of_input;
};
merged_keys merge_keys(const std::vector<item_key>& keys);

/// The retry_options whose next_delay() gives batch_options' backoff schedule (no attempt limit:
/// the deadline ends it). Unprocessed work is treated as throttling.
retry_options unprocessed_retry_options(const batch_options& options);
/// The error code unprocessed work is reported to retry_state::next_delay as.
error_code unprocessed_error() noexcept;
/// A uniform random number in [0, 1) for full jitter (per-thread generator).
double jitter01();
/// Waits `d` on the current coroutine's executor.
boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds d);

/// Throws ddb::error before anything is sent: client_errc::invalid_argument for an empty key
/// value or one over 2048 (partition) / 1024 (sort) bytes, invalid_utf8 for bad UTF-8.
void check_key(const item_key& k, const char* what);
/// Throws ddb::error(client_errc::invalid_argument) unless `table` is 3 to 255 of a-z A-Z 0-9 _ - .
void check_table(const std::string& table, const char* what);

/// BatchGetItem bookkeeping: chunks of distinct keys, responses mapped back, unprocessed keys
/// queued again (first), the rest given up at the deadline. Keys are checked (check_key).
class batch_get_plan {
public:
  enum class state { pending, in_flight, found, missing, unprocessed };
  /// The keys of one request in flight (several may be out at once).
  using ticket = std::vector<std::size_t>;

  batch_get_plan(const std::vector<item_key>& keys, key_config cfg = {},
                 std::size_t max_keys = batch_get_request::max_keys);

  bool has_pending() const noexcept { return !pending_.empty(); }
  /// The next request: up to max_keys pending keys, now in flight (their indexes in `t`).
  batch_get_request next_request(const std::string& table, const batch_options& options, ticket& t);
  /// Maps the response of ticket `t` to its keys; returns how many were left unprocessed (queued
  /// again, first). Keys of `t` neither returned nor unprocessed are missing.
  std::size_t apply(batch_get_item_response response, const ticket& t);
  /// The request of `t` failed: its keys become pending again.
  void requeue(const ticket& t);
  // One request at a time (the ticket kept inside).
  batch_get_request next_request(const std::string& table, const batch_options& options) {
    in_flight_.clear();
    return next_request(table, options, in_flight_);
  }
  std::size_t apply(batch_get_item_response response) {
    ticket t = std::move(in_flight_);
    in_flight_.clear();
    return apply(std::move(response), t);
  }
  void requeue_in_flight() {
    requeue(in_flight_);
    in_flight_.clear();
  }
  /// The deadline passed (or a request failed): every pending key is unprocessed. Call it when no
  /// request is in flight.
  void give_up();

  const merged_keys& keys() const noexcept { return keys_; }
  state state_of(std::size_t unique_index) const { return state_[unique_index]; }
  /// The item of a found key (unstripped), moved out.
  std::optional<ddb::item> take_item(std::size_t unique_index) { return std::move(items_[unique_index]); }

private:
  merged_keys keys_;
  key_config cfg_;
  std::size_t max_keys_;
  std::map<item_key, std::size_t> index_;
  std::deque<std::size_t> pending_;
  ticket in_flight_;
  std::vector<state> state_;
  std::vector<std::optional<ddb::item>> items_;
};

/// BatchWriteItem bookkeeping. Puts are whole items (key attributes included).
class batch_write_plan {
public:
  /// Throws ddb::error(client_errc::invalid_argument) for a put without string key attributes
  /// or a key both put and deleted; check_key() for every key; validate_item()'s code for a put
  /// it rejects (over 400 KB, empty sets, bad names...).
  batch_write_plan(std::vector<ddb::item> puts, const std::vector<item_key>& deletes, key_config cfg = {},
                   std::size_t max_requests = batch_write_request::max_requests);

  /// The writes of one request in flight.
  using ticket = std::vector<std::size_t>;

  bool has_pending() const noexcept { return !pending_.empty(); }
  /// The number of distinct writes (after merging).
  std::size_t size() const noexcept { return slots_.size(); }
  batch_write_request next_request(const std::string& table, ticket& t);
  /// Returns how many writes of `t` were left unprocessed (queued again, first).
  std::size_t apply(const batch_write_item_response& response, const ticket& t);
  void requeue(const ticket& t);
  // One request at a time (the ticket kept inside).
  batch_write_request next_request(const std::string& table) {
    in_flight_.clear();
    return next_request(table, in_flight_);
  }
  std::size_t apply(const batch_write_item_response& response) {
    ticket t = std::move(in_flight_);
    in_flight_.clear();
    return apply(response, t);
  }
  void requeue_in_flight() {
    requeue(in_flight_);
    in_flight_.clear();
  }
  /// Every pending write is unprocessed (call it when no request is in flight).
  void give_up();

  /// Input indexes of the puts / deletes left at give_up(), in request order.
  const std::vector<std::size_t>& unprocessed_puts() const noexcept { return unprocessed_puts_; }
  const std::vector<std::size_t>& unprocessed_deletes() const noexcept { return unprocessed_deletes_; }
  /// The item of a put (the one that won for its key).
  const ddb::item& put_item(std::size_t input_index) const { return puts_[input_index]; }

private:
  struct slot {
    item_key key;
    bool put;
    std::size_t input; // index into puts or deletes
  };
  std::vector<ddb::item> puts_;
  key_config cfg_;
  std::size_t max_requests_;
  std::vector<slot> slots_;
  std::map<item_key, std::size_t> index_;
  std::deque<std::size_t> pending_;
  ticket in_flight_;
  std::vector<std::size_t> unprocessed_puts_;
  std::vector<std::size_t> unprocessed_deletes_;
};

// ---- the operations on stored keys ------------------------------------------------------------

/// batch_get over item_keys. The result's per-input view: plan.keys().of_input.
struct stored_batch_get {
  merged_keys keys;
  std::vector<std::optional<ddb::item>> items; // per distinct key, stripped
  std::vector<bool> processed;                 // per distinct key
  double consumed_capacity = 0;
};
boost::asio::awaitable<stored_batch_get> batch_get_stored(ddb::client& c, std::string table,
                                                          std::vector<item_key> keys, table_schema schema,
                                                          batch_options options);

struct stored_batch_write {
  std::vector<std::size_t> unprocessed_puts;    // input indexes
  std::vector<std::size_t> unprocessed_deletes; // input indexes
  double consumed_capacity = 0;
};
boost::asio::awaitable<stored_batch_write> batch_write_stored(ddb::client& c, std::string table,
                                                              std::vector<ddb::item> puts,
                                                              std::vector<item_key> deletes,
                                                              table_schema schema, batch_options options);

template <class Key>
batch_get_result<Key> to_typed(const std::vector<Key>& keys, stored_batch_get r) {
  batch_get_result<Key> out;
  std::vector<bool> seen(r.keys.unique.size(), false);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto u = r.keys.of_input[i];
    if (seen[u]) continue;
    seen[u] = true;
    if (r.processed[u])
      out.add(keys[i], std::move(r.items[u]));
    else
      out.add_unprocessed(keys[i]);
  }
  out.set_consumed_capacity(r.consumed_capacity);
  return out;
}

} // namespace detail

/// Reads the items of `keys` (any number; duplicates merged). See the top of this file.
template <typed_item_key Key>
boost::asio::awaitable<batch_get_result<Key>>
batch_get(ddb::client& c, std::string table, std::vector<Key> keys, table_schema schema = table_schema(),
          batch_options options = batch_options()) {
  std::vector<item_key> stored;
  stored.reserve(keys.size());
  for (auto& k : keys) stored.push_back(to_item_key(k));
  auto r = co_await detail::batch_get_stored(c, std::move(table), std::move(stored), std::move(schema),
                                             std::move(options));
  co_return detail::to_typed(keys, std::move(r));
}

/// Writes `puts` (key, attributes without the key) and deletes `deletes`. See the top of this file.
template <typed_item_key Key>
boost::asio::awaitable<batch_write_result<Key>>
batch_write(ddb::client& c, std::string table, std::vector<std::pair<Key, ddb::item>> puts,
            std::vector<Key> deletes, table_schema schema = table_schema(),
            batch_options options = batch_options()) {
  std::vector<ddb::item> items;
  items.reserve(puts.size());
  for (auto& [k, attributes] : puts) items.push_back(with_key(attributes, to_item_key(k), schema.keys()));
  std::vector<item_key> stored;
  stored.reserve(deletes.size());
  for (auto& k : deletes) stored.push_back(to_item_key(k));
  auto r = co_await detail::batch_write_stored(c, std::move(table), std::move(items), std::move(stored),
                                               std::move(schema), std::move(options));
  batch_write_result<Key> out;
  for (auto i : r.unprocessed_puts) out.add_put(std::move(puts[i].first), std::move(puts[i].second));
  for (auto i : r.unprocessed_deletes) out.add_delete(std::move(deletes[i]));
  out.set_consumed_capacity(r.consumed_capacity);
  co_return out;
}

/// Writes whole items (with their key attributes, e.g. from to_item(model)) and deletes keys;
/// leftovers are reported by item_key.
boost::asio::awaitable<batch_write_result<item_key>>
batch_write(ddb::client& c, std::string table, std::vector<ddb::item> puts, std::vector<item_key> deletes,
            table_schema schema = table_schema(), batch_options options = batch_options());

/// Writes models (model.hpp: each as to_item(), with its GSI1PK) and deletes keys (model_key()
/// of a model is one); leftovers are reported by item_key. A model with an unusable key throws
/// ddb::error here, before anything is sent.
template <model T>
boost::asio::awaitable<batch_write_result<item_key>>
batch_write(ddb::client& c, std::string table, const std::vector<T>& models, std::vector<item_key> deletes,
            table_schema schema = table_schema(), batch_options options = batch_options(),
            const model_options& mo = model_options()) {
  std::vector<ddb::item> items;
  items.reserve(models.size());
  for (auto& m : models) items.push_back(to_item(m, mo));
  return batch_write(c, std::move(table), std::move(items), std::move(deletes), std::move(schema),
                     std::move(options));
}

/// batch_get and batch_write for any completion token: all their arguments, then optionally
/// `diagnostics&`, then the token. `void(error_code, batch_get_result<Key>)` /
/// `void(error_code, batch_write_result<Key>)`; the client (and `diag`) must live until the
/// handler runs. Keys and items are moved in at the call.
template <typed_item_key Key, class... A>
auto async_batch_get(ddb::client& c, std::string table, std::vector<Key> keys, table_schema schema,
                     batch_options options, A&&... a) {
  return ddb::detail::async_await(
      c.get_executor(),
      batch_get(c, std::move(table), std::move(keys), std::move(schema), std::move(options)),
      std::forward<A>(a)...);
}
template <typed_item_key Key, class... A>
auto async_batch_write(ddb::client& c, std::string table, std::vector<std::pair<Key, ddb::item>> puts,
                       std::vector<Key> deletes, table_schema schema, batch_options options, A&&... a) {
  return ddb::detail::async_await(c.get_executor(),
                                  batch_write(c, std::move(table), std::move(puts), std::move(deletes),
                                              std::move(schema), std::move(options)),
                                  std::forward<A>(a)...);
}

} // namespace ddb::table
