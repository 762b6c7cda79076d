// LoadProposals (BSN's PEM stage): the first top_k proposals of
// `pgm_proposals_dir/video_name.csv` (columns tmin, tmax, tmin_score, tmax_score, score,
// match_iou, ...) and their BSP features from `pgm_features_dir/video_name.npy`, as float32
// tensors bsp_feature [k, D], tmin, tmax, tmin_score, tmax_score, reference_temporal_iou [k].
#pragma once

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class LoadProposals : public Transform {
 public:
  LoadProposals(int64_t top_k, std::string pgm_proposals_dir, std::string pgm_features_dir,
                std::string proposal_ext = ".csv", std::string feature_ext = ".npy");
  void apply(Sample& sample) override;
  std::string type() const override { return "LoadProposals"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  int64_t top_k_;
  std::string pgm_proposals_dir_;
  std::string pgm_features_dir_;
  std::string proposal_ext_;
  std::string feature_ext_;
};

}  // namespace tubelet
