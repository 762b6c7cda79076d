#include "tubelet/data/numpy_random.h"

#include <algorithm>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>

namespace tubelet {

NumpyRandom NumpyRandom::seeded(uint32_t seed) {
  // np.random.seed(int) is MT19937's init_genrand(seed): std::mt19937's seeding.
  auto mt = std::make_shared<std::mt19937>(seed);
  return NumpyRandom([mt] { return static_cast<uint32_t>((*mt)()); });
}

uint64_t NumpyRandom::bounded(uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max;  // the smallest 2^k - 1 >= max
  for (int shift = 1; shift <= 32; shift *= 2) mask |= mask >> shift;
  uint64_t value;
  if (max <= 0xFFFFFFFFull) {
    if (max == 0xFFFFFFFFull) return next32_();
    while ((value = (next32_() & mask)) > max) {
    }
  } else {  // numpy's legacy next_uint64: two words, the first high
    auto next64 = [&] {
      uint64_t hi = next32_();
      return (hi << 32) | next32_();
    };
    while ((value = (next64() & mask)) > max) {
    }
  }
  return value;
}

int64_t NumpyRandom::randint(int64_t low, int64_t high) {
  if (low >= high) throw std::invalid_argument("randint: low >= high");
  return low + static_cast<int64_t>(bounded(static_cast<uint64_t>(high - 1 - low)));
}

std::vector<int64_t> NumpyRandom::permutation(int64_t n) {
  std::vector<int64_t> out(static_cast<size_t>(std::max<int64_t>(n, 0)));
  std::iota(out.begin(), out.end(), 0);
  for (int64_t i = n - 1; i >= 1; --i) {
    auto j = static_cast<int64_t>(bounded(static_cast<uint64_t>(i)));
    std::swap(out[static_cast<size_t>(i)], out[static_cast<size_t>(j)]);
  }
  return out;
}

std::vector<int64_t> NumpyRandom::choice_without_replacement(int64_t n, int64_t size) {
  if (size > n || size < 0)
    throw std::invalid_argument("choice: cannot take a larger sample than population");
  std::vector<int64_t> perm = permutation(n);
  perm.resize(static_cast<size_t>(size));
  return perm;
}

}  // namespace tubelet
