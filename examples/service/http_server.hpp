// The HTTP side: one worker per thread, each with its own io_context, ddb::client, table and
// acceptor. Every acceptor listens on the same port with SO_REUSEPORT and the kernel spreads new
// connections over them, so a request never crosses threads (no locks, no handoff); a connection
// stays on the thread that accepted it.
#pragma once

#include "metrics.hpp"
#include "routes.hpp"

#include <ddb/client.hpp>
#include <ddb/table/table.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <vector>

namespace svc {

using tcp = boost::asio::ip::tcp;

struct server_config {
  std::string table;
  std::size_t body_limit = 64 * 1024;
  std::chrono::seconds read_timeout{30}; // a whole request, idle keep-alive time included
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds drain_timeout{10}; // how long shutdown waits for requests in flight
};

class worker {
public:
  worker(const server_config& cfg, ddb::client_options options, thread_metrics& metrics,
         const std::vector<std::unique_ptr<thread_metrics>>& all_metrics);
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  /// Opens this worker's acceptor on `at` with SO_REUSEPORT; returns the bound endpoint (the
  /// port the kernel chose for port 0, which the other workers then bind too).
  tcp::endpoint listen(const tcp::endpoint& at);
  /// Serves until shutdown() has drained it. Call on the worker's own thread.
  void run();
  /// Any thread: stop accepting, close idle connections, let requests in flight finish (at most
  /// drain_timeout, then they are canceled), then make run() return.
  void shutdown();

private:
  // One connection's handle for shutdown: idle ones are canceled at once, busy ones at the deadline.
  struct session_slot {
    boost::asio::cancellation_signal cancel;
    bool idle = true;
  };

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(tcp::socket socket, session_slot& slot);
  boost::asio::awaitable<void> sampler();
  boost::asio::awaitable<void> drain();
  void spawn_session(tcp::socket socket);

  boost::asio::io_context io_{1}; // one thread: Asio may skip cross-thread wakeups
  server_config cfg_;
  thread_metrics& metrics_;
  ddb::client client_;
  ddb::table::table table_;
  tcp::acceptor acceptor_;
  boost::asio::steady_timer sample_timer_;
  bool draining_ = false;
  std::size_t tasks_ = 0; // our coroutines still running: the accept loop, the sampler, sessions
  std::list<session_slot> sessions_;
  app app_;
};

} // namespace svc
