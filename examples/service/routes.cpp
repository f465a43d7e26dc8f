#include "routes.hpp"

#include "json.hpp"

#include <ddb/error.hpp>
#include <ddb/table/transact.hpp>

#include <boost/asio/error.hpp>
#include <boost/beast/http/field.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

namespace svc {

namespace asio = boost::asio;
namespace db = ddb::table;

// The seed scenario's entities. A user is the item (USER#name, USER#name), a group
// (GROUP#id, GROUP#id), a membership (USER#name, GROUP#id); the inverse index GSI_1 (SK, PK)
// answers "who is in group id" with the membership items.
struct User {
  static constexpr std::string_view entity_name = "User";
};
struct Group {
  static constexpr std::string_view entity_name = "Group";
};

namespace {

constexpr std::size_t default_page = 25;
constexpr std::size_t max_page = 100;

// ---- responses -------------------------------------------------------------------------------

response json_response(http::status s, const json::value& body, unsigned version) {
  response res(s, version);
  res.set(http::field::content_type, "application/json");
  res.body() = json::serialize(body);
  res.body().push_back('\n');
  return res;
}

response no_content(unsigned version) { return response(http::status::no_content, version); }

response bad_request(const request& req, std::string_view code, std::string_view message) {
  return error_response(http::status::bad_request, code, message, req.version());
}

/// The answer to a failed DynamoDB call: what the caller did wrong (4xx), or what went wrong
/// upstream (502/503/504). Throttling and a full pool say when to come back (Retry-After).
response ddb_error_response(const ddb::error_code& ec, const ddb::diagnostics& diag, const request& req) {
  http::status s = http::status::bad_gateway;
  std::string_view code = "dynamodb_error";
  double retry_after = -1;
  using se = ddb::service_errc;
  using ce = ddb::client_errc;
  if (ec.category() == ddb::service_category()) {
    switch (static_cast<se>(ec.value())) {
    case se::conditional_check_failed:
      s = http::status::conflict, code = "conditional_check_failed";
      break;
    case se::transaction_canceled:
    case se::transaction_conflict:
    case se::transaction_in_progress:
      s = http::status::conflict, code = "transaction_conflict";
      break;
    case se::provisioned_throughput_exceeded:
    case se::throttling:
    case se::request_limit_exceeded:
      s = http::status::service_unavailable, code = "throttled";
      retry_after = diag.retry_after_seconds >= 0 ? diag.retry_after_seconds : 1;
      break;
    case se::service_unavailable:
      s = http::status::service_unavailable, code = "dynamodb_unavailable", retry_after = 1;
      break;
    case se::validation: // e.g. a cursor of another query that still parsed
      s = http::status::bad_request, code = "validation";
      break;
    default:
      break;
    }
  } else if (ec.category() == ddb::client_category()) {
    switch (static_cast<ce>(ec.value())) {
    case ce::invalid_number:
    case ce::number_out_of_range:
    case ce::precision_loss:
    case ce::wrong_type:
    case ce::invalid_utf8:
    case ce::empty_set:
    case ce::invalid_argument:
      s = http::status::bad_request, code = "invalid_argument";
      break;
    case ce::timeout:
      s = http::status::gateway_timeout, code = "dynamodb_timeout";
      break;
    case ce::pool_exhausted:
      s = http::status::service_unavailable, code = "overloaded", retry_after = 1;
      break;
    case ce::credentials_not_found:
    case ce::invalid_config:
      s = http::status::internal_server_error, code = "misconfigured";
      break;
    default: // connection_lost, crc32_mismatch, malformed_response
      break;
    }
  } else if (ec == asio::error::operation_aborted) {
    s = http::status::service_unavailable, code = "shutting_down";
  } else if (ec == asio::error::timed_out) {
    s = http::status::gateway_timeout, code = "dynamodb_timeout";
  }
  json::object body = error_body(code, diag.message.empty() ? ec.message() : diag.message);
  if (!diag.error_type.empty()) body["dynamodb_error"] = diag.error_type;
  if (!diag.request_id.empty()) body["request_id"] = diag.request_id;
  response res = json_response(s, body, req.version());
  if (retry_after >= 0)
    res.set(http::field::retry_after, std::to_string(static_cast<long>(std::ceil(retry_after))));
  return res;
}

/// What each action of a transaction means when its condition fails.
struct tx_action {
  http::status status;
  std::string_view code;
  std::string message;
};

/// A canceled transaction: the failed condition that explains it best (a missing user or group,
/// 404, before a conflict, 409), with every CancellationReason in "reasons".
response tx_failure_response(const db::transaction_error& e, const std::vector<tx_action>& actions,
                             const request& req) {
  json::array reasons;
  const tx_action* pick = nullptr;
  bool throttled = false;
  for (auto& f : e.failures()) {
    json::object r;
    r["action"] = f.index;
    r["code"] = f.code;
    if (!f.message.empty()) r["message"] = f.message;
    reasons.push_back(std::move(r));
    if (f.code == "ConditionalCheckFailed" && f.index < actions.size()) {
      const tx_action* a = &actions[f.index];
      if (!pick || (a->status == http::status::not_found && pick->status != http::status::not_found))
        pick = a;
    }
    if (f.code == "ThrottlingError" || f.code == "ProvisionedThroughputExceeded") throttled = true;
  }
  if (!pick && throttled) return ddb_error_response(ddb::service_errc::throttling, e.diag(), req);
  json::object body =
      pick ? error_body(pick->code, pick->message) : error_body("transaction_canceled", e.diag().message);
  body["reasons"] = std::move(reasons);
  return json_response(pick ? pick->status : http::status::conflict, body, req.version());
}

// ---- input -----------------------------------------------------------------------------------

/// User names and group ids: what fits in a URL path segment unescaped, 1 to 64 characters.
bool valid_id(std::string_view what, std::string_view s, std::string& why) {
  bool ok = !s.empty() && s.size() <= 64;
  for (char c : s)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '_' || c == '.');
  if (!ok) why = std::string(what) + " must be 1 to 64 of A-Z a-z 0-9 - _ . (got \"" + std::string(s) + "\")";
  return ok;
}

bool valid_email(std::string_view s, std::string& why) {
  auto at = s.find('@');
  bool ok = s.size() >= 3 && s.size() <= 254 && at != std::string_view::npos && at > 0 && at + 1 < s.size() &&
            s.find_first_of(" \t\r\n") == std::string_view::npos;
  if (!ok) why = "email must look like name@domain";
  return ok;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// %XX decoding; '+' stays '+' (cursors are base64, which has '+'; clients percent-encode it).
std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    int h = hex(in[i + 1]), l = hex(in[i + 2]);
    if (h < 0 || l < 0) return std::nullopt;
    out.push_back(static_cast<char>(h * 16 + l));
    i += 2;
  }
  return out;
}

