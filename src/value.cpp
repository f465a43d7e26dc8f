#include "base64.hpp"

#include <ddb/error.hpp>
#include <ddb/value.hpp>

#include <ostream>

namespace ddb {

std::string_view type_tag(value_type t) noexcept {
  static constexpr std::string_view tags[] = {"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"};
  return tags[static_cast<int>(t)];
}

bytes to_bytes(std::string_view s) {
  auto p = reinterpret_cast<const std::byte*>(s.data());
  return bytes(p, p + s.size());
}

void value::throw_wrong_type(value_type wanted) const {
  throw error(client_errc::wrong_type, "attribute is " + std::string(type_tag(type())) + ", not " +
                                           std::string(type_tag(wanted)));
}

namespace {

void print_string(std::ostream& os, std::string_view s) {
  os << '"';
  for (char c : s) {
    if (c == '"' || c == '\\') os << '\\' << c;
    else if (static_cast<unsigned char>(c) < 0x20) os << "\\u00" << "0123456789abcdef"[c >> 4] << "0123456789abcdef"[c & 15];
    else os << c;
  }
  os << '"';
}

void print_bytes(std::ostream& os, const bytes& b) {
  std::string s;
  detail::base64_encode(b.data(), b.size(), s);
  os << '"' << s << '"';
}

template <class Set, class F> void print_set(std::ostream& os, const Set& s, F each) {
  os << '[';
  bool first = true;
  for (auto& e : s) {
    if (!first) os << ',';
    first = false;
    each(e);
  }
  os << ']';
}

} // namespace

std::ostream& operator<<(std::ostream& os, const value& v) {
  os << "{\"" << type_tag(v.type()) << "\":";
  switch (v.type()) {
  case value_type::string: print_string(os, v.as_string()); break;
  case value_type::number: print_string(os, v.as_number().text()); break;
  case value_type::binary: print_bytes(os, v.as_binary()); break;
  case value_type::boolean: os << (v.as_bool() ? "true" : "false"); break;
  case value_type::null: os << "true"; break;
  case value_type::list: print_set(os, v.as_list(), [&](const value& e) { os << e; }); break;
  case value_type::map: os << v.as_map(); break;
  case value_type::string_set: print_set(os, v.as_string_set(), [&](auto& e) { print_string(os, e); }); break;
  case value_type::number_set: print_set(os, v.as_number_set(), [&](auto& e) { print_string(os, e.text()); }); break;
  case value_type::binary_set: print_set(os, v.as_binary_set(), [&](auto& e) { print_bytes(os, e); }); break;
  }
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const item& i) {
  os << '{';
  bool first = true;
  for (auto& [name, v] : i) {
    if (!first) os << ',';
    first = false;
    print_string(os, name);
    os << ':' << v;
  }
  return os << '}';
}

} // namespace ddb
