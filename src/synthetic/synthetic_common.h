// What the synthetic datasets share: a random generator that gives the same numbers with every
// standard library (std:: distributions differ between them), the train/val split, and the
// rawframe writer.
#pragma once

#include <opencv2/core/mat.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace tubelet::synthetic {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  // The generator of item `index` of a dataset made with `seed`.
  static Rng for_item(uint64_t seed, int64_t index) {
    uint64_t state = seed;
    uint64_t mixed = splitmix64(state) ^ static_cast<uint64_t>(index);
    return Rng(splitmix64(mixed));
  }
  uint64_t next() { return splitmix64(state_); }
  double uniform(double lo = 0, double hi = 1) {
    return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53;
  }
  int integer(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // A standard normal draw (Box-Muller on two uniforms).
  double normal() {
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t state_;
};

// Items take labels in turn (label = index % classes); the last round(count * val_ratio) items of
// each label (at least one, never all) go to validation.
inline bool is_val_item(int64_t index, int64_t items, int64_t classes, double val_ratio) {
  const int64_t label = index % classes, rank = index / classes;
  const int64_t count = (items - label + classes - 1) / classes;  // items of this label
  int64_t val = std::max<int64_t>(1, std::llround(static_cast<double>(count) * val_ratio));
  val = std::min(val, count - 1);
  return rank >= count - val;
}

// Writes RGB frames as dir/img_00001.jpg ... (RawframeDataset's template, JPEG quality 95),
// the folder taking its final name once every frame is written (dataset_writer.cpp).
void write_rawframes(const std::vector<cv::Mat>& rgb, const std::filesystem::path& dir);

}  // namespace tubelet::synthetic
