// The AVA frame-mAP evaluation of MMAction2 0.24.1 (core/evaluation/ava_utils.py and its port
// of the official ActivityNet code, ava_evaluation/): CSV files in the official format, the
// label map (.pbtxt without protobuf), excluded timestamps, and the Pascal-VOC AP at IoU 0.5
// per class, with numpy's order of operations (argsort, pairwise sums) so that the APs agree
// with MMAction2's to the last bit.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace tubelet {

// read_labelmap: the categories ({id, name} in file order; `  name:` then `  id:` or
// `  label_id:` lines) and the set of their ids.
struct AvaLabelMap {
  std::vector<std::pair<int64_t, std::string>> categories;
  std::set<int64_t> class_ids;
};
AvaLabelMap read_ava_labelmap(const std::string& path);

// read_csv: per image key ("video_id,%04d timestamp", in order of first appearance) the boxes
// as [y1, x1, y2, x2], labels and scores (1.0 for 7-column rows; for 8-column rows the 8th
// column, which for ground truth is the entity id), each image's entries sorted by descending
// score (stable). Rows whose label is not in a non-empty `class_whitelist` are skipped. A row
// of another width or with a bad number is an error naming path:line.
struct AvaCsvBoxes {
  std::vector<std::string> keys;
  struct Image {
    std::vector<std::array<double, 4>> boxes;
    std::vector<int64_t> labels;
    std::vector<double> scores;
  };
  std::unordered_map<std::string, Image> images;
};
AvaCsvBoxes read_ava_csv(const std::string& path, const std::vector<int64_t>& class_whitelist);

// read_exclusions: the image keys of a "video_id,timestamp" CSV.
std::set<std::string> read_ava_exclusions(const std::string& path);

// make_image_key: f'{video_id},{int(timestamp):04d}'.
std::string ava_image_key(const std::string& video_id, int64_t timestamp);

// One detection as results2csv writes it: video_id, timestamp, x1, y1, x2, y2 (relative),
// the action id and the score.
struct AvaDetectionRow {
  std::string video_id;
  int64_t timestamp = 0;
  std::array<double, 4> box{};
  int64_t label = 0;
  double score = 0;
};
// results2csv: one line per row, floats as f'{x:.3f}', ints as str().
void write_ava_results_csv(const std::string& path, const std::vector<AvaDetectionRow>& rows);

// PascalDetectionEvaluator's result: mAP@0.5IOU (np.nanmean over the classes 1..max id) and
// each category's AP (NaN for a class without ground truth) by ascending id, named as the
// label map's last entry of that id (MMAction2 logs these, ava_eval returns only the mAP).
struct AvaEvalResult {
  double mean_ap = 0;
  struct ClassAP {
    int64_t id;
    std::string name;
    double ap;
  };
  std::vector<ClassAP> per_class;
};

// ObjectDetectionEvaluation at `iou_threshold` over the ground truth and detections
// (1-indexed class ids, at most `num_classes` = the largest category id). Images in
// `excluded` are skipped on both sides.
AvaEvalResult ava_pascal_evaluate(const std::vector<std::pair<int64_t, std::string>>& categories,
                                  const AvaCsvBoxes& ground_truth, const AvaCsvBoxes& detections,
                                  const std::set<std::string>& excluded,
                                  double iou_threshold = 0.5);

// ava_eval(result_file, 'mAP', label_file, ann_file, exclude_file, custom_classes): custom
// classes as the dataset keeps them ((0, *custom_classes)); empty for none.
AvaEvalResult ava_eval(const std::string& result_file, const std::string& label_file,
                       const std::string& ann_file, const std::optional<std::string>& exclude_file,
                       const std::vector<int64_t>& custom_classes = {});

}  // namespace tubelet
