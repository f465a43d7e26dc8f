#include "http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/socket.h>

#include <exception>
#include <iostream>

namespace svc {

namespace asio = boost::asio;
namespace beast = boost::beast;
using std::chrono::steady_clock;

worker::worker(const server_config& cfg, ddb::client_options options, thread_metrics& metrics,
               const std::vector<std::unique_ptr<thread_metrics>>& all_metrics)
    : cfg_(cfg), metrics_(metrics),
      client_(io_.get_executor(),
              [&] {
                options.on_operation = [m = &metrics](const ddb::operation_event& e) { m->record(e); };
                options.report_consumed_capacity = true; // for ddb_operation_consumed_capacity_units_total
                options.min_log_level = ddb::log_level::warn;
                options.logger = [](ddb::log_level l, std::string_view line) {
                  std::clog << "ddb " << ddb::to_string(l) << ": " << line << '\n';
                };
                return std::move(options);
              }()),
      table_(client_, cfg.table), acceptor_(io_), sample_timer_(io_),
      app_{client_, table_, all_metrics, draining_} {}

tcp::endpoint worker::listen(const tcp::endpoint& at) {
  acceptor_.open(at.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
  acceptor_.bind(at);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint();
}

void worker::run() {
  ++tasks_;
  asio::co_spawn(io_, accept_loop(), [this](std::exception_ptr) { --tasks_; });
  ++tasks_;
  asio::co_spawn(io_, sampler(), [this](std::exception_ptr) { --tasks_; });
  io_.run();
}

void worker::shutdown() {
  asio::post(io_, [this] {
    if (!draining_) asio::co_spawn(io_, drain(), asio::detached);
  });
}

asio::awaitable<void> worker::accept_loop() {
  asio::steady_timer pause(io_);
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (draining_ || !acceptor_.is_open()) co_return;
      pause.expires_after(std::chrono::milliseconds(50)); // EMFILE and the like: do not spin
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    spawn_session(std::move(socket));
  }
}

void worker::spawn_session(tcp::socket socket) {
  auto slot = sessions_.emplace(sessions_.end());
  ++tasks_;
  asio::co_spawn(io_, session(std::move(socket), *slot),
                 asio::bind_cancellation_slot(slot->cancel.slot(), [this, slot](std::exception_ptr) {
                   // The signal is still bound to this handler while it runs: free it afterwards.
                   asio::post(io_, [this, slot] {
                     sessions_.erase(slot);
                     --tasks_;
                   });
                 }));
}

asio::awaitable<void> worker::session(tcp::socket socket, session_slot& slot) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  metrics_.connections_accepted.fetch_add(1, std::memory_order_relaxed);
  metrics_.connections_open.fetch_add(1, std::memory_order_relaxed);
  const auto& http_category = http::make_error_code(http::error::end_of_stream).category();
  try {
    for (;;) {
      slot.idle = true;
      if (draining_) break;
      http::request_parser<http::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(cfg_.body_limit);
      stream.expires_after(cfg_.read_timeout);
      boost::system::error_code ec;
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      slot.idle = false;
      auto start = steady_clock::now();
      response res;
      route matched = route::unknown;
      bool keep_alive = false;
      if (ec == http::error::body_limit) {
        res = error_response(http::status::payload_too_large, "body_too_large",
                             "the body is over " + std::to_string(cfg_.body_limit) + " bytes", 11);
      } else if (ec && ec.category() == http_category && ec != http::error::end_of_stream &&
                 ec != http::error::partial_message) {
        res = error_response(http::status::bad_request, "bad_request",
                             "unreadable HTTP request: " + ec.message(), 11);
      } else if (ec) {
        break; // closed, timed out or canceled
      } else {
        const request& req = parser.get();
        stream.expires_never(); // DynamoDB calls have their own deadlines (client_options)
        res = co_await handle(app_, req, matched);
        keep_alive = req.keep_alive() && !draining_;
      }
      res.keep_alive(keep_alive);
      res.prepare_payload();
      metrics_.record_http(matched, res.result_int(), res.body().size(),
                           std::chrono::duration_cast<std::chrono::nanoseconds>(steady_clock::now() - start));
      metrics_.sample(client_.stats());
      stream.expires_after(cfg_.write_timeout);
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !keep_alive) break;
    }
  } catch (const std::exception&) {
    // Canceled by shutdown (the next co_await after a cancellation throws): just close.
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  metrics_.connections_open.fetch_sub(1, std::memory_order_relaxed);
}

asio::awaitable<void> worker::sampler() {
  // Pool gauges stay fresh when no requests come (connections expire, waiters leave).
  while (!draining_) {
    metrics_.sample(client_.stats());
    sample_timer_.expires_after(std::chrono::seconds(1));
    co_await sample_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> worker::drain() {
  draining_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  sample_timer_.cancel();
  for (auto& s : sessions_)
    if (s.idle) s.cancel.emit(asio::cancellation_type::terminal);

  asio::steady_timer tick(io_);
  auto deadline = steady_clock::now() + cfg_.drain_timeout;
  bool forced = false;
  while (tasks_ > 0) {
    if (steady_clock::now() >= deadline) {
      if (forced) break; // canceled requests did not end either: leave them to ~io_context
      std::cerr << "shutdown: " << sessions_.size() << " connection(s) still busy after "
                << cfg_.drain_timeout.count() << " s; canceling them\n";
      for (auto& s : sessions_) s.cancel.emit(asio::cancellation_type::terminal);
      forced = true;
      deadline = steady_clock::now() + std::chrono::seconds(1);
    }
    tick.expires_after(std::chrono::milliseconds(5));
    co_await tick.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  io_.stop();
}

} // namespace svc
