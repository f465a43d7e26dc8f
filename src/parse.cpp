// Response parsing with simdjson On-Demand: one forward pass over the body, straight into
// ddb::page's flat storage (or, for the small responses, into flat scratch storage that is then
// copied into owning items).
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

namespace {

using detail::node;
using u32 = std::uint32_t;

// Nesting of L and M values; DynamoDB allows 32 levels. Bounds the recursion on hostile input.
constexpr int max_nesting = 64;

// Wire type tags, read from the raw key (the bytes after its opening quote). Escaped tags are not
// recognized; DynamoDB never escapes them. Reads at most 5 bytes: within the padding at worst.
constexpr int bad_tag = -1;
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

sj_error get(od::value v, std::string& out) {
  std::string_view s;
  DDB_TRY(v.get_string().get(s));
  out.assign(s);
  return simdjson::SUCCESS;
}
sj_error get(od::value v, std::uint64_t& out) { return v.get_uint64().get(out); }
sj_error get(od::value v, double& out) { return v.get_double().get(out); }
sj_error get(od::value v, bool& out) { return v.get_bool().get(out); }

sj_error get(od::value v, std::vector<std::string>& out) {
  return each_element(v, [&](od::value e) { return get(e, out.emplace_back()); });
}

sj_error get(od::value v, std::vector<double>& out) {
  return each_element(v, [&](od::value e) { return get(e, out.emplace_back()); });
}

sj_error get(od::value v, std::map<std::string, std::string, std::less<>>& out) {
  return each_named_field(v, [&](std::string name, od::value e) { return get(e, out[std::move(name)]); });
}

sj_error get(od::value v, capacity& out) {
  return each_field(v, [&](od::raw_json_string k, od::value f) -> sj_error {
    if (k == "CapacityUnits") return get(f, out.capacity_units);
    if (k == "ReadCapacityUnits") return get(f, out.read_capacity_units);
    if (k == "WriteCapacityUnits") return get(f, out.write_capacity_units);
    return simdjson::SUCCESS;
  });
}

sj_error get(od::value v, std::map<std::string, capacity, std::less<>>& out) {
  return each_named_field(v, [&](std::string name, od::value e) { return get(e, out[std::move(name)]); });
}

sj_error get(od::value v, consumed_capacity& out) {
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
sj_error get(od::value v, std::vector<consumed_capacity>& out) {
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

} // namespace

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

response_parser::response_parser() : impl_(std::make_unique<impl>()) {}
response_parser::~response_parser() = default;
response_parser::response_parser(response_parser&&) noexcept = default;
response_parser& response_parser::operator=(response_parser&&) noexcept = default;

error_code response_parser::parse_query(json_body body, page& out, diagnostics& diag) {
  out.clear();
  auto& flat = detail::flat_access::storage(out);
  auto& items = detail::flat_access::items(out);
  // Everything in the arena comes from the body and is no longer than it there.
  flat.bytes.reserve(body.text().size() + 64);
  auto ec = impl_->parse(body, diag, "Query/Scan", [&](od::object top) {
    writer w{flat.bytes, flat.nodes};
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Items") {
        od::array arr;
        DDB_TRY(v.get_array().get(arr));
        for (auto e : arr) {
          od::object o;
          DDB_TRY(e.get_object().get(o));
          items.push_back(static_cast<u32>(flat.nodes.size()));
          DDB_TRY(w.item(o));
        }
      } else if (key == "Count") {
        DDB_TRY(get(v, detail::flat_access::count(out)));
      } else if (key == "ScannedCount") {
        DDB_TRY(get(v, detail::flat_access::scanned_count(out)));
      } else if (key == "LastEvaluatedKey") {
        DDB_TRY(impl_->get_item(v, detail::flat_access::last_evaluated_key(out).emplace()));
      } else if (key == "ConsumedCapacity") {
        DDB_TRY(get(v, detail::flat_access::consumed_capacity(out).emplace()));
      }
    }
    return simdjson::SUCCESS;
  });
  if (ec) out.clear(); // no half-built items (their nodes are incomplete)
  return ec;
}

