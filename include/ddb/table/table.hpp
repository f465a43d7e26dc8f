// ddb::table::table: Dokklib-DB's single-table operations as awaitable C++.
//
//     ddb::client c(io.get_executor(), options);
//     ddb::table::table t(c, "app", ddb::table::table_schema().inverse_index());
//     ddb::table::partition_key<User> alice("alice");
//     ddb::table::sort_key<Group> group_1("1");
//     co_await t.insert(alice, group_1);                     // conditional_check_failed if it exists
//     auto item = co_await t.get(alice, group_1);            // optional<item>, keys stripped
//     auto u = ddb::table::update().set("name", "Alice").add("visits", 1);
//     co_await t.update(alice, group_1, u);
//     auto groups = co_await t.query(alice, ddb::table::begins_with(ddb::table::prefix_sort_key<Group>()));
//     auto members = t.query_prefix(ddb::table::partition_key<Group>("2"),
//     ddb::table::prefix_sort_key<User>(),
//                                   ddb::table::query_options().index(ddb::table::table_index::inverse()));
//     while (auto m = co_await members.next()) ...
//
// Every operation has a throwing form (ddb::error) and, where it is cheap, a form that takes
// `(error_code&, diagnostics&)` and never throws ddb::error. Validation happens before anything
// is sent: such errors have `diag.http_status == 0`.
//
// GCC 12 (docs: toolchain notes): never write a braced init-list, an aggregate temporary or a
// capturing lambda inside a co_await expression. Name them first:
//     ddb::item attrs{{"n", 1}};  co_await t.put(pk, sk, attrs);
//
// Differences from Dokklib-DB:
//  - query_prefix follows LastEvaluatedKey across pages (Dokklib returned the first 1 MB page
//    only, silently) and is an async generator; query() collects every page (up to `limit`).
//  - Only key attributes are stripped of their entity prefix (strip.hpp).
//  - Dokklib's queries projected the index sort key only (hence `[{'SK': '1'}]`); ddb returns
//    whole items unless asked: query_options::project_sort_key() gives Dokklib's output.
//  - The CreatedAt/UpdatedAt timestamps are off by default (table_options::timestamps()).
//  - Attributes given to put()/insert() must not hold the table's key attributes (Dokklib
//    silently overwrote them): client_errc::invalid_argument.
#pragma once

#include <ddb/async.hpp>
#include <ddb/client.hpp>
#include <ddb/diagnostics.hpp>
#include <ddb/error_code.hpp>
#include <ddb/expr/condition.hpp>
#include <ddb/pager.hpp>
#include <ddb/table/index.hpp>
#include <ddb/table/keys.hpp>
#include <ddb/table/model.hpp>
#include <ddb/table/update_expression.hpp>
#include <ddb/value.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddb::table {

// ---------------------------------------------------------------------------------------------
// Validation and timestamps

/// DynamoDB's item size limit: 400 KB.
inline constexpr std::size_t max_item_bytes = 400 * 1024;

/// An upper bound of DynamoDB's size of an attribute value, in bytes: strings and binaries their
/// length (UTF-8 bytes), numbers 1 + ceil(digits / 2) counting every digit of the text (DynamoDB
/// trims leading and trailing zeros, so this is conservative), BOOL and NULL 1, lists and maps 3
/// plus 1 per element plus the elements (map member names count their bytes), sets the sum of
/// their elements. DynamoDB's own accounting may be a few bytes smaller; never larger.
std::size_t value_size(const ddb::value& v) noexcept;
/// The size of an item as DynamoDB counts it: every attribute name's bytes plus value_size().
std::size_t item_size(const ddb::item& item) noexcept;

/// Checks an item (or a set of attributes) before sending: names not empty, valid UTF-8 and at
/// most 64 KB; strings valid UTF-8; numbers valid DynamoDB numbers; sets not empty; the whole
/// item within max_item_bytes. On failure returns the code and puts the reason in `why`.
error_code validate_item(const ddb::item& item, std::string& why);

/// Dokklib's timestamp text: UTC, ISO 8601, seconds, no zone (`2020-02-15T19:09:38`), as Python's
/// `datetime.utcnow().replace(microsecond=0).isoformat()`.
std::string format_timestamp(std::chrono::system_clock::time_point t);

// ---------------------------------------------------------------------------------------------
// Options

/// How a table is used.
class table_options {
public:
  table_options() = default;

