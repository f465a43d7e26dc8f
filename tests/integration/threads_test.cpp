// The threading model: one client per thread (one io_context per core), sharing a credentials
// provider. Run under TSan by scripts/test.
#include "ddblocal_env.hpp"

#include <ddb/client.hpp>
#include <ddb/default_credentials.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace asio = boost::asio;
using namespace ddb_test;

TEST(Threads, OneClientPerThreadSharingCredentials) {
  auto shared_credentials = ddb::make_static_credentials_provider({"AKIDLOCAL", "secret", "", std::nullopt});
  std::string table = unique_table("threads");
  {
    asio::io_context io;
    ddb::client c(io.get_executor(), local_options());
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto req = ddb::create_table_request(table, ddb::key_schema("PK", "SK"))
                         .attribute("PK", ddb::value_type::string)
                         .attribute("SK", ddb::value_type::string)
                         .pay_per_request();
          co_await ddb_test::create_table(c, req);
        },
        asio::detached);
    io.run();
  }
  constexpr int threads = 4, per_thread = 100;
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      asio::io_context io;
      auto opts = local_options();
      opts.credentials = shared_credentials;
      opts.pool_size = 8;
      ddb::client c(io.get_executor(), opts);
      for (int i = 0; i < per_thread; ++i) {
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
              ddb::item it{{"PK", "T#" + std::to_string(t)}, {"SK", std::to_string(i)}};
              ddb::error_code ec;
              ddb::diagnostics diag;
              co_await c.execute(ddb::put_item_request(table, std::move(it)), ec, diag);
              ++(ec ? failed : ok);
            },
            asio::detached);
      }
      io.run();
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(ok.load(), threads * per_thread);
}
