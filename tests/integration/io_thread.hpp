// An io_context run by one thread of its own: the executor docs/threading.md gives a shared
// credentials provider. Coroutines on it never resume on another thread, which matters beyond
// style: clang 16 can cache a thread_local's address across co_await (LLVM issue 63022), so a
// coroutine that migrates between a thread_pool's threads uses another thread's Asio frame cache.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace ddb_test {

class io_thread {
public:
  io_thread() : thread_([this] { io_.run(); }) {}
  io_thread(const io_thread&) = delete;
  io_thread& operator=(const io_thread&) = delete;
  ~io_thread() { join(); }

  boost::asio::io_context::executor_type get_executor() noexcept { return io_.get_executor(); }

  /// Lets the thread finish the work it has, then joins it.
  void join() {
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
};

} // namespace ddb_test