  /// Sets Dokklib's `CreatedAt` on put()/insert() and `UpdatedAt` on update() (format_timestamp).
  table_options& timestamps(bool on = true) {
    timestamps_ = on;
    return *this;
  }
  /// The clock for timestamps (tests); the system clock by default.
  table_options& clock(std::function<std::chrono::system_clock::time_point()> now) {
    clock_ = std::move(now);
    return *this;
  }
  bool timestamps_on() const noexcept { return timestamps_; }
  std::chrono::system_clock::time_point now() const {
    return clock_ ? clock_() : std::chrono::system_clock::now();
  }

private:
  bool timestamps_ = false;
  std::function<std::chrono::system_clock::time_point()> clock_;
};

/// Options of get().
class get_options {
public:
  get_options() = default;
  /// Only these attributes (names are placeholdered, so reserved words are fine).
  get_options& projection(std::vector<std::string> attributes) {
    projection_ = std::move(attributes);
    return *this;
  }
  get_options& consistent_read(bool on = true) {
    consistent_ = on;
    return *this;
  }
  const std::vector<std::string>& projection() const noexcept { return projection_; }
  bool consistent() const noexcept { return consistent_; }

private:
  std::vector<std::string> projection_;
  bool consistent_ = false;
};

/// Where a query_prefix() stream stopped: the key of the last item it returned. Opaque; it
/// round-trips through str()/parse() (for an API's `next` token). An empty cursor means "from
/// the beginning". Only valid with the same query (index, partition key, condition, order).
class cursor {
public:
  cursor() = default;
  explicit cursor(ddb::item key) : key_(std::move(key)) {}

  /// The ExclusiveStartKey this cursor stands for (empty: from the beginning).
  const ddb::item& key() const noexcept { return key_; }
  bool empty() const noexcept { return key_.empty(); }

  /// A printable token (`c1.` + base64); key attributes must be strings (single-table keys are).
  std::string str() const;
  /// Reads str()'s output; client_errc::invalid_argument for anything else.
  static std::optional<cursor> parse(std::string_view text, error_code& ec);
  static cursor parse(std::string_view text);

  friend bool operator==(const cursor&, const cursor&) = default;

private:
  ddb::item key_;
};

/// Options of query() and query_prefix().
class query_options {
public:
  query_options() = default;

  /// The index to query (default: the primary index). On the inverse index the partition key
  /// is matched against SK and the sort condition against PK.
  query_options& index(table_index i) {
    index_ = std::move(i);
    return *this;
  }
  /// Descending sort key order (ScanIndexForward=false).
  query_options& reverse(bool on = true) {
    reverse_ = on;
    return *this;
  }
  /// Only these attributes (placeholdered). The stream still reads the key attributes it needs
  /// for its cursor and drops them from the items if they were not asked for.
  query_options& projection(std::vector<std::string> attributes) {
    projection_ = std::move(attributes);
    project_sort_key_ = false;
    return *this;
  }
  /// Dokklib's default: only the queried index's sort key attribute (`[{'SK': '1'}]`).
  query_options& project_sort_key() {
    projection_.clear();
    project_sort_key_ = true;
    return *this;
  }
  /// The most items in total, across pages (0: all).
  query_options& limit(std::size_t n) {
    limit_ = n;
    return *this;
  }
  /// DynamoDB's Limit per request (0: up to 1 MB per page). Small pages mean more requests.
  query_options& page_size(std::int32_t n) {
    page_size_ = n;
    return *this;
  }
  query_options& consistent_read(bool on = true) {
    consistent_ = on;
    return *this;
  }
  /// Start after the item a previous stream's cursor() points at.
  query_options& start_from(ddb::table::cursor c) {
    start_ = std::move(c);
    return *this;
  }
  /// Pages fetched ahead while the caller works on the current one (0 or 1).
  query_options& prefetch(unsigned n) {
    prefetch_ = n;
    return *this;
  }
  /// FilterExpression (expr/condition.hpp): DynamoDB drops the items that fail it after reading
  /// them (they still cost read capacity, and page_size() counts them); limit() counts the items
  /// that pass.
  query_options& filter(expr::condition c) {
    filter_ = std::move(c);
    return *this;
  }

