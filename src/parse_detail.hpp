// What the response parsers share (parse.cpp: items, queries, batches and transactions;
// parse_table.cpp: tables and the control plane): simdjson On-Demand helpers, the flat item
// writer, and response_parser::impl with its reusable parser and buffers.
#pragma once

#include "base64.hpp"

#include <ddb/number.hpp>
#include <ddb/parse.hpp>

#include <simdjson.h>

#include <algorithm>
#include <cstring>

namespace ddb {

static_assert(json_padding == simdjson::SIMDJSON_PADDING, "ddb::json_padding must match simdjson");

namespace od = simdjson::ondemand;
using sj_error = simdjson::error_code;

// Propagates a simdjson::error_code (or the error of `x.get(v)`).
#define DDB_TRY(expr)                                                                                        \
  do {                                                                                                       \
    if (sj_error ddb_err_ = (expr); ddb_err_ != simdjson::SUCCESS) return ddb_err_;                          \
  } while (0)

namespace detail {

using u32 = std::uint32_t;

// Nesting of L and M values; DynamoDB allows 32 levels. Bounds the recursion on hostile input.
inline constexpr int max_nesting = 64;

// Wire type tags, read from the raw key (the bytes after its opening quote). Escaped tags are not
// recognized; DynamoDB never escapes them. Reads at most 5 bytes: within the padding at worst.
inline constexpr int bad_tag = -1;
inline int classify(const char* k) noexcept {
  switch (k[0]) {
  case 'S':
    if (k[1] == '"') return int(value_type::string);
    if (k[1] == 'S' && k[2] == '"') return int(value_type::string_set);
    return bad_tag;
  case 'N':
    if (k[1] == '"') return int(value_type::number);
    if (k[1] == 'S' && k[2] == '"') return int(value_type::number_set);
    if (k[1] == 'U' && k[2] == 'L' && k[3] == 'L' && k[4] == '"') return int(value_type::null);
    return bad_tag;
  case 'B':
    if (k[1] == '"') return int(value_type::binary);
    if (k[1] == 'S' && k[2] == '"') return int(value_type::binary_set);
    if (k[1] == 'O' && k[2] == 'O' && k[3] == 'L' && k[4] == '"') return int(value_type::boolean);
    return bad_tag;
  case 'L':
    return k[1] == '"' ? int(value_type::list) : bad_tag;
  case 'M':
    return k[1] == '"' ? int(value_type::map) : bad_tag;
  default:
    return bad_tag;
  }
}

// DynamoDB number text: a fast path for plain decimals of at most 38 digits (always in range),
// the full validation otherwise.
inline bool valid_number(std::string_view s) noexcept {
  const char* p = s.data();
  const char* e = p + s.size();
  if (p != e && *p == '-') ++p;
  const char* d = p;
  while (p != e && static_cast<unsigned char>(*p - '0') < 10) ++p;
  std::size_t digits = static_cast<std::size_t>(p - d);
  if (digits && p != e && *p == '.') {
    const char* f = ++p;
    while (p != e && static_cast<unsigned char>(*p - '0') < 10) ++p;
    digits = p == f ? 0 : digits + static_cast<std::size_t>(p - f);
  }
  if (digits && digits <= 38 && p == e) return true;
  return !validate_number(s);
}

// Appends attribute values to flat storage.
struct writer {
  detail::arena& bytes;
  std::vector<node>& nodes;

  u32 here() const noexcept { return static_cast<u32>(bytes.size()); }

  void scalar(u32 name_off, u32 name_type, std::string_view s) {
    bytes.append(s);
    nodes.push_back(node{name_off, name_type, static_cast<u32>(s.size()), 1});
  }

  // One element of a set: a JSON string, stored as a value of type `t`.
  sj_error set_element(od::value v, value_type t) {
    std::string_view s;
    DDB_TRY(v.get_string().get(s));
    u32 off = here();
    if (t == value_type::binary) return binary(off, u32(t), s);
    if (t == value_type::number && !valid_number(s)) return simdjson::NUMBER_ERROR;
    scalar(off, u32(t), s);
    return simdjson::SUCCESS;
  }