struct target {
  std::vector<std::string> path;                          // decoded segments
  std::vector<std::pair<std::string, std::string>> query; // decoded name=value pairs

  const std::string* param(std::string_view name) const {
    for (auto& [n, v] : query)
      if (n == name) return &v;
    return nullptr;
  }
};

std::optional<target> parse_target(std::string_view t) {
  if (t.empty() || t[0] != '/') return std::nullopt;
  target out;
  auto q = t.find('?');
  std::string_view path = t.substr(0, q), query = q == std::string_view::npos ? "" : t.substr(q + 1);
  while (!path.empty()) {
    path.remove_prefix(1); // the '/'
    auto end = path.find('/');
    auto seg = percent_decode(path.substr(0, end));
    if (!seg) return std::nullopt;
    if (!seg->empty() || end != std::string_view::npos) out.path.push_back(std::move(*seg));
    path = end == std::string_view::npos ? "" : path.substr(end);
  }
  while (!query.empty()) {
    auto end = query.find('&');
    auto pair = query.substr(0, end);
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    if (!name->empty()) out.query.emplace_back(std::move(*name), std::move(*value));
    query = end == std::string_view::npos ? "" : query.substr(end + 1);
  }
  return out;
}

std::string now_text() { return db::format_timestamp(std::chrono::system_clock::now()); }

const ddb::value* attr(const ddb::item& it, std::string_view name) {
  auto i = it.find(name);
  return i == it.end() ? nullptr : &i->second;
}