  const std::optional<table_index>& index() const noexcept { return index_; }
  bool reversed() const noexcept { return reverse_; }
  const std::vector<std::string>& projection() const noexcept { return projection_; }
  bool sort_key_only() const noexcept { return project_sort_key_; }
  std::size_t limit() const noexcept { return limit_; }
  std::int32_t page_size() const noexcept { return page_size_; }
  bool consistent() const noexcept { return consistent_; }
  const ddb::table::cursor& start_from() const noexcept { return start_; }
  unsigned prefetch() const noexcept { return prefetch_; }
  const expr::condition& filter() const noexcept { return filter_; }

private:
  std::optional<table_index> index_;
  bool reverse_ = false;
  std::vector<std::string> projection_;
  bool project_sort_key_ = false;
  std::size_t limit_ = 0;
  std::int32_t page_size_ = 0;
  bool consistent_ = false;
  ddb::table::cursor start_;
  unsigned prefetch_ = 1;
  expr::condition filter_;
};

// ---------------------------------------------------------------------------------------------
// Sort key conditions

/// The sort key part of a query's key condition. Make one with the functions below; the key
/// texts are the encoded keys (`GROUP#1`), compared with the queried index's sort key.
class sort_condition {
public:
  enum class op { any, equal, less, less_equal, greater, greater_equal, between, begins_with };

  /// No condition on the sort key: the whole partition.
  sort_condition() = default;
  sort_condition(op o, std::string a, std::string b = {}) : op_(o), a_(std::move(a)), b_(std::move(b)) {}

  op kind() const noexcept { return op_; }
  const std::string& first() const noexcept { return a_; }
  const std::string& second() const noexcept { return b_; }

private:
  op op_ = op::any;
  std::string a_, b_;
};

/// A sort key or a prefix key (comparisons accept both: `> GROUP#` is every group).
template <class K>
concept any_sort_or_prefix_key = any_sort_key<K> || any_prefix_key<K>;

/// begins_with(SK, prefix): `begins_with(prefix_sort_key<Group>())` is every group.
template <any_prefix_key P>
sort_condition begins_with(const P& prefix) {
  return sort_condition(sort_condition::op::begins_with, prefix.str());
}
/// SK BETWEEN low AND high (both inclusive), keys of one entity.
template <entity E>
sort_condition between(const sort_key<E>& low, const sort_key<E>& high) {
  return sort_condition(sort_condition::op::between, low.str(), high.str());
}
template <any_sort_or_prefix_key K>
sort_condition equal(const K& k) {
  return sort_condition(sort_condition::op::equal, k.str());
}
template <any_sort_or_prefix_key K>
sort_condition less(const K& k) {
  return sort_condition(sort_condition::op::less, k.str());
}
template <any_sort_or_prefix_key K>
sort_condition less_equal(const K& k) {
  return sort_condition(sort_condition::op::less_equal, k.str());
}
template <any_sort_or_prefix_key K>
sort_condition greater(const K& k) {
  return sort_condition(sort_condition::op::greater, k.str());
}
template <any_sort_or_prefix_key K>
sort_condition greater_equal(const K& k) {
  return sort_condition(sort_condition::op::greater_equal, k.str());
}

// ---------------------------------------------------------------------------------------------
// The stream of a query

/// The items of a query, fetched lazily page by page (an async generator).
///
///     auto items = t.query_prefix(pk, prefix);
///     while (std::optional<ddb::item> it = co_await items.next()) ...
///     auto where = items.cursor();   // to resume later (nullopt: nothing left)
///
/// next() returns owning items (key attributes stripped, so a copy is made anyway; for zero-copy
/// reading of raw pages use client::query_pages()). With prefetch (the default) the next page is
/// requested as soon as a page arrives, so it downloads while the caller works. It follows
/// LastEvaluatedKey to the end (Dokklib stopped silently after the first 1 MB page) or to
/// query_options::limit items.
///
/// Cancellation: next() honours the awaiting coroutine's cancellation slot (e.g. `||` with a
/// timer), failing with operation_aborted; destroying the stream cancels a request in flight.
/// After an error or a cancellation, cursor() still tells where to resume. Not thread-safe: use
/// it on the client's executor. The client must outlive the stream.
class item_stream {
public:
  item_stream(item_stream&&) noexcept;
  item_stream& operator=(item_stream&&) noexcept;
  ~item_stream();