  sj_error binary(u32 name_off, u32 name_type, std::string_view b64) {
    char* p = bytes.extend(detail::base64_decoded_size(b64.size()));
    std::ptrdiff_t n = detail::base64_decode(b64, reinterpret_cast<std::byte*>(p));
    if (n < 0) return simdjson::STRING_ERROR;
    bytes.shrink_to(static_cast<std::size_t>(p - bytes.data()) + static_cast<std::size_t>(n));
    nodes.push_back(node{name_off, name_type | u32(value_type::binary), static_cast<u32>(n), 1});
    return simdjson::SUCCESS;
  }

  // The members of a map (or item): name, then value, for each.
  sj_error members(od::object o, u32& count, int depth) {
    for (auto field : o) {
      std::string_view name;
      DDB_TRY(field.unescaped_key().get(name));
      u32 off = here();
      bytes.append(name);
      od::value v;
      DDB_TRY(field.value().get(v));
      DDB_TRY(attribute(v, off, static_cast<u32>(name.size()), depth));
      ++count;
    }
    return simdjson::SUCCESS;
  }

  // An item (or the value of M): a map node, then its members.
  sj_error map(od::object o, u32 name_off, u32 name_len, int depth) {
    if (depth > max_nesting) return simdjson::DEPTH_ERROR;
    std::size_t at = nodes.size();
    nodes.push_back(node{name_off, name_len << 4 | u32(value_type::map), 0, 0});
    u32 count = 0;
    DDB_TRY(members(o, count, depth + 1));
    nodes[at].length = count;
    nodes[at].span = static_cast<u32>(nodes.size() - at);
    return simdjson::SUCCESS;
  }

  sj_error item(od::object o) { return map(o, here(), 0, 0); }

