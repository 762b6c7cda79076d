#include "tubelet/synthetic/localization_features.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <stdexcept>

#include "tubelet/config/dump.h"
#include "tubelet/config/value.h"
#include "tubelet/fileio/atomic_file.h"

namespace tubelet::synthetic {

namespace fs = std::filesystem;

namespace {

// A generator for one purpose (stream) of one video, independent of every other.
std::mt19937_64 generator(uint64_t seed, uint64_t stream, uint64_t index) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(stream), static_cast<uint32_t>(index),
                    static_cast<uint32_t>(index >> 32)};
  return std::mt19937_64(seq);
}

enum Stream : uint64_t { kLayout = 1, kNoise = 2, kPattern = 3 };

double round2(double x) {
  return std::round(x * 100) / 100;
}

void check_localization_features(const LocalizationFeaturesOptions& o) {
  if (o.videos() < 3) throw std::invalid_argument("make-synthetic-features: --videos must be >= 3");
  if (o.feat_dim() < 1 || o.temporal_scale() < 4 || o.classes() < 1)
    throw std::invalid_argument(
        "make-synthetic-features: feat_dim >= 1, temporal_scale >= 4 and classes >= 1 needed");
  if (o.val_ratio() < 0 || o.test_ratio() < 0 || o.val_ratio() + o.test_ratio() >= 1)
    throw std::invalid_argument(
        "make-synthetic-features: val and test ratios must be >= 0 with a sum below 1");
}

// Per class, a +-1 pattern over the feature channels.
std::vector<std::vector<float>> class_patterns(const LocalizationFeaturesOptions& o) {
  std::vector<std::vector<float>> patterns;
  for (int64_t c = 0; c < o.classes(); ++c) {
    std::mt19937_64 rng = generator(o.seed(), kPattern, static_cast<uint64_t>(c));
    std::vector<float> p(static_cast<size_t>(o.feat_dim()));
    for (float& v : p) v = (rng() & 1) ? 1.f : -1.f;
    patterns.push_back(std::move(p));
  }
  return patterns;
}

}  // namespace

std::string localization_class_name(int64_t label) {
  return "action_" + std::to_string(label);
}

LocalizationVideo sample_localization_video(int64_t index, const LocalizationFeaturesOptions& o) {
  std::mt19937_64 rng = generator(o.seed(), kLayout, static_cast<uint64_t>(index));
  auto uniform = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  LocalizationVideo v;
  char name[32];
  std::snprintf(name, sizeof name, "v_%05lld", static_cast<long long>(index));
  v.name = name;
  v.duration_frame = std::uniform_int_distribution<int64_t>(400, 1200)(rng);
  v.feature_frame = v.duration_frame / 16 * 16;
  v.duration_second = static_cast<double>(v.duration_frame) / v.fps;
  const double covered = static_cast<double>(v.feature_frame) / v.fps;
  // k segments, one inside each of k equal cells, 30-90% of the cell long
  const int64_t k = std::uniform_int_distribution<int64_t>(1, 3)(rng);
  for (int64_t i = 0; i < k; ++i) {
    const double cell = covered / static_cast<double>(k);
    const double length = cell * uniform(0.3, 0.9);
    const double start = cell * static_cast<double>(i) + uniform(0, cell - length);
    const int64_t label = std::uniform_int_distribution<int64_t>(0, o.classes() - 1)(rng);
    v.segments.push_back({round2(start), std::min(round2(start + length), covered), label});
  }
  return v;
}