error_code response_parser::parse_get_item(json_body body, get_item_response& out, diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "GetItem", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Item")
        DDB_TRY(impl_->get_item(v, out.item));
      else if (key == "ConsumedCapacity")
        DDB_TRY(get(v, out.consumed_capacity));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_write_item(json_body body, write_item_response& out, diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "PutItem/UpdateItem/DeleteItem", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Attributes")
        DDB_TRY(impl_->get_item(v, out.attributes));
      else if (key == "ConsumedCapacity")
        DDB_TRY(get(v, out.consumed_capacity));
      else if (key == "ItemCollectionMetrics")
        DDB_TRY(impl_->get(v, out.item_collection_metrics));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_batch_get_item(json_body body, batch_get_item_response& out,
                                                 diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "BatchGetItem", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Responses") {
        DDB_TRY(each_named_field(v, [&](std::string table, od::value f) {
          return impl_->get_items(f, out.responses[std::move(table)]);
        }));
      } else if (key == "UnprocessedKeys") {
        DDB_TRY(each_named_field(v, [&](std::string table, od::value f) {
          return impl_->get(f, out.unprocessed_keys[std::move(table)]);
        }));
      } else if (key == "ConsumedCapacity") {
        DDB_TRY(get(v, out.consumed_capacity));
      }
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_batch_write_item(json_body body, batch_write_item_response& out,
                                                   diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "BatchWriteItem", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "UnprocessedItems") {
        DDB_TRY(each_named_field(v, [&](std::string table, od::value f) {
          auto& list = out.unprocessed_items[std::move(table)];
          return each_element(f, [&](od::value e) { return impl_->get(e, list.emplace_back()); });
        }));
      } else if (key == "ItemCollectionMetrics") {
        DDB_TRY(impl_->get(v, out.item_collection_metrics));
      } else if (key == "ConsumedCapacity") {
        DDB_TRY(get(v, out.consumed_capacity));
      }
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_transact_get_items(json_body body, transact_get_items_response& out,
                                                     diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "TransactGetItems", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "Responses") {
        DDB_TRY(each_element(v, [&](od::value e) {
          auto& entry = out.responses.emplace_back();
          return each_field(e, [&](od::raw_json_string k, od::value f) {
            return k == "Item" ? impl_->get_item(f, entry) : simdjson::SUCCESS;
          });
        }));
      } else if (key == "ConsumedCapacity") {
        DDB_TRY(get(v, out.consumed_capacity));
      }
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_transact_write_items(json_body body, transact_write_items_response& out,
                                                       diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "TransactWriteItems", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "ItemCollectionMetrics")
        DDB_TRY(impl_->get(v, out.item_collection_metrics));
      else if (key == "ConsumedCapacity")
        DDB_TRY(get(v, out.consumed_capacity));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_table_description(json_body body, table_description& out,
                                                    diagnostics& diag) {
  out = {};
  bool found = false;
  auto ec = impl_->parse(body, diag, "table", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "TableDescription" || key == "Table") {
        found = true;
        DDB_TRY(impl_->get(v, out));
      }
    }
    return simdjson::SUCCESS;
  });
  if (!ec && !found) {
    diag.message = "malformed table response: no TableDescription";
    return client_errc::malformed_response;
  }
  return ec;
}

error_code response_parser::parse_update_time_to_live(json_body body, time_to_live_specification& out,
                                                      diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "UpdateTimeToLive", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "TimeToLiveSpecification")
        DDB_TRY(each_field(v, [&](od::raw_json_string k, od::value f) -> sj_error {
          if (k == "AttributeName") return get(f, out.attribute_name);
          if (k == "Enabled") return get(f, out.enabled);
          return simdjson::SUCCESS;
        }));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_describe_time_to_live(json_body body, time_to_live_description& out,
                                                        diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "DescribeTimeToLive", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "TimeToLiveDescription")
        DDB_TRY(each_field(v, [&](od::raw_json_string k, od::value f) -> sj_error {
          if (k == "TimeToLiveStatus") return get(f, out.time_to_live_status);
          if (k == "AttributeName") return get(f, out.attribute_name);
          return simdjson::SUCCESS;
        }));
    }
    return simdjson::SUCCESS;
  });
}

error_code response_parser::parse_list_tables(json_body body, list_tables_response& out, diagnostics& diag) {
  out = {};
  return impl_->parse(body, diag, "ListTables", [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "TableNames")
        DDB_TRY(get(v, out.table_names));
      else if (key == "LastEvaluatedTableName")
        DDB_TRY(get(v, out.last_evaluated_table_name));
    }
    return simdjson::SUCCESS;
  });
}

namespace {

// The start of a body that is not a JSON error, printable: control bytes become spaces and a
// UTF-8 sequence is not cut.
std::string snippet(std::string_view body) {
  constexpr std::size_t max = 256;
  std::size_t n = body.size();
  if (n > max) {
    n = max;
    while (n > 0 && (static_cast<unsigned char>(body[n]) & 0xc0) == 0x80) --n;
  }
  std::string s(body.substr(0, n));
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  if (n < body.size()) s += "...";
  return s;
}

} // namespace

