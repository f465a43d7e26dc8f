// ddb::table::table: the single-table operations (include/ddb/table/table.hpp).
#include <ddb/error.hpp>
#include <ddb/table/strip.hpp>
#include <ddb/table/table.hpp>
#include <ddb/table/table_name.hpp>

#include "base64.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

namespace asio = boost::asio;

namespace ddb::table {

// ---------------------------------------------------------------------------------------------
// Sizes and validation

namespace {

std::size_t number_size(std::string_view text) noexcept {
  std::size_t digits = 0;
  for (char c : text) {
    if (c == 'e' || c == 'E') break;
    if (c >= '0' && c <= '9') ++digits;
  }
  return 1 + (digits + 1) / 2;
}

constexpr std::size_t max_name_bytes = 65535;

error_code check_value(const ddb::value& v, std::string& why) {
  switch (v.type()) {
  case value_type::string:
    if (!is_valid_utf8(v.as_string()))
      return why = "a string value is not valid UTF-8", client_errc::invalid_utf8;
    return {};
  case value_type::number:
    if (auto ec = validate_number(v.as_number().text())) return why = "an invalid number", ec;
    return {};
  case value_type::list:
    for (auto& e : v.as_list())
      if (auto ec = check_value(e, why)) return ec;
    return {};
  case value_type::map:
    for (auto& [n, e] : v.as_map()) {
      if (!is_valid_utf8(n)) return why = "a map member name is not valid UTF-8", client_errc::invalid_utf8;
      if (auto ec = check_value(e, why)) return ec;
    }
    return {};
  case value_type::string_set:
    if (v.as_string_set().empty()) return why = "an empty string set", client_errc::empty_set;
    for (auto& e : v.as_string_set())
      if (!is_valid_utf8(e)) return why = "a set element is not valid UTF-8", client_errc::invalid_utf8;
    return {};
  case value_type::number_set:
    if (v.as_number_set().empty()) return why = "an empty number set", client_errc::empty_set;
    for (auto& e : v.as_number_set())
      if (auto ec = validate_number(e.text())) return why = "an invalid number in a set", ec;
    return {};
  case value_type::binary_set:
    if (v.as_binary_set().empty()) return why = "an empty binary set", client_errc::empty_set;
    return {};
  default:
    return {};
  }
}

error_code check_name(std::string_view name, std::string& why) {
  if (name.empty()) return why = "an empty attribute name", client_errc::invalid_argument;
  if (name.size() > max_name_bytes)
    return why = "an attribute name over 64 KB", client_errc::invalid_argument;
  if (!is_valid_utf8(name)) return why = "an attribute name is not valid UTF-8", client_errc::invalid_utf8;
  return {};
}

/// Sets `ec` and the diagnostics of an error found before sending.
void local_error(error_code e, std::string why, error_code& ec, diagnostics& diag) {
  diag.clear();
  diag.message = std::move(why);
  ec = e;
}

/// Raw keys must not be empty and must be within DynamoDB's limits.
bool bad_keys(const std::string& pk, const std::string& sk, error_code& ec, diagnostics& diag) {
  if (pk.empty() || sk.empty())
    return local_error(client_errc::invalid_argument, "an empty key", ec, diag), true;
  if (pk.size() > max_partition_key_bytes || sk.size() > max_sort_key_bytes)
    return local_error(client_errc::invalid_argument, "a key over DynamoDB's size limit", ec, diag), true;
  if (!is_valid_utf8(pk) || !is_valid_utf8(sk))
    return local_error(client_errc::invalid_utf8, "a key is not valid UTF-8", ec, diag), true;
  return false;
}

} // namespace

std::size_t value_size(const ddb::value& v) noexcept {
  switch (v.type()) {
  case value_type::string:
    return v.if_<std::string>()->size();
  case value_type::number:
    return number_size(v.if_<number>()->text());
  case value_type::binary:
    return v.if_<bytes>()->size();
  case value_type::boolean:
  case value_type::null:
    return 1;
  case value_type::list: {
    std::size_t n = 3;
    for (auto& e : *v.if_<list>()) n += 1 + value_size(e);
    return n;
  }
  case value_type::map: {
    std::size_t n = 3;
    for (auto& [name, e] : *v.if_<item>()) n += 1 + name.size() + value_size(e);
    return n;
  }
  case value_type::string_set: {
    std::size_t n = 0;
    for (auto& e : *v.if_<string_set>()) n += e.size();
    return n;
  }
  case value_type::number_set: {
    std::size_t n = 0;
    for (auto& e : *v.if_<number_set>()) n += number_size(e.text());
    return n;
  }
  case value_type::binary_set: {
    std::size_t n = 0;
    for (auto& e : *v.if_<binary_set>()) n += e.size();
    return n;
  }
  }
  return 0;
}

std::size_t item_size(const ddb::item& item) noexcept {
  std::size_t n = 0;
  for (auto& [name, v] : item) n += name.size() + value_size(v);
  return n;
}

error_code validate_item(const ddb::item& item, std::string& why) {
  for (auto& [name, v] : item) {
    if (auto ec = check_name(name, why)) return ec;
    if (auto ec = check_value(v, why)) return ec;
  }
  if (auto n = item_size(item); n > max_item_bytes) {
    why = "the item is about " + std::to_string(n) + " bytes, over DynamoDB's 400 KB limit";
    return client_errc::invalid_argument;
  }
  return {};
}

std::string format_timestamp(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Cursors: "c1." + base64 of (u32 name length, name, u32 value length, value)* , big-endian.

namespace {
constexpr std::string_view cursor_tag = "c1.";

void put_u32(std::string& out, std::size_t n) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((n >> s) & 0xff));
}
} // namespace