torch::Tensor render_localization_features(const LocalizationVideo& video, int64_t index,
                                           const LocalizationFeaturesOptions& o) {
  const auto patterns = class_patterns(o);
  std::mt19937_64 rng = generator(o.seed(), kNoise, static_cast<uint64_t>(index));
  std::normal_distribution<float> noise(0.f, static_cast<float>(o.noise()));
  const int64_t scale = o.temporal_scale(), dim = o.feat_dim();
  const double covered = static_cast<double>(video.feature_frame) / video.fps;
  torch::Tensor out = torch::empty({scale, dim}, torch::kFloat);
  auto a = out.accessor<float, 2>();
  for (int64_t t = 0; t < scale; ++t) {
    const double lo = covered * static_cast<double>(t) / static_cast<double>(scale);
    const double hi = covered * static_cast<double>(t + 1) / static_cast<double>(scale);
    for (int64_t d = 0; d < dim; ++d) a[t][d] = noise(rng);
    for (const LocalizationSegment& s : video.segments) {
      const double overlap = std::max(0.0, std::min(hi, s.end) - std::max(lo, s.start));
      const float w = static_cast<float>(overlap / (hi - lo));
      for (int64_t d = 0; d < dim; ++d) a[t][d] += w * patterns[s.label][d];
    }
  }
  return out;
}

std::string localization_split(int64_t index, const LocalizationFeaturesOptions& o) {
  const int64_t n = o.videos();
  const int64_t test = std::max<int64_t>(1, std::llround(o.test_ratio() * n));
  const int64_t val = std::max<int64_t>(1, std::llround(o.val_ratio() * n));
  if (index >= n - test) return "test";
  if (index >= n - test - val) return "val";
  return "train";
}

namespace {

void write_features_csv(const fs::path& path, const torch::Tensor& features) {
  auto a = features.accessor<float, 2>();
  write_file_atomically(
      path,
      [&](std::ostream& out) {
        for (int64_t d = 0; d < features.size(1); ++d) out << (d ? ",f" : "f") << d;
        out << "\n";
        char buffer[32];
        for (int64_t t = 0; t < features.size(0); ++t) {
          for (int64_t d = 0; d < features.size(1); ++d) {
            std::snprintf(buffer, sizeof buffer, "%.7g", static_cast<double>(a[t][d]));
            if (d) out << ',';
            out << buffer;
          }
          out << "\n";
        }
      },
      FileSync::kNoSync);
}

Value annotation_entry(const LocalizationVideo& v) {
  List annotations;
  for (const LocalizationSegment& s : v.segments) {
    Dict a;
    a.set("segment", Value::list({Value(s.start), Value(s.end)}));
    a.set("label", Value(localization_class_name(s.label)));
    annotations.push_back(Value(a));
  }
  Dict entry;
  entry.set("duration_second", Value(v.duration_second));
  entry.set("duration_frame", Value(v.duration_frame));
  entry.set("annotations", Value::list(std::move(annotations)));
  entry.set("feature_frame", Value(v.feature_frame));
  entry.set("fps", Value(v.fps));
  entry.set("rfps", Value(v.fps));
  return Value(entry);
}

void write_json(const fs::path& path, const Dict& database) {
  write_file_atomically(path, to_json(Value(database), 2) + "\n");
}

}  // namespace

LocalizationFeaturesSummary make_localization_features(const fs::path& out,
                                                       const LocalizationFeaturesOptions& o) {
  check_localization_features(o);
  fs::create_directories(out / "features");
  std::map<std::string, Dict> splits;
  Dict full;
  LocalizationFeaturesSummary summary;
  for (int64_t i = 0; i < o.videos(); ++i) {
    const LocalizationVideo video = sample_localization_video(i, o);
    write_features_csv(out / "features" / (video.name + ".csv"),
                       render_localization_features(video, i, o));
    const std::string split = localization_split(i, o);
    splits[split].set(video.name, annotation_entry(video));
    full.set(video.name, annotation_entry(video));
    summary.segments += static_cast<int64_t>(video.segments.size());
    (split == "train" ? summary.train : split == "val" ? summary.val : summary.test) += 1;
  }
  for (const char* split : {"train", "val", "test"})
    write_json(out / ("anet_anno_" + std::string(split) + ".json"), splits[split]);
  write_json(out / "anet_anno_full.json", full);
  return summary;
}

}  // namespace tubelet::synthetic
