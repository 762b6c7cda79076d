#include "tubelet/data/sampling/dense_sample_frames.h"

#include <algorithm>
#include <cmath>

namespace tubelet {

DenseSampleFrames::DenseSampleFrames(SampleFramesOptions options, int64_t sample_range,
                                     int64_t num_sample_positions)
    : SampleFrames(std::move(options)),
      sample_range_(sample_range),
      num_sample_positions_(num_sample_positions) {}

std::vector<double> DenseSampleFrames::train_clips(int64_t num_frames, Sample& sample) const {
  const int64_t positions = std::max<int64_t>(1, 1 + num_frames - sample_range_);
  const int64_t interval = sample_range_ / options_.num_clips();
  // np.random.randint(0, positions - 1): the last position is never drawn (as in MMAction2).
  const int64_t start = positions == 1 ? 0 : random_below(sample, positions - 1);
  std::vector<double> offsets;
  for (int64_t i = 0; i < options_.num_clips(); ++i)
    offsets.push_back(static_cast<double>((i * interval + start) % num_frames));
  return offsets;
}

std::vector<double> DenseSampleFrames::test_clips(int64_t num_frames) const {
  const int64_t positions = std::max<int64_t>(1, 1 + num_frames - sample_range_);
  const int64_t interval = sample_range_ / options_.num_clips();
  // np.linspace(0, positions - 1, num, dtype=int): i * step, the last one exactly the end.
  const int64_t num = num_sample_positions_;
  const double delta = static_cast<double>(positions - 1);
  const double step = num > 1 ? delta / static_cast<double>(num - 1) : 0.0;
  std::vector<double> offsets;
  for (int64_t p = 0; p < num; ++p) {
    double at = (num > 1 && p == num - 1) ? delta : static_cast<double>(p) * step;
    const int64_t start = static_cast<int64_t>(at);
    for (int64_t i = 0; i < options_.num_clips(); ++i)
      offsets.push_back(static_cast<double>((i * interval + start) % num_frames));
  }
  return offsets;
}

std::shared_ptr<Transform> DenseSampleFrames::from_config(Args& args) {
  SampleFramesOptions options = SampleFramesOptions::from_args(args);
  const int64_t sample_range = args.get<int64_t>("sample_range", 64);
  const int64_t positions = args.get<int64_t>("num_sample_positions", 10);
  if (sample_range <= 0) throw args.error("sample_range", "sample_range must be positive");
  if (positions < 0)
    throw args.error("num_sample_positions", "num_sample_positions must not be negative");
  return std::make_shared<DenseSampleFrames>(options, sample_range, positions);
}

TUBELET_REGISTER(PIPELINES, DenseSampleFrames, DenseSampleFrames::from_config);

}  // namespace tubelet
