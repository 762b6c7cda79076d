#include "tubelet/data/localization/load_proposals.h"

#include <stdexcept>

#include "tubelet/data/datasets/base_dataset.h"
#include "tubelet/data/localization/feature_files.h"

namespace tubelet {

LoadProposals::LoadProposals(int64_t top_k, std::string pgm_proposals_dir,
                             std::string pgm_features_dir, std::string proposal_ext,
                             std::string feature_ext)
    : top_k_(top_k),
      pgm_proposals_dir_(std::move(pgm_proposals_dir)),
      pgm_features_dir_(std::move(pgm_features_dir)),
      proposal_ext_(std::move(proposal_ext)),
      feature_ext_(std::move(feature_ext)) {
  if (proposal_ext_ != ".csv")
    throw std::invalid_argument("LoadProposals: proposal_ext '" + proposal_ext_ +
                                "' is not implemented (only '.csv')");
  if (feature_ext_ != ".npy")
    throw std::invalid_argument("LoadProposals: feature_ext '" + feature_ext_ +
                                "' is not implemented (only '.npy')");
}

void LoadProposals::apply(Sample& sample) {
  const std::string name = sample.need("video_name", type()).as_str();
  const std::string proposal_path = path_join(pgm_proposals_dir_, name + proposal_ext_);
  torch::Tensor proposals = load_csv_table(proposal_path, "video " + name);
  if (proposals.size(1) < 6)
    throw std::runtime_error(proposal_path + " (video " + name +
                             "): " + std::to_string(proposals.size(1)) +
                             " columns, but LoadProposals reads tmin, tmax, tmin_score, "
                             "tmax_score and (6th) the reference temporal IoU");
  // A negative top_k slices from the end, as Python's [:top_k] does.
  auto first = [&](const torch::Tensor& t) {
    int64_t n = t.size(0);
    int64_t k = top_k_ < 0 ? std::max<int64_t>(0, n + top_k_) : std::min(n, top_k_);
    return t.slice(0, 0, k);
  };
  proposals = first(proposals);
  const std::string feature_path = path_join(pgm_features_dir_, name + feature_ext_);
  torch::Tensor features;
  try {
    features = load_npy(feature_path);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + " (video " + name + ")");
  }
  if (features.dim() != 2)
    throw std::runtime_error(feature_path + " (video " + name +
                             "): BSP features must be 2-D, got " + std::to_string(features.dim()) +
                             "-D");
  sample.set_tensor("bsp_feature", first(features.to(torch::kFloat)).contiguous());
  const char* names[] = {"tmin", "tmax", "tmin_score", "tmax_score"};
  for (int64_t c = 0; c < 4; ++c) sample.set_tensor(names[c], proposals.select(1, c).contiguous());
  sample.set_tensor("reference_temporal_iou", proposals.select(1, 5).contiguous());
}

std::shared_ptr<Transform> LoadProposals::from_config(Args& args) {
  const int64_t top_k = args.required<int64_t>("top_k");
  std::string proposals = args.required<std::string>("pgm_proposals_dir");
  std::string features = args.required<std::string>("pgm_features_dir");
  std::string proposal_ext = args.get("proposal_ext", ".csv");
  std::string feature_ext = args.get("feature_ext", ".npy");
  return std::make_shared<LoadProposals>(top_k, proposals, features, proposal_ext, feature_ext);
}

TUBELET_REGISTER(PIPELINES, LoadProposals, LoadProposals::from_config);

}  // namespace tubelet