json::value string_or_null(const ddb::item& it, std::string_view name) {
  auto v = attr(it, name);
  if (v && v->type() == ddb::value_type::string) return json::value(v->as_string());
  return nullptr;
}

// ---- handlers ----------------------------------------------------------------------------------

asio::awaitable<response> create_user(app& a, const request& req) {
  std::string why;
  auto body = parse_object(req.body(), why);
  if (!body) co_return bad_request(req, "invalid_json", why);
  auto name = string_field(*body, "name", why);
  if (!name || !valid_id("name", *name, why)) co_return bad_request(req, "invalid_field", why);
  auto email = string_field(*body, "email", why);
  if (!email || !valid_email(*email, why)) co_return bad_request(req, "invalid_field", why);

  db::partition_key<User> pk(*name);
  db::sort_key<User> sk(*name);
  ddb::item attrs;
  attrs.emplace("email", *email);
  attrs.emplace("created", now_text());
  ddb::error_code ec;
  ddb::diagnostics diag;
  co_await a.table.insert(pk, sk, std::move(attrs), ec, diag);
  if (ec == ddb::service_errc::conditional_check_failed)
    co_return error_response(http::status::conflict, "user_exists", "user '" + *name + "' already exists",
                             req.version());
  if (ec) co_return ddb_error_response(ec, diag, req);
  json::object out;
  out["name"] = *name;
  out["email"] = *email;
  response res = json_response(http::status::created, out, req.version());
  res.set(http::field::location, "/users/" + *name);
  co_return res;
}

asio::awaitable<response> get_user(app& a, const request& req, const std::string& name) {
  db::partition_key<User> pk(name);
  db::sort_key<User> sk(name);
  db::get_options opts;
  ddb::error_code ec;
  ddb::diagnostics diag;
  auto item = co_await a.table.get(pk, sk, opts, ec, diag);
  if (ec) co_return ddb_error_response(ec, diag, req);
  if (!item)
    co_return error_response(http::status::not_found, "user_not_found", "no user '" + name + "'",
                             req.version());
  json::object out;
  out["name"] = name;
  out["email"] = string_or_null(*item, "email");
  out["created"] = string_or_null(*item, "created");
  co_return json_response(http::status::ok, out, req.version());
}

asio::awaitable<response> create_group(app& a, const request& req) {
  std::string why;
  auto body = parse_object(req.body(), why);
  if (!body) co_return bad_request(req, "invalid_json", why);
  auto id = string_field(*body, "id", why);
  if (!id || !valid_id("id", *id, why)) co_return bad_request(req, "invalid_field", why);
  auto name = string_field(*body, "name", why);
  if (!name) co_return bad_request(req, "invalid_field", why);
  if (name->empty() || name->size() > 200)
    co_return bad_request(req, "invalid_field", "name must be 1 to 200 bytes");

  db::partition_key<Group> pk(*id);
  db::sort_key<Group> sk(*id);
  ddb::item attrs;
  attrs.emplace("name", *name);
  attrs.emplace("created", now_text());
  ddb::error_code ec;
  ddb::diagnostics diag;
  co_await a.table.insert(pk, sk, std::move(attrs), ec, diag);
  if (ec == ddb::service_errc::conditional_check_failed)
    co_return error_response(http::status::conflict, "group_exists", "group '" + *id + "' already exists",
                             req.version());
  if (ec) co_return ddb_error_response(ec, diag, req);
  json::object out;
  out["id"] = *id;
  out["name"] = *name;
  response res = json_response(http::status::created, out, req.version());
  res.set(http::field::location, "/groups/" + *id);
  co_return res;
}

asio::awaitable<response> get_group(app& a, const request& req, const std::string& id) {
  db::partition_key<Group> pk(id);
  db::sort_key<Group> sk(id);
  db::get_options opts;
  ddb::error_code ec;
  ddb::diagnostics diag;
  auto item = co_await a.table.get(pk, sk, opts, ec, diag);
  if (ec) co_return ddb_error_response(ec, diag, req);
  if (!item)
    co_return error_response(http::status::not_found, "group_not_found", "no group '" + id + "'",
                             req.version());
  json::object out;
  out["id"] = id;
  out["name"] = string_or_null(*item, "name");
  out["created"] = string_or_null(*item, "created");
  co_return json_response(http::status::ok, out, req.version());
}

