#include "tubelet/data/transforms/flip.h"

#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {

torch::Tensor flip_boxes(const torch::Tensor& box, int64_t width) {
  using torch::indexing::None;
  using torch::indexing::Slice;
  auto out = box.clone();
  out.index_put_({"...", Slice(0, None, 4)}, width - box.index({"...", Slice(2, None, 4)}));
  out.index_put_({"...", Slice(2, None, 4)}, width - box.index({"...", Slice(0, None, 4)}));
  return out;
}

}  // namespace

void Flip::flip_keypoints(Sample& sample, int64_t width) const {
  torch::Tensor kp = sample.tensor("keypoint")->clone();
  auto x = kp.select(-1, 0);
  x.copy_(torch::where(x != 0, width - x, x));
  std::vector<int64_t> order(kp.size(2));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  if (!left_kp_.empty() || !right_kp_.empty())
    for (size_t i = 0; i < std::min(left_kp_.size(), right_kp_.size()); ++i) {
      order.at(left_kp_[i]) = right_kp_[i];
      order.at(right_kp_[i]) = left_kp_[i];
    }
  auto index = torch::tensor(order);
  sample.set_tensor("keypoint", kp.index_select(2, index));
  if (const torch::Tensor* score = sample.tensor("keypoint_score"))
    sample.set_tensor("keypoint_score", score->index_select(2, index));
}

void Flip::apply(Sample& sample) {
  auto [img_h, img_w] = transforms::image_shape(sample, type());
  (void)img_h;
  bool horizontal = direction_ == "horizontal";
  bool has_keypoint = sample.tensor("keypoint") != nullptr;
  if (has_keypoint && !horizontal)
    throw std::invalid_argument("Flip: only horizontal flips are supported for human keypoints");
  std::string modality = sample.need("modality", type()).as_str();
  if (modality == "Flow" && !horizontal)
    throw std::invalid_argument("Flip: Flow frames can only be flipped horizontally");

  bool flip = uniform01(sample) < flip_ratio_;
  sample.info.set("flip", flip);
  sample.info.set("flip_direction", direction_);
  if (flip_label_map_ && flip) {
    const Value& label = sample.need("label", type());
    if (const Value* mapped = flip_label_map_->find(label)) sample.info.set("label", *mapped);
  }
  if (!flip) return;
  for (size_t i = 0; i < sample.imgs.size(); ++i) {
    cv::Mat out;  // a new buffer: repeated frames may share one
    cv::flip(transforms::frame(sample, i, type()), out, horizontal ? 1 : 0);
    if (modality == "Flow" && i % 2 == 0) cv::subtract(cv::Scalar::all(255), out, out);
    sample.imgs[i] = out;
  }
  if (has_keypoint) flip_keypoints(sample, img_w);
  if (const torch::Tensor* boxes = sample.tensor("gt_bboxes")) {
    if (!horizontal) throw std::invalid_argument("Flip: boxes can only be flipped horizontally");
    sample.set_tensor("gt_bboxes", flip_boxes(*boxes, img_w));
    if (const torch::Tensor* proposals = sample.tensor("proposals"))
      sample.set_tensor("proposals", flip_boxes(*proposals, img_w));
  }
}

namespace {

std::shared_ptr<Transform> build_flip(Args& args) {
  double ratio = args.get<double>("flip_ratio", 0.5);
  std::string direction = args.get("direction", "horizontal");
  auto label_map = args.get<std::optional<Dict>>("flip_label_map", std::nullopt);
  auto left = args.get<std::optional<std::vector<int64_t>>>("left_kp", std::nullopt);
  auto right = args.get<std::optional<std::vector<int64_t>>>("right_kp", std::nullopt);
  transforms::reject_lazy(args);
  if (direction != "horizontal" && direction != "vertical")
    throw args.error("direction", "Direction " + direction +
                                      " is not supported. Currently support ones are "
                                      "['horizontal', 'vertical']");
  // MMAction2 swaps keypoints only when both lists are given.
  if (!left || !right) left = right = std::vector<int64_t>{};
  return std::make_shared<Flip>(ratio, direction, label_map, *left, *right);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, Flip, build_flip);

}  // namespace tubelet