  /// The next item, or nullopt at the end. Throws ddb::error.
  boost::asio::awaitable<std::optional<ddb::item>> next();
  /// The next item, or nullopt at the end or on error (`ec` says which).
  boost::asio::awaitable<std::optional<ddb::item>> next(error_code& ec, diagnostics& diag);
  /// next() for any completion token, `void(error_code, std::optional<ddb::item>)`. The stream,
  /// and `diag`, must live until the handler runs; one call at a time.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, std::optional<ddb::item>)) Token = default_token>
  auto async_next(diagnostics& diag, Token&& token = {}) {
    return ddb::detail::async_run<std::optional<ddb::item>>(get_executor(), std::forward<Token>(token),
                                                            [this, d = &diag] { return next_tuple(d); });
  }
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, std::optional<ddb::item>)) Token = default_token>
  auto async_next(Token&& token = {}) {
    return ddb::detail::async_run<std::optional<ddb::item>>(get_executor(), std::forward<Token>(token),
                                                            [this] { return next_tuple(nullptr); });
  }
  /// The client's executor, where the pages are fetched.
  boost::asio::any_io_executor get_executor() const noexcept;

  /// Where a new stream (query_options::start_from) would continue after the items returned so
  /// far; nullopt when there is nothing left.
  std::optional<ddb::table::cursor> cursor() const;
  /// Items returned so far.
  std::size_t count() const noexcept;
  /// CapacityUnits of the pages fetched so far (pager::consumed_capacity); the requests'
  /// operation_events name the call "table.query".
  double consumed_capacity() const noexcept;

  struct state;

private:
  friend class table;
  explicit item_stream(std::unique_ptr<state> s) noexcept;
  boost::asio::awaitable<std::tuple<error_code, std::optional<ddb::item>>> next_tuple(diagnostics* diag);
  std::unique_ptr<state> s_;
};

// ---------------------------------------------------------------------------------------------
// Models (model.hpp) through the table

namespace detail {

/// A model turned into what a request needs, or why it cannot be: made at the call, reported
/// by the operation (so the (ec, diag) forms never throw and a deferred call fails when run).
struct prepared_model {
  prepared_model() = default;
  std::string pk, sk;
  ddb::item item; // the whole item (puts only)
  error_code ec;
  std::string why;
};

template <model T>
prepared_model prepare_key(const T& m, const model_options& o) {
  prepared_model p;
  try {
    p.pk = model_partition_key(m, o.keys());
    p.sk = model_sort_key(m, o.keys());
  } catch (const ddb::error& e) {
    p.ec = e.code();
    p.why = e.diag().message;
  }
  return p;
}

template <model T>
prepared_model prepare_item(const T& m, const model_options& o) {
  prepared_model p;
  try {
    p.item = to_item(m, o);
  } catch (const ddb::error& e) {
    p.ec = e.code();
    p.why = e.diag().message;
  }
  return p;
}

/// The key attributes of `item` as text, for messages: `PK=T#tenant-2#Integrations SK=I#INT0001`.
std::string describe_key(const ddb::item& item, const table_schema& schema);

/// from_item<T> whose failure names the item: `ec` set, diag.message with the attribute path and
/// the item's key, diag.conversion_key the key attributes.
template <described T>
std::optional<T> read_model(const ddb::item& item, const table_schema& schema, error_code& ec,
                            diagnostics& diag) {
  try {
    return from_item<T>(item);
  } catch (const ddb::error& e) {
    diag.clear();
    ec = e.code();
    diag.message = e.diag().message + " (in the item " + describe_key(item, schema) + ")";
    ddb::item key;
    for (auto& a : schema.key_attributes())
      if (auto f = item.find(a); f != item.end()) key.emplace(a, f->second);
    diag.conversion_key = std::move(key);
    return std::nullopt;
  }
}

} // namespace detail

/// The models of a query, read lazily page by page: item_stream's items read as `T`.
/// A conversion failure (an item of another shape in the partition) fails that next() with the
/// conversion's code (client_errc::wrong_type, ...) and diag.conversion_key; the stream has
/// moved past that item, so next() goes on with the one after it and cursor() resumes after it.
template <described T>
class model_stream {
public:
  model_stream(item_stream items, table_schema schema)
      : items_(std::move(items)), schema_(std::move(schema)) {}

  /// The next model, or nullopt at the end. Throws ddb::error.
  boost::asio::awaitable<std::optional<T>> next() {
    error_code ec;
    diagnostics diag;
    auto out = co_await next(ec, diag);
    throw_if(ec, diag);
    co_return out;
  }
  /// The next model, or nullopt at the end or on error (`ec` says which).
  boost::asio::awaitable<std::optional<T>> next(error_code& ec, diagnostics& diag) {
    auto it = co_await items_.next(ec, diag);
    if (ec || !it) co_return std::nullopt;
    co_return detail::read_model<T>(*it, schema_, ec, diag);
  }
  /// next() for any completion token: `void(error_code, std::optional<T>)`; `(diag, token)` too.
  template <class... A>
  auto async_next(A&&... a) {
    return ddb::detail::async_await(get_executor(), next(), std::forward<A>(a)...);
  }