/// Whether the user or group item exists (to tell "no such user" from "in no group").
template <class E>
asio::awaitable<bool> exists(app& a, const std::string& id, ddb::error_code& ec, ddb::diagnostics& diag) {
  db::partition_key<E> pk(id);
  db::sort_key<E> sk(id);
  std::vector<std::string> key_only{"PK"};
  auto opts = db::get_options().projection(key_only);
  auto item = co_await a.table.get(pk, sk, opts, ec, diag);
  co_return item.has_value();
}

asio::awaitable<response> user_groups(app& a, const request& req, const std::string& name) {
  db::partition_key<User> pk(name);
  db::prefix_sort_key<Group> groups;
  auto cond = db::begins_with(groups);
  db::query_options opts;
  ddb::error_code ec;
  ddb::diagnostics diag;
  auto items = co_await a.table.query(pk, cond, opts, ec, diag);
  if (ec) co_return ddb_error_response(ec, diag, req);
  if (items.empty()) { // one more read only on this path: the common one stays a single Query
    bool found = co_await exists<User>(a, name, ec, diag);
    if (ec) co_return ddb_error_response(ec, diag, req);
    if (!found)
      co_return error_response(http::status::not_found, "user_not_found", "no user '" + name + "'",
                               req.version());
  }
  json::array list;
  for (auto& it : items) {
    json::object g;
    g["id"] = string_or_null(it, "SK"); // stripped: GROUP#1 -> 1
    g["joined"] = string_or_null(it, "joined");
    list.push_back(std::move(g));
  }
  json::object out;
  out["user"] = name;
  out["groups"] = std::move(list);
  co_return json_response(http::status::ok, out, req.version());
}

asio::awaitable<response> group_members(app& a, const request& req, const target& t, const std::string& id) {
  std::size_t limit = default_page;
  if (auto l = t.param("limit")) {
    auto [end, err] = std::from_chars(l->data(), l->data() + l->size(), limit);
    if (err != std::errc() || end != l->data() + l->size() || limit < 1 || limit > max_page)
      co_return bad_request(req, "invalid_parameter", "limit must be 1 to " + std::to_string(max_page));
  }
  db::partition_key<Group> pk(id);
  auto opts = db::query_options()
                  .index(db::table_index::inverse())
                  .limit(limit)
                  .page_size(static_cast<std::int32_t>(limit)) // read no more than the page
                  .prefetch(0);
  bool resumed = false;
  if (auto c = t.param("cursor"); c && !c->empty()) {
    ddb::error_code ec;
    auto cur = db::cursor::parse(*c, ec);
    // A cursor is only valid for the query that made it: this group's members.
    auto sk = cur ? cur->key().find("SK") : ddb::item::const_iterator();
    if (!cur || sk == cur->key().end() || sk->second.type() != ddb::value_type::string ||
        sk->second.as_string() != pk.str())
      co_return bad_request(req, "invalid_cursor", "cursor is not one this group's members listing returned");
    opts.start_from(std::move(*cur));
    resumed = true;
  }
  db::prefix_sort_key<User> users;
  auto stream = a.table.query_prefix(pk, users, opts);
  ddb::error_code ec;
  ddb::diagnostics diag;
  json::array members;
  while (auto m = co_await stream.next(ec, diag)) {
    json::object o;
    o["name"] = string_or_null(*m, "PK"); // stripped: USER#alice -> alice
    o["joined"] = string_or_null(*m, "joined");
    members.push_back(std::move(o));
  }
  if (ec) co_return ddb_error_response(ec, diag, req);
  if (members.empty() && !resumed) {
    bool found = co_await exists<Group>(a, id, ec, diag);
    if (ec) co_return ddb_error_response(ec, diag, req);
    if (!found)
      co_return error_response(http::status::not_found, "group_not_found", "no group '" + id + "'",
                               req.version());
  }
  json::object out;
  out["group"] = id;
  out["members"] = std::move(members);
  auto next = stream.cursor();
  out["next_cursor"] = next ? json::value(next->str()) : json::value(nullptr);
  co_return json_response(http::status::ok, out, req.version());
}

db::condition_check_arg must_exist(const db::item_key& key) {
  return db::condition_check_arg(key, "attribute_exists(#pk)").name("#pk", "PK");
}