std::string cursor::str() const {
  std::string raw;
  for (auto& [name, v] : key_) {
    auto s = v.if_<std::string>();
    if (!s)
      throw ddb::error(client_errc::invalid_argument, "a cursor key attribute is not a string: " + name);
    put_u32(raw, name.size());
    raw += name;
    put_u32(raw, s->size());
    raw += *s;
  }
  std::string out(cursor_tag);
  ddb::detail::base64_encode(raw.data(), raw.size(), out);
  return out;
}

std::optional<cursor> cursor::parse(std::string_view text, error_code& ec) {
  ec = client_errc::invalid_argument;
  if (text.substr(0, cursor_tag.size()) != cursor_tag) return std::nullopt;
  text.remove_prefix(cursor_tag.size());
  std::string raw(ddb::detail::base64_decoded_size(text.size()), '\0');
  auto n = ddb::detail::base64_decode(text, reinterpret_cast<std::byte*>(raw.data()));
  if (n < 0) return std::nullopt;
  raw.resize(static_cast<std::size_t>(n));
  ddb::item key;
  std::size_t at = 0;
  auto get = [&](std::string& out) {
    if (raw.size() - at < 4) return false;
    std::size_t len = 0;
    for (int i = 0; i < 4; ++i) len = len << 8 | static_cast<unsigned char>(raw[at++]);
    if (raw.size() - at < len) return false;
    out.assign(raw, at, len);
    at += len;
    return true;
  };
  while (at < raw.size()) {
    std::string name, v;
    if (!get(name) || !get(v) || name.empty() || !is_valid_utf8(name) || !is_valid_utf8(v))
      return std::nullopt;
    key.insert_or_assign(std::move(name), ddb::value(std::move(v)));
  }
  ec = {};
  return cursor(std::move(key));
}

cursor cursor::parse(std::string_view text) {
  error_code ec;
  auto c = parse(text, ec);
  if (!c) throw ddb::error(ec, "not a ddb::table::cursor");
  return std::move(*c);
}

// ---------------------------------------------------------------------------------------------
// Update expressions

update_expression& update_expression::condition(const expr::path& p, std::string_view op, ddb::value v) {
  static constexpr std::pair<std::string_view, expr::comparison> ops[] = {
      {"=", expr::comparison::equal},   {"<>", expr::comparison::not_equal},
      {"<", expr::comparison::less},    {"<=", expr::comparison::less_equal},
      {">", expr::comparison::greater}, {">=", expr::comparison::greater_equal}};
  if (op == "attribute_exists") return condition_attribute_exists(p);
  if (op == "attribute_not_exists") return condition_attribute_not_exists(p);
  for (auto& [text, c] : ops)
    if (op == text) return condition(expr::compare(p, c, std::move(v)));
  throw ddb::error(client_errc::invalid_argument, "unknown condition operator '" + std::string(op) + "'");
}

