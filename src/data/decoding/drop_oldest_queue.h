// The hand-over between a live source's decode thread and its consumer: a bounded queue that
// never blocks the producer. A live source does not wait, so when the consumer falls behind
// the oldest item goes (the consumer wants the most recent frames) and is counted.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>

namespace tubelet::decoding {

template <class T>
class DropOldestQueue {
 public:
  explicit DropOldestQueue(int64_t capacity) : capacity_(capacity) {
    if (capacity < 1)
      throw std::invalid_argument("a frame queue needs a capacity of at least 1, got " +
                                  std::to_string(capacity));
  }

  // Adds `item`, dropping the oldest one first when full. Ignored once closed.
  void push(T item) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_) return;
      if (static_cast<int64_t>(items_.size()) >= capacity_) {
        items_.pop_front();
        ++dropped_;
      }
      items_.push_back(std::move(item));
      max_size_ = std::max(max_size_, static_cast<int64_t>(items_.size()));
    }
    ready_.notify_one();
  }

  // Waits for the oldest item. False once the queue is closed and empty; then rethrows the
  // error close() was given, if any (every time: the consumer may ask again).
  bool pop(T& item) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [this] { return closed_ || !items_.empty(); });
    if (items_.empty()) {
      if (error_) std::rethrow_exception(error_);
      return false;
    }
    item = std::move(items_.front());
    items_.pop_front();
    return true;
  }

  // No more items: pop() hands out what is queued, then ends (with `error` when given).
  void close(std::exception_ptr error = nullptr) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_) return;
      closed_ = true;
      error_ = error;
    }
    ready_.notify_all();
  }

  int64_t dropped() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return dropped_;
  }
  int64_t max_size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return max_size_;
  }
  int64_t capacity() const { return capacity_; }

 private:
  const int64_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<T> items_;
  bool closed_ = false;
  std::exception_ptr error_;
  int64_t dropped_ = 0;
  int64_t max_size_ = 0;
};

}  // namespace tubelet::decoding