asio::awaitable<response> add_member(app& a, const request& req, const std::string& id,
                                     const std::string& name) {
  db::partition_key<User> user(name);
  db::sort_key<User> user_self(name);
  db::partition_key<Group> group(id);
  db::sort_key<Group> group_self(id);
  db::sort_key<Group> membership(id);
  ddb::item attrs;
  attrs.emplace("joined", now_text());
  // One transaction: the membership is written only if both ends exist, and only once.
  auto tx = db::transaction()
                .add(db::insert_arg(user, membership, std::move(attrs)))
                .add(must_exist(db::item_key(user, user_self)))
                .add(must_exist(db::item_key(group, group_self)));
  std::vector<tx_action> meaning{
      {http::status::conflict, "already_member", "user '" + name + "' is already in group '" + id + "'"},
      {http::status::not_found, "user_not_found", "no user '" + name + "'"},
      {http::status::not_found, "group_not_found", "no group '" + id + "'"}};
  try {
    co_await db::transact_write(a.client, a.table.name(), tx, a.table.schema());
  } catch (const db::transaction_error& e) {
    co_return tx_failure_response(e, meaning, req);
  } catch (const ddb::error& e) {
    co_return ddb_error_response(e.code(), e.diag(), req);
  }
  json::object out;
  out["group"] = id;
  out["user"] = name;
  co_return json_response(http::status::created, out, req.version());
}

asio::awaitable<response> remove_member(app& a, const request& req, const std::string& id,
                                        const std::string& name) {
  db::partition_key<User> user(name);
  db::sort_key<Group> membership(id);
  ddb::error_code ec;
  ddb::diagnostics diag;
  co_await a.table.remove_strict(user, membership, ec, diag);
  if (ec == ddb::service_errc::conditional_check_failed)
    co_return error_response(http::status::not_found, "not_member",
                             "user '" + name + "' is not in group '" + id + "'", req.version());
  if (ec) co_return ddb_error_response(ec, diag, req);
  co_return no_content(req.version());
}

asio::awaitable<response> move_user(app& a, const request& req, const std::string& name) {
  std::string why;
  auto body = parse_object(req.body(), why);
  if (!body) co_return bad_request(req, "invalid_json", why);
  auto from = string_field(*body, "from", why);
  if (!from || !valid_id("from", *from, why)) co_return bad_request(req, "invalid_field", why);
  auto to = string_field(*body, "to", why);
  if (!to || !valid_id("to", *to, why)) co_return bad_request(req, "invalid_field", why);
  if (*from == *to) co_return bad_request(req, "invalid_field", "from and to are the same group");

  db::partition_key<User> user(name);
  db::sort_key<Group> old_membership(*from);
  db::sort_key<Group> new_membership(*to);
  db::partition_key<Group> to_group(*to);
  db::sort_key<Group> to_self(*to);
  ddb::item attrs;
  attrs.emplace("joined", now_text());
  // The seed scenario's move: delete one membership and insert the other, all or nothing.
  auto leave = db::delete_arg(user, old_membership).condition("attribute_exists(#pk)").name("#pk", "PK");
  auto tx = db::transaction()
                .add(std::move(leave))
                .add(db::insert_arg(user, new_membership, std::move(attrs)))
                .add(must_exist(db::item_key(to_group, to_self)));
  std::vector<tx_action> meaning{
      {http::status::not_found, "not_member", "user '" + name + "' is not in group '" + *from + "'"},
      {http::status::conflict, "already_member", "user '" + name + "' is already in group '" + *to + "'"},
      {http::status::not_found, "group_not_found", "no group '" + *to + "'"}};
  try {
    co_await db::transact_write(a.client, a.table.name(), tx, a.table.schema());
  } catch (const db::transaction_error& e) {
    co_return tx_failure_response(e, meaning, req);
  } catch (const ddb::error& e) {
    co_return ddb_error_response(e.code(), e.diag(), req);
  }
  json::object out;
  out["user"] = name;
  out["from"] = *from;
  out["to"] = *to;
  co_return json_response(http::status::ok, out, req.version());
}