// ---------------------------------------------------------------------------------------------
// The table

table::table(ddb::client& c, std::string name, table_schema schema, table_options options)
    : client_(&c), name_(resolve_table_name(name)), schema_(std::move(schema)), options_(std::move(options)) {
  if (auto ec = schema_.keys().validate()) throw ddb::error(ec, "unusable key_config");
}

table::table(ddb::client& c, table_schema schema, table_options options)
    : table(c, std::string(), std::move(schema), std::move(options)) {}

namespace {
ddb::item key_of(const table_schema& schema, std::string pk, std::string sk) {
  ddb::item key;
  key.emplace(schema.keys().partition_key(), std::move(pk));
  key.emplace(schema.keys().sort_key(), std::move(sk));
  return key;
}
} // namespace

asio::awaitable<void> table::put_raw(std::string pk, std::string sk, ddb::item attributes, bool overwrite,
                                     error_code& ec, diagnostics& diag) {
  return put_raw(std::move(pk), std::move(sk), std::move(attributes), overwrite, {}, ec, diag);
}

asio::awaitable<void> table::put_raw(std::string pk, std::string sk, ddb::item attributes, bool overwrite,
                                     expr::condition when, error_code& ec, diagnostics& diag) {
  diag.clear();
  if (bad_keys(pk, sk, ec, diag)) co_return;
  auto& keys = schema_.keys();
  if (attributes.count(keys.partition_key()) || attributes.count(keys.sort_key())) {
    local_error(client_errc::invalid_argument, "the attributes hold a key attribute of the table", ec, diag);
    co_return;
  }
  if (options_.timestamps_on())
    attributes.insert_or_assign("CreatedAt", ddb::value(format_timestamp(options_.now())));
  attributes.emplace(keys.partition_key(), ddb::value(std::move(pk)));
  attributes.emplace(keys.sort_key(), ddb::value(std::move(sk)));
  std::string why;
  if (auto e = validate_item(attributes, why)) {
    local_error(e, std::move(why), ec, diag);
    co_return;
  }
  auto req = put_item_request(name_, std::move(attributes));
  if (!overwrite)
    when = expr::attribute_not_exists(expr::path::name(keys.partition_key())) && std::move(when);
  if (!when.empty()) req.condition(when);
  co_await client_->execute(req, ec, diag);
}

asio::awaitable<void> table::put_raw(std::string pk, std::string sk, ddb::item attributes, bool overwrite,
                                     expr::condition when) {
  error_code ec;
  diagnostics diag;
  co_await put_raw(std::move(pk), std::move(sk), std::move(attributes), overwrite, std::move(when), ec, diag);
  throw_if(ec, diag);
}

asio::awaitable<std::optional<ddb::item>> table::get_raw(std::string pk, std::string sk, get_options options,
                                                         error_code& ec, diagnostics& diag) {
  diag.clear();
  if (bad_keys(pk, sk, ec, diag)) co_return std::nullopt;
  auto req = get_item_request(name_, key_of(schema_, std::move(pk), std::move(sk)));
  std::string projection;
  std::string why;
  for (std::size_t i = 0; i < options.projection().size(); ++i) {
    if (auto e = check_name(options.projection()[i], why)) {
      local_error(e, std::move(why), ec, diag);
      co_return std::nullopt;
    }
    std::string p = "#p" + std::to_string(i);
    if (!projection.empty()) projection += ", ";
    projection += p;
    req.name(p, options.projection()[i]);
  }
  if (!projection.empty()) req.projection(std::move(projection));
  req.consistent_read(options.consistent());
  auto resp = co_await client_->execute(req, ec, diag);
  if (ec || !resp.item) co_return std::nullopt;
  strip_prefixes(*resp.item, schema_);
  co_return std::move(resp.item);
}

