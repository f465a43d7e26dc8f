// The serializer direction: a value tree built from the input (every DynamoDB type, nested maps and
// lists, sets, any bytes as strings and names), put into a PutItem request, serialized, then read
// back by ddb's own response parser. The serializer must accept exactly the items DynamoDB takes
// (the first error as documented in ddb/serialize.hpp: empty item or name, nesting over 32 levels,
// empty set, then invalid UTF-8), write the same bytes every time, agree with write_item_json, and
// what it writes must parse back (owning items and page views alike) to the very item it was given:
// same attributes, same types, same number text, same bytes. The item is also serialized as a
// PartiQL parameter.
//
// Input: a bytecode read front to back (missing bytes read as 0).
//   item   := count(byte % 16 at the top, byte % 8 in M) { name value }
//   value  := tag(byte % 13) payload
//     0 S: text   1 N: text, through ddb::number::parse (skipped when invalid)   2 B: text
//     3 BOOL: byte&1   4 NULL   5 L: count(byte % 8) { value }   6 M: item
//     7 SS / 8 NS / 9 BS: count(1 + byte % 6) { text }   10 an empty set: byte % 3 picks SS/NS/BS
//     11 N from 8 bytes as an int64   12 N from 8 bytes as a double (skipped if not finite/in range)
//   text   := len(byte; 255 means 255 + a big-endian 16-bit length) bytes
// Containers deeper than 33 levels become strings, so the 32-level limit is crossed but bounded.
#include <ddb/error.hpp>
#include <ddb/number.hpp>
#include <ddb/page.hpp>
#include <ddb/parse.hpp>
#include <ddb/requests.hpp>
#include <ddb/serialize.hpp>
#include <ddb/value.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

constexpr int serializer_max_depth = 32; // containers at depth >= 32 are rejected
constexpr int build_max_depth = 34;      // the builder's own bound (a little past the limit)
constexpr std::size_t max_name_bytes = 65535;

struct reader {
  const std::uint8_t* p;
  std::size_t n;

  std::uint8_t byte() noexcept {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::string_view text() noexcept {
    std::size_t len = byte();
    if (len == 255) {
      std::size_t hi = byte();
      len += hi << 8 | byte();
    }
    len = std::min(len, n);
    std::string_view s(reinterpret_cast<const char*>(p), len);
    p += len, n -= len;
    return s;
  }
  std::uint64_t u64() noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | byte();
    return v;
  }
};

// Number text: the characters of numbers pass through, other bytes map onto them, so that random
// bytes still make numbers often.
std::string number_text(std::string_view raw) {
  static constexpr std::string_view alphabet = "0123456789.-+eE";
  std::string s(raw);
  for (char& c : s)
    if (alphabet.find(c) == std::string_view::npos)
      c = alphabet[static_cast<unsigned char>(c) % alphabet.size()];
  return s;
}

std::optional<ddb::number> number_from(std::string_view raw) {
  ddb::error_code ec;
  ddb::number n = ddb::number::parse(number_text(raw), ec);
  if (ec) return std::nullopt;
  return n;
}

ddb::bytes bytes_from(std::string_view s) { return ddb::to_bytes(s); }

std::optional<ddb::value> build_value(reader& in, int depth);

ddb::item build_item(reader& in, int depth, std::size_t max_count) {
  ddb::item out;
  std::size_t count = in.byte() % max_count;
  for (std::size_t i = 0; i < count; ++i) {
    std::string name(in.text());
    if (auto v = build_value(in, depth)) out.insert_or_assign(std::move(name), std::move(*v));
  }
  return out;
}