error_code response_parser::parse_error(unsigned http_status, json_body body, diagnostics& out) {
  out.http_status = http_status;
  out.error_type.clear();
  out.message.clear();
  out.cancellation_reasons.clear();
  out.item.reset();
  std::string type;
  std::size_t offset = impl::no_offset;
  // Whatever was read before a malformed part is kept: the type matters most.
  (void)impl_->run(body, offset, [&](od::object top) {
    for (auto field : top) {
      od::raw_json_string key;
      DDB_TRY(field.key().get(key));
      od::value v;
      DDB_TRY(field.value().get(v));
      if (key == "__type") {
        DDB_TRY(get(v, type));
      } else if (key == "message" || key == "Message") {
        DDB_TRY(get(v, out.message));
      } else if (key == "Item") {
        DDB_TRY(impl_->get_item(v, out.item));
      } else if (key == "CancellationReasons") {
        DDB_TRY(each_element(v, [&](od::value e) {
          auto& r = out.cancellation_reasons.emplace_back();
          return each_field(e, [&](od::raw_json_string k, od::value f) -> sj_error {
            if (k == "Code") return get(f, r.code);
            if (k == "Message") return get(f, r.message);
            if (k == "Item") return impl_->get_item(f, r.item);
            return simdjson::SUCCESS;
          });
        }));
      }
    }
    return simdjson::SUCCESS;
  });
  std::string_view t = type;
  if (auto hash = t.rfind('#'); hash != std::string_view::npos) t.remove_prefix(hash + 1);
  if (auto colon = t.find(':'); colon != std::string_view::npos) t = t.substr(0, colon);
  if (!t.empty()) {
    out.error_type.assign(t);
    return service_errc_from_type(t);
  }
  // Not a DynamoDB error body: a proxy's page, an empty body, a 413 from a load balancer...
  if (out.message.empty()) {
    out.message = "HTTP " + std::to_string(http_status);
    if (!body.text().empty()) out.message += ": " + snippet(body.text());
  }
  if (http_status == 503) return service_errc::service_unavailable;
  if (http_status >= 500) return service_errc::internal_server_error;
  return service_errc::unknown;
}

// --- One parser per thread ------------------------------------------------------------------

namespace {
response_parser& thread_parser() {
  thread_local response_parser p;
  return p;
}
} // namespace

error_code parse_query(json_body b, page& out, diagnostics& d) {
  return thread_parser().parse_query(b, out, d);
}
error_code parse_scan(json_body b, page& out, diagnostics& d) {
  return thread_parser().parse_scan(b, out, d);
}
error_code parse_get_item(json_body b, get_item_response& out, diagnostics& d) {
  return thread_parser().parse_get_item(b, out, d);
}
error_code parse_write_item(json_body b, write_item_response& out, diagnostics& d) {
  return thread_parser().parse_write_item(b, out, d);
}
error_code parse_batch_get_item(json_body b, batch_get_item_response& out, diagnostics& d) {
  return thread_parser().parse_batch_get_item(b, out, d);
}
error_code parse_batch_write_item(json_body b, batch_write_item_response& out, diagnostics& d) {
  return thread_parser().parse_batch_write_item(b, out, d);
}
error_code parse_transact_get_items(json_body b, transact_get_items_response& out, diagnostics& d) {
  return thread_parser().parse_transact_get_items(b, out, d);
}
error_code parse_transact_write_items(json_body b, transact_write_items_response& out, diagnostics& d) {
  return thread_parser().parse_transact_write_items(b, out, d);
}
error_code parse_table_description(json_body b, table_description& out, diagnostics& d) {
  return thread_parser().parse_table_description(b, out, d);
}
error_code parse_update_time_to_live(json_body b, time_to_live_specification& out, diagnostics& d) {
  return thread_parser().parse_update_time_to_live(b, out, d);
}
error_code parse_describe_time_to_live(json_body b, time_to_live_description& out, diagnostics& d) {
  return thread_parser().parse_describe_time_to_live(b, out, d);
}
error_code parse_list_tables(json_body b, list_tables_response& out, diagnostics& d) {
  return thread_parser().parse_list_tables(b, out, d);
}
error_code parse_error(unsigned status, json_body b, diagnostics& out) {
  return thread_parser().parse_error(status, b, out);
}

} // namespace ddb