asio::awaitable<std::optional<ddb::item>> table::get_raw(std::string pk, std::string sk,
                                                         get_options options) {
  error_code ec;
  diagnostics diag;
  auto out = co_await get_raw(std::move(pk), std::move(sk), std::move(options), ec, diag);
  throw_if(ec, diag);
  co_return out;
}

asio::awaitable<std::optional<ddb::item>>
table::update_raw(std::string pk, std::string sk, update_expression u, error_code& ec, diagnostics& diag) {
  diag.clear();
  if (bad_keys(pk, sk, ec, diag)) co_return std::nullopt;
  auto& keys = schema_.keys();
  std::string why;
  for (auto& a : u.actions().actions()) {
    for (auto& e : a.target.elements())
      if (auto bad = e.is_index ? error_code() : check_name(e.name, why)) {
        local_error(bad, std::move(why), ec, diag);
        co_return std::nullopt;
      }
    if (a.target.attribute() == keys.partition_key() || a.target.attribute() == keys.sort_key()) {
      local_error(client_errc::invalid_argument, "an update cannot change a key attribute: " + a.target.str(),
                  ec, diag);
      co_return std::nullopt;
    }
  }
  if (options_.timestamps_on())
    u.set(expr::path::name("UpdatedAt"), ddb::value(format_timestamp(options_.now())));
  if (u.actions().empty()) {
    local_error(client_errc::invalid_argument, "an empty update", ec, diag);
    co_return std::nullopt;
  }
  auto req = update_item_request(name_, key_of(schema_, std::move(pk), std::move(sk)));
  req.update(u.actions());
  expr::condition when = u.when();
  if (u.must_exist())
    when = expr::attribute_exists(expr::path::name(keys.partition_key())) && std::move(when);
  if (!when.empty()) req.condition(when);
  // A malformed builder fails in the serializer (invalid_expression). The values alone over
  // 400 KB cannot fit in an item (the result may still be too large: DynamoDB then says so).
  if (auto e = validate_item(req.values(), why)) {
    local_error(e, std::move(why), ec, diag);
    co_return std::nullopt;
  }
  if (u.returns_new()) req.return_values(return_value::all_new);
  auto resp = co_await client_->execute(req, ec, diag);
  if (ec || !resp.attributes) co_return std::nullopt;
  strip_prefixes(*resp.attributes, schema_);
  co_return std::move(resp.attributes);
}

asio::awaitable<std::optional<ddb::item>> table::update_raw(std::string pk, std::string sk,
                                                            update_expression u) {
  error_code ec;
  diagnostics diag;
  auto out = co_await update_raw(std::move(pk), std::move(sk), std::move(u), ec, diag);
  throw_if(ec, diag);
  co_return out;
}

asio::awaitable<void> table::remove_raw(std::string pk, std::string sk, bool strict, error_code& ec,
                                        diagnostics& diag) {
  return remove_raw(std::move(pk), std::move(sk), strict, {}, ec, diag);
}

asio::awaitable<void> table::remove_raw(std::string pk, std::string sk, bool strict, expr::condition when,
                                        error_code& ec, diagnostics& diag) {
  diag.clear();
  if (bad_keys(pk, sk, ec, diag)) co_return;
  auto req = delete_item_request(name_, key_of(schema_, std::move(pk), std::move(sk)));
  if (strict)
    when = expr::attribute_exists(expr::path::name(schema_.keys().partition_key())) && std::move(when);
  if (!when.empty()) req.condition(when);
  co_await client_->execute(req, ec, diag);
}

asio::awaitable<void> table::remove_raw(std::string pk, std::string sk, bool strict, expr::condition when) {
  error_code ec;
  diagnostics diag;
  co_await remove_raw(std::move(pk), std::move(sk), strict, std::move(when), ec, diag);
  throw_if(ec, diag);
}

// ---------------------------------------------------------------------------------------------
// Models

model_options table::model_opts() const {
  model_options o(schema_.keys());
  if (auto* g = schema_.find("GSI1")) o.gsi1_partition_key(g->partition_key());
  return o;
}

