// ddb::error: the exception thrown to callers who prefer exceptions to error codes.
#pragma once

#include <ddb/diagnostics.hpp>
#include <ddb/error_code.hpp>

#include <boost/system/system_error.hpp>

namespace ddb {

/// An error code with its diagnostics. what() gives the code's message and the service message;
/// it never contains credentials.
class error : public boost::system::system_error {
public:
  explicit error(error_code ec, diagnostics diag = {});
  error(error_code ec, std::string message);
  const diagnostics& diag() const noexcept { return diag_; }

private:
  diagnostics diag_;
};

/// Throws ddb::error if `ec` is set.
void throw_if(const error_code& ec, const diagnostics& diag = {});

} // namespace ddb
