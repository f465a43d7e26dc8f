// The connection pool's bookkeeping, without sockets or timers: which slot a caller gets, who
// waits, which idle connections have expired. Time is passed in. The I/O layer obeys it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace ddb::detail {

class pool_state {
public:
  using clock = std::chrono::steady_clock;
  using slot = std::size_t;
  using waiter_id = std::uint64_t;

  pool_state(std::size_t max_size, std::size_t max_waiters, clock::duration idle_timeout)
      : max_size_(max_size), max_waiters_(max_waiters), idle_timeout_(idle_timeout) {}

  enum class grant_kind {
    reuse,   // an open, idle connection: use it as it is
    open,    // an empty slot: connect it first
    wait,    // all slots busy: wait for release(); the id is in `waiter`
    refused, // the wait queue is full
  };
  struct grant {
    grant_kind kind;
    slot s = 0;
    waiter_id waiter = 0;
  };

  /// A caller wants a connection at `now`.
  grant acquire(clock::time_point now) {
    close_expired(now);
    if (!idle_.empty()) { // the most recently used connection is the likeliest to be alive
      slot s = idle_.back();
      idle_.pop_back();
      state_[s] = slot_state::busy;
      return {grant_kind::reuse, s};
    }
    if (open_ + opening_ < max_size_) {
      slot s = free_slot();
      state_[s] = slot_state::opening;
      ++opening_;
      return {grant_kind::open, s};
    }
    if (waiters_.size() >= max_waiters_) return {grant_kind::refused};
    waiters_.push_back(++last_waiter_);
    return {grant_kind::wait, 0, last_waiter_};
  }

  /// What happens to a slot after its user is done with it.
  struct handoff {
    std::optional<waiter_id> waiter; // give the slot to this waiter (it owns the slot now)
    bool reopen = false;             // the slot's connection is closed: the waiter must connect
  };

  /// A connect attempt for slot `s` finished. After a failure the slot goes to the first waiter,
  /// who tries to connect it in turn: queued callers learn of an outage from their own connect,
  /// at once and in order, rather than waiting out their deadline.
  handoff opened(slot s, bool ok) {
    if (ok) {
      --opening_;
      ++open_;
      state_[s] = slot_state::busy;
      return {};
    }
    if (!waiters_.empty()) return {pop_waiter(), true}; // still opening, now for the waiter
    --opening_;
    state_[s] = slot_state::empty;
    return {};
  }

  /// The user of `s` is done. `still_open` says whether the connection can serve again.
  handoff release(slot s, bool still_open, clock::time_point now) {
    if (!still_open) {
      --open_;
      state_[s] = slot_state::empty;
      if (!waiters_.empty()) { // the waiter reopens it, keeping the pool at its size
        state_[s] = slot_state::opening;
        ++opening_;
        return {pop_waiter(), true};
      }
      return {};
    }
    if (!waiters_.empty()) return {pop_waiter(), false};
    state_[s] = slot_state::idle;
    idle_since_[s] = now;
    idle_.push_back(s);
    return {};
  }

  /// A waiter gave up (cancelled or timed out) before it was handed a slot.
  void abandon(waiter_id w) {
    for (auto it = waiters_.begin(); it != waiters_.end(); ++it)
      if (*it == w) {
        waiters_.erase(it);
        return;
      }
  }

  /// Idle connections that have been idle too long; they are forgotten here and must be closed.
  const std::vector<slot>& close_expired(clock::time_point now) {
    expired_.clear();
    while (!idle_.empty() && now - idle_since_[idle_.front()] >= idle_timeout_) {
      slot s = idle_.front(); // the front is the least recently used
      idle_.pop_front();
      state_[s] = slot_state::empty;
      --open_;
      expired_.push_back(s);
    }
    return expired_;
  }
  /// The slots the last acquire() found expired (their connections must be closed).
  const std::vector<slot>& last_expired() const noexcept { return expired_; }

  /// When the next idle connection expires, if any.
  std::optional<clock::time_point> next_expiry() const {
    if (idle_.empty()) return std::nullopt;
    return idle_since_[idle_.front()] + idle_timeout_;
  }

  std::size_t open() const noexcept { return open_; }
  std::size_t idle() const noexcept { return idle_.size(); }
  std::size_t opening() const noexcept { return opening_; }
  std::size_t waiting() const noexcept { return waiters_.size(); }
  std::size_t max_size() const noexcept { return max_size_; }

private:
  enum class slot_state : std::uint8_t { empty, opening, busy, idle };

  slot free_slot() {
    for (slot s = 0; s < state_.size(); ++s)
      if (state_[s] == slot_state::empty) return s;
    state_.push_back(slot_state::empty);
    idle_since_.emplace_back();
    return state_.size() - 1;
  }

  waiter_id pop_waiter() {
    waiter_id w = waiters_.front();
    waiters_.pop_front();
    return w;
  }

  std::size_t max_size_, max_waiters_;
  clock::duration idle_timeout_;
  std::vector<slot_state> state_;
  std::vector<clock::time_point> idle_since_;
  std::deque<slot> idle_; // front: least recently used
  std::deque<waiter_id> waiters_;
  std::vector<slot> expired_;
  std::size_t open_ = 0, opening_ = 0;
  waiter_id last_waiter_ = 0;
};

} // namespace ddb::detail