  // An AttributeValue: {"<tag>": <value>}, exactly one member. The name is already in the arena
  // at name_off; scalar bytes are appended right after it.
  sj_error attribute(od::value v, u32 name_off, u32 name_len, int depth) {
    od::object obj;
    DDB_TRY(v.get_object().get(obj));
    bool seen = false;
    for (auto field : obj) {
      if (seen) return simdjson::TAPE_ERROR; // two type tags
      seen = true;
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      int tag = classify(key.raw());
      od::value val;
      DDB_TRY(field.value().get(val));
      const u32 nt = name_len << 4;
      switch (tag) {
      case int(value_type::string): {
        std::string_view s;
        DDB_TRY(val.get_string().get(s));
        scalar(name_off, nt | u32(value_type::string), s);
        break;
      }
      case int(value_type::number): {
        std::string_view s;
        DDB_TRY(val.get_string().get(s));
        if (!valid_number(s)) return simdjson::NUMBER_ERROR;
        scalar(name_off, nt | u32(value_type::number), s);
        break;
      }
      case int(value_type::binary): {
        std::string_view s;
        DDB_TRY(val.get_string().get(s));
        DDB_TRY(binary(name_off, nt, s));
        break;
      }
      case int(value_type::boolean): {
        bool b;
        DDB_TRY(val.get_bool().get(b));
        nodes.push_back(node{name_off, nt | u32(value_type::boolean), b ? 1u : 0u, 1});
        break;
      }
      case int(value_type::null): {
        bool b;
        DDB_TRY(val.get_bool().get(b));
        if (!b) return simdjson::INCORRECT_TYPE; // DynamoDB's NULL is always true
        nodes.push_back(node{name_off, nt | u32(value_type::null), 0, 1});
        break;
      }
      case int(value_type::map): {
        od::object m;
        DDB_TRY(val.get_object().get(m));
        DDB_TRY(map(m, name_off, name_len, depth));
        break;
      }
      case int(value_type::list):
      case int(value_type::string_set):
      case int(value_type::number_set):
      case int(value_type::binary_set): {
        if (depth > max_nesting) return simdjson::DEPTH_ERROR;
        od::array arr;
        DDB_TRY(val.get_array().get(arr));
        std::size_t at = nodes.size();
        nodes.push_back(node{name_off, nt | u32(tag), 0, 0});
        u32 count = 0;
        if (tag == int(value_type::list)) {
          for (auto e : arr) {
            od::value ev;
            DDB_TRY(e.get(ev));
            DDB_TRY(attribute(ev, here(), 0, depth + 1));
            ++count;
          }
        } else {
          auto element_type = tag == int(value_type::string_set)   ? value_type::string
                              : tag == int(value_type::number_set) ? value_type::number
                                                                   : value_type::binary;
          for (auto e : arr) {
            od::value ev;
            DDB_TRY(e.get(ev));
            DDB_TRY(set_element(ev, element_type));
            ++count;
          }
        }
        nodes[at].length = count;
        nodes[at].span = static_cast<u32>(nodes.size() - at);
        break;
      }
      default:
        return simdjson::INCORRECT_TYPE; // not a DynamoDB type
      }
    }
    return seen ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
  }
};

// --- Generic helpers for the small, owning responses ------------------------------------------

template <class F>
sj_error each_field(od::value v, F&& f) {
  od::object o;
  DDB_TRY(v.get_object().get(o));
  for (auto field : o) {
    od::raw_json_string key;
    DDB_TRY(field.key().get(key));
    od::value val;
    DDB_TRY(field.value().get(val));
    DDB_TRY(f(key, val));
  }
  return simdjson::SUCCESS;
}

// Like each_field, with the names unescaped (for maps keyed by table or index name).
template <class F>
sj_error each_named_field(od::value v, F&& f) {
  od::object o;
  DDB_TRY(v.get_object().get(o));
  for (auto field : o) {
    std::string_view name;
    DDB_TRY(field.unescaped_key().get(name));
    std::string key(name); // the string_view dies with the next string read
    od::value val;
    DDB_TRY(field.value().get(val));
    DDB_TRY(f(std::move(key), val));
  }
  return simdjson::SUCCESS;
}

template <class F>
sj_error each_element(od::value v, F&& f) {
  od::array a;
  DDB_TRY(v.get_array().get(a));
  for (auto e : a) {
    od::value val;
    DDB_TRY(e.get(val));
    DDB_TRY(f(val));
  }
  return simdjson::SUCCESS;
}

template <class T>
sj_error get(od::value v, std::optional<T>& out); // defined below the others

inline sj_error get(od::value v, std::string& out) {
  std::string_view s;
  DDB_TRY(v.get_string().get(s));
  out.assign(s);
  return simdjson::SUCCESS;
}
inline sj_error get(od::value v, std::uint64_t& out) { return v.get_uint64().get(out); }
inline sj_error get(od::value v, double& out) { return v.get_double().get(out); }
inline sj_error get(od::value v, bool& out) { return v.get_bool().get(out); }

inline sj_error get(od::value v, std::vector<std::string>& out) {
  return each_element(v, [&](od::value e) { return get(e, out.emplace_back()); });
}

inline sj_error get(od::value v, std::vector<double>& out) {
  return each_element(v, [&](od::value e) { return get(e, out.emplace_back()); });
}

inline sj_error get(od::value v, std::map<std::string, std::string, std::less<>>& out) {
  return each_named_field(v, [&](std::string name, od::value e) { return get(e, out[std::move(name)]); });
}

inline sj_error get(od::value v, capacity& out) {
  return each_field(v, [&](od::raw_json_string k, od::value f) -> sj_error {
    if (k == "CapacityUnits") return get(f, out.capacity_units);
    if (k == "ReadCapacityUnits") return get(f, out.read_capacity_units);
    if (k == "WriteCapacityUnits") return get(f, out.write_capacity_units);
    return simdjson::SUCCESS;
  });
}

inline sj_error get(od::value v, std::map<std::string, capacity, std::less<>>& out) {
  return each_named_field(v, [&](std::string name, od::value e) { return get(e, out[std::move(name)]); });
}

inline sj_error get(od::value v, consumed_capacity& out) {
  return each_field(v, [&](od::raw_json_string k, od::value f) -> sj_error {
    if (k == "TableName") return get(f, out.table_name);
    if (k == "CapacityUnits") return get(f, out.capacity_units);
    if (k == "ReadCapacityUnits") return get(f, out.read_capacity_units);
    if (k == "WriteCapacityUnits") return get(f, out.write_capacity_units);
    if (k == "Table") return get(f, out.table);
    if (k == "GlobalSecondaryIndexes") return get(f, out.global_secondary_indexes);
    if (k == "LocalSecondaryIndexes") return get(f, out.local_secondary_indexes);
    return simdjson::SUCCESS;
  });
}

// ConsumedCapacity of the multi-table operations: an array (one object is accepted too).
inline sj_error get(od::value v, std::vector<consumed_capacity>& out) {
  od::json_type t;
  DDB_TRY(v.type().get(t));
  if (t == od::json_type::object) return get(v, out.emplace_back());
  return each_element(v, [&](od::value e) { return get(e, out.emplace_back()); });
}

// Declared last so that it sees every overload above (they are not found by ADL).
template <class T>
sj_error get(od::value v, std::optional<T>& out) {
  T t{};
  DDB_TRY(get(v, t));
  out = std::move(t);
  return simdjson::SUCCESS;
}

} // namespace detail

using namespace detail; // a private header: parse.cpp and parse_table.cpp only

// --- The parser -----------------------------------------------------------------------------

struct response_parser::impl {
  od::parser parser;
  std::unique_ptr<char[]> padded; // copies of bodies that could not be parsed in place
  std::size_t padded_capacity = 0;
  detail::flat scratch; // owning items are parsed here first

