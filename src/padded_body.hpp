// A Beast body that reads into a std::string with spare capacity after the data, so simdjson can
// parse it in place (it reads up to 64 bytes past the end), and whose capacity is reused.
#pragma once

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/message.hpp>

#include <boost/optional.hpp>
#include <cstdint>
#include <string>

namespace ddb::detail {

inline constexpr std::size_t body_padding = 64; // SIMDJSON_PADDING, without including simdjson

struct padded_body {
  using value_type = std::string;

  static std::uint64_t size(const value_type& v) { return v.size(); }

  class reader {
  public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
      body_.clear();
      if (length) {
        if (*length > body_.max_size() - body_padding) {
          ec = boost::beast::http::error::buffer_overflow;
          return;
        }
        body_.reserve(static_cast<std::size_t>(*length) + body_padding);
      }
      ec = {};
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      std::size_t n = boost::asio::buffer_size(buffers);
      if (body_.capacity() < body_.size() + n + body_padding)
        body_.reserve(std::max(body_.capacity() * 2, body_.size() + n + body_padding));
      for (auto b : boost::beast::buffers_range_ref(buffers))
        body_.append(static_cast<const char*>(b.data()), b.size());
      ec = {};
      return n;
    }

    void finish(boost::beast::error_code& ec) { ec = {}; }

  private:
    value_type& body_;
  };
};

} // namespace ddb::detail
