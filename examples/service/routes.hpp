// The service's routes over the seed scenario: users, groups, memberships, moves (README.md).
#pragma once

#include "metrics.hpp"

#include <ddb/client.hpp>
#include <ddb/table/table.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <string_view>
#include <vector>

namespace svc {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

/// What the handlers of one worker thread share: its client and table, everyone's metrics.
struct app {
  ddb::client& client;
  ddb::table::table& table;
  const std::vector<std::unique_ptr<thread_metrics>>& metrics;
  const bool& draining; // /healthz answers 503 while the server drains
};

/// Answers one request (never throws); `matched` is set to its route, for the metrics.
boost::asio::awaitable<response> handle(app& a, const request& req, route& matched);

/// `{"error": code, "message": message}` with status `s`.
response error_response(http::status s, std::string_view code, std::string_view message, unsigned version);

} // namespace svc
