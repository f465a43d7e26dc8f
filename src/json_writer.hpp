// A minimal JSON writer appending straight into a std::string: no DOM, no allocation beyond the
// string's own growth. Commas are placed automatically; structure is the caller's business.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ddb::detail {

/// Appends `s` to `out` as the inside of a JSON string: `"` and `\` are escaped, control
/// characters become \u00XX, every other byte (UTF-8 included) is copied as it is.
void append_json_escaped(std::string& out, std::string_view s);

class json_writer {
public:
  explicit json_writer(std::string& out) noexcept : out_(out) {}

  void begin_object() {
    separate();
    out_.push_back('{');
    need_comma_ = false;
  }
  void end_object() {
    out_.push_back('}');
    need_comma_ = true;
  }
  void begin_array() {
    separate();
    out_.push_back('[');
    need_comma_ = false;
  }
  void end_array() {
    out_.push_back(']');
    need_comma_ = true;
  }

  /// An object key that may need escaping (attribute names, placeholders, table names).
  void key(std::string_view k) {
    if (need_comma_)
      out_.append(",\"", 2);
    else
      out_.push_back('"');
    need_comma_ = false;
    append_json_escaped(out_, k);
    out_.append("\":", 2);
  }
  /// An object key known to need no escaping (the protocol's own field names).
  void raw_key(std::string_view k) {
    separate();
    out_.push_back('"');
    out_.append(k);
    out_.append("\":", 2);
  }

  /// A string value, escaped.
  void string(std::string_view s) {
    separate();
    out_.push_back('"');
    append_json_escaped(out_, s);
    out_.push_back('"');
    need_comma_ = true;
  }
  /// A string value known to need no escaping (enum names, number text, base64).
  void raw_string(std::string_view s) {
    separate();
    out_.push_back('"');
    out_.append(s);
    out_.push_back('"');
    need_comma_ = true;
  }
  void boolean(bool b) {
    separate();
    if (b)
      out_.append("true", 4);
    else
      out_.append("false", 5);
    need_comma_ = true;
  }
  void integer(std::int64_t v);

  /// Raw JSON text for one value: raw_begin() places the comma and returns the string to append
  /// to; raw_end() marks the value complete. The caller guarantees the text is valid JSON.
  std::string& raw_begin() {
    separate();
    return out_;
  }
  void raw_end() noexcept { need_comma_ = true; }

private:
  void separate() {
    if (need_comma_) out_.push_back(',');
    need_comma_ = false;
  }

  std::string& out_;
  bool need_comma_ = false;
};

} // namespace ddb::detail