  // An item into an owning ddb::item, through the scratch storage.
  sj_error get_item(od::value v, item& out) {
    od::object o;
    DDB_TRY(v.get_object().get(o));
    scratch.clear();
    writer w{scratch.bytes, scratch.nodes};
    DDB_TRY(w.item(o));
    out = detail::flat_access::item(scratch, 0).to_item();
    return simdjson::SUCCESS;
  }
  sj_error get_item(od::value v, std::optional<item>& out) {
    item i;
    DDB_TRY(get_item(v, i));
    out = std::move(i);
    return simdjson::SUCCESS;
  }

  sj_error get_items(od::value v, std::vector<item>& out) {
    return each_element(v, [&](od::value e) { return get_item(e, out.emplace_back()); });
  }

  sj_error get(od::value v, item_collection_metrics& out) {
    return each_field(v, [&](od::raw_json_string k, od::value f) -> sj_error {
      if (k == "ItemCollectionKey") return get_item(f, out.item_collection_key);
      if (k == "SizeEstimateRangeGB") return ddb::get(f, out.size_estimate_range_gb);
      return simdjson::SUCCESS;
    });
  }
  sj_error get(od::value v, std::optional<item_collection_metrics>& out) { return get(v, out.emplace()); }
  sj_error get(od::value v, std::map<std::string, std::vector<item_collection_metrics>, std::less<>>& out) {
    return each_named_field(v, [&](std::string table, od::value f) {
      auto& list = out[std::move(table)];
      return each_element(f, [&](od::value e) { return get(e, list.emplace_back()); });
    });
  }

  sj_error get(od::value v, keys_and_attributes& out) {
    return each_field(v, [&](od::raw_json_string k, od::value f) -> sj_error {
      if (k == "Keys") return get_items(f, out.keys);
      if (k == "ProjectionExpression") return ddb::get(f, out.projection_expression);
      if (k == "ExpressionAttributeNames") return ddb::get(f, out.expression_attribute_names);
      if (k == "ConsistentRead") return ddb::get(f, out.consistent_read);
      if (k == "AttributesToGet") return ddb::get(f, out.attributes_to_get);
      return simdjson::SUCCESS;
    });
  }

  // {"PutRequest":{"Item":{...}}} or {"DeleteRequest":{"Key":{...}}}.
  sj_error get(od::value v, write_request& out) {
    bool found = false;
    DDB_TRY(each_field(v, [&](od::raw_json_string k, od::value f) -> sj_error {
      if (k == "PutRequest") {
        if (found) return simdjson::TAPE_ERROR;
        found = true;
        auto& put = out.emplace<put_request>();
        bool has_item = false;
        DDB_TRY(each_field(f, [&](od::raw_json_string k2, od::value g) -> sj_error {
          if (k2 != "Item") return simdjson::SUCCESS;
          has_item = true;
          return get_item(g, put.item);
        }));
        return has_item ? simdjson::SUCCESS : simdjson::TAPE_ERROR;
      }
      if (k == "DeleteRequest") {
        if (found) return simdjson::TAPE_ERROR;
        found = true;
        auto& del = out.emplace<delete_request>();
        bool has_key = false;
        DDB_TRY(each_field(f, [&](od::raw_json_string k2, od::value g) -> sj_error {
          if (k2 != "Key") return simdjson::SUCCESS;
          has_key = true;
          return get_item(g, del.key);
        }));
        return has_key ? simdjson::SUCCESS : simdjson::TAPE_ERROR;
      }
      return simdjson::SUCCESS;
    }));
    return found ? simdjson::SUCCESS : simdjson::TAPE_ERROR;
  }

