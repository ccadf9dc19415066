// tcpsim — the discrete-event engine: a queue of events ordered by
// (virtual time, insertion order). Entries are small PODs: a kind and two
// integers that name what happens (a segment in flight, a socket's timer, a
// thread to wake), so a million pending events cost 24 bytes each.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "tcpsim/types.hpp"

namespace tcpsim {

struct QItem {
  Time t;
  std::uint64_t order;  // insertion order: ties at the same time run first-in first-out
  std::uint32_t a;
  std::uint32_t b;      // kind in the top 8 bits
  std::uint8_t kind() const { return static_cast<std::uint8_t>(b >> 24); }
  std::uint32_t arg() const { return b & 0xFFFFFFu; }
};

class Engine {
 public:
  // Timers of one length (every TIME_WAIT, FIN_WAIT_2 or keepalive timer,
  // and on a quiet network every RTO or delayed-ACK timer, of a run) are
  // armed in deadline order, since the clock never goes back: such an item
  // goes to a FIFO "lane" for its delay, already sorted, in O(1), instead
  // of a heap that holds a million of them. top() and pop() take the
  // earliest of the heap and the lane heads by (time, insertion order), so
  // events come out in exactly the order a single heap gives.
  void push(Time t, std::uint8_t kind, std::uint32_t a, std::uint32_t b) {
    const QItem it{t, order_++, a, (static_cast<std::uint32_t>(kind) << 24) | (b & 0xFFFFFFu)};
    ++count_;
    best_valid_ = false;
    const Time d = t - last_t_;
    if (d >= kLaneMinDelay) {
      Lane* spare = nullptr;
      for (auto& l : lanes_) {
        if (l.delay == d) {
          l.q.push_back(it);
          return;
        }
        if (!spare && l.q.empty()) spare = &l;
      }
      // An empty lane may take a new delay: it holds nothing to keep in order.
      if (!spare && lanes_.size() < kMaxLanes) spare = &lanes_.emplace_back();
      if (spare) {
        spare->delay = d;
        spare->q.push_back(it);
        return;
      }
    }
    heap_.push_back(it);
    sift_up(heap_.size() - 1);
  }
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  const QItem& top() const {
    const int l = min_lane();
    return l < 0 ? heap_.front() : lanes_[l].q.front();
  }
  QItem pop() {
    const int l = min_lane();
    QItem r;
    if (l >= 0) {
      r = lanes_[l].q.front();
      lanes_[l].q.pop_front();
    } else {
      r = heap_.front();
      heap_.front() = heap_.back();
      heap_.pop_back();
      if (!heap_.empty()) sift_down(0);
    }
    --count_;
    best_valid_ = false;
    last_t_ = r.t;
    return r;
  }

 private:
  // (time, insertion order) as one 128-bit number: one branch-free
  // comparison instead of two dependent branches, which the sift loops
  // below would mispredict about half the time.
  using Key = unsigned __int128;
  static Key key(const QItem& x) {
    return (static_cast<Key>(static_cast<std::uint64_t>(x.t)) << 64) | x.order;
  }
  static bool before(const QItem& x, const QItem& y) { return key(x) < key(y); }
  // A 4-ary heap: half the levels of a binary heap, and the four children
  // of a node sit in one or two cache lines. Keys are unique (insertion
  // order breaks ties), so the pop order is the same for any arity.
  static constexpr std::size_t kArity = 4;
  void sift_up(std::size_t i) {
    const QItem v = heap_[i];
    const Key kv = key(v);
    while (i > 0) {
      const std::size_t p = (i - 1) / kArity;
      if (!(kv < key(heap_[p]))) break;
      heap_[i] = heap_[p];
      i = p;
    }
    heap_[i] = v;
  }
  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    const QItem v = heap_[i];
    const Key kv = key(v);
    for (;;) {
      const std::size_t c = kArity * i + 1;
      if (c >= n) break;
      const std::size_t end = c + kArity < n ? c + kArity : n;
      std::size_t best = c;
      Key kb = key(heap_[c]);
      for (std::size_t j = c + 1; j < end; ++j) {
        const Key kj = key(heap_[j]);
        const bool lt = kj < kb;
        kb = lt ? kj : kb;
        best = lt ? j : best;
      }
      if (!(kb < kv)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = v;
  }
  // The lane whose head comes before the heap's top (and every other lane's
  // head), or -1 for the heap.
  // Cached between a top() and the next push or pop (the step loop asks
  // top() two or three times per event).
  int min_lane() const {
    if (best_valid_) return best_;
    int best = -1;
    const QItem* b = heap_.empty() ? nullptr : &heap_.front();
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      if (lanes_[i].q.empty()) continue;
      const QItem& h = lanes_[i].q.front();
      if (!b || before(h, *b)) {
        b = &h;
        best = static_cast<int>(i);
      }
    }
    best_ = best;
    best_valid_ = true;
    return best;
  }
  struct Lane {
    Time delay = 0;
    std::deque<QItem> q;  // sorted: pushed at nondecreasing now, so nondecreasing now + delay
  };
  // Below this a delay is a segment in flight or a short timer, too varied
  // to share lanes; the heap stays small with them.
  static constexpr Time kLaneMinDelay = 10000;  // 10 ms: delayed ACK, RTO, TIME_WAIT, FIN_WAIT_2, keepalive
  static constexpr std::size_t kMaxLanes = 8;
  std::vector<QItem> heap_;
  std::vector<Lane> lanes_;
  Time last_t_ = 0;  // time of the last pop: no event is ever scheduled before it
  std::uint64_t order_ = 0;
  std::size_t count_ = 0;
  mutable int best_ = -1;
  mutable bool best_valid_ = false;
};

}  // namespace tcpsim
