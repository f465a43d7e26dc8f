// Where the CTest fixtures put their servers, and a client configured for them.
#pragma once

#include <ddb/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

// gtest's ASSERT_* return void, which a coroutine cannot: these co_return instead.
#define CO_ASSERT_TRUE(c)                                                                                    \
  if (!(c)) {                                                                                                \
    ADD_FAILURE() << "assertion failed: " #c;                                                                \
    co_return;                                                                                               \
  }
#define CO_ASSERT_EQ(a, b)                                                                                   \
  if (!((a) == (b))) {                                                                                       \
    ADD_FAILURE() << "assertion failed: " #a " == " #b;                                                      \
    co_return;                                                                                               \
  }

/// Skips a test (in its body, not in a coroutine) on a server that lacks what it needs, saying so.
#define DDB_SKIP_ON_DYNALITE(what)                                                                           \
  if (::ddb_test::on_dynalite()) GTEST_SKIP() << "dynalite (DDB_TEST_SERVER=dynalite) lacks " what

namespace ddb_test {

inline std::string read_state(const char* env, const char* file) {
  const char* dir = std::getenv(env);
  if (!dir) throw std::runtime_error(std::string(env) + " is not set: run through ctest");
  std::ifstream in(std::string(dir) + "/" + file);
  std::string v;
  if (!(in >> v)) throw std::runtime_error(std::string("no ") + file + " in " + dir);
  return v;
}

/// Which server the ddblocal fixture runs: "dynamodb-local" or "dynalite" (DDB_TEST_SERVER=dynalite).
inline std::string test_server() {
  const char* dir = std::getenv("DDB_LOCAL_STATE");
  std::ifstream in(std::string(dir ? dir : ".") + "/server");
  std::string v;
  return in >> v ? v : std::string("dynamodb-local");
}
inline bool on_dynalite() { return test_server() == "dynalite"; }

/// Waiter delays for tests: dynalite keeps tables CREATING/DELETING for 500 ms.
inline ddb::waiter_options test_waiter() {
  return ddb::waiter_options()
      .min_delay(std::chrono::milliseconds(50))
      .max_delay(std::chrono::milliseconds(400))
      .max_wait(std::chrono::seconds(60));
}

/// CreateTable, then wait until the table (and its GSIs) is ACTIVE: a put right after
/// CreateTable fails with ResourceNotFoundException on AWS and dynalite until then.
inline boost::asio::awaitable<ddb::table_description> create_table(ddb::client& c,
                                                                   const ddb::create_table_request& r) {
  co_await c.create_table(r);
  co_return co_await c.wait_until_table_exists(r.table(), test_waiter());
}

inline std::string local_endpoint() { return "http://127.0.0.1:" + read_state("DDB_LOCAL_STATE", "port"); }

inline ddb::client_options local_options() {
  ddb::client_options o;
  o.endpoint = local_endpoint();
  o.region = "us-east-1";
  o.credentials = ddb::make_static_credentials_provider({"AKIDLOCAL", "secret", "", std::nullopt});
  return o;
}

/// Runs the coroutine `f(io)` on a fresh io_context to its end; rethrows what it threw.
template <class F>
void run(F f) {
  boost::asio::io_context io;
  auto fut = boost::asio::co_spawn(io, f(io), boost::asio::use_future);
  io.run();
  fut.get();
}

/// A table name no other test uses (tests run in parallel against one server).
inline std::string unique_table(const std::string& base) {
  static std::atomic<int> n{0};
  return base + "_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
}

} // namespace ddb_test
