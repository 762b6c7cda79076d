#include "tubelet/evaluation/localization/activitynet_localization.h"

#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "tubelet/evaluation/localization/detection_average_precision.h"
#include "tubelet/evaluation/localization/numpy_reductions.h"

namespace tubelet {

namespace {

// Adds `instance` to `video_id`'s entry in `videos`, keeping the order of first appearance.
template <typename Video, typename Instance>
void add_to(std::vector<Video>& videos, std::unordered_map<std::string, size_t>& where,
            const std::string& video_id, const Instance& instance) {
  auto [it, added] = where.emplace(video_id, videos.size());
  if (added) videos.push_back({video_id, {}});
  auto& list = videos[it->second];
  if constexpr (std::is_same_v<Video, VideoGroundTruth>)
    list.instances.push_back(instance);
  else
    list.proposals.push_back(instance);
}

}  // namespace

DetectionMapResult activitynet_detection_map(const std::vector<VideoGroundTruth>& ground_truth,
                                             const std::vector<VideoProposals>& detections,
                                             const std::vector<double>& tiou_thresholds,
                                             bool unknown_video_is_error) {
  DetectionMapResult out;
  std::unordered_map<std::string, size_t> class_index;
  std::vector<std::vector<VideoGroundTruth>> truth_by_class;
  std::vector<std::unordered_map<std::string, size_t>> truth_where;
  std::unordered_set<std::string> videos;
  for (const VideoGroundTruth& video : ground_truth) {
    videos.insert(video.video_id);
    for (const GroundTruthInstance& instance : video.instances) {
      if (!instance.label)
        throw std::invalid_argument("mAP: a ground-truth segment of video '" + video.video_id +
                                    "' has no label");
      auto [it, added] = class_index.emplace(*instance.label, out.classes.size());
      if (added) {
        out.classes.push_back(*instance.label);
        truth_by_class.emplace_back();
        truth_where.emplace_back();
      }
      add_to(truth_by_class[it->second], truth_where[it->second], video.video_id, instance);
    }
  }
  std::vector<std::vector<VideoProposals>> detections_by_class(out.classes.size());
  std::vector<std::unordered_map<std::string, size_t>> detection_where(out.classes.size());
  for (const VideoProposals& video : detections) {
    if (unknown_video_is_error && !videos.count(video.video_id))
      throw std::invalid_argument("mAP: detections for video '" + video.video_id +
                                  "', which the ground truth does not have");
    for (const ProposalInstance& d : video.proposals) {
      if (!d.label)
        throw std::invalid_argument("mAP: a detection of video '" + video.video_id +
                                    "' has no label (proposals need one assigned first)");
      auto it = class_index.find(*d.label);
      if (it == class_index.end())
        throw std::invalid_argument("mAP: video '" + video.video_id + "' has a detection of '" +
                                    *d.label + "', a label the ground truth does not have");
      add_to(detections_by_class[it->second], detection_where[it->second], video.video_id, d);
    }
  }
  out.ap.assign(tiou_thresholds.size(), std::vector<double>(out.classes.size(), 0.));
  for (size_t c = 0; c < out.classes.size(); ++c) {
    std::vector<double> ap = compute_average_precision_detection(
        truth_by_class[c], detections_by_class[c], tiou_thresholds);
    for (size_t t = 0; t < ap.size(); ++t) out.ap[t][c] = ap[t];
  }
  for (const std::vector<double>& row : out.ap) out.map.push_back(numpy_mean(row));
  out.average_map = numpy_mean(out.map);
  return out;
}

}  // namespace tubelet
