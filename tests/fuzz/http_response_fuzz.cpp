// The HTTP response path as a connection runs it, without the socket: Beast's parser fed in
// chunks of a size the input picks, the head fields ddb keeps, the CRC check, then the body parsed
// as a Query page or as a typed DynamoDB error. Whatever the bytes, the outcome is a parsed page,
// a typed error or a rejected message, never a crash, and never data whose CRC did not match.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 with -fsanitize=address warns of a boost::optional inside Beast's parser as maybe
// uninitialized (a false positive; http_connection.cpp instantiates the same parser cleanly).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "http_response.hpp"

#include <ddb/page.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ddb::response_parser parser;
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64; // how the bytes arrive from the network
  const char* p = reinterpret_cast<const char*>(data + 1);
  std::size_t left = size - 1;

  http::response_parser<ddb::detail::padded_body> res(std::piecewise_construct,
                                                      std::make_tuple(std::string()));
  res.body_limit(1u << 20);
  res.header_limit(16 * 1024);
  // Beast's parser consumes what it can and wants the rest again with more bytes, as the
  // connection's read buffer does.
  std::string pending;
  boost::beast::error_code ec;
  while (!res.is_done()) {
    if (left == 0) {
      res.put_eof(ec);
      break;
    }
    std::size_t n = std::min(chunk, left);
    pending.append(p, n);
    p += n, left -= n;
    std::size_t used = res.put(boost::asio::buffer(pending), ec);
    if (ec == http::error::need_more) ec = {};
    if (ec) break;
    pending.erase(0, used);
  }
  if (ec || !res.is_done()) return 0; // a message the connection would reject: closed, retried

  ddb::detail::http_response r;
  ddb::detail::read_head(res.get(), r);
  r.body = std::move(res.get().body());
  if (r.body.capacity() < r.body.size() + ddb::detail::body_padding) r.body.reserve(r.body.size() + 64);

  bool parsed_ok = false;
  ddb::page page;
  auto parse_page = [&](ddb::detail::http_response& ok) {
    ddb::diagnostics d;
    auto e = parser.parse_query(ddb::json_body(ok.body), page, d);
    parsed_ok = !e;
    return e;
  };
  ddb::diagnostics diag;
  auto outcome = ddb::detail::response_outcome(parser, r, parse_page, diag);
  if (!outcome) {
    // Data only from a 200 whose body matches its CRC (or came without one).
    if (r.status != 200 || !parsed_ok) std::abort();
    if (!r.crc32.empty() && ddb::check_crc32(r.body, r.crc32)) std::abort();
    for (ddb::item_view item : page.items()) (void)item.to_item();
    return 0;
  }
  if (outcome == ddb::client_errc::crc32_mismatch || outcome == ddb::client_errc::malformed_response)
    return 0;
  if (outcome.category() != ddb::service_category() || r.status == 200 || diag.http_status != r.status)
    std::abort();
  return 0;
}