  boost::asio::any_io_executor get_executor() const noexcept { return items_.get_executor(); }
  std::optional<ddb::table::cursor> cursor() const { return items_.cursor(); }
  std::size_t count() const noexcept { return items_.count(); }
  double consumed_capacity() const noexcept { return items_.consumed_capacity(); }

private:
  item_stream items_;
  table_schema schema_;
};

// ---------------------------------------------------------------------------------------------
// The table

/// One single table, used through a client (which must outlive it and every stream it makes).
class table {
public:
  /// The table called `name`, or (empty name) the one table_name.hpp resolves: the innermost
  /// table_name_scope, else $DB_TABLE_NAME. Throws ddb::error(invalid_config) if none is usable.
  table(ddb::client& c, std::string name, table_schema schema = table_schema().inverse_index(),
        table_options options = {});
  /// The table named by table_name_scope / $DB_TABLE_NAME.
  explicit table(ddb::client& c, table_schema schema = table_schema().inverse_index(),
                 table_options options = {});

  const std::string& name() const noexcept { return name_; }
  const table_schema& schema() const noexcept { return schema_; }
  ddb::client& client() const noexcept { return *client_; }

  /// PutItem that fails with service_errc::conditional_check_failed when the item exists.
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> insert(const P& pk, const S& sk, ddb::item attributes = {}) {
    return put_raw(pk.str(), sk.str(), std::move(attributes), false);
  }
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> insert(const P& pk, const S& sk, ddb::item attributes, error_code& ec,
                                      diagnostics& diag) {
    return put_raw(pk.str(), sk.str(), std::move(attributes), false, ec, diag);
  }

  /// PutItem: creates or replaces the item (overwrite = false: like insert()).
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> put(const P& pk, const S& sk, ddb::item attributes, bool overwrite = true) {
    return put_raw(pk.str(), sk.str(), std::move(attributes), overwrite);
  }
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> put(const P& pk, const S& sk, ddb::item attributes, bool overwrite,
                                   error_code& ec, diagnostics& diag) {
    return put_raw(pk.str(), sk.str(), std::move(attributes), overwrite, ec, diag);
  }
  /// PutItem that creates the item, or replaces it only when `when` holds on the stored item
  /// (else conditional_check_failed): `attr("version") == 3`.
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> put(const P& pk, const S& sk, ddb::item attributes, expr::condition when) {
    return put_raw(pk.str(), sk.str(), std::move(attributes), true, std::move(when));
  }
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> put(const P& pk, const S& sk, ddb::item attributes, expr::condition when,
                                   error_code& ec, diagnostics& diag) {
    return put_raw(pk.str(), sk.str(), std::move(attributes), true, std::move(when), ec, diag);
  }

  /// GetItem: the item with its key attributes stripped, or nullopt when there is none.
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<std::optional<ddb::item>> get(const P& pk, const S& sk, get_options options = {}) {
    return get_raw(pk.str(), sk.str(), std::move(options));
  }
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<std::optional<ddb::item>> get(const P& pk, const S& sk, get_options options,
                                                       error_code& ec, diagnostics& diag) {
    return get_raw(pk.str(), sk.str(), std::move(options), ec, diag);
  }

  /// UpdateItem (creating the item unless update_expression::condition_exists()). Returns the
  /// item after the update (stripped) with update_expression::return_new(), else nullopt.
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<std::optional<ddb::item>> update(const P& pk, const S& sk, update_expression u) {
    return update_raw(pk.str(), sk.str(), std::move(u));
  }
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<std::optional<ddb::item>> update(const P& pk, const S& sk, update_expression u,
                                                          error_code& ec, diagnostics& diag) {
    return update_raw(pk.str(), sk.str(), std::move(u), ec, diag);
  }