std::optional<ddb::value> build_value(reader& in, int depth) {
  int tag = in.byte() % 13;
  if ((tag == 5 || tag == 6) && depth >= build_max_depth) tag = 0;
  switch (tag) {
  case 0:
    return ddb::value(std::string(in.text()));
  case 1:
    if (auto n = number_from(in.text())) return ddb::value(std::move(*n));
    return std::nullopt;
  case 2:
    return ddb::value(bytes_from(in.text()));
  case 3:
    return ddb::value(static_cast<bool>(in.byte() & 1));
  case 4:
    return ddb::value(ddb::null);
  case 5: {
    ddb::list l;
    std::size_t count = in.byte() % 8;
    for (std::size_t i = 0; i < count; ++i)
      if (auto v = build_value(in, depth + 1)) l.push_back(std::move(*v));
    return ddb::value(std::move(l));
  }
  case 6:
    return ddb::value(build_item(in, depth + 1, 8));
  case 7: {
    ddb::string_set s;
    std::size_t count = 1 + in.byte() % 6;
    for (std::size_t i = 0; i < count; ++i) s.emplace(in.text());
    return ddb::value(std::move(s));
  }
  case 8: {
    ddb::number_set s;
    std::size_t count = 1 + in.byte() % 6;
    for (std::size_t i = 0; i < count; ++i)
      if (auto n = number_from(in.text())) s.insert(std::move(*n));
    if (s.empty()) return std::nullopt; // only tag 10 makes empty sets
    return ddb::value(std::move(s));
  }
  case 9: {
    ddb::binary_set s;
    std::size_t count = 1 + in.byte() % 6;
    for (std::size_t i = 0; i < count; ++i) s.insert(bytes_from(in.text()));
    return ddb::value(std::move(s));
  }
  case 10:
    switch (in.byte() % 3) {
    case 0:
      return ddb::value(ddb::string_set{});
    case 1:
      return ddb::value(ddb::number_set{});
    default:
      return ddb::value(ddb::binary_set{});
    }
  case 11:
    return ddb::value(ddb::number(static_cast<std::int64_t>(in.u64())));
  default: {
    const double d = std::bit_cast<double>(in.u64());
    try {
      return ddb::value(ddb::number::from_double(d));
    } catch (const ddb::error&) {
      return std::nullopt; // NaN, infinity, or outside DynamoDB's range
    }
  }
  }
}

// ---- what the serializer must say about an item ----

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = p + s.size();
  while (p != e) {
    unsigned c = *p++;
    if (c < 0x80) continue;
    int extra;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf)
      extra = 1, min = 0x80, c &= 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
      extra = 2, min = 0x800, c &= 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
      extra = 3, min = 0x10000, c &= 0x07;
    else
      return false;
    if (e - p < extra) return false;
    for (int i = 0; i < extra; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      c = c << 6 | (p[i] & 0x3fu);
    }
    p += extra;
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

// The first structural error in serialization order (errors are sticky: the first one wins),
// and whether any string, name or set element is invalid UTF-8 (reported only when there is no
// structural error).
struct expectation {
  ddb::error_code first;
  bool bad_utf8 = false;

  void fail(ddb::client_errc e) {
    if (!first) first = e;
  }
  void text(std::string_view s) { bad_utf8 = bad_utf8 || !valid_utf8(s); }

  void item(const ddb::item& i, int depth) {
    for (auto& [name, v] : i) {
      if (name.empty() || name.size() > max_name_bytes) fail(ddb::client_errc::invalid_argument);
      text(name);
      value(v, depth);
    }
  }
  void value(const ddb::value& v, int depth) {
    switch (v.type()) {
    case ddb::value_type::string:
      text(v.as_string());
      break;
    case ddb::value_type::list:
      if (depth >= serializer_max_depth) fail(ddb::client_errc::invalid_argument);
      for (auto& e : v.as_list()) value(e, depth + 1);
      break;
    case ddb::value_type::map:
      if (depth >= serializer_max_depth) fail(ddb::client_errc::invalid_argument);
      item(v.as_map(), depth + 1);
      break;
    case ddb::value_type::string_set:
      if (v.as_string_set().empty()) fail(ddb::client_errc::empty_set);
      for (auto& s : v.as_string_set()) text(s);
      break;
    case ddb::value_type::number_set:
      if (v.as_number_set().empty()) fail(ddb::client_errc::empty_set);
      break;
    case ddb::value_type::binary_set:
      if (v.as_binary_set().empty()) fail(ddb::client_errc::empty_set);
      break;
    default:
      break;
    }
  }
  ddb::error_code result() const {
    if (first) return first;
    if (bad_utf8) return ddb::client_errc::invalid_utf8;
    return {};
  }
};

