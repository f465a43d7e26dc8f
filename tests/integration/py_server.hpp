// The Python stand-ins of tests/integration (metadata_server.py, sts_server.py), started for one
// test and killed at its end, and a temporary folder for the files a test writes.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include <unistd.h>

namespace ddb_test {

/// Runs `python3 SCRIPT ARGS` from this folder; the script prints "PORT PID" on its first line.
class py_server {
public:
  py_server(const std::string& script, const std::string& args) {
    const auto path = std::filesystem::path(__FILE__).parent_path() / script;
    const std::string cmd = "exec python3 '" + path.string() + "' " + args;
    out_ = ::popen(cmd.c_str(), "r");
    if (!out_) throw std::runtime_error("cannot start " + cmd);
    if (std::fscanf(out_, "%d %d", &port_, &pid_) != 2) {
      ::pclose(out_);
      throw std::runtime_error(script + " did not print its port");
    }
  }
  ~py_server() {
    ::kill(pid_, SIGTERM);
    ::pclose(out_);
  }
  py_server(const py_server&) = delete;
  py_server& operator=(const py_server&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// The body of GET `target`.
  std::string get(const std::string& target) const {
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)));
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    asio::write(s, asio::buffer(req));
    std::string res;
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(res), ec);
    const auto body = res.find("\r\n\r\n");
    return body == std::string::npos ? std::string() : res.substr(body + 4);
  }

private:
  FILE* out_ = nullptr;
  int port_ = 0;
  int pid_ = 0;
};

/// A temporary folder, removed at the end.
struct temp_dir {
  explicit temp_dir(const std::string& prefix = "ddb-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = (path / name).string();
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return p;
  }
  std::filesystem::path path;
};

} // namespace ddb_test
