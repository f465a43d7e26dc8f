// example_service: an HTTP/JSON service over the seed scenario (users, groups, memberships,
// atomic moves) backed by ddb. See README.md for the routes and how to run and load it.
//
//   example_service --endpoint URL --table NAME [--create-table] [--port P] [--threads N]
//                   [--bind ADDR] [--region R] [--drain-timeout S]
//
// Credentials come from the default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile, ...).
#include "http_server.hpp"
#include "metrics.hpp"

#include <ddb/client.hpp>
#include <ddb/default_credentials.hpp>
#include <ddb/error.hpp>
#include <ddb/table/index.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;

namespace {

struct args {
  std::string endpoint, table, bind = "127.0.0.1", region;
  bool create_table = false;
  unsigned short port = 8080;
  unsigned threads = 0;
  unsigned drain_seconds = 10;
};

constexpr std::string_view usage =
    "usage: example_service --endpoint URL --table NAME [--create-table] [--port P (0: any)]\n"
    "                       [--threads N] [--bind ADDR] [--region R] [--drain-timeout SECONDS]\n";

std::optional<args> parse_args(int argc, char** argv) {
  args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view k = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](unsigned long max) -> std::optional<unsigned long> {
      auto v = value();
      if (!v || v->empty()) return std::nullopt;
      char* end = nullptr;
      unsigned long n = std::strtoul(v->c_str(), &end, 10);
      if (*end || n > max) return std::nullopt;
      return n;
    };
    if (k == "--create-table") {
      a.create_table = true;
    } else if (k == "--endpoint" || k == "--table" || k == "--bind" || k == "--region") {
      auto v = value();
      if (!v) return std::nullopt;
      (k == "--endpoint" ? a.endpoint : k == "--table" ? a.table : k == "--bind" ? a.bind : a.region) = *v;
    } else if (k == "--port") {
      auto n = number(65535);
      if (!n) return std::nullopt;
      a.port = static_cast<unsigned short>(*n);
    } else if (k == "--threads") {
      auto n = number(1024);
      if (!n) return std::nullopt;
      a.threads = static_cast<unsigned>(*n);
    } else if (k == "--drain-timeout") {
      auto n = number(3600);
      if (!n) return std::nullopt;
      a.drain_seconds = static_cast<unsigned>(*n);
    } else {
      return std::nullopt;
    }
  }
  if (a.table.empty()) return std::nullopt;
  if (a.threads == 0) a.threads = std::max(1u, std::thread::hardware_concurrency());
  return a;
}

// CreateTable unless it exists, then wait until the table and its index are ACTIVE (at once on
// DynamoDB Local, seconds on AWS).
asio::awaitable<void> ensure_table(ddb::client& c, std::string name) {
  auto schema = ddb::table::table_schema().inverse_index();
  auto create = ddb::table::make_create_table_request(name, schema);
  ddb::error_code ec;
  ddb::diagnostics diag;
  co_await c.execute(create, ec, diag);
  if (ec && ec != ddb::service_errc::resource_in_use) ddb::throw_if(ec, diag);
  asio::steady_timer wait(c.get_executor());
  auto describe = ddb::describe_table_request(name);
  for (int i = 0; i < 120; ++i) {
    auto d = co_await c.execute(describe);
    bool active = d.table_status == "ACTIVE";
    for (auto& g : d.global_secondary_indexes) active = active && g.index_status == "ACTIVE";
    if (active) co_return;
    wait.expires_after(std::chrono::seconds(1));
    co_await wait.async_wait(asio::use_awaitable);
  }
  throw std::runtime_error("table " + name + " did not become ACTIVE");
}

} // namespace

int main(int argc, char** argv) {
  auto a = parse_args(argc, argv);
  if (!a) {
    std::cerr << usage;
    return 2;
  }
  try {
    // The control context: table setup, signals, and the credentials provider all clients share.
    asio::io_context control;
    ddb::client_options options;
    options.endpoint = a->endpoint;
    options.region = a->region;
    options.credentials = ddb::make_default_credentials_provider(control.get_executor());

    if (a->create_table) {
      ddb::client setup(control.get_executor(), options); // no background timer: run() returns
      auto done = asio::co_spawn(control, ensure_table(setup, a->table), asio::use_future);
      control.run();
      done.get();
      control.restart();
    }

    options.close_idle_in_background = true; // a long-running server: free idle sockets promptly
    svc::server_config cfg;
    cfg.table = a->table;
    cfg.drain_timeout = std::chrono::seconds(a->drain_seconds);
    std::vector<std::unique_ptr<svc::thread_metrics>> metrics;
    for (unsigned i = 0; i < a->threads; ++i) metrics.push_back(std::make_unique<svc::thread_metrics>());
    std::vector<std::unique_ptr<svc::worker>> workers;
    for (unsigned i = 0; i < a->threads; ++i)
      workers.push_back(std::make_unique<svc::worker>(cfg, options, *metrics[i], metrics));

    // Signals first, so a SIGTERM right after "listening" is ours, not the default action.
    asio::signal_set signals(control, SIGINT, SIGTERM);
    auto work = asio::make_work_guard(control);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      for (auto& w : workers) w->shutdown();
    });

    svc::tcp::endpoint at(asio::ip::make_address(a->bind), a->port);
    for (auto& w : workers) at = w->listen(at); // the first picks the port, the others share it
    std::cout << "listening on " << at.address().to_string() << ":" << at.port() << std::endl;

    std::atomic<unsigned> finished{0};
    std::vector<std::thread> threads;
    for (auto& w : workers)
      threads.emplace_back([&, w = w.get()] {
        try {
          w->run();
        } catch (const std::exception& e) {
          std::cerr << "worker failed: " << e.what() << "\n";
        }
        // The last worker out lets the control context end.
        if (++finished == workers.size())
          asio::post(control, [&] {
            signals.cancel();
            work.reset();
          });
      });
    control.run();
    for (auto& t : threads) t.join();
    workers.clear(); // before the shared credentials' executor (control) goes
    std::cout << "stopped" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "example_service: " << e.what() << "\n";
    return 1;
  }
}
