// ImageDataset (MMAction2 0.24.1, datasets/image_dataset.py; OmniSource web images): a
// VideoDataset over `path label [label ...]` lines of image files. MMAction2 passes
// start_index=None to mark image samples, so results['start_index'] is None and the config
// may not set start_index itself.
#pragma once

#include "tubelet/data/datasets/video_dataset.h"

namespace tubelet {

class ImageDataset : public VideoDataset {
 public:
  explicit ImageDataset(BaseDatasetOptions options) : VideoDataset(std::move(options)) {}
  static std::shared_ptr<Dataset> from_config(Args& args);

 protected:
  Sample prepare(int64_t index) const override;
  std::string type_name() const override { return "ImageDataset"; }
};

}  // namespace tubelet