std::string detail::describe_key(const ddb::item& item, const table_schema& schema) {
  std::string out;
  for (const std::string* a : {&schema.keys().partition_key(), &schema.keys().sort_key()}) {
    auto f = item.find(*a);
    auto text = f == item.end() ? nullptr : f->second.if_<std::string>();
    if (!out.empty()) out += ' ';
    out += *a + "=" + (text ? *text : std::string("(none)"));
  }
  return out;
}

asio::awaitable<void> table::put_model(detail::prepared_model p, bool overwrite, expr::condition when,
                                       error_code& ec, diagnostics& diag) {
  diag.clear();
  if (p.ec) {
    local_error(p.ec, std::move(p.why), ec, diag);
    co_return;
  }
  auto& keys = schema_.keys();
  if (options_.timestamps_on())
    p.item.insert_or_assign("CreatedAt", ddb::value(format_timestamp(options_.now())));
  std::string why;
  if (auto e = validate_item(p.item, why)) {
    local_error(e, std::move(why), ec, diag);
    co_return;
  }
  auto req = put_item_request(name_, std::move(p.item));
  if (!overwrite)
    when = expr::attribute_not_exists(expr::path::name(keys.partition_key())) && std::move(when);
  if (!when.empty()) req.condition(when);
  co_await client_->execute(req, ec, diag);
}

asio::awaitable<void> table::put_model(detail::prepared_model p, bool overwrite, expr::condition when) {
  error_code ec;
  diagnostics diag;
  co_await put_model(std::move(p), overwrite, std::move(when), ec, diag);
  throw_if(ec, diag);
}

asio::awaitable<void> table::remove_model(detail::prepared_model p) {
  if (p.ec) throw ddb::error(p.ec, std::move(p.why));
  co_await remove_raw(std::move(p.pk), std::move(p.sk), false);
}

asio::awaitable<std::optional<ddb::item>> table::get_whole(detail::prepared_model p, get_options options,
                                                           error_code& ec, diagnostics& diag) {
  diag.clear();
  if (p.ec) {
    local_error(p.ec, std::move(p.why), ec, diag);
    co_return std::nullopt;
  }
  if (bad_keys(p.pk, p.sk, ec, diag)) co_return std::nullopt;
  auto req = get_item_request(name_, key_of(schema_, std::move(p.pk), std::move(p.sk)));
  req.consistent_read(options.consistent());
  if (!options.projection().empty()) {
    local_error(client_errc::invalid_argument, "a model is read whole: no projection", ec, diag);
    co_return std::nullopt;
  }
  auto resp = co_await client_->execute(req, ec, diag);
  if (ec) co_return std::nullopt;
  co_return std::move(resp.item);
}

// ---------------------------------------------------------------------------------------------
// Queries

struct item_stream::state {
  std::optional<ddb::pager> pages;
  const ddb::page* page = nullptr; // the current page, nullptr while fetching
  std::size_t pos = 0;             // next item in the page
  std::size_t limit = 0;
  std::size_t count = 0;
  std::size_t received = 0; // items in the pages fetched so far
  bool exhausted = false;
  table_schema schema;
  std::vector<std::string> key_attributes; // what a cursor holds
  std::vector<std::string> drop;           // read for the cursor, not asked for
  std::optional<ddb::item> last_key;       // of the last item returned
  ddb::table::cursor start;
  error_code build_error; // found before sending: reported by next()
  std::string build_why;

  boost::asio::any_io_executor executor; // the client's
  bool strip = true;                     // of the entity prefixes (not for models)

  state(table_schema s, boost::asio::any_io_executor ex) : schema(std::move(s)), executor(std::move(ex)) {}
};

item_stream::item_stream(std::unique_ptr<state> s) noexcept : s_(std::move(s)) {}
item_stream::item_stream(item_stream&&) noexcept = default;
item_stream& item_stream::operator=(item_stream&&) noexcept = default;
item_stream::~item_stream() = default;

std::size_t item_stream::count() const noexcept { return s_->count; }

double item_stream::consumed_capacity() const noexcept {
  return s_->pages ? s_->pages->consumed_capacity() : 0;
}

