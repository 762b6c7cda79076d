// VideoDataset: `path label [label ...]` lines (or a .json list of infos) giving
// results' filename and label; start_index defaults to 0 (decoded video frames count from 0).
#pragma once

#include "tubelet/data/datasets/base_dataset.h"

namespace tubelet {

class VideoDataset : public BaseDataset {
 public:
  explicit VideoDataset(BaseDatasetOptions options);
  static std::shared_ptr<Dataset> from_config(Args& args);

 protected:
  std::vector<Dict> load_annotations() const override;
  std::string type_name() const override { return "VideoDataset"; }
};

}  // namespace tubelet
