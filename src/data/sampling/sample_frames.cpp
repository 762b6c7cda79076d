#include "tubelet/data/sampling/sample_frames.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>
#include <stdexcept>

namespace tubelet {

namespace {

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// np.mod: the remainder takes the divisor's sign.
double python_mod(double x, double m) {
  double r = std::fmod(x, m);
  return (r != 0 && ((r < 0) != (m < 0))) ? r + m : r;
}

void check_positive(int64_t value, const char* name) {
  if (value <= 0)
    throw std::invalid_argument(std::string(name) + " must be positive, got " +
                                std::to_string(value));
}

// Rows of one clip each; out-of-range indices handled as out_of_bound_opt says.
void bound(std::vector<std::vector<double>>& rows, double total, const std::string& opt) {
  for (auto& row : rows) {
    if (opt == "loop") {
      for (double& x : row) x = python_mod(x, total);
      continue;
    }
    double last = 0;  // max(safe * inds): unsafe positions count as 0
    for (double x : row) last = std::max(last, x < total ? x : 0.0);
    for (double& x : row) x = x < total ? x : last;
  }
}

}  // namespace

int64_t random_below(Sample& sample, int64_t n) {
  if (n <= 0) throw std::invalid_argument("randint: high <= 0 (" + std::to_string(n) + ")");
  return std::uniform_int_distribution<int64_t>(0, n - 1)(sample.rng);
}

SampleFramesOptions SampleFramesOptions::from_args(Args& args) {
  SampleFramesOptions o;
  o.clip_len(args.required<int64_t>("clip_len"));
  o.frame_interval(args.get<int64_t>("frame_interval", 1));
  o.num_clips(args.get<int64_t>("num_clips", 1));
  o.temporal_jitter(args.get("temporal_jitter", false));
  o.twice_sample(args.get("twice_sample", false));
  o.out_of_bound_opt(args.get("out_of_bound_opt", "loop"));
  o.test_mode(args.get("test_mode", false));
  if (!args.get<Value>("start_index", Value()).is_none())
    std::cerr << "Warning: " << args.module() << " (" << args.where()
              << "): start_index is no longer supported here; it is set by the dataset "
                 "(MMAction2 PR #89)\n";
  o.keep_tail_frames(args.get("keep_tail_frames", false));
  if (o.out_of_bound_opt() != "loop" && o.out_of_bound_opt() != "repeat_last")
    throw args.error("out_of_bound_opt", "out_of_bound_opt must be 'loop' or 'repeat_last', got '" +
                                             o.out_of_bound_opt() + "'");
  if (o.clip_len() <= 0 || o.frame_interval() <= 0 || o.num_clips() <= 0)
    throw args.error("clip_len", "clip_len, frame_interval and num_clips must be positive");
  return o;
}

SampleFrames::SampleFrames(SampleFramesOptions options) : options_(std::move(options)) {}

std::vector<double> SampleFrames::train_clips(int64_t num_frames, Sample& sample) const {
  const int64_t n = options_.num_clips();
  const int64_t ori_clip_len = options_.clip_len() * options_.frame_interval();
  std::vector<double> offsets(static_cast<size_t>(n), 0.0);
  if (options_.keep_tail_frames()) {
    const double avg = static_cast<double>(num_frames - ori_clip_len + 1) / static_cast<double>(n);
    if (num_frames > ori_clip_len - 1)
      for (int64_t i = 0; i < n; ++i)
        offsets[i] = std::trunc(static_cast<double>(i) * avg + avg * uniform01(sample));
    return offsets;
  }
  const int64_t avg = floor_div(num_frames - ori_clip_len + 1, n);
  if (avg > 0) {
    for (int64_t i = 0; i < n; ++i)
      offsets[i] = static_cast<double>(i * avg + random_below(sample, avg));
  } else if (num_frames > std::max(n, ori_clip_len)) {
    for (double& x : offsets)
      x = static_cast<double>(random_below(sample, num_frames - ori_clip_len + 1));
    std::sort(offsets.begin(), offsets.end());
  } else if (avg == 0) {
    const double ratio = (static_cast<double>(num_frames - ori_clip_len) + 1.0) / n;
    for (int64_t i = 0; i < n; ++i)
      offsets[i] = std::nearbyint(static_cast<double>(i) * ratio);  // np.around: half to even
  }
  return offsets;
}

std::vector<double> SampleFrames::test_clips(int64_t num_frames) const {
  const int64_t n = options_.num_clips();
  const int64_t ori_clip_len = options_.clip_len() * options_.frame_interval();
  const double avg = static_cast<double>(num_frames - ori_clip_len + 1) / static_cast<double>(n);
  if (num_frames <= ori_clip_len - 1) return std::vector<double>(static_cast<size_t>(n), 0.0);
  std::vector<double> offsets;
  for (int64_t i = 0; i < n; ++i)
    offsets.push_back(std::trunc(static_cast<double>(i) * avg + avg / 2.0));
  if (options_.twice_sample())
    for (int64_t i = 0; i < n; ++i) offsets.push_back(static_cast<double>(i) * avg);
  return offsets;
}

std::vector<int64_t> SampleFrames::frame_indices(int64_t total_frames, int64_t start_index,
                                                 Sample& sample) const {
  check_positive(total_frames, "total_frames");
  std::vector<double> offsets =
      options_.test_mode() ? test_clips(total_frames) : train_clips(total_frames, sample);
  std::vector<std::vector<double>> rows;
  for (double offset : offsets) {
    rows.emplace_back();
    for (int64_t j = 0; j < options_.clip_len(); ++j)
      rows.back().push_back(offset + static_cast<double>(j * options_.frame_interval()));
  }
  if (options_.temporal_jitter())
    for (auto& row : rows)
      for (double& x : row)
        x += static_cast<double>(random_below(sample, options_.frame_interval()));
  bound(rows, static_cast<double>(total_frames), options_.out_of_bound_opt());
  std::vector<int64_t> out;
  for (const auto& row : rows)
    for (double x : row) out.push_back(static_cast<int64_t>(x + static_cast<double>(start_index)));
  return out;
}

void SampleFrames::apply(Sample& sample) {
  const int64_t total = sample.need("total_frames", type()).as_int();
  const int64_t start = sample.need("start_index", type()).as_int();
  List inds;
  for (int64_t i : frame_indices(total, start, sample)) inds.emplace_back(i);
  sample.info.set("frame_inds", Value::list(std::move(inds)));
  sample.info.set("clip_len", Value(options_.clip_len()));
  sample.info.set("frame_interval", Value(options_.frame_interval()));
  sample.info.set("num_clips", Value(options_.num_clips()));
}

std::shared_ptr<Transform> SampleFrames::from_config(Args& args) {
  return std::make_shared<SampleFrames>(SampleFramesOptions::from_args(args));
}

TUBELET_REGISTER(PIPELINES, SampleFrames, SampleFrames::from_config);

}  // namespace tubelet
