// MMAction2's RandomRescale(scale_range, interpolation='bilinear'): Resize((-1, s)) with the
// short side s drawn uniformly from the closed interval scale_range (a tuple of two positive
// ints, low < high). Writes what Resize writes and short_edge.
#pragma once

#include <string>
#include <utility>

#include "tubelet/data/transform.h"

namespace tubelet {

class RandomRescale : public Transform {
 public:
  RandomRescale(std::pair<int64_t, int64_t> scale_range, std::string interpolation)
      : scale_range_(scale_range), interpolation_(std::move(interpolation)) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "RandomRescale"; }

 private:
  std::pair<int64_t, int64_t> scale_range_;
  std::string interpolation_;
};

}  // namespace tubelet
