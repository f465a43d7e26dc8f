// The HTTP Date header (RFC 9110 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"), to learn how far
// the local clock is from the service's. Pure code.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace ddb::detail {

/// The time an IMF-fixdate names; nullopt for anything else (obsolete RFC 850 and asctime
/// forms included: AWS sends IMF-fixdate).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s) noexcept;

} // namespace ddb::detail
