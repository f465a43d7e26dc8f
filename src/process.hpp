// Running a child process for its output (credential_process). The only part of ddb that starts
// processes.
#pragma once

#include <ddb/error_code.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace ddb::detail {

struct process_result {
  /// Set when the process could not be started (posix_spawn's errno), or to
  /// client_errc::timeout when it ran past the timeout and was killed.
  error_code ec;
  /// The exit status when it exited; -1 when a signal ended it (then `signal` says which).
  int exit_code = -1;
  int signal = 0;
  std::string out;        ///< stdout, up to the limit
  std::string err;        ///< stderr, up to the limit
  bool truncated = false; ///< stdout went over the limit (the rest was read and dropped)
};

/// Runs `/bin/sh -c command` as the SDKs do, in a session of its own (no controlling terminal,
/// so nothing can prompt), stdin from /dev/null, stdout and stderr read through pipes without
/// blocking the executor. At `timeout` the whole process group is killed (SIGKILL). The child is
/// always reaped, also when the awaiting coroutine is cancelled or destroyed.
boost::asio::awaitable<process_result> run_process(const std::string& command,
                                                   std::chrono::milliseconds timeout,
                                                   std::size_t output_limit = 64 * 1024);

} // namespace ddb::detail