  sj_error get(od::value v, std::vector<key_schema_element>& out) {
    return each_element(v, [&](od::value e) {
      auto& k = out.emplace_back();
      return each_field(e, [&](od::raw_json_string n, od::value f) -> sj_error {
        if (n == "AttributeName") return ddb::get(f, k.attribute_name);
        if (n == "KeyType") return ddb::get(f, k.key_type);
        return simdjson::SUCCESS;
      });
    });
  }

  sj_error get(od::value v, std::vector<attribute_definition>& out) {
    return each_element(v, [&](od::value e) {
      auto& a = out.emplace_back();
      return each_field(e, [&](od::raw_json_string n, od::value f) -> sj_error {
        if (n == "AttributeName") return ddb::get(f, a.attribute_name);
        if (n == "AttributeType") return ddb::get(f, a.attribute_type);
        return simdjson::SUCCESS;
      });
    });
  }

  sj_error get(od::value v, projection& out) {
    return each_field(v, [&](od::raw_json_string n, od::value f) -> sj_error {
      if (n == "ProjectionType") return ddb::get(f, out.projection_type);
      if (n == "NonKeyAttributes") return ddb::get(f, out.non_key_attributes);
      return simdjson::SUCCESS;
    });
  }

  sj_error get(od::value v, std::optional<provisioned_throughput_description>& opt) {
    auto& out = opt.emplace();
    return each_field(v, [&](od::raw_json_string n, od::value f) -> sj_error {
      if (n == "ReadCapacityUnits") return ddb::get(f, out.read_capacity_units);
      if (n == "WriteCapacityUnits") return ddb::get(f, out.write_capacity_units);
      if (n == "NumberOfDecreasesToday") return ddb::get(f, out.number_of_decreases_today);
      if (n == "LastIncreaseDateTime") return ddb::get(f, out.last_increase_date_time);
      if (n == "LastDecreaseDateTime") return ddb::get(f, out.last_decrease_date_time);
      return simdjson::SUCCESS;
    });
  }

  sj_error get(od::value v, std::vector<index_description>& out) {
    return each_element(v, [&](od::value e) {
      auto& i = out.emplace_back();
      return each_field(e, [&](od::raw_json_string n, od::value f) -> sj_error {
        if (n == "IndexName") return ddb::get(f, i.index_name);
        if (n == "KeySchema") return get(f, i.key_schema);
        if (n == "Projection") return get(f, i.projection);
        if (n == "IndexStatus") return ddb::get(f, i.index_status);
        if (n == "Backfilling") return ddb::get(f, i.backfilling);
        if (n == "ItemCount") return ddb::get(f, i.item_count);
        if (n == "IndexSizeBytes") return ddb::get(f, i.index_size_bytes);
        if (n == "IndexArn") return ddb::get(f, i.index_arn);
        if (n == "ProvisionedThroughput") return get(f, i.provisioned_throughput);
        return simdjson::SUCCESS;
      });
    });
  }

