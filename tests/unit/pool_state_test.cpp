#include "pool_state.hpp"

#include <gtest/gtest.h>

using ddb::detail::pool_state;
using kind = pool_state::grant_kind;
using namespace std::chrono_literals;

namespace {
const pool_state::clock::time_point t0{};
}

TEST(PoolState, OpensUpToMaxThenQueuesThenRefuses) {
  pool_state p(2, 1, 10s);
  auto a = p.acquire(t0), b = p.acquire(t0);
  EXPECT_EQ(a.kind, kind::open);
  EXPECT_EQ(b.kind, kind::open);
  EXPECT_NE(a.s, b.s);
  p.opened(a.s, true);
  p.opened(b.s, true);
  EXPECT_EQ(p.open(), 2u);
  auto c = p.acquire(t0);
  EXPECT_EQ(c.kind, kind::wait);
  EXPECT_EQ(p.waiting(), 1u);
  EXPECT_EQ(p.acquire(t0).kind, kind::refused); // the wait queue is bounded
}

TEST(PoolState, ReleaseHandsTheSlotToTheFirstWaiter) {
  pool_state p(1, 10, 10s);
  auto a = p.acquire(t0);
  p.opened(a.s, true);
  auto w1 = p.acquire(t0), w2 = p.acquire(t0);
  auto h = p.release(a.s, true, t0);
  ASSERT_TRUE(h.waiter);
  EXPECT_EQ(*h.waiter, w1.waiter); // first come, first served
  EXPECT_FALSE(h.reopen);
  EXPECT_EQ(p.idle(), 0u);
  h = p.release(a.s, true, t0);
  EXPECT_EQ(*h.waiter, w2.waiter);
  h = p.release(a.s, true, t0);
  EXPECT_FALSE(h.waiter);
  EXPECT_EQ(p.idle(), 1u);
  EXPECT_EQ(p.acquire(t0).kind, kind::reuse);
}

TEST(PoolState, AClosedConnectionIsReopenedByTheWaiter) {
  pool_state p(1, 10, 10s);
  auto a = p.acquire(t0);
  p.opened(a.s, true);
  auto w = p.acquire(t0);
  auto h = p.release(a.s, false, t0);
  ASSERT_TRUE(h.waiter);
  EXPECT_EQ(*h.waiter, w.waiter);
  EXPECT_TRUE(h.reopen);
  EXPECT_EQ(p.open(), 0u);
  EXPECT_EQ(p.opening(), 1u);
  p.opened(a.s, true);
  EXPECT_EQ(p.open(), 1u);
}

TEST(PoolState, FailedConnectFreesTheSlot) {
  pool_state p(1, 10, 10s);
  auto a = p.acquire(t0);
  p.opened(a.s, false);
  EXPECT_EQ(p.open(), 0u);
  EXPECT_EQ(p.acquire(t0).kind, kind::open);
}

TEST(PoolState, FailedConnectHandsTheSlotToTheFirstWaiterInOrder) {
  pool_state p(1, 10, 10s);
  auto a = p.acquire(t0);
  auto w1 = p.acquire(t0);
  auto w2 = p.acquire(t0);
  ASSERT_EQ(w1.kind, kind::wait);
  ASSERT_EQ(w2.kind, kind::wait);
  auto h = p.opened(a.s, false);
  ASSERT_TRUE(h.waiter.has_value());
  EXPECT_EQ(*h.waiter, w1.waiter); // FIFO: no later caller overtakes the first
  EXPECT_TRUE(h.reopen);
  EXPECT_EQ(p.opening(), 1u); // the slot stays reserved for w1's own connect
  EXPECT_EQ(p.waiting(), 1u);
  h = p.opened(a.s, false);
  ASSERT_TRUE(h.waiter.has_value());
  EXPECT_EQ(*h.waiter, w2.waiter);
  h = p.opened(a.s, false);
  EXPECT_FALSE(h.waiter.has_value());
  EXPECT_EQ(p.opening(), 0u);
  EXPECT_EQ(p.open(), 0u);
  EXPECT_EQ(p.acquire(t0).kind, kind::open);
}

TEST(PoolState, AbandonedWaitersAreSkipped) {
  pool_state p(1, 10, 10s);
  auto a = p.acquire(t0);
  p.opened(a.s, true);
  auto w1 = p.acquire(t0), w2 = p.acquire(t0);
  p.abandon(w1.waiter);
  EXPECT_EQ(p.waiting(), 1u);
  EXPECT_EQ(*p.release(a.s, true, t0).waiter, w2.waiter);
}

TEST(PoolState, IdleConnectionsExpireLeastRecentlyUsedFirst) {
  pool_state p(3, 10, 10s);
  auto a = p.acquire(t0), b = p.acquire(t0);
  p.opened(a.s, true);
  p.opened(b.s, true);
  p.release(a.s, true, t0);
  p.release(b.s, true, t0 + 5s);
  EXPECT_EQ(p.next_expiry(), t0 + 10s);
  EXPECT_TRUE(p.close_expired(t0 + 9s).empty());
  auto expired = p.close_expired(t0 + 10s);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0], a.s);
  EXPECT_EQ(p.open(), 1u);
  // acquire() expires too, and reuses the most recently used survivor.
  auto g = p.acquire(t0 + 12s);
  EXPECT_EQ(g.kind, kind::reuse);
  EXPECT_EQ(g.s, b.s);
  EXPECT_TRUE(p.last_expired().empty());
}

TEST(PoolState, AcquireReportsWhatItExpired) {
  pool_state p(2, 10, 1s);
  auto a = p.acquire(t0);
  p.opened(a.s, true);
  p.release(a.s, true, t0);
  auto g = p.acquire(t0 + 2s);
  EXPECT_EQ(g.kind, kind::open); // the idle one was too old
  ASSERT_EQ(p.last_expired().size(), 1u);
  EXPECT_EQ(p.last_expired()[0], a.s);
}
