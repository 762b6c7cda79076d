// BaseDataset (MMAction2 0.24.1, datasets/base.py): annotations loaded into video_infos, a
// pipeline, and the common evaluate(). VideoDataset, RawframeDataset and ActivityNetDataset
// derive from it; a plugin's dataset can too (override load_annotations, maybe prepare).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/dataset.h"
#include "tubelet/data/transform.h"

namespace tubelet {

// BaseDataset's constructor arguments, with its defaults.
struct BaseDatasetOptions {
  std::string ann_file;
  Value pipeline = Value::list();
  std::string pipeline_path = "pipeline";  // where the pipeline sits, for error messages
  std::optional<std::string> data_prefix;
  bool test_mode = false;
  bool multi_class = false;
  std::optional<int64_t> num_classes;
  int64_t start_index = 1;
  std::string modality = "RGB";
  bool sample_by_class = false;
  double power = 0;
  bool dynamic_length = false;

  // Reads every BaseDataset argument (ann_file and pipeline required) with `start_index`
  // defaulting to `default_start_index` (VideoDataset: 0, RawframeDataset: 1).
  static BaseDatasetOptions from_args(Args& args, int64_t default_start_index);
};

class BaseDataset : public Dataset {
 public:
  explicit BaseDataset(BaseDatasetOptions options);

  int64_t size() const override { return static_cast<int64_t>(video_infos_.size()); }
  Sample get(int64_t index, uint64_t seed) const override;
  const Dict& info(int64_t index) const override;
  // top_k_accuracy (options: top_k_accuracy=dict(topk=int|tuple), default (1, 5)),
  // mean_class_accuracy, mean_average_precision, mmit_mean_average_precision.
  Dict evaluate(const torch::Tensor& results, const std::vector<std::string>& metrics,
                const Dict& metric_options) const override;

  const BaseDatasetOptions& options() const { return options_; }
  const std::vector<Dict>& video_infos() const { return video_infos_; }
  // sample_by_class: each label's share of the samples raised to `power`, normalised
  // (class_prob in MMAction2), in order of first appearance.
  const std::vector<std::pair<Value, double>>& class_prob() const { return class_prob_; }
  const Compose& pipeline() const { return pipeline_; }

  // Must be called once by the derived class's constructor (loading needs its overrides).
  void load();

 protected:
  virtual std::vector<Dict> load_annotations() const = 0;
  // The results dict handed to the pipeline: by default a copy of the info with modality and
  // start_index. For multi_class, MMAction2's onehot label is the float32 tensor 'label'
  // (which Collect/ToTensor take first); info keeps the label list for meta_keys.
  virtual Sample prepare(int64_t index) const;
  // mmcv.load of a .json list of infos, data_prefix joined to frame_dir/filename, a single
  // label unwrapped from its list unless multi_class.
  std::vector<Dict> load_json_annotations() const;
  // "ann_file" or "ann_file:line" for messages.
  std::string where(int64_t line = 0) const;
  // The infos of a text ann_file: `parse` gets each line's whitespace-separated fields and its
  // 1-based number.
  std::vector<Dict> parse_text_lines(
      const std::function<Dict(const std::vector<std::string>&, int64_t)>& parse) const;
  // fields[i] as an integer; an error naming ann_file:line and `what` otherwise.
  int64_t field_int(const std::vector<std::string>& fields, size_t i, const char* what,
                    int64_t line) const;
  // fields[first...] as info['label']: the list for multi_class (which needs num_classes),
  // else the one label the line must hold.
  void set_labels(Dict& info, const std::vector<std::string>& fields, size_t first,
                  int64_t line) const;
  // osp.join(data_prefix, path) when a prefix is set.
  std::string with_prefix(const std::string& path) const;
  // The label turned into MMAction2's onehot tensor (float32 [num_classes]).
  torch::Tensor onehot(const Value& label, int64_t index) const;
  virtual std::string type_name() const = 0;

  BaseDatasetOptions options_;
  Compose pipeline_;
  std::vector<Dict> video_infos_;
  std::vector<std::pair<Value, double>> class_prob_;
};

// os.path.join(a, b) for two parts.
std::string path_join(const std::string& a, const std::string& b);
// Python's int() of an annotation field; nullopt when it is not an integer.
std::optional<int64_t> parse_int(const std::string& text);
// The lines of a text annotation file (Python's universal newlines); throws naming the file
// when it cannot be read.
std::vector<std::string> read_lines(const std::string& path);
// line.strip().split(): the whitespace-separated fields.
std::vector<std::string> split_fields(const std::string& line);

}  // namespace tubelet
