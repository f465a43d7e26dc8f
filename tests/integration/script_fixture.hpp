// A server of ours started for one test by its fixture script (hostile.sh, faultproxy.sh), in a
// temporary STATE_DIR, and stopped at the test's end: `SCRIPT start STATE_DIR ARGS` must write
// STATE_DIR/port; `SCRIPT stop STATE_DIR` stops it.
#pragma once

#include "ddblocal_env.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace ddb_test {

class script_fixture {
public:
  // `prepare` runs on STATE_DIR before the start (to write a configuration file there).
  template <class Prepare>
  script_fixture(std::string script, const std::string& name, Prepare prepare) : script_(std::move(script)) {
    dir_ = std::filesystem::temp_directory_path() / unique_table(name);
    std::filesystem::create_directories(dir_);
    const std::string args = prepare(dir_);
    const std::string cmd = script_ + " start " + dir_.string() + " " + args;
    if (std::system(cmd.c_str()) != 0) {
      remove();
      throw std::runtime_error(name + " did not start: " + cmd);
    }
    std::ifstream(dir_ / "port") >> port_;
  }
  script_fixture(const script_fixture&) = delete;
  script_fixture& operator=(const script_fixture&) = delete;
  ~script_fixture() {
    (void)std::system((script_ + " stop " + dir_.string()).c_str());
    remove();
  }

  const std::filesystem::path& dir() const { return dir_; }
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
  void remove() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string script_;
  std::filesystem::path dir_;
  int port_ = 0;
};

} // namespace ddb_test
