// Writing the synthetic skeleton dataset: the clips of sample_pose_clip as the annotation
// pickles MMAction2's PoseDataset loads (mmcv.dump of a list of dicts, numpy arrays inside).
#include <cstdio>
#include <stdexcept>

#include "tubelet/checkpoint/results_pickle.h"
#include "tubelet/fileio/atomic_file.h"
#include "tubelet/synthetic/pose_dataset.h"

namespace tubelet::synthetic {

namespace {

std::string pose_clip_name(int64_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "pose_%05lld", static_cast<long long>(index));
  return name;
}

// One annotation as the NTU and GYM pickles have them: frame_dir, label, img_shape,
// original_shape, total_frames, then the arrays.
checkpoint::PickleRecord pose_record(int64_t index, const PoseClip& clip, int size) {
  checkpoint::PickleRecord record;
  const Value shape =
      Value::tuple({Value(static_cast<int64_t>(size)), Value(static_cast<int64_t>(size))});
  record.values.set("frame_dir", pose_clip_name(index));
  record.values.set("label", static_cast<int64_t>(clip.label));
  record.values.set("img_shape", shape);
  record.values.set("original_shape", shape);
  record.values.set("total_frames", clip.keypoint.size(1));
  record.arrays = {{"keypoint", clip.keypoint}, {"keypoint_score", clip.keypoint_score}};
  return record;
}

}  // namespace

PoseDatasetSummary make_pose_dataset(const std::filesystem::path& out,
                                     const PoseDatasetOptions& o) {
  if (o.videos() < 2 * static_cast<int64_t>(pose_class_names().size()))
    throw std::invalid_argument("synthetic pose dataset: --videos must be at least " +
                                std::to_string(2 * pose_class_names().size()) +
                                " (two clips per class: one for training, one for validation)");
  std::filesystem::create_directories(out);
  std::vector<checkpoint::PickleRecord> train, val;
  PoseDatasetSummary summary;
  for (int64_t i = 0; i < o.videos(); ++i) {
    const PoseClip clip = sample_pose_clip(o.label_of(i), o.seed(), i, o.size(), o.frames());
    (o.is_val(i) ? val : train).push_back(pose_record(i, clip, o.size()));
    if (o.progress()) o.progress()(i + 1, o.videos());
  }
  summary.train_videos = static_cast<int64_t>(train.size());
  summary.val_videos = static_cast<int64_t>(val.size());
  std::string labels;
  for (const std::string& name : pose_class_names()) labels += name + "\n";
  write_file_atomically(out / "train.pkl", checkpoint::pickle_records(train));
  write_file_atomically(out / "val.pkl", checkpoint::pickle_records(val));
  write_file_atomically(out / "label_map.txt", labels);
  return summary;
}

}  // namespace tubelet::synthetic
