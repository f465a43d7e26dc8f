// A fake process environment for the pure configuration functions' tests.
#pragma once

#include <ddb/aws_config.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ddb_test {

using env_map = std::map<std::string, std::string, std::less<>>;

/// An env_lookup that answers from `m`.
inline ddb::env_lookup env_of(env_map m) {
  return [m = std::move(m)](std::string_view name) -> std::optional<std::string> {
    auto it = m.find(name);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

} // namespace ddb_test
