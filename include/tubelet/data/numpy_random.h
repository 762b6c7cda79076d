// numpy's legacy random stream (np.random.seed / randint / permutation / choice on MT19937),
// for transforms whose draws must equal MMAction2's.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace tubelet {

// The draws of numpy's legacy np.random (RandomState on MT19937) that UniformSampleFrames
// uses, on any source of 32-bit words: seeded with NumpyRandom::seeded(s), the words are
// MT19937's after np.random.seed(s), so the results are numpy's.
class NumpyRandom {
 public:
  explicit NumpyRandom(std::function<uint32_t()> next32) : next32_(std::move(next32)) {}
  static NumpyRandom seeded(uint32_t seed);
  // np.random.randint(low, high): a uniform integer in [low, high) (masked rejection).
  int64_t randint(int64_t low, int64_t high);
  // np.random.permutation(n): Fisher-Yates from the end, random_interval draws.
  std::vector<int64_t> permutation(int64_t n);
  // np.random.choice(n, size, replace=False): permutation(n)[:size].
  std::vector<int64_t> choice_without_replacement(int64_t n, int64_t size);

 private:
  uint64_t bounded(uint64_t max);  // uniform in [0, max], numpy's masked rejection
  std::function<uint32_t()> next32_;
};

}  // namespace tubelet
