// The one translation unit that compiles Boost.JSON: this machine has its headers but no
// libboost_json, and header-only mode wants src.hpp included exactly once.
#include <boost/json/src.hpp>

#include "json.hpp"

namespace svc {

std::optional<json::object> parse_object(std::string_view body, std::string& why) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) {
    why = "the body is not valid JSON: " + ec.message();
    return std::nullopt;
  }
  if (!v.is_object()) {
    why = "the body must be a JSON object";
    return std::nullopt;
  }
  return std::move(v.as_object());
}

std::optional<std::string> string_field(const json::object& o, std::string_view key, std::string& why) {
  auto it = o.find(key);
  if (it == o.end()) {
    why = "missing field \"" + std::string(key) + "\"";
    return std::nullopt;
  }
  if (!it->value().is_string()) {
    why = "field \"" + std::string(key) + "\" must be a string";
    return std::nullopt;
  }
  return std::string(it->value().as_string());
}

json::object error_body(std::string_view code, std::string_view message) {
  json::object o;
  o["error"] = code;
  o["message"] = message;
  return o;
}

} // namespace svc
