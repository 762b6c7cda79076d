// HVUDataset (MMAction2 0.24.1, datasets/hvu_dataset.py): a .json list of videos ('filename')
// or frame folders ('frame_dir', which needs filename_tmpl) whose 'label' is a dict of tag
// lists per category ({'action': [180], 'scene': [206], ...}). Each info also gets
// 'categories' and 'category_nums' (LoadHVULabel turns the label into tensors with them);
// start_index defaults to 0 for both kinds. evaluate() gives '<category>_mAP' for each tag
// category: the mean average precision over the videos that have tags of that category, on
// the category's slice of the scores.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tubelet/data/datasets/base_dataset.h"

namespace tubelet {

struct HVUDatasetOptions {
  std::vector<std::string> tag_categories;
  std::vector<int64_t> tag_category_nums;
  std::optional<std::string> filename_tmpl;
};

class HVUDataset : public BaseDataset {
 public:
  HVUDataset(BaseDatasetOptions options, HVUDatasetOptions hvu);
  static std::shared_ptr<Dataset> from_config(Args& args);

  const HVUDatasetOptions& hvu_options() const { return hvu_; }
  // "video" or "rawframe", from the first entry's key.
  const std::string& dataset_type() const { return dataset_type_; }
  int64_t num_tags() const;
  // Where each category's tags start in the concatenated scores (category2startidx).
  int64_t category_start(size_t category) const;

  // Only metric 'mean_average_precision' (the default), alone; results are [N, num_tags].
  Dict evaluate(const torch::Tensor& results, const std::vector<std::string>& metrics,
                const Dict& metric_options) const override;

 protected:
  std::vector<Dict> load_annotations() const override;
  std::string type_name() const override { return "HVUDataset"; }

 private:
  HVUDatasetOptions hvu_;
  mutable std::string dataset_type_;
};

}  // namespace tubelet
