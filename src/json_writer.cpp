#include "json_writer.hpp"

#include <array>
#include <charconv>

namespace ddb::detail {
namespace {

// 1 for the bytes that must be escaped in a JSON string: control characters, '"' and '\'.
constexpr std::array<bool, 256> escape_table = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

} // namespace

void append_json_escaped(std::string& out, std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  const char* run = p; // start of the bytes not yet copied
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (!escape_table[c]) [[likely]]
      continue;
    out.append(run, p);
    if (c == '"' || c == '\\') {
      const char esc[2] = {'\\', static_cast<char>(c)};
      out.append(esc, 2);
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      out.append(esc, 6);
    }
    run = p + 1;
  }
  out.append(run, end);
}

void json_writer::integer(std::int64_t v) {
  separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  need_comma_ = true;
}

} // namespace ddb::detail
