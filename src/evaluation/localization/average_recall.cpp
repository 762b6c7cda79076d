#include "tubelet/evaluation/localization/average_recall.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "tubelet/evaluation/localization/numpy_argsort.h"
#include "tubelet/evaluation/localization/numpy_reductions.h"
#include "tubelet/evaluation/localization/temporal_iou.h"

namespace tubelet {

namespace {

// One video's IoU of each ground-truth instance with its retrieved proposals, best first.
struct VideoScores {
  std::vector<std::vector<float>> iou;  // [instance][proposal]
  size_t columns = 0;
  // A video without proposals gets one float64 column of zeros in MMAction2, which compares
  // with the thresholds in float64 where the IoU arrays compare in float32.
  bool no_proposals = false;
};

// argsort()[::-1] of the scores: best first, equal scores in the order numpy leaves them.
std::vector<size_t> best_first(const std::vector<ProposalInstance>& proposals) {
  std::vector<double> scores;
  for (const ProposalInstance& p : proposals) scores.push_back(p.score);
  std::vector<size_t> order = numpy_argsort(scores);
  std::reverse(order.begin(), order.end());
  return order;
}

std::unordered_map<std::string, const VideoProposals*> index_proposals(
    const std::vector<VideoGroundTruth>& ground_truth, const std::vector<VideoProposals>& proposals,
    int64_t& total) {
  std::unordered_set<std::string> known;
  for (const VideoGroundTruth& video : ground_truth) known.insert(video.video_id);
  std::unordered_map<std::string, const VideoProposals*> by_id;
  total = 0;
  for (const VideoProposals& video : proposals) {
    if (!known.count(video.video_id))
      throw std::invalid_argument("AR@AN: proposals for video '" + video.video_id +
                                  "', which the ground truth does not have");
    if (!by_id.emplace(video.video_id, &video).second)
      throw std::invalid_argument("AR@AN: video '" + video.video_id + "' has two proposal lists");
    total += static_cast<int64_t>(video.proposals.size());
  }
  return by_id;
}

VideoScores score_video(const VideoGroundTruth& truth, const VideoProposals& video, double ratio) {
  VideoScores scores;
  std::vector<TemporalSegment> targets;
  for (const GroundTruthInstance& instance : truth.instances) targets.push_back(instance.segment);
  if (video.proposals.empty()) {
    scores.iou.assign(targets.size(), std::vector<float>(1, 0.f));
    scores.columns = 1;
    scores.no_proposals = true;
    return scores;
  }
  const size_t n = video.proposals.size();
  const auto wanted = static_cast<int64_t>(static_cast<double>(n) * ratio);  // int() truncates
  const size_t retrieved = std::min(static_cast<size_t>(std::max<int64_t>(wanted, 0)), n);
  std::vector<TemporalSegment> candidates;
  for (size_t i : best_first(video.proposals)) {
    if (candidates.size() == retrieved) break;
    candidates.push_back(video.proposals[i].segment);
  }
  scores.iou = pairwise_temporal_iou(candidates, targets, SegmentPrecision::kFloat32).iou;
  scores.columns = retrieved;
  return scores;
}

// For each instance, the number of best proposals needed to reach the threshold (columns + 1
// when none does).
std::vector<size_t> first_hits(const VideoScores& scores, double threshold) {
  const auto threshold32 = static_cast<float>(threshold);
  std::vector<size_t> hits;
  for (const std::vector<float>& row : scores.iou) {
    size_t k = 0;
    while (k < scores.columns && !(scores.no_proposals ? 0.0 >= threshold : row[k] >= threshold32))
      ++k;
    hits.push_back(k + 1);
  }
  return hits;
}

// One row of the recall matrix: the share of all ground-truth instances that some proposal
// reaches at `threshold`, each video keeping the pcn[j] share of its retrieved proposals.
std::vector<double> recall_at(double threshold, const std::vector<VideoScores>& scores,
                              const std::vector<double>& pcn, double positives) {
  std::vector<double> matches(pcn.size(), 0.);
  for (const VideoScores& s : scores) {
    const std::vector<size_t> hits = first_hits(s, threshold);
    const auto columns = static_cast<double>(s.columns);
    for (size_t j = 0; j < pcn.size(); ++j) {
      const auto count = std::min(static_cast<size_t>(columns * pcn[j]), s.columns);
      for (size_t need : hits) matches[j] += need <= count ? 1. : 0.;
    }
  }
  std::vector<double> recall;
  for (double m : matches) recall.push_back(m / positives);
  return recall;
}

}  // namespace

std::vector<double> default_temporal_iou_thresholds() {
  return numpy_linspace(0.5, 0.95, 10);
}

AverageRecallResult average_recall_at_avg_proposals(
    const std::vector<VideoGroundTruth>& ground_truth, const std::vector<VideoProposals>& proposals,
    std::optional<double> max_avg_proposals, const std::vector<double>& temporal_iou_thresholds) {
  if (ground_truth.empty()) throw std::invalid_argument("AR@AN: the ground truth has no video");
  if (temporal_iou_thresholds.empty())
    throw std::invalid_argument("AR@AN: no temporal IoU threshold given");
  int64_t total_proposals = 0;
  auto by_id = index_proposals(ground_truth, proposals, total_proposals);
  if (total_proposals == 0) throw std::invalid_argument("AR@AN: there is no proposal at all");
  const auto videos = static_cast<double>(ground_truth.size());
  const double max_avg = max_avg_proposals && *max_avg_proposals != 0
                             ? *max_avg_proposals
                             : static_cast<double>(total_proposals) / videos;
  const double ratio = max_avg * videos / static_cast<double>(total_proposals);

  std::vector<VideoScores> scores;
  int64_t total_retrieved = 0;
  for (const VideoGroundTruth& truth : ground_truth) {
    auto it = by_id.find(truth.video_id);
    if (it == by_id.end())
      throw std::invalid_argument("AR@AN: no proposals for ground-truth video '" + truth.video_id +
                                  "'");
    if (truth.instances.empty())
      throw std::invalid_argument("AR@AN: ground-truth video '" + truth.video_id +
                                  "' has no annotated segment");
    scores.push_back(score_video(truth, *it->second, ratio));
    if (!scores.back().no_proposals) total_retrieved += static_cast<int64_t>(scores.back().columns);
  }
  if (total_retrieved == 0)
    throw std::invalid_argument("AR@AN: max_avg_proposals " + std::to_string(max_avg) +
                                " retrieves no proposal in any video");

  std::vector<double> pcn(100);
  const double scale = max_avg * videos / static_cast<double>(total_retrieved);
  for (size_t j = 0; j < pcn.size(); ++j) pcn[j] = static_cast<double>(j + 1) / 100.0 * scale;

  AverageRecallResult out;
  double positives = 0;
  for (const VideoScores& s : scores) positives += static_cast<double>(s.iou.size());
  for (double threshold : temporal_iou_thresholds)
    out.recall.push_back(recall_at(threshold, scores, pcn, positives));
  // recall.mean(axis=0) adds the rows one after another.
  out.average_recall.assign(pcn.size(), 0.);
  for (const std::vector<double>& row : out.recall)
    for (size_t j = 0; j < row.size(); ++j) out.average_recall[j] += row[j];
  for (double& r : out.average_recall) r /= static_cast<double>(out.recall.size());
  const double per_video = static_cast<double>(total_retrieved) / videos;
  for (double p : pcn) out.proposals_per_video.push_back(p * per_video);
  const double area = numpy_trapz(out.average_recall, out.proposals_per_video);
  out.auc = 100. * area / out.proposals_per_video.back();
  return out;
}

}  // namespace tubelet
