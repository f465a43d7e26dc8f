#include "http_date.hpp"

#include <array>

namespace ddb::detail {

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s) noexcept {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed width, 29 characters.
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT")
    return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned month = 0;
  while (month < 12 && months[month] != s.substr(8, 3)) ++month;
  int day, year, hour, minute, second;
  if (month == 12 || !digits(5, 2, day) || !digits(12, 4, year) || !digits(17, 2, hour) ||
      !digits(20, 2, minute) || !digits(23, 2, second))
    return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year(year), std::chrono::month(month + 1), std::chrono::day(unsigned(day))};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second);
}

} // namespace ddb::detail
