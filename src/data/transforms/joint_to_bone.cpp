#include "tubelet/data/transforms/joint_to_bone.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tubelet {

JointToBone::JointToBone(std::string dataset) : dataset_(std::move(dataset)) {
  if (dataset_ == "nturgb+d") {
    pairs_ = {{0, 1},   {1, 20},  {2, 20},  {3, 2},   {4, 20},  {5, 4},   {6, 5},
              {7, 6},   {8, 20},  {9, 8},   {10, 9},  {11, 10}, {12, 0},  {13, 12},
              {14, 13}, {15, 14}, {16, 0},  {17, 16}, {18, 17}, {19, 18}, {21, 22},
              {20, 20}, {22, 7},  {23, 24}, {24, 11}};
  } else if (dataset_ == "openpose-18") {
    pairs_ = {{0, 0}, {1, 0},  {2, 1},  {3, 2},   {4, 3},   {5, 1},  {6, 5},  {7, 6},   {8, 2},
              {9, 8}, {10, 9}, {11, 5}, {12, 11}, {13, 12}, {14, 0}, {15, 0}, {16, 14}, {17, 15}};
  } else if (dataset_ == "coco") {
    pairs_ = {{0, 0}, {1, 0},  {2, 0},  {3, 1},  {4, 2},   {5, 0},   {6, 0},   {7, 5},  {8, 6},
              {9, 7}, {10, 8}, {11, 0}, {12, 0}, {13, 11}, {14, 12}, {15, 13}, {16, 14}};
  } else {
    throw std::invalid_argument("JointToBone: The dataset type " + dataset_ + " is not supported");
  }
}

void JointToBone::apply(Sample& sample) {
  const torch::Tensor* found = sample.tensor("keypoint");
  if (!found) throw std::invalid_argument("JointToBone: the sample has no 'keypoint'");
  const torch::Tensor& kp = *found;
  if (kp.dim() != 4)
    throw std::invalid_argument("JointToBone: keypoint must be M x T x V x C, got shape " +
                                c10::str(kp.sizes()));
  const int64_t V = kp.size(2), C = kp.size(3);
  if (C != 2 && C != 3)
    throw std::invalid_argument("JointToBone: keypoint must have 2 or 3 channels, got " +
                                std::to_string(C));
  std::vector<int64_t> v1, v2;
  for (const auto& [a, b] : pairs_) {
    if (a >= V || b >= V)
      throw std::invalid_argument("JointToBone: the '" + dataset_ + "' layout needs joint " +
                                  std::to_string(std::max(a, b)) + ", keypoint has " +
                                  std::to_string(V) + " joints");
    v1.push_back(a);
    v2.push_back(b);
  }
  const torch::Tensor i1 = torch::tensor(v1, torch::kLong), i2 = torch::tensor(v2, torch::kLong);
  const torch::Tensor j1 = kp.index_select(2, i1), j2 = kp.index_select(2, i2);
  // Each joint is v1 of one pair at most: the bones can be written all at once.
  torch::Tensor diff = (j1 - j2).to(torch::kFloat);
  if (C == 3 && dataset_ != "nturgb+d") {
    // (score1 + score2) / 2 in the keypoint's dtype.
    diff.select(3, 2).copy_(((j1.select(3, 2) + j2.select(3, 2)) / 2).to(torch::kFloat));
  }
  torch::Tensor bone = torch::zeros(kp.sizes(), torch::kFloat);
  bone.index_copy_(2, i1, diff);
  sample.set_tensor("keypoint", bone);
}

std::shared_ptr<Transform> JointToBone::from_config(Args& args) {
  const std::string dataset = args.get("dataset", "nturgb+d");
  if (dataset != "nturgb+d" && dataset != "openpose-18" && dataset != "coco")
    throw args.error("dataset", "The dataset type " + dataset +
                                    " is not supported ('nturgb+d', 'openpose-18', 'coco')");
  return std::make_shared<JointToBone>(dataset);
}

TUBELET_REGISTER(PIPELINES, JointToBone, JointToBone::from_config);

}  // namespace tubelet
