#include "tubelet/evaluation/localization/detection_average_precision.h"

#include <algorithm>
#include <unordered_map>

#include "tubelet/evaluation/localization/numpy_argsort.h"
#include "tubelet/evaluation/localization/numpy_reductions.h"
#include "tubelet/evaluation/localization/temporal_iou.h"

namespace tubelet {

double interpolated_precision_recall(const std::vector<double>& precision,
                                     const std::vector<double>& recall) {
  std::vector<double> p{0.}, r{0.};
  p.insert(p.end(), precision.begin(), precision.end());
  r.insert(r.end(), recall.begin(), recall.end());
  p.push_back(0.);
  r.push_back(1.);
  for (size_t i = p.size() - 1; i-- > 0;) p[i] = p[i + 1] > p[i] ? p[i + 1] : p[i];
  std::vector<double> parts;
  for (size_t i = 1; i < r.size(); ++i)
    if (r[i] != r[i - 1]) parts.push_back((r[i] - r[i - 1]) * p[i]);
  return numpy_sum(parts);
}

namespace {

struct Detection {
  const std::string* video_id;
  TemporalSegment segment;
  double score;
};

// argsort()[::-1] of an IoU row: highest first, ties in the order numpy leaves them.
std::vector<size_t> best_first_detection(const std::vector<float>& iou) {
  std::vector<size_t> order = numpy_argsort(std::vector<double>(iou.begin(), iou.end()));
  std::reverse(order.begin(), order.end());
  return order;
}

// The ground truth of one video with each instance's index among all of them.
struct VideoTruth {
  std::vector<TemporalSegment> segments;
  std::vector<size_t> index;
};

}  // namespace

std::vector<double> compute_average_precision_detection(
    const std::vector<VideoGroundTruth>& ground_truth,
    const std::vector<VideoProposals>& detections, const std::vector<double>& tiou_thresholds) {
  const size_t thresholds = tiou_thresholds.size();
  std::vector<double> ap(thresholds, 0.);
  std::vector<Detection> all;
  for (const VideoProposals& video : detections)
    for (const ProposalInstance& d : video.proposals)
      all.push_back({&video.video_id, d.segment, d.score});
  if (all.empty()) return ap;
  // list.sort(key=lambda x: -x['score']) is stable.
  std::stable_sort(all.begin(), all.end(),
                   [](const Detection& a, const Detection& b) { return -a.score < -b.score; });

  std::unordered_map<std::string, VideoTruth> truth;
  size_t num_gts = 0;
  for (const VideoGroundTruth& video : ground_truth)
    for (const GroundTruthInstance& instance : video.instances) {
      VideoTruth& t = truth[video.video_id];
      t.segments.push_back(instance.segment);
      t.index.push_back(num_gts++);
    }

  std::vector<std::vector<int64_t>> lock(thresholds, std::vector<int64_t>(num_gts, -1));
  std::vector<std::vector<double>> tp(thresholds, std::vector<double>(all.size(), 0.));
  std::vector<std::vector<double>> fp = tp;
  for (size_t idx = 0; idx < all.size(); ++idx) {
    auto it = truth.find(*all[idx].video_id);
    if (it == truth.end()) {
      for (auto& row : fp) row[idx] = 1.;
      continue;
    }
    const VideoTruth& gts = it->second;
    const std::vector<float> iou = [&] {
      std::vector<float> row;
      for (const auto& r : pairwise_temporal_iou({all[idx].segment}, gts.segments).iou)
        row.push_back(r[0]);
      return row;
    }();
    const std::vector<size_t> order = best_first_detection(iou);
    for (size_t t = 0; t < thresholds; ++t) {
      for (size_t j : order) {
        if (static_cast<double>(iou[j]) < tiou_thresholds[t]) {
          fp[t][idx] = 1.;
          break;
        }
        if (lock[t][gts.index[j]] >= 0) continue;
        tp[t][idx] = 1.;
        lock[t][gts.index[j]] = static_cast<int64_t>(idx);
        break;
      }
      if (fp[t][idx] == 0. && tp[t][idx] == 0.) fp[t][idx] = 1.;
    }
  }

  for (size_t t = 0; t < thresholds; ++t) {
    std::vector<double> precision, recall;
    double tps = 0, fps = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      tps += tp[t][i];
      fps += fp[t][i];
      recall.push_back(tps / static_cast<double>(num_gts));
      precision.push_back(tps / (tps + fps));
    }
    ap[t] = interpolated_precision_recall(precision, recall);
  }
  return ap;
}

}  // namespace tubelet