// ---- identity: owning values ----

bool same_number(const ddb::number& a, const ddb::number& b) { return a == b && a.text() == b.text(); }

bool identical(const ddb::value& a, const ddb::value& b);

bool identical(const ddb::item& a, const ddb::item& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
    if (i->first != j->first || !identical(i->second, j->second)) return false;
  return true;
}

bool identical(const ddb::value& a, const ddb::value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
  case ddb::value_type::string:
    return a.as_string() == b.as_string();
  case ddb::value_type::number:
    return same_number(a.as_number(), b.as_number());
  case ddb::value_type::binary:
    return a.as_binary() == b.as_binary();
  case ddb::value_type::boolean:
    return a.as_bool() == b.as_bool();
  case ddb::value_type::null:
    return true;
  case ddb::value_type::list:
    return std::equal(a.as_list().begin(), a.as_list().end(), b.as_list().begin(), b.as_list().end(),
                      [](const ddb::value& x, const ddb::value& y) { return identical(x, y); });
  case ddb::value_type::map:
    return identical(a.as_map(), b.as_map());
  case ddb::value_type::string_set:
    return a.as_string_set() == b.as_string_set();
  case ddb::value_type::number_set:
    return std::equal(a.as_number_set().begin(), a.as_number_set().end(), b.as_number_set().begin(),
                      b.as_number_set().end(), same_number);
  case ddb::value_type::binary_set:
    return a.as_binary_set() == b.as_binary_set();
  }
  return false;
}

// ---- identity: flat views (a page), elements in the order they were written ----

bool same_bytes(std::span<const std::byte> v, const ddb::bytes& b) { return std::ranges::equal(v, b); }

bool same_view(ddb::item_view v, const ddb::item& m, bool top = false);

bool same_view(ddb::value_view v, const ddb::value& b) {
  if (v.type() != b.type()) return false;
  switch (b.type()) {
  case ddb::value_type::string:
    return v.as_string() == b.as_string();
  case ddb::value_type::number:
    return v.as_number() == b.as_number().text() && same_number(v.to_number(), b.as_number());
  case ddb::value_type::binary:
    return same_bytes(v.as_binary(), b.as_binary());
  case ddb::value_type::boolean:
    return v.as_bool() == b.as_bool();
  case ddb::value_type::null:
    return v.size() == 0;
  case ddb::value_type::list: {
    auto& l = b.as_list();
    if (v.size() != l.size()) return false;
    auto it = l.begin();
    for (ddb::value_view e : v.as_list())
      if (it == l.end() || !same_view(e, *it++)) return false;
    return it == l.end();
  }
  case ddb::value_type::map:
    return same_view(v.as_map(), b.as_map());
  case ddb::value_type::string_set: {
    auto& s = b.as_string_set();
    if (v.size() != s.size()) return false;
    auto it = s.begin();
    for (ddb::value_view e : v.elements())
      if (it == s.end() || e.type() != ddb::value_type::string || e.as_string() != *it++) return false;
    return it == s.end();
  }
  case ddb::value_type::number_set: {
    auto& s = b.as_number_set();
    if (v.size() != s.size()) return false;
    auto it = s.begin();
    for (ddb::value_view e : v.elements())
      if (it == s.end() || e.type() != ddb::value_type::number || e.as_number() != (it++)->text())
        return false;
    return it == s.end();
  }
  case ddb::value_type::binary_set: {
    auto& s = b.as_binary_set();
    if (v.size() != s.size()) return false;
    auto it = s.begin();
    for (ddb::value_view e : v.elements())
      if (it == s.end() || e.type() != ddb::value_type::binary || !same_bytes(e.as_binary(), *it++))
        return false;
    return it == s.end();
  }
  }
  return false;
}