  /// DeleteItem; deleting a missing item is fine.
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> remove(const P& pk, const S& sk) {
    return remove_raw(pk.str(), sk.str(), false);
  }
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> remove(const P& pk, const S& sk, error_code& ec, diagnostics& diag) {
    return remove_raw(pk.str(), sk.str(), false, ec, diag);
  }
  /// DeleteItem that fails with service_errc::conditional_check_failed when the item is missing.
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> remove_strict(const P& pk, const S& sk) {
    return remove_raw(pk.str(), sk.str(), true);
  }
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> remove_strict(const P& pk, const S& sk, error_code& ec, diagnostics& diag) {
    return remove_raw(pk.str(), sk.str(), true, ec, diag);
  }
  /// DeleteItem only when `when` holds on the stored item (else conditional_check_failed; a
  /// missing item fails any condition but attribute_not_exists).
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> remove(const P& pk, const S& sk, expr::condition when) {
    return remove_raw(pk.str(), sk.str(), false, std::move(when));
  }
  template <any_partition_key P, any_sort_key S>
  boost::asio::awaitable<void> remove(const P& pk, const S& sk, expr::condition when, error_code& ec,
                                      diagnostics& diag) {
    return remove_raw(pk.str(), sk.str(), false, std::move(when), ec, diag);
  }

  /// The items of partition `pk` (of the index in `options`) matching `condition`, every page
  /// up to options.limit() items, keys stripped.
  template <any_partition_key P>
  boost::asio::awaitable<std::vector<ddb::item>> query(const P& pk, sort_condition condition = {},
                                                       query_options options = {}) {
    return query_raw(pk.str(), std::move(condition), std::move(options));
  }
  template <any_partition_key P>
  boost::asio::awaitable<std::vector<ddb::item>>
  query(const P& pk, sort_condition condition, query_options options, error_code& ec, diagnostics& diag) {
    return query_raw(pk.str(), std::move(condition), std::move(options), ec, diag);
  }

  /// The items whose sort key begins with `prefix`, as a stream (item_stream). Nothing is sent
  /// before the first next().
  template <any_partition_key P, any_prefix_key K>
  item_stream query_prefix(const P& pk, const K& prefix, query_options options = {}) {
    return stream(pk.str(), begins_with(prefix), std::move(options));
  }
  /// Any sort condition, as a stream.
  template <any_partition_key P>
  item_stream query_stream(const P& pk, sort_condition condition, query_options options = {}) {
    return stream(pk.str(), std::move(condition), std::move(options));
  }

  // ---- Models: whole items whose keys come from their fields (model.hpp) ----------------------
  //
  //     Integration integ = ...;
  //     co_await t.put(integ);                               // PK, SK, GSI1PK and every member
  //     std::optional<Integration> back = co_await t.get(probe);   // probe: the key fields set
  //     auto all = co_await t.query(probe);                  // every model in probe's partition
  //     auto s = t.query_stream(probe, {}, ddb::table::query_options().index(gsi1));
  //
  // Keys and items are made at the call; a model whose key fields are unset or invalid fails the
  // operation with client_errc::invalid_argument before anything is sent. Reading an item of
  // another shape fails with its conversion code and diag.conversion_key (the item's key).
  // The GSI1 partition attribute is the one of the schema's index named `GSI1` (else `GSI1PK`).

  /// PutItem of a model, creating or replacing it (overwrite = false: fails with
  /// conditional_check_failed when it exists).
  template <model T>
  boost::asio::awaitable<void> put(const T& m, bool overwrite = true) {
    return put_model(detail::prepare_item(m, model_opts()), overwrite);
  }
  template <model T>
  boost::asio::awaitable<void> put(const T& m, bool overwrite, error_code& ec, diagnostics& diag) {
    return put_model(detail::prepare_item(m, model_opts()), overwrite, {}, ec, diag);
  }
  /// PutItem of a model that creates it, or replaces it only when `when` holds on the stored item.
  template <model T>
  boost::asio::awaitable<void> put(const T& m, expr::condition when) {
    return put_model(detail::prepare_item(m, model_opts()), true, std::move(when));
  }
  template <model T>
  boost::asio::awaitable<void> put(const T& m, expr::condition when, error_code& ec, diagnostics& diag) {
    return put_model(detail::prepare_item(m, model_opts()), true, std::move(when), ec, diag);
  }
  /// put(m, false).
  template <model T>
  boost::asio::awaitable<void> insert(const T& m) {
    return put_model(detail::prepare_item(m, model_opts()), false);
  }
  /// GetItem of the model whose key fields `probe` holds (other members are ignored): nullopt
  /// when there is none.
  template <model T>
  boost::asio::awaitable<std::optional<T>> get(const T& probe, get_options options = {}) {
    return get_model<T>(detail::prepare_key(probe, model_opts()), std::move(options));
  }
  template <model T>
  boost::asio::awaitable<std::optional<T>> get(const T& probe, get_options options, error_code& ec,
                                               diagnostics& diag) {
    return get_model<T>(detail::prepare_key(probe, model_opts()), std::move(options), ec, diag);
  }
  /// GetItem of a stored key read as T: `t.get<Integration>(key)`.
  template <model T>
  boost::asio::awaitable<std::optional<T>> get(const item_key& key, get_options options = {}) {
    detail::prepared_model p;
    p.pk = key.partition();
    p.sk = key.sort();
    return get_model<T>(std::move(p), std::move(options));
  }
  /// DeleteItem of the model whose key fields `probe` holds.
  template <model T>
  boost::asio::awaitable<void> remove(const T& probe) {
    return remove_model(detail::prepare_key(probe, model_opts()));
  }
  /// The models in the partition of `probe` (its partition fields; with options.index() on the
  /// GSI1 index, its gsi1 fields), matching `condition` (sort keys as stored: `I#INT0001`).
  template <model T>
  model_stream<T> query_stream(const T& probe, sort_condition condition = {}, query_options options = {}) {
    auto key = model_query_key(probe, options); // before `options` is moved from
    return model_stream<T>(stream_whole(std::move(key), std::move(condition), std::move(options)), schema_);
  }
  /// query_stream() collected: every model (up to options.limit()).
  template <model T>
  boost::asio::awaitable<std::vector<T>> query(const T& probe, sort_condition condition = {},
                                               query_options options = {}) {
    return collect(query_stream(probe, std::move(condition), std::move(options)));
  }
  /// The model_options this table writes models with (its key_config, its GSI1 attribute).
  model_options model_opts() const;

