// Request bodies for the DynamoDB JSON protocol, written straight into the caller's string.
//
// UTF-8 is checked once over the finished body rather than string by string: everything the
// serializer writes itself is ASCII and every user string sits between ASCII quotes, so the
// body is valid UTF-8 exactly when each string in it is.

#include "body_writer.hpp"

#include <ddb/serialize.hpp>

#include <cstddef>
#include <variant>
#include <vector>

namespace ddb {
namespace detail {
thread_local const char* last_serialize_reason = "";
} // namespace detail

namespace {

using namespace detail;

void consistent_read_field(body_writer& b, bool on) {
  if (!on) return;
  b.json().raw_key("ConsistentRead");
  b.json().boolean(true);
}

template <class R>
void write_paged_read_options(body_writer& b, const R& r) {
  b.expression_field("FilterExpression", r.filter());
  b.expression_field("ProjectionExpression", r.projection());
  b.names(r.names());
  b.builder_error(r.expression_error());
  b.values(r.values());
  b.enum_field("Select", r.select());
  b.limit_field(r.limit());
  consistent_read_field(b, r.consistent_read());
  b.optional_item_field("ExclusiveStartKey", r.exclusive_start_key());
}

template <class A>
void write_transact_action_tail(body_writer& b, const A& a) {
  b.names(a.names());
  b.builder_error(a.expression_error());
  b.values(a.values());
  b.none_or_all_old_field("ReturnValuesOnConditionCheckFailure",
                          a.return_values_on_condition_check_failure());
}

/// True when `key` names the item `item` (every key attribute in it with an equal value).
bool key_of_item(const ddb::item& key, const ddb::item& item) {
  for (auto& [name, v] : key) {
    auto it = item.find(name);
    if (it == item.end() || !(it->second == v)) return false;
  }
  return !key.empty();
}

/// What a write targets: a key (delete, update, condition check) or a whole item (put), whose
/// key attributes ddb does not know.
struct target {
  const std::string* table;
  const ddb::item* key;  // or nullptr
  const ddb::item* item; // or nullptr
};

/// True when two writes are surely on one item (two puts only when the items are equal).
bool same_item(const target& a, const target& b) {
  if (*a.table != *b.table) return false;
  if (a.key && b.key) return *a.key == *b.key;
  if (a.key) return key_of_item(*a.key, *b.item);
  if (b.key) return key_of_item(*b.key, *a.item);
  return *a.item == *b.item;
}

bool any_same_item(const std::vector<target>& targets) {
  for (std::size_t i = 0; i < targets.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (same_item(targets[i], targets[j])) return true;
  return false;
}
} // namespace

// ---- single items ----

error_code serialize(const get_item_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.key_field("Key", r.key());
  b.expression_field("ProjectionExpression", r.projection());
  b.names(r.names());
  b.builder_error(r.expression_error());
  b.placeholders({r.projection()}, r.names(), nullptr);
  consistent_read_field(b, r.consistent_read());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

error_code serialize(const put_item_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.item_field("Item", r.item());
  b.expression_field("ConditionExpression", r.condition());
  b.names(r.names());
  b.builder_error(r.expression_error());
  b.values(r.values());
  b.placeholders({r.condition()}, r.names(), &r.values());
  b.none_or_all_old_field("ReturnValues", r.return_values());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.enum_field("ReturnItemCollectionMetrics", r.return_item_collection_metrics());
  b.none_or_all_old_field("ReturnValuesOnConditionCheckFailure",
                          r.return_values_on_condition_check_failure());
  return o.finish();
}

error_code serialize(const update_item_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.key_field("Key", r.key());
  b.expression_field("UpdateExpression", r.update());
  b.expression_field("ConditionExpression", r.condition());
  b.names(r.names());
  b.builder_error(r.expression_error());
  b.values(r.values());
  b.placeholders({r.update(), r.condition()}, r.names(), &r.values());
  b.enum_field("ReturnValues", r.return_values());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.enum_field("ReturnItemCollectionMetrics", r.return_item_collection_metrics());
  b.none_or_all_old_field("ReturnValuesOnConditionCheckFailure",
                          r.return_values_on_condition_check_failure());
  return o.finish();
}

error_code serialize(const delete_item_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.key_field("Key", r.key());
  b.expression_field("ConditionExpression", r.condition());
  b.names(r.names());
  b.builder_error(r.expression_error());
  b.values(r.values());
  b.placeholders({r.condition()}, r.names(), &r.values());
  b.none_or_all_old_field("ReturnValues", r.return_values());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.enum_field("ReturnItemCollectionMetrics", r.return_item_collection_metrics());
  b.none_or_all_old_field("ReturnValuesOnConditionCheckFailure",
                          r.return_values_on_condition_check_failure());
  return o.finish();
}

// ---- query and scan ----

error_code serialize(const query_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.index_field(r.index());
  b.expression_field("KeyConditionExpression", r.key_condition(), true);
  write_paged_read_options(b, r);
  b.placeholders({r.key_condition(), r.filter(), r.projection()}, r.names(), &r.values());
  if (!r.scan_index_forward()) {
    b.json().raw_key("ScanIndexForward");
    b.json().boolean(false);
  }
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

error_code serialize(const scan_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  b.table_name(r.table());
  b.index_field(r.index());
  write_paged_read_options(b, r);
  b.placeholders({r.filter(), r.projection()}, r.names(), &r.values());
  auto segment = r.segment();
  auto total = r.total_segments();
  b.require(segment.has_value() == total.has_value(), "Segment and TotalSegments go together");
  if (segment && total) {
    b.require(*total >= 1 && *total <= 1000000 && *segment >= 0 && *segment < *total,
              "Segment must be in 0..TotalSegments-1, TotalSegments in 1..1000000");
    b.json().raw_key("Segment");
    b.json().integer(*segment);
    b.json().raw_key("TotalSegments");
    b.json().integer(*total);
  }
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

// ---- batches ----

error_code serialize(const batch_get_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  auto& tables = r.tables();
  b.require(!tables.empty(), "a batch without keys");
  std::size_t keys = 0;
  for (auto& t : tables) keys += t.keys().size();
  b.require(keys <= batch_get_request::max_keys, "over 100 keys in one BatchGetItem");
  w.raw_key("RequestItems");
  w.begin_object();
  for (auto t = tables.begin(); t != tables.end(); ++t) {
    b.check_table_name(t->table());
    b.require(!t->keys().empty(), "a batch table without keys");
    for (auto u = tables.begin(); u != t; ++u) b.require(u->table() != t->table(), "a table named twice");
    w.key(t->table());
    w.begin_object();
    w.raw_key("Keys");
    w.begin_array();
    auto& k = t->keys();
    for (std::size_t i = 0; i < k.size(); ++i) {
      b.key_field({}, k[i]);
      // DynamoDB: "Provided list of item keys contains duplicates" (the count is bounded above).
      if (keys <= batch_get_request::max_keys)
        for (std::size_t j = 0; j < i; ++j) b.require(!(k[i] == k[j]), "a key twice in one BatchGetItem");
    }
    w.end_array();
    b.expression_field("ProjectionExpression", t->projection());
    b.names(t->names());
    b.builder_error(t->expression_error());
    b.placeholders({t->projection()}, t->names(), nullptr);
    consistent_read_field(b, t->consistent_read());
    w.end_object();
  }
  w.end_object();
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

error_code serialize(const batch_write_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  auto& tables = r.tables();
  b.require(!tables.empty(), "a batch without writes");
  std::size_t count = 0;
  for (auto& t : tables) count += t.requests().size();
  b.require(count <= batch_write_request::max_requests, "over 25 writes in one BatchWriteItem");
  std::vector<target> targets;
  if (count <= batch_write_request::max_requests) targets.reserve(count);
  w.raw_key("RequestItems");
  w.begin_object();
  for (auto t = tables.begin(); t != tables.end(); ++t) {
    b.check_table_name(t->table());
    b.require(!t->requests().empty(), "a batch table without writes");
    for (auto u = tables.begin(); u != t; ++u) b.require(u->table() != t->table(), "a table named twice");
    w.key(t->table());
    w.begin_array();
    for (auto& req : t->requests()) {
      w.begin_object();
      if (auto put = std::get_if<put_request>(&req)) {
        w.raw_key("PutRequest");
        w.begin_object();
        b.item_field("Item", put->item);
        if (count <= batch_write_request::max_requests) targets.push_back({&t->table(), nullptr, &put->item});
      } else {
        auto& key = std::get<delete_request>(req).key;
        w.raw_key("DeleteRequest");
        w.begin_object();
        b.key_field("Key", key);
        if (count <= batch_write_request::max_requests) targets.push_back({&t->table(), &key, nullptr});
      }
      w.end_object();
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  b.require(!any_same_item(targets), "two writes on one item in one BatchWriteItem");
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.enum_field("ReturnItemCollectionMetrics", r.return_item_collection_metrics());
  return o.finish();
}

// ---- transactions ----

error_code serialize(const transact_get_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  b.require(!r.gets().empty(), "a transaction without actions");
  b.require(r.gets().size() <= transact_get_request::max_actions, "over 100 actions in one transaction");
  w.raw_key("TransactItems");
  w.begin_array();
  for (auto& g : r.gets()) {
    w.begin_object();
    w.raw_key("Get");
    w.begin_object();
    b.table_name(g.table());
    b.key_field("Key", g.key());
    b.expression_field("ProjectionExpression", g.projection());
    b.names(g.names());
    b.builder_error(g.expression_error());
    b.placeholders({g.projection()}, g.names(), nullptr);
    w.end_object();
    w.end_object();
  }
  w.end_array();
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  return o.finish();
}

error_code serialize(const transact_write_request& r, std::string& out) {
  body o(out);
  auto& b = o.b;
  auto& w = b.json();
  const std::size_t n = r.actions().size();
  b.require(n > 0, "a transaction without actions");
  b.require(n <= transact_write_request::max_actions, "over 100 actions in one transaction");
  std::vector<target> targets;
  if (n <= transact_write_request::max_actions) targets.reserve(n);
  w.raw_key("TransactItems");
  w.begin_array();
  for (auto& action : r.actions()) {
    w.begin_object();
    if (auto p = std::get_if<transact_put>(&action)) {
      w.raw_key("Put");
      w.begin_object();
      b.table_name(p->table());
      b.item_field("Item", p->item());
      b.expression_field("ConditionExpression", p->condition());
      write_transact_action_tail(b, *p);
      b.placeholders({p->condition()}, p->names(), &p->values());
      targets.push_back({&p->table(), nullptr, &p->item()});
    } else if (auto u = std::get_if<transact_update>(&action)) {
      w.raw_key("Update");
      w.begin_object();
      b.table_name(u->table());
      b.key_field("Key", u->key());
      b.expression_field("UpdateExpression", u->update(), true);
      b.expression_field("ConditionExpression", u->condition());
      write_transact_action_tail(b, *u);
      b.placeholders({u->update(), u->condition()}, u->names(), &u->values());
      targets.push_back({&u->table(), &u->key(), nullptr});
    } else if (auto d = std::get_if<transact_delete>(&action)) {
      w.raw_key("Delete");
      w.begin_object();
      b.table_name(d->table());
      b.key_field("Key", d->key());
      b.expression_field("ConditionExpression", d->condition());
      write_transact_action_tail(b, *d);
      b.placeholders({d->condition()}, d->names(), &d->values());
      targets.push_back({&d->table(), &d->key(), nullptr});
    } else {
      auto& c = std::get<transact_condition_check>(action);
      w.raw_key("ConditionCheck");
      w.begin_object();
      b.table_name(c.table());
      b.key_field("Key", c.key());
      b.expression_field("ConditionExpression", c.condition(), true);
      write_transact_action_tail(b, c);
      b.placeholders({c.condition()}, c.names(), &c.values());
      targets.push_back({&c.table(), &c.key(), nullptr});
    }
    w.end_object();
    w.end_object();
  }
  w.end_array();
  // DynamoDB: "Transaction request cannot include multiple operations on one item".
  if (n <= transact_write_request::max_actions)
    b.require(!any_same_item(targets), "two actions on one item in one transaction");
  b.require(r.client_request_token().size() <= 36, "a ClientRequestToken over 36 characters");
  b.string_field("ClientRequestToken", r.client_request_token());
  b.enum_field("ReturnConsumedCapacity", r.return_consumed_capacity());
  b.enum_field("ReturnItemCollectionMetrics", r.return_item_collection_metrics());
  return o.finish();
}

const char* serialize_error_reason() noexcept { return detail::last_serialize_reason; }

// ---- logging ----

void write_value_json(const value& v, std::string& out) {
  body_writer b(out);
  b.value(v, 0);
}

void write_item_json(const item& i, std::string& out) {
  body_writer b(out);
  b.item(i);
}

} // namespace ddb
