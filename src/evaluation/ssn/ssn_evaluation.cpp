#include "tubelet/evaluation/ssn/ssn_evaluation.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "tubelet/evaluation/localization/detection_average_precision.h"
#include "tubelet/evaluation/localization/numpy_argsort.h"
#include "tubelet/evaluation/localization/numpy_reductions.h"
#include "tubelet/evaluation/localization/temporal_iou.h"

namespace tubelet {

namespace {

torch::Tensor ssn_eval_float(const torch::Tensor& t, const std::string& what, int64_t dim) {
  if (!t.defined() || t.dim() != dim)
    throw std::invalid_argument("SSN evaluation: " + what + " must have " + std::to_string(dim) +
                                " dimensions, got " +
                                (t.defined() ? c10::str(t.sizes()) : std::string("none")));
  return t.to(torch::kCPU, torch::kFloat).contiguous();
}

}  // namespace

std::vector<SSNClassDetections> ssn_results_to_detections(
    const std::vector<SSNVideoScores>& results, const std::vector<std::string>& video_ids,
    int64_t top_k) {
  if (results.empty()) throw std::invalid_argument("SSN evaluation: no results");
  if (results.size() != video_ids.size())
    throw std::invalid_argument("SSN evaluation: " + std::to_string(results.size()) +
                                " results for " + std::to_string(video_ids.size()) + " videos");
  const int64_t num_classes = results[0].activity_scores.size(1) - 1;
  std::vector<SSNClassDetections> detections(static_cast<size_t>(num_classes));
  auto find_video = [](SSNClassDetections& cls, const std::string& id) {
    for (auto& entry : cls)
      if (entry.first == id) return &entry.second;
    cls.emplace_back(id, std::vector<SSNDetection>());
    return &cls.back().second;
  };
  for (size_t v = 0; v < results.size(); ++v) {
    const SSNVideoScores& r = results[v];
    torch::Tensor rel = r.relative_proposal_list;
    if (rel.defined() && rel.dim() == 3) rel = rel.squeeze(0);
    rel = ssn_eval_float(rel, "relative_proposal_list", 2);
    torch::Tensor act = ssn_eval_float(r.activity_scores, "activity_scores", 2);
    torch::Tensor comp = ssn_eval_float(r.completeness_scores, "completeness_scores", 2);
    const int64_t P = rel.size(0);
    if (act.size(0) != P || comp.size(0) != P || act.size(1) != num_classes + 1 ||
        comp.size(1) != num_classes)
      throw std::invalid_argument("SSN evaluation: video " + video_ids[v] + " has scores " +
                                  c10::str(act.sizes()) + " and " + c10::str(comp.sizes()) +
                                  " for " + std::to_string(P) + " proposals and " +
                                  std::to_string(num_classes) + " classes");
    torch::Tensor reg =
        r.bbox_preds.defined()
            ? r.bbox_preds.to(torch::kCPU, torch::kFloat).reshape({-1, num_classes, 2})
            : torch::zeros({P, num_classes, 2});
    reg = reg.contiguous();
    auto a = act.accessor<float, 2>();
    auto c = comp.accessor<float, 2>();
    auto rl = rel.accessor<float, 2>();
    auto rg = reg.accessor<float, 3>();
    // softmax(activity[:, 1:]) * exp(completeness), in float32.
    std::vector<float> combined(static_cast<size_t>(P * num_classes));
    std::vector<float> e(static_cast<size_t>(num_classes));
    for (int64_t p = 0; p < P; ++p) {
      float top = a[p][1];
      for (int64_t k = 2; k <= num_classes; ++k) top = std::max(top, a[p][k]);
      for (int64_t k = 0; k < num_classes; ++k) e[k] = std::exp(a[p][k + 1] - top);
      const float sum = numpy_sum_float32(e);
      for (int64_t k = 0; k < num_classes; ++k)
        combined[p * num_classes + k] = e[k] / sum * std::exp(c[p][k]);
    }
    auto row = [&](int64_t p, int64_t k) {
      return SSNDetection{rl[p][0], rl[p][1], combined[p * num_classes + k], rg[p][k][0],
                          rg[p][k][1]};
    };
    if (top_k <= 0) {
      for (int64_t k = 0; k < num_classes; ++k) {
        std::vector<SSNDetection>* dets = find_video(detections[k], video_ids[v]);
        dets->clear();  // MMAction2 assigns the whole array
        for (int64_t p = 0; p < P; ++p) dets->push_back(row(p, k));
      }
    } else {
      std::vector<size_t> order =
          numpy_argsort(std::vector<double>(combined.begin(), combined.end()));
      const size_t keep = std::min(order.size(), static_cast<size_t>(top_k));
      for (size_t i = order.size() - keep; i < order.size(); ++i) {
        const auto idx = static_cast<int64_t>(order[i]);
        const int64_t k = idx % num_classes, p = idx / num_classes;
        find_video(detections[k], video_ids[v])->push_back(row(p, k));
      }
    }
  }
  return detections;
}

std::vector<SSNDetection> ssn_perform_regression(const std::vector<SSNDetection>& detections) {
  std::vector<SSNDetection> out;
  out.reserve(detections.size());
  for (const SSNDetection& d : detections) {
    const float center = (d[0] + d[1]) / 2.f;
    const float duration = d[1] - d[0];
    const float new_center = center + duration * d[3];
    const float new_duration = duration * std::exp(d[4]);
    out.push_back({std::clamp(new_center - new_duration / 2.f, 0.f, 1.f),
                   std::clamp(new_center + new_duration / 2.f, 0.f, 1.f), d[2], d[3], d[4]});
  }
  return out;
}

std::vector<SSNDetection> ssn_temporal_nms(const std::vector<SSNDetection>& detections,
                                           double threshold) {
  std::vector<double> scores;
  for (const SSNDetection& d : detections) scores.push_back(d[2]);
  std::vector<size_t> order = numpy_argsort(scores);
  std::reverse(order.begin(), order.end());
  std::vector<SSNDetection> keep;
  while (!order.empty()) {
    const SSNDetection& best = detections[order[0]];
    keep.push_back(best);
    std::vector<size_t> rest;
    for (size_t j = 1; j < order.size(); ++j) {
      const SSNDetection& d = detections[order[j]];
      // proposal_utils.temporal_iou on float32 arrays.
      const float len = d[1] - d[0];
      const float inter = std::max(std::min(d[1], best[1]) - std::max(d[0], best[0]), 0.f);
      const float union_len = len - inter + best[1] - best[0];
      const float iou = inter / union_len;
      if (static_cast<double>(iou) <= threshold) rest.push_back(order[j]);
    }
    order = std::move(rest);
  }
  return keep;
}

std::vector<float> ssn_average_precision_at_temporal_iou(
    const SSNClassGroundTruth& ground_truth, const std::vector<SSNPlainDetection>& prediction,
    const std::vector<double>& thresholds) {
  const size_t T = thresholds.size();
  std::vector<float> ap(T, 0.f);
  if (prediction.empty()) return ap;
  double num_gts = 0;
  std::vector<std::vector<std::vector<int64_t>>> lock(ground_truth.size());
  for (size_t g = 0; g < ground_truth.size(); ++g) {
    lock[g].assign(T, std::vector<int64_t>(ground_truth[g].second.size(), -1));
    num_gts += static_cast<double>(ground_truth[g].second.size());
  }
  std::vector<double> scores;
  for (const SSNPlainDetection& p : prediction) scores.push_back(p.score);
  std::vector<size_t> sort_idx = numpy_argsort(scores);
  std::reverse(sort_idx.begin(), sort_idx.end());
  const size_t N = prediction.size();
  std::vector<std::vector<int32_t>> tp(T, std::vector<int32_t>(N, 0)), fp = tp;
  for (size_t idx = 0; idx < N; ++idx) {
    const SSNPlainDetection& pred = prediction[sort_idx[idx]];
    size_t g = 0;
    while (g < ground_truth.size() && ground_truth[g].first != pred.video_id) ++g;
    if (g == ground_truth.size()) {
      for (size_t t = 0; t < T; ++t) fp[t][idx] = 1;
      continue;
    }
    std::vector<TemporalSegment> targets;
    for (const auto& s : ground_truth[g].second) targets.push_back({s[0], s[1]});
    TemporalOverlap overlap = pairwise_temporal_iou({{pred.start, pred.end}}, targets);
    std::vector<double> t_iou;
    for (const auto& r : overlap.iou) t_iou.push_back(r[0]);
    std::vector<size_t> best = numpy_argsort(t_iou);
    std::reverse(best.begin(), best.end());
    for (size_t t = 0; t < T; ++t) {
      for (size_t j : best) {
        if (t_iou[j] < thresholds[t]) {
          fp[t][idx] = 1;
          break;
        }
        if (lock[g][t][j] >= 0) continue;
        tp[t][idx] = 1;
        lock[g][t][j] = static_cast<int64_t>(idx);
        break;
      }
      if (fp[t][idx] == 0 && tp[t][idx] == 0) fp[t][idx] = 1;
    }
  }
  for (size_t t = 0; t < T; ++t) {
    std::vector<double> precision, recall;
    int64_t tps = 0, fps = 0;
    for (size_t i = 0; i < N; ++i) {
      tps += tp[t][i];
      fps += fp[t][i];
      const auto tp_f = static_cast<float>(tps), fp_f = static_cast<float>(fps);
      recall.push_back(static_cast<float>(tp_f / num_gts));
      precision.push_back(tp_f / (tp_f + fp_f));
    }
    ap[t] = static_cast<float>(interpolated_precision_recall(precision, recall));
  }
  return ap;
}

std::vector<std::pair<std::string, double>> ssn_evaluate_map(
    const std::vector<SSNVideoScores>& results, const std::vector<SSNVideoGroundTruth>& videos,
    const SSNEvaluateOptions& options) {
  if (results.size() != videos.size())
    throw std::invalid_argument(
        "SSN evaluation: the length of results is not equal to the "
        "dataset len: " +
        std::to_string(results.size()) + " != " + std::to_string(videos.size()));
  std::vector<std::string> ids;
  for (const SSNVideoGroundTruth& v : videos) ids.push_back(v.video_id);
  std::vector<SSNClassDetections> detections =
      ssn_results_to_detections(results, ids, options.top_k);
  const size_t num_classes = detections.size();
  for (SSNClassDetections& cls : detections)
    for (auto& [video, dets] : cls) {
      if (options.use_regression) dets = ssn_perform_regression(dets);
      dets = ssn_temporal_nms(dets, options.nms);
    }
  // get_all_gts: per class (label - 1), per video, [start, end] / total_frames.
  std::vector<SSNClassGroundTruth> gts(num_classes);
  for (const SSNVideoGroundTruth& v : videos)
    for (const SSNGroundTruthInstance& gt : v.gts) {
      const int64_t cls = gt.label - 1;
      if (cls < 0 || cls >= static_cast<int64_t>(num_classes)) continue;  // never evaluated
      SSNClassGroundTruth& c = gts[static_cast<size_t>(cls)];
      auto it =
          std::find_if(c.begin(), c.end(), [&](const auto& e) { return e.first == v.video_id; });
      if (it == c.end()) {
        c.emplace_back(v.video_id, std::vector<std::array<double, 2>>());
        it = c.end() - 1;
      }
      const auto total = static_cast<double>(v.total_frames);
      it->second.push_back({gt.start_frame / total, gt.end_frame / total});
    }
  std::vector<double> iou_range;
  for (int i = 0; i < 9; ++i) iou_range.push_back(0.1 + i * 0.1);  // np.arange(0.1, 1.0, .1)
  std::vector<std::vector<double>> ap(num_classes);
  for (size_t k = 0; k < num_classes; ++k) {
    std::vector<SSNPlainDetection> plain;
    for (const auto& [video, dets] : detections[k])
      for (const SSNDetection& d : dets) plain.push_back({video, d[0], d[1], d[2]});
    for (double iou : iou_range)
      ap[k].push_back(ssn_average_precision_at_temporal_iou(gts[k], plain, {iou})[0]);
  }
  std::vector<std::pair<std::string, double>> out;
  for (size_t t = 0; t < iou_range.size(); ++t) {
    double sum = 0;  // ap_values.mean(axis=0): row by row
    for (size_t k = 0; k < num_classes; ++k) sum += ap[k][t];
    char name[32];
    std::snprintf(name, sizeof(name), "mAP@%.2f", iou_range[t]);
    out.emplace_back(name, sum / static_cast<double>(num_classes));
  }
  return out;
}

}  // namespace tubelet
