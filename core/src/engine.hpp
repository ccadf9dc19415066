// tcpsim — the discrete-event engine: a queue of events ordered by
// (virtual time, insertion order). Entries are small PODs: a kind and two
// integers that name what happens (a segment in flight, a socket's timer, a
// thread to wake), so a million pending events cost 24 bytes each.
#pragma once

#include <cstdint>
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
  void push(Time t, std::uint8_t kind, std::uint32_t a, std::uint32_t b) {
    heap_.push_back(QItem{t, order_++, a, (static_cast<std::uint32_t>(kind) << 24) | (b & 0xFFFFFFu)});
    sift_up(heap_.size() - 1);
  }
  bool empty() const { return heap_.empty(); }
  const QItem& top() const { return heap_.front(); }
  QItem pop() {
    QItem r = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return r;
  }
  std::size_t size() const { return heap_.size(); }

 private:
  static bool before(const QItem& x, const QItem& y) {
    return x.t < y.t || (x.t == y.t && x.order < y.order);
  }
  void sift_up(std::size_t i) {
    QItem v = heap_[i];
    while (i > 0) {
      std::size_t p = (i - 1) / 2;
      if (!before(v, heap_[p])) break;
      heap_[i] = heap_[p];
      i = p;
    }
    heap_[i] = v;
  }
  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    QItem v = heap_[i];
    for (;;) {
      std::size_t c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(heap_[c + 1], heap_[c])) ++c;
      if (!before(heap_[c], v)) break;
      heap_[i] = heap_[c];
      i = c;
    }
    heap_[i] = v;
  }
  std::vector<QItem> heap_;
  std::uint64_t order_ = 0;
};

}  // namespace tcpsim
