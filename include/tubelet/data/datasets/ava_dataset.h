// AVADataset (MMAction2 0.24.1, datasets/ava_dataset.py): spatio-temporal action detection.
// The CSV annotation (video_id, timestamp, x1, y1, x2, y2, action_id, entity_id; boxes
// relative) grouped by image key into infos {frame_dir, video_id, timestamp, img_key,
// shot_info, fps, ann: {gt_bboxes, gt_labels, entity_ids}} (ann as nested lists), person
// proposals from a pickle ('video_id,timestamp' -> numpy [n, 4] or [n, 5]), excluded
// timestamps dropped in training, and evaluate() = results2csv + ava_eval (mAP@0.5IOU).
//
// A sample carries gt_bboxes (float64 [n, 4]), gt_labels (float32 [n, num_classes]) and
// proposals (the pickle's dtype, [k, 4]) as tensors; scores (floats) and entity_ids (ints) as
// lists in info, so that Collect's meta_keys can take them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/data/datasets/base_dataset.h"
#include "tubelet/evaluation/ava/ava_evaluation.h"

namespace tubelet {

struct AVADatasetOptions {
  std::optional<std::string> exclude_file;
  std::optional<std::string> label_file;
  std::string filename_tmpl = "img_{:05}.jpg";
  std::optional<std::string> proposal_file;
  double person_det_score_thr = 0.9;
  std::vector<int64_t> custom_classes;  // as given; empty for None
  int64_t num_max_proposals = 1000;
  int64_t timestamp_start = 900;
  int64_t timestamp_end = 1800;
  int64_t fps = 30;
};

class AVADataset : public BaseDataset {
 public:
  AVADataset(BaseDatasetOptions base, AVADatasetOptions options);
  static std::shared_ptr<Dataset> from_config(Args& args);

  // Not score rows: an error pointing at evaluate_records.
  Dict evaluate(const torch::Tensor& results, const std::vector<std::string>& metrics,
                const Dict& metric_options) const override;
  // MMAction2's evaluate(results, metrics=('mAP',)): results holds, per sample in dataset
  // order, a list of num_classes - 1 class entries, each a list of [x1, y1, x2, y2, score]
  // rows (bbox2result's arrays). Written to a temporary CSV by results2csv and scored by
  // ava_eval against ann_file, label_file and exclude_file: {"mAP@0.5IOU": x}.
  Dict evaluate_records(const List& results, const std::vector<std::string>& metrics,
                        const Dict& metric_options) const override;
  // dump_results(results, out): the official CSV (out must end with 'csv').
  void dump_records(const List& results, const Dict& output_config) const override;

  // det2csv: the rows results2csv writes, custom class ids mapped back.
  std::vector<AvaDetectionRow> detection_rows(const List& results) const;
  // The proposals of an image key as mmcv.load read them (nullptr when the file has none).
  const torch::Tensor* proposals(const std::string& img_key) const;
  bool has_proposals() const { return proposal_file_loaded_; }
  // (0, *custom_classes), or empty.
  const std::vector<int64_t>& custom_classes() const { return custom_classes_; }
  const AVADatasetOptions& ava_options() const { return ava_; }

 protected:
  std::vector<Dict> load_annotations() const override;
  Sample prepare(int64_t index) const override;
  std::string type_name() const override { return "AVADataset"; }

 private:
  AVADatasetOptions ava_;
  std::vector<int64_t> custom_classes_;
  std::map<std::string, torch::Tensor> proposals_;
  bool proposal_file_loaded_ = false;
};

}  // namespace tubelet