  sj_error get(od::value v, table_description& t) {
    return each_field(v, [&](od::raw_json_string n, od::value f) -> sj_error {
      if (n == "TableName") return ddb::get(f, t.table_name);
      if (n == "TableStatus") return ddb::get(f, t.table_status);
      if (n == "TableArn") return ddb::get(f, t.table_arn);
      if (n == "TableId") return ddb::get(f, t.table_id);
      if (n == "AttributeDefinitions") return get(f, t.attribute_definitions);
      if (n == "KeySchema") return get(f, t.key_schema);
      if (n == "GlobalSecondaryIndexes") return get(f, t.global_secondary_indexes);
      if (n == "LocalSecondaryIndexes") return get(f, t.local_secondary_indexes);
      if (n == "ItemCount") return ddb::get(f, t.item_count);
      if (n == "TableSizeBytes") return ddb::get(f, t.table_size_bytes);
      if (n == "CreationDateTime") return ddb::get(f, t.creation_date_time);
      if (n == "ProvisionedThroughput") return get(f, t.provisioned_throughput);
      if (n == "DeletionProtectionEnabled") return ddb::get(f, t.deletion_protection_enabled);
      if (n == "LatestStreamArn") return ddb::get(f, t.latest_stream_arn);
      if (n == "LatestStreamLabel") return ddb::get(f, t.latest_stream_label);
      if (n == "StreamSpecification") {
        auto& st = t.stream_specification.emplace();
        return each_field(f, [&](od::raw_json_string b, od::value g) -> sj_error {
          if (b == "StreamEnabled") return ddb::get(g, st.stream_enabled);
          if (b == "StreamViewType") return ddb::get(g, st.view_type);
          return simdjson::SUCCESS;
        });
      }
      if (n == "TableClassSummary")
        return each_field(f, [&](od::raw_json_string b, od::value g) -> sj_error {
          return b == "TableClass" ? ddb::get(g, t.table_class) : simdjson::SUCCESS;
        });
      if (n == "SSEDescription") {
        auto& sse = t.sse_description.emplace();
        return each_field(f, [&](od::raw_json_string b, od::value g) -> sj_error {
          if (b == "Status") return ddb::get(g, sse.status);
          if (b == "SSEType") return ddb::get(g, sse.sse_type);
          if (b == "KMSMasterKeyArn") return ddb::get(g, sse.kms_master_key_arn);
          return simdjson::SUCCESS;
        });
      }
      if (n == "BillingModeSummary")
        return each_field(f, [&](od::raw_json_string b, od::value g) -> sj_error {
          return b == "BillingMode" ? ddb::get(g, t.billing_mode) : simdjson::SUCCESS;
        });
      return simdjson::SUCCESS;
    });
  }

  static constexpr std::size_t no_offset = std::size_t(-1);

  // Runs `f` on the top-level object of `body`; on failure, error_offset is where in the body it
  // was detected (or no_offset). Leaves a `std::string&` body as it was.
  template <class F>
  sj_error run(const json_body& body, std::size_t& error_offset, F&& f) {
    const char* data = body.data_;
    std::size_t size = body.size_;
    if (size >= detail::max_body_size) return simdjson::CAPACITY;
    struct restore {
      std::string* s = nullptr;
      std::size_t size = 0;
      ~restore() {
        if (s) s->resize(size);
      }
    } restore_string;
    if (body.padded_) {
      // parsed in place as promised
    } else if (body.string_) {
      // Within capacity this neither allocates nor moves the bytes; the padding reads as zeros.
      body.string_->resize(size + simdjson::SIMDJSON_PADDING);
      restore_string = {body.string_, size};
      data = body.string_->data();
    } else {
      if (padded_capacity < size + simdjson::SIMDJSON_PADDING) {
        std::size_t n = std::max(size + simdjson::SIMDJSON_PADDING, padded_capacity + padded_capacity / 2);
        padded.reset(new char[n]);
        padded_capacity = n;
      }
      if (size) std::memcpy(padded.get(), data, size);
      std::memset(padded.get() + size, 0, simdjson::SIMDJSON_PADDING);
      data = padded.get();
    }
    od::document doc;
    DDB_TRY(parser.iterate(data, size, size + simdjson::SIMDJSON_PADDING).get(doc));
    sj_error e = [&]() -> sj_error {
      od::object top;
      DDB_TRY(doc.get_object().get(top));
      DDB_TRY(f(top));
      const char* rest; // only at the end of the document is there no current location
      return doc.current_location().get(rest) ? simdjson::SUCCESS : simdjson::TRAILING_CONTENT;
    }();
    const char* at = nullptr;
    if (e && !doc.current_location().get(at) && at >= data && at <= data + size)
      error_offset = static_cast<std::size_t>(at - data);
    return e;
  }

  // run(), then the error_code and diagnostics of a success response.
  template <class F>
  error_code parse(const json_body& body, diagnostics& diag, const char* what, F&& f) {
    std::size_t offset = no_offset;
    sj_error e = run(body, offset, std::forward<F>(f));
    if (!e) return {};
    diag.message = "malformed ";
    diag.message += what;
    diag.message += " response: ";
    diag.message += simdjson::error_message(e);
    if (offset != no_offset) {
      diag.message += " (at byte ";
      diag.message += std::to_string(offset);
      diag.message += ")";
    }
    return client_errc::malformed_response;
  }
};

} // namespace ddb
