#include "random.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <set>
#include <string>

namespace {

using block16 = std::array<unsigned char, 16>;

block16 draw() {
  block16 b;
  ddb::detail::secure_random_bytes(b.data(), b.size());
  return b;
}

} // namespace

// Small draws come from a per-thread block: no two draws repeat, across block refills too.
TEST(Random, DrawsNeverRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) { // 16 000 bytes: about 30 refills of the block
    auto b = draw();
    EXPECT_TRUE(seen.emplace(reinterpret_cast<const char*>(b.data()), b.size()).second) << "draw " << i;
  }
}

// A forked child must not hand out the bytes its parent is about to: its copy of the block is
// emptied at fork, so both draw fresh ones.
TEST(Random, ForkedChildDoesNotRepeatItsParent) {
  draw(); // the parent's block now holds bytes it has not handed out
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto b = draw();
    _exit(::write(fds[1], b.data(), b.size()) == static_cast<ssize_t>(b.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  block16 from_child{};
  ASSERT_EQ(::read(fds[0], from_child.data(), from_child.size()), static_cast<ssize_t>(from_child.size()));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(draw(), from_child) << "the child handed out its parent's next bytes";
}

TEST(Random, LargeDrawsAndUuids) {
  std::array<unsigned char, 4096> a{}, b{};
  ddb::detail::secure_random_bytes(a.data(), a.size());
  ddb::detail::secure_random_bytes(b.data(), b.size());
  EXPECT_NE(a, b);
  auto u = ddb::detail::random_uuid_v4();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(u, ddb::detail::random_uuid_v4());
  double x = ddb::detail::random_unit();
  EXPECT_GE(x, 0.0);
  EXPECT_LT(x, 1.0);
}