  // The async_* forms, for any completion token: the co_await form's arguments (all of them),
  // then optionally `diagnostics&` (filled on failure), then the token (default_token when
  // none). Completion: `void(error_code)` for insert, put and the removes, `void(error_code, R)`
  // for the others, R the co_await form's result. The keys and arguments are copied at the call;
  // the table (and `diag`) must live until the handler runs. Runs on the client's executor;
  // cancellation as for the client's async_* forms.
  //
  //     t.async_get(alice, group_1, {}, [](ddb::error_code ec, std::optional<ddb::item> it) {...});
  //     auto [ec] = co_await t.async_insert(alice, group_1, attrs, diag, as_tuple(use_awaitable));
  template <any_partition_key P, any_sort_key S, class... A>
  auto async_insert(const P& pk, const S& sk, ddb::item attributes, A&&... a) {
    return ddb::detail::async_await(client_->get_executor(), insert(pk, sk, std::move(attributes)),
                                    std::forward<A>(a)...);
  }
  /// PutItem creating or replacing the item (put() with overwrite = true).
  template <any_partition_key P, any_sort_key S, class... A>
  auto async_put(const P& pk, const S& sk, ddb::item attributes, A&&... a) {
    return ddb::detail::async_await(client_->get_executor(), put(pk, sk, std::move(attributes)),
                                    std::forward<A>(a)...);
  }
  template <any_partition_key P, any_sort_key S, class... A>
  auto async_get(const P& pk, const S& sk, get_options options, A&&... a) {
    return ddb::detail::async_await(client_->get_executor(), get(pk, sk, std::move(options)),
                                    std::forward<A>(a)...);
  }
  template <any_partition_key P, any_sort_key S, class... A>
  auto async_update(const P& pk, const S& sk, update_expression u, A&&... a) {
    return ddb::detail::async_await(client_->get_executor(), update(pk, sk, std::move(u)),
                                    std::forward<A>(a)...);
  }
  template <any_partition_key P, any_sort_key S, class... A>
  auto async_remove(const P& pk, const S& sk, A&&... a) {
    return ddb::detail::async_await(client_->get_executor(), remove(pk, sk), std::forward<A>(a)...);
  }
  template <any_partition_key P, any_sort_key S, class... A>
  auto async_remove_strict(const P& pk, const S& sk, A&&... a) {
    return ddb::detail::async_await(client_->get_executor(), remove_strict(pk, sk), std::forward<A>(a)...);
  }
  template <any_partition_key P, class... A>
  auto async_query(const P& pk, sort_condition condition, query_options options, A&&... a) {
    return ddb::detail::async_await(
        client_->get_executor(), query(pk, std::move(condition), std::move(options)), std::forward<A>(a)...);
  }