std::optional<ddb::table::cursor> item_stream::cursor() const {
  auto& s = *s_;
  if (s.exhausted) return std::nullopt;
  // The last page was read to its end and DynamoDB said there is no more.
  if (s.page && s.pos >= s.page->size() && s.pages && !s.pages->resume_key()) return std::nullopt;
  if (s.last_key) return ddb::table::cursor(*s.last_key);
  return s.start;
}

asio::awaitable<std::optional<ddb::item>> item_stream::next(error_code& ec, diagnostics& diag) {
  auto& s = *s_;
  ec = {};
  if (s.build_error) {
    local_error(s.build_error, s.build_why, ec, diag);
    co_return std::nullopt;
  }
  if (s.exhausted || (s.limit && s.count >= s.limit)) co_return std::nullopt;
  while (!s.page || s.pos >= s.page->size()) {
    s.page = nullptr; // the pager invalidates it now
    s.pos = 0;
    const ddb::page* p = co_await s.pages->next(ec, diag);
    if (ec) co_return std::nullopt;
    if (!p) {
      s.exhausted = true;
      co_return std::nullopt;
    }
    s.page = p;
  }
  item_view v = (*s.page)[s.pos++];
  ddb::item key;
  for (auto& a : s.key_attributes)
    if (auto f = v.find(a)) key.emplace(a, f->to_value());
  s.last_key = std::move(key);
  ++s.count;
  ddb::item out = v.to_item();
  for (auto& a : s.drop) out.erase(a);
  if (s.strip) strip_prefixes(out, s.schema);
  co_return out;
}

asio::awaitable<std::tuple<error_code, std::optional<ddb::item>>> item_stream::next_tuple(diagnostics* diag) {
  error_code ec;
  diagnostics local;
  auto out = co_await next(ec, diag ? *diag : local);
  co_return std::tuple<error_code, std::optional<ddb::item>>(ec, std::move(out));
}

boost::asio::any_io_executor item_stream::get_executor() const noexcept { return s_->executor; }

asio::awaitable<std::optional<ddb::item>> item_stream::next() {
  error_code ec;
  diagnostics diag;
  auto out = co_await next(ec, diag);
  throw_if(ec, diag);
  co_return out;
}

item_stream table::stream(std::string pk, sort_condition condition, query_options options) {
  return stream_impl(std::move(pk), std::move(condition), std::move(options), true);
}

item_stream table::stream_whole(detail::prepared_model pk, sort_condition condition, query_options options) {
  if (pk.ec) {
    auto s = std::make_unique<item_stream::state>(schema_, client_->get_executor());
    s->build_error = pk.ec;
    s->build_why = std::move(pk.why);
    return item_stream(std::move(s));
  }
  return stream_impl(std::move(pk.pk), std::move(condition), std::move(options), false);
}