response method_not_allowed(const request& req, std::string_view allow) {
  response res = error_response(
      http::status::method_not_allowed, "method_not_allowed",
      std::string(req.method_string()) + " is not allowed here; use " + std::string(allow), req.version());
  res.set(http::field::allow, allow);
  return res;
}

asio::awaitable<response> dispatch(app& a, const request& req, route& matched) {
  auto t = parse_target(req.target());
  if (!t) co_return bad_request(req, "invalid_target", "the request target is not a valid path");
  const auto& p = t->path;
  const auto m = req.method();
  std::string why;
  // Path parameters are checked up front, so the key constructors below cannot throw on them.
  auto id_ok = [&](std::string_view what, const std::string& s) { return valid_id(what, s, why); };

  if (p.size() == 1 && p[0] == "healthz") {
    matched = route::healthz;
    if (m != http::verb::get) co_return method_not_allowed(req, "GET");
    json::object out;
    out["status"] = a.draining ? "draining" : "ok";
    co_return json_response(a.draining ? http::status::service_unavailable : http::status::ok, out,
                            req.version());
  }
  if (p.size() == 1 && p[0] == "metrics") {
    matched = route::metrics;
    if (m != http::verb::get) co_return method_not_allowed(req, "GET");
    response res(http::status::ok, req.version());
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = render_prometheus(a.metrics);
    co_return res;
  }
  if (!p.empty() && p[0] == "users") {
    if (p.size() == 1) {
      matched = route::users;
      if (m != http::verb::post) co_return method_not_allowed(req, "POST");
      co_return co_await create_user(a, req);
    }
    if (p.size() == 2 || (p.size() == 3 && (p[2] == "groups" || p[2] == "move"))) {
      matched = p.size() == 2 ? route::user : p[2] == "groups" ? route::user_groups : route::user_move;
      auto want = matched == route::user_move ? http::verb::post : http::verb::get;
      if (m != want) co_return method_not_allowed(req, want == http::verb::post ? "POST" : "GET");
      if (!id_ok("user name", p[1])) co_return bad_request(req, "invalid_path", why);
      if (matched == route::user) co_return co_await get_user(a, req, p[1]);
      if (matched == route::user_groups) co_return co_await user_groups(a, req, p[1]);
      co_return co_await move_user(a, req, p[1]);
    }
  }
  if (!p.empty() && p[0] == "groups") {
    if (p.size() == 1) {
      matched = route::groups;
      if (m != http::verb::post) co_return method_not_allowed(req, "POST");
      co_return co_await create_group(a, req);
    }
    if (p.size() == 2 || (p.size() == 3 && p[2] == "members")) {
      matched = p.size() == 2 ? route::group : route::group_members;
      if (m != http::verb::get) co_return method_not_allowed(req, "GET");
      if (!id_ok("group id", p[1])) co_return bad_request(req, "invalid_path", why);
      if (matched == route::group) co_return co_await get_group(a, req, p[1]);
      co_return co_await group_members(a, req, *t, p[1]);
    }
    if (p.size() == 4 && p[2] == "members") {
      matched = route::membership;
      if (m != http::verb::put && m != http::verb::delete_) co_return method_not_allowed(req, "PUT, DELETE");
      if (!id_ok("group id", p[1]) || !id_ok("user name", p[3]))
        co_return bad_request(req, "invalid_path", why);
      if (m == http::verb::put) co_return co_await add_member(a, req, p[1], p[3]);
      co_return co_await remove_member(a, req, p[1], p[3]);
    }
  }
  matched = route::unknown;
  co_return error_response(
      http::status::not_found, "not_found",
      "no route for " + std::string(req.method_string()) + " " + std::string(req.target()), req.version());
}

} // namespace

response error_response(http::status s, std::string_view code, std::string_view message, unsigned version) {
  return json_response(s, error_body(code, message), version);
}

asio::awaitable<response> handle(app& a, const request& req, route& matched) {
  matched = route::unknown;
  try {
    co_return co_await dispatch(a, req, matched);
  } catch (const ddb::error& e) { // validation the handlers did not foresee: still the caller's input
    co_return ddb_error_response(e.code(), e.diag(), req);
  } catch (const std::exception& e) {
    co_return error_response(http::status::internal_server_error, "internal", e.what(), req.version());
  }
}

} // namespace svc