  // The same operations on encoded keys (`USER#alice`), for code generic over entities.
  // `when`: a condition on the stored item, ANDed with overwrite = false's attribute_not_exists.
  boost::asio::awaitable<void> put_raw(std::string pk, std::string sk, ddb::item attributes, bool overwrite,
                                       expr::condition when = {});
  boost::asio::awaitable<void> put_raw(std::string pk, std::string sk, ddb::item attributes, bool overwrite,
                                       error_code& ec, diagnostics& diag);
  boost::asio::awaitable<void> put_raw(std::string pk, std::string sk, ddb::item attributes, bool overwrite,
                                       expr::condition when, error_code& ec, diagnostics& diag);
  boost::asio::awaitable<std::optional<ddb::item>> get_raw(std::string pk, std::string sk,
                                                           get_options options);
  boost::asio::awaitable<std::optional<ddb::item>>
  get_raw(std::string pk, std::string sk, get_options options, error_code& ec, diagnostics& diag);
  boost::asio::awaitable<std::optional<ddb::item>> update_raw(std::string pk, std::string sk,
                                                              update_expression u);
  boost::asio::awaitable<std::optional<ddb::item>>
  update_raw(std::string pk, std::string sk, update_expression u, error_code& ec, diagnostics& diag);
  boost::asio::awaitable<void> remove_raw(std::string pk, std::string sk, bool strict,
                                          expr::condition when = {});
  boost::asio::awaitable<void> remove_raw(std::string pk, std::string sk, bool strict, error_code& ec,
                                          diagnostics& diag);
  boost::asio::awaitable<void> remove_raw(std::string pk, std::string sk, bool strict, expr::condition when,
                                          error_code& ec, diagnostics& diag);
  boost::asio::awaitable<std::vector<ddb::item>> query_raw(std::string pk, sort_condition condition,
                                                           query_options options);
  boost::asio::awaitable<std::vector<ddb::item>> query_raw(std::string pk, sort_condition condition,
                                                           query_options options, error_code& ec,
                                                           diagnostics& diag);
  item_stream stream(std::string pk, sort_condition condition, query_options options);

private:
  // Models: compiled cores over whole items (keys not stripped).
  boost::asio::awaitable<void> put_model(detail::prepared_model p, bool overwrite, expr::condition when = {});
  boost::asio::awaitable<void> put_model(detail::prepared_model p, bool overwrite, expr::condition when,
                                         error_code& ec, diagnostics& diag);
  boost::asio::awaitable<void> remove_model(detail::prepared_model p);
  boost::asio::awaitable<std::optional<ddb::item>> get_whole(detail::prepared_model p, get_options options,
                                                             error_code& ec, diagnostics& diag);
  item_stream stream_whole(detail::prepared_model pk, sort_condition condition, query_options options);
  item_stream stream_impl(std::string pk, sort_condition condition, query_options options, bool strip);

  template <model T>
  detail::prepared_model model_query_key(const T& probe, const query_options& options) const {
    auto opts = model_opts();
    detail::prepared_model p;
    try {
      if (options.index() && options.index()->partition_key() == opts.gsi1_partition_key()) {
        p.pk = model_gsi1_partition_key(probe, opts.keys()).value_or(std::string());
        if (p.pk.empty()) p.why = "the model's gsi1 fields are not set";
      } else {
        p.pk = model_partition_key(probe, opts.keys());
      }
    } catch (const ddb::error& e) {
      p.why = e.diag().message;
    }
    if (!p.why.empty()) p.ec = client_errc::invalid_argument;
    return p;
  }
  template <described T>
  boost::asio::awaitable<std::optional<T>> get_model(detail::prepared_model p, get_options options) {
    error_code ec;
    diagnostics diag;
    auto out = co_await get_model<T>(std::move(p), std::move(options), ec, diag);
    throw_if(ec, diag);
    co_return out;
  }
  template <described T>
  boost::asio::awaitable<std::optional<T>> get_model(detail::prepared_model p, get_options options,
                                                     error_code& ec, diagnostics& diag) {
    auto it = co_await get_whole(std::move(p), std::move(options), ec, diag);
    if (ec || !it) co_return std::nullopt;
    co_return detail::read_model<T>(*it, schema_, ec, diag);
  }
  template <described T>
  static boost::asio::awaitable<std::vector<T>> collect(model_stream<T> s) {
    std::vector<T> out;
    while (auto m = co_await s.next()) out.push_back(std::move(*m));
    co_return out;
  }

  ddb::client* client_;
  std::string name_;
  table_schema schema_;
  table_options options_;
};

} // namespace ddb::table
