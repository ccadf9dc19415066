// tcpsim — the demux table: an open-addressing hash map from a 64-bit
// connection key to a socket id, as Linux's established hash (ehash) is a
// flat array of buckets rather than a tree or a list of heap nodes.
//
// A server with a million connections looks one up for every segment, so
// the table is one flat array of (key, value) slots probed linearly: a lookup
// touches one cache line (key and value sit together) instead of a bucket
// plus a heap node, and costs 16 bytes per slot instead of a ~48-byte node. Erase uses
// backward-shift deletion, so there are no tombstones and probe lengths
// never degrade with churn (a million connections opened and closed).
//
// Iteration order is the slot order, which depends on the keys only; the
// model only iterates to ask "is any entry like this?", never for an order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tcpsim {

class ConnTable {
 public:
  // No connection key is all ones (it would be port 65535 to
  // 255.255.255.255:65535 with an all-ones local port field).
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  const std::uint32_t* find(std::uint64_t key) const {
    if (size_ == 0) return nullptr;
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].val;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }
  bool contains(std::uint64_t key) const { return find(key) != nullptr; }

  void insert_or_assign(std::uint64_t key, std::uint32_t value) {
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) {
        slots_[i].val = value;
        return;
      }
      if (slots_[i].key == kEmpty) {
        slots_[i].key = key;
        slots_[i].val = value;
        ++size_;
        return;
      }
    }
  }

  // Removes key if it maps to value (a newer socket may have taken the
  // 4-tuple over, e.g. a TIME_WAIT socket reused). True if removed.
  bool erase_if_value(std::uint64_t key, std::uint32_t value) {
    if (size_ == 0) return false;
    std::size_t i = slot(key);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].key == kEmpty) return false;
      if (slots_[i].key == key) break;
    }
    if (slots_[i].val != value) return false;
    // Backward shift: pull later entries of the probe run into the hole
    // when their home slot is not between the hole and themselves.
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask_; slots_[j].key != kEmpty; j = (j + 1) & mask_) {
      const std::size_t home = slot(slots_[j].key);
      const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (stays) continue;
      slots_[hole] = slots_[j];
      hole = j;
    }
    slots_[hole].key = kEmpty;
    --size_;
    return true;
  }

  void clear() {
    slots_.clear();
    mask_ = 0;
    size_ = 0;
  }

  // f(key, value) for every entry; stops early when f returns true, and
  // returns whether it did.
  template <class F>
  bool any_of(F&& f) const {
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].key != kEmpty && f(slots_[i].key, slots_[i].val)) return true;
    return false;
  }

 private:
  // Keys are structured (port << 48 | ip << 16 | port), so mix every bit
  // into the slot index (the murmur3 / splitmix64 finalizer).
  std::size_t slot(std::uint64_t k) const {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return static_cast<std::size_t>(k) & mask_;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    const std::size_t n = old.empty() ? 16 : old.size() * 2;
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    size_ = 0;
    for (const Slot& e : old)
      if (e.key != kEmpty) insert_or_assign(e.key, e.val);
  }

  struct Slot {
    std::uint64_t key = kEmpty;
    std::uint32_t val = 0;
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace tcpsim
