#include "tubelet/data/datasets/image_dataset.h"

namespace tubelet {

Sample ImageDataset::prepare(int64_t index) const {
  Sample sample = BaseDataset::prepare(index);
  sample.info.set("start_index", Value());
  return sample;
}

std::shared_ptr<Dataset> ImageDataset::from_config(Args& args) {
  // ImageDataset hands start_index=None to VideoDataset itself: a second one is Python's
  // TypeError.
  if (args.has("start_index"))
    throw args.error("start_index",
                     "ImageDataset got multiple values for keyword argument 'start_index'");
  BaseDatasetOptions options = BaseDatasetOptions::from_args(args, 0);
  args.finish();  // an unknown argument is reported before any file is read
  return std::make_shared<ImageDataset>(std::move(options));
}

TUBELET_REGISTER(DATASETS, ImageDataset, ImageDataset::from_config);

}  // namespace tubelet
