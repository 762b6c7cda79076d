#include "tubelet/data/localization/load_localization_feature.h"

#include <stdexcept>

#include "tubelet/data/datasets/base_dataset.h"
#include "tubelet/data/localization/feature_files.h"

namespace tubelet {

LoadLocalizationFeature::LoadLocalizationFeature(std::string raw_feature_ext)
    : raw_feature_ext_(std::move(raw_feature_ext)) {
  if (raw_feature_ext_ != ".csv")
    throw std::invalid_argument("LoadLocalizationFeature: raw_feature_ext '" + raw_feature_ext_ +
                                "' is not implemented (only '.csv')");
}

void LoadLocalizationFeature::apply(Sample& sample) {
  const Value& name = sample.need("video_name", type());
  const Value& prefix = sample.need("data_prefix", type());
  if (!prefix.is_str())
    throw std::invalid_argument("LoadLocalizationFeature needs the dataset's data_prefix (got " +
                                repr(prefix) + ")");
  const std::string path = path_join(prefix.as_str(), name.as_str() + raw_feature_ext_);
  torch::Tensor table = load_csv_table(path, "video " + name.as_str());
  sample.set_tensor("raw_feature", table.t().contiguous());
}

std::shared_ptr<Transform> LoadLocalizationFeature::from_config(Args& args) {
  std::string ext = args.get("raw_feature_ext", ".csv");
  if (ext != ".csv")
    throw args.error("raw_feature_ext",
                     "raw_feature_ext '" + ext + "' is not implemented (only '.csv')");
  return std::make_shared<LoadLocalizationFeature>(ext);
}

TUBELET_REGISTER(PIPELINES, LoadLocalizationFeature, LoadLocalizationFeature::from_config);

}  // namespace tubelet
