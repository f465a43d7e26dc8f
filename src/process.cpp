// posix_spawn rather than fork: fork in a threaded program (Asio pools, sanitizers) may only call
// async-signal-safe functions before exec, and posix_spawn does all of it (session, stdin,
// pipes, signal mask) for us. The pipes are read with posix::stream_descriptor so a slow command
// blocks no thread of the io_context; exit is polled with waitpid(WNOHANG) on a timer, as a
// SIGCHLD handler would be process-wide state a library must not take.
#include "process.hpp"

#include <ddb/error_code.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <utility>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ddb::detail {

namespace asio = boost::asio;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// Kills and reaps the child unless it was reaped: no zombie and no orphan, whatever happens to
// the coroutine.
struct child_guard {
  pid_t pid = -1;
  ~child_guard() {
    if (pid <= 0) return;
    ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
};

struct pipe_pair {
  int fd[2] = {-1, -1};
  ~pipe_pair() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  int release(int i) { return std::exchange(fd[i], -1); }
};

asio::awaitable<void> read_all(asio::posix::stream_descriptor& d, std::string& out, std::size_t limit,
                               bool* truncated) {
  char buf[4096];
  for (;;) {
    auto [ec, n] = co_await d.async_read_some(asio::buffer(buf), tuple_awaitable);
    const std::size_t room = limit - std::min(limit, out.size());
    out.append(buf, std::min(n, room));
    if (n > room && truncated) *truncated = true;
    if (ec) co_return; // eof, or cancelled at the timeout
  }
}

asio::awaitable<process_result> run_on_strand(std::string command, std::chrono::milliseconds timeout,
                                              std::size_t output_limit);

} // namespace

// The readers and the timer below are joined with awaitable operators, which run their branches
// on the current executor: on a multi-threaded one (a thread pool) they would race. A strand
// of its own keeps them serial (TSan found it).
asio::awaitable<process_result> run_process(const std::string& command, std::chrono::milliseconds timeout,
                                            std::size_t output_limit) {
  auto ex = co_await asio::this_coro::executor;
  co_return co_await asio::co_spawn(asio::make_strand(ex), run_on_strand(command, timeout, output_limit),
                                    asio::use_awaitable);
}

namespace {

asio::awaitable<process_result> run_on_strand(std::string command, std::chrono::milliseconds timeout,
                                              std::size_t output_limit) {
  using namespace asio::experimental::awaitable_operators;
  process_result r;
  auto ex = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  pipe_pair out_pipe, err_pipe;
  if (::pipe2(out_pipe.fd, O_CLOEXEC) != 0 || ::pipe2(err_pipe.fd, O_CLOEXEC) != 0) {
    r.ec = error_code(errno, boost::system::system_category());
    co_return r;
  }

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, out_pipe.fd[1], 1);
  ::posix_spawn_file_actions_adddup2(&actions, err_pipe.fd[1], 2);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#ifdef POSIX_SPAWN_SETSID
  flags |= POSIX_SPAWN_SETSID; // a new session: its own process group and no controlling terminal
#else
  flags |= POSIX_SPAWN_SETPGROUP;
#endif
  ::posix_spawnattr_setflags(&attr, flags);
  std::string arg0 = "sh", arg1 = "-c", arg2 = command;
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  child_guard child;
  const int rc = ::posix_spawn(&child.pid, "/bin/sh", &actions, &attr, argv, environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    child.pid = -1;
    r.ec = error_code(rc, boost::system::system_category());
    co_return r;
  }
  ::close(out_pipe.release(1));
  ::close(err_pipe.release(1));

  asio::posix::stream_descriptor out_d(ex, out_pipe.release(0)), err_d(ex, err_pipe.release(0));
  asio::steady_timer timer(ex, deadline);
  auto reading_out = read_all(out_d, r.out, output_limit, &r.truncated);
  auto reading_err = read_all(err_d, r.err, output_limit, nullptr);
  auto waiting = timer.async_wait(tuple_awaitable);
  auto first = co_await ((std::move(reading_out) && std::move(reading_err)) || std::move(waiting));
  bool timed_out = first.index() == 1;

  // Both pipes are closed; the command may still run (it closed them itself): poll for its exit.
  int status = 0;
  while (!timed_out) {
    const pid_t w = ::waitpid(child.pid, &status, WNOHANG);
    if (w == child.pid) {
      child.pid = -1;
      break;
    }
    if (w < 0 && errno != EINTR) { // not ours any more (someone reaped it): report what we can
      child.pid = -1;
      status = 0;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    asio::steady_timer poll(
        ex, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(5)));
    co_await poll.async_wait(tuple_awaitable);
  }
  if (timed_out) {
    ::kill(-child.pid, SIGKILL);
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    child.pid = -1;
    r.ec = client_errc::timeout;
  }
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.exit_code = -1;
    r.signal = WTERMSIG(status);
  }
  co_return r;
}

} // namespace

} // namespace ddb::detail
