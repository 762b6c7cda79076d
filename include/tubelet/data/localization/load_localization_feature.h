// LoadLocalizationFeature: reads `data_prefix/video_name + raw_feature_ext` (a CSV of one row
// per temporal position after a header) into results' raw_feature, transposed to
// [feat_dim, temporal] float32 as MMAction2 does.
#pragma once

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class LoadLocalizationFeature : public Transform {
 public:
  explicit LoadLocalizationFeature(std::string raw_feature_ext = ".csv");
  void apply(Sample& sample) override;
  std::string type() const override { return "LoadLocalizationFeature"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  std::string raw_feature_ext_;
};

}  // namespace tubelet