item_stream table::stream_impl(std::string pk, sort_condition condition, query_options options, bool strip) {
  auto s = std::make_unique<item_stream::state>(schema_, client_->get_executor());
  s->strip = strip;
  s->limit = options.limit();
  s->start = options.start_from();
  table_index index = options.index() ? *options.index() : schema_.primary();
  auto fail = [&](error_code e, std::string why) {
    s->build_error = e;
    s->build_why = std::move(why);
    return item_stream(std::move(s));
  };
  if (pk.empty()) return fail(client_errc::invalid_argument, "an empty partition key");
  if (pk.size() > max_partition_key_bytes || !is_valid_utf8(pk))
    return fail(client_errc::invalid_argument, "an unusable partition key");
  if (index.partition_key().empty())
    return fail(client_errc::invalid_argument, "an index without a partition key");
  using op = sort_condition::op;
  if (condition.kind() != op::any) {
    if (index.sort_key().empty())
      return fail(client_errc::invalid_argument, "a sort key condition on an index without a sort key");
    bool two = condition.kind() == op::between;
    if ((condition.kind() != op::begins_with && condition.first().empty()) ||
        (two && condition.second().empty()))
      return fail(client_errc::invalid_argument, "an empty sort key in the condition");
    if (condition.first().size() > max_sort_key_bytes || condition.second().size() > max_sort_key_bytes)
      return fail(client_errc::invalid_argument, "a sort key over DynamoDB's size limit");
  }
  if (options.page_size() < 0) return fail(client_errc::invalid_argument, "a negative page size");

  auto req = query_request(name_);
  req.name("#pk", index.partition_key()).value(":pk", ddb::value(std::move(pk)));
  std::string kc = "#pk = :pk";
  if (condition.kind() != op::any) {
    req.name("#sk", index.sort_key()).value(":s0", ddb::value(condition.first()));
    switch (condition.kind()) {
    case op::equal:
      kc += " AND #sk = :s0";
      break;
    case op::less:
      kc += " AND #sk < :s0";
      break;
    case op::less_equal:
      kc += " AND #sk <= :s0";
      break;
    case op::greater:
      kc += " AND #sk > :s0";
      break;
    case op::greater_equal:
      kc += " AND #sk >= :s0";
      break;
    case op::begins_with:
      kc += " AND begins_with(#sk, :s0)";
      break;
    case op::between:
      kc += " AND #sk BETWEEN :s0 AND :s1";
      req.value(":s1", ddb::value(condition.second()));
      break;
    case op::any:
      break;
    }
  }
  req.key_condition(std::move(kc));
  if (!index.is_primary()) req.index(index.name());

  // A cursor needs the table's key and the index's key of the last item.
  auto& keys = schema_.keys();
  for (const std::string* a :
       {&keys.partition_key(), &keys.sort_key(), &index.partition_key(), &index.sort_key()})
    if (!a->empty() &&
        std::find(s->key_attributes.begin(), s->key_attributes.end(), *a) == s->key_attributes.end())
      s->key_attributes.push_back(*a);

  std::vector<std::string> wanted = options.projection();
  if (options.sort_key_only())
    wanted.push_back(index.sort_key().empty() ? keys.sort_key() : index.sort_key());
  if (!wanted.empty()) {
    std::vector<std::string> read = wanted;
    for (auto& a : s->key_attributes)
      if (std::find(wanted.begin(), wanted.end(), a) == wanted.end()) {
        read.push_back(a);
        s->drop.push_back(a);
      }
    std::string projection, why;
    for (std::size_t i = 0; i < read.size(); ++i) {
      if (auto e = check_name(read[i], why)) return fail(e, why);
      std::string p = "#p" + std::to_string(i);
      if (!projection.empty()) projection += ", ";
      projection += p;
      req.name(p, read[i]);
    }
    req.projection(std::move(projection));
  }
  if (!options.filter().empty()) req.filter(options.filter());
  if (options.page_size() > 0) req.limit(options.page_size());
  if (options.consistent()) req.consistent_read();
  if (options.reversed()) req.scan_index_forward(false);
  if (!options.start_from().empty()) req.exclusive_start_key(options.start_from().key());

  pager_options po;
  po.prefetch = options.prefetch();
  po.call = "table.query";
  if (s->limit) // no page fetched ahead once the pages in hand hold the limit
    po.prefetch_after = [st = s.get()](const ddb::page& p) {
      st->received += p.size();
      return st->received < st->limit;
    };
  s->pages.emplace(client_->query_pages(std::move(req), po));
  return item_stream(std::move(s));
}

asio::awaitable<std::vector<ddb::item>> table::query_raw(std::string pk, sort_condition condition,
                                                         query_options options, error_code& ec,
                                                         diagnostics& diag) {
  item_stream items = stream(std::move(pk), std::move(condition), std::move(options));
  std::vector<ddb::item> out;
  for (;;) {
    auto it = co_await items.next(ec, diag);
    if (ec) {
      out.clear();
      co_return out;
    }
    if (!it) break;
    out.push_back(std::move(*it));
  }
  co_return out;
}

asio::awaitable<std::vector<ddb::item>> table::query_raw(std::string pk, sort_condition condition,
                                                         query_options options) {
  error_code ec;
  diagnostics diag;
  auto out = co_await query_raw(std::move(pk), std::move(condition), std::move(options), ec, diag);
  throw_if(ec, diag);
  co_return out;
}

} // namespace ddb::table