// `top`: also look each attribute up by name and convert it on its own (only at the top, which
// keeps the walk linear).
bool same_view(ddb::item_view v, const ddb::item& m, bool top) {
  if (v.size() != m.size()) return false;
  auto it = m.begin();
  for (auto [name, child] : v) {
    if (it == m.end() || name != it->first || !same_view(child, it->second)) return false;
    auto found = v.find(name);
    if (!found || found->type() != child.type() || found->size() != child.size()) return false;
    if (top && (!same_view(*found, it->second) || !identical(child.to_value(), it->second))) return false;
    ++it;
  }
  return it == m.end();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ddb::response_parser parser; // reused, as a connection does
  static std::string reused;          // a body string kept from input to input, as a connection does

  reader in{data, size};
  ddb::item built = build_item(in, 0, 16);
  const ddb::put_item_request request("t", built);

  expectation want;
  if (built.empty()) want.fail(ddb::client_errc::invalid_argument);
  want.item(built, 0);
  const ddb::error_code expected = want.result();

  std::string body = "left over from before";
  const ddb::error_code ec = ddb::serialize(request, body);
  const ddb::error_code again = ddb::serialize(request, reused);
  check(ec == expected && again == expected);
  if (ec) {
    // Never part of a request; and a reason.
    check(body.empty() && reused.empty());
    check(ddb::serialize_error_reason() != nullptr && *ddb::serialize_error_reason() != '\0');
    std::ostringstream os; // the logging writer takes anything
    os << built;
    return 0;
  }
  check(body == reused); // deterministic, whatever the output string held before

  // The item in the body, exactly as the logging writer writes it.
  constexpr std::string_view prefix = R"({"TableName":"t","Item":)";
  check(body.size() > prefix.size() + 1 && body.starts_with(prefix) && body.back() == '}');
  const std::string_view item_json =
      std::string_view(body).substr(prefix.size(), body.size() - prefix.size() - 1);
  std::string logged;
  ddb::write_item_json(built, logged);
  check(logged == item_json);
  std::ostringstream os;
  os << built;
  check(os.str() == item_json);

  // The same item as a PartiQL parameter (a map one level deeper: only nesting may fail it),
  // written with the same bytes.
  {
    std::string statement_body;
    auto sec = ddb::serialize(ddb::execute_statement_request("SELECT * FROM t WHERE m = ?").parameter(built),
                              statement_body);
    if (sec) {
      check(sec == ddb::client_errc::invalid_argument && statement_body.empty());
    } else {
      std::string want_body = R"({"Statement":"SELECT * FROM t WHERE m = ?","Parameters":[{"M":)";
      want_body.append(item_json).append("}]}");
      check(statement_body == want_body);
    }
  }

  ddb::diagnostics diag;

  // 1. The request body itself as a GetItem response (TableName is a field the parser skips),
  //    parsed in place: a std::string with the padding reserved, left as it was.
  {
    std::string in_place = body;
    in_place.reserve(in_place.size() + ddb::json_padding);
    ddb::get_item_response got;
    check(!parser.parse_get_item(in_place, got, diag));
    check(in_place == body);
    check(got.item.has_value() && identical(*got.item, built) && *got.item == built);
  }

  // 2. {"Attributes": <item>} as a PutItem response, copied into the parser's padded buffer.
  {
    std::string attributes = "{\"Attributes\":";
    attributes += item_json;
    attributes += '}';
    ddb::write_item_response got;
    check(!parser.parse_write_item(std::string_view(attributes), got, diag));
    check(got.attributes.has_value() && identical(*got.attributes, built));
  }

  // 3. A Query page holding the item twice, from memory with json_padding readable bytes after it:
  //    the flat views and their owning copies.
  {
    std::string text = "{\"Items\":[";
    text += item_json;
    text += ',';
    text += item_json;
    text += "],\"Count\":2,\"ScannedCount\":2}";
    std::vector<char> padded(text.size() + ddb::json_padding, '\0');
    std::memcpy(padded.data(), text.data(), text.size());
    ddb::page page;
    check(!parser.parse_query(ddb::json_body::padded(padded.data(), text.size()), page, diag));
    check(page.size() == 2 && page.count() == 2 && page.scanned_count() == 2 && !page.has_more());
    for (ddb::item_view v : page.items()) {
      check(same_view(v, built, true));
      check(identical(v.to_item(), built));
    }
  }
  return 0;
}
