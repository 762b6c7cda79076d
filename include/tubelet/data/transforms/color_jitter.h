// MMAction2 0.24.1's ColorJitter(brightness=0.5, contrast=0.5, saturation=0.5, hue=0.1):
// each argument is a float v (range (1 - v, 1 + v), or (-v, v) for hue) or a tuple (low,
// high); brightness, contrast and saturation within [0, 2], hue within [-0.5, 0.5]. One
// factor of each is drawn per sample and applied to every uint8 RGB frame in float32, in an
// order fixed when the transform is built (MMAction2 draws it from numpy's global generator;
// here from a generator with a constant seed, so it is the same in every run):
//   brightness x * b; contrast c * x + (1 - c) * mean(gray); saturation s * x + (1 - s) * gray
//   (gray = 0.2989 R + 0.587 G + 0.114 B); hue: OpenCV's uint8 HSV with H shifted by
//   int(h * 255) modulo 180 (with numpy's uint8 wrap-around for positive shifts).
// The result is clipped to [0, 255] and truncated to uint8. Reads and writes imgs.
#pragma once

#include <array>
#include <utility>

#include "tubelet/data/transform.h"

namespace tubelet {

class ColorJitter : public Transform {
 public:
  using Range = std::pair<double, double>;
  ColorJitter(Range brightness, Range contrast, Range saturation, Range hue);
  void apply(Sample& sample) override;
  std::string type() const override { return "ColorJitter"; }
  const std::array<int, 4>& order() const { return order_; }

 private:
  Range brightness_, contrast_, saturation_, hue_;
  std::array<int, 4> order_;
};

}  // namespace tubelet
