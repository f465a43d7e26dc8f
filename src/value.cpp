#include <ddb/error.hpp>
#include <ddb/serialize.hpp>
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
  throw error(client_errc::wrong_type,
              "attribute is " + std::string(type_tag(type())) + ", not " + std::string(type_tag(wanted)));
}

// One JSON writer for requests, logs and printing: the serializer's.
std::ostream& operator<<(std::ostream& os, const value& v) {
  std::string s;
  write_value_json(v, s);
  return os << s;
}

std::ostream& operator<<(std::ostream& os, const item& i) {
  std::string s;
  write_item_json(i, s);
  return os << s;
}

} // namespace ddb
