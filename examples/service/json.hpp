// JSON in and out of the service: Boost.JSON (header-only, compiled once in json.cpp), so the
// example needs nothing beyond what ddb already uses (simdjson stays private to the library).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace svc {

namespace json = boost::json;

/// The request body as a JSON object, or nullopt with `why` set (malformed, not an object).
std::optional<json::object> parse_object(std::string_view body, std::string& why);

/// Member `key` of `o` as a string; nullopt with `why` set if missing or not a string.
std::optional<std::string> string_field(const json::object& o, std::string_view key, std::string& why);

/// `{"error": code, "message": message}`.
json::object error_body(std::string_view code, std::string_view message);

} // namespace svc
