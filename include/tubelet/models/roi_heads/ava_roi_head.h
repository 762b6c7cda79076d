// MMAction2's AVARoIHead (mmdet's StandardRoIHead with its own _bbox_forward and simple_test):
// RoI features of the proposals (SingleRoIExtractor3D), an optional shared head (ACRNHead),
// BBoxHeadAVA; training assigns (MaxIoUAssignerAVA) and samples (RandomSampler) proposals.
#pragma once

#include <torch/nn/module.h>

#include <optional>
#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/models/heads/acrn_head.h"
#include "tubelet/models/heads/bbox_head_ava.h"
#include "tubelet/models/roi/assign_sample.h"
#include "tubelet/models/roi/single_roi_extractor3d.h"
#include "tubelet/models/trainable.h"

namespace tubelet {

// train_cfg.rcnn
struct AVARoIHeadTrainCfg {
  MaxIoUAssignerAVAOptions assigner;
  RandomSamplerOptions sampler;
  double pos_weight = 1.0;
  bool debug = false;
};

// test_cfg.rcnn: action_thr, one value or one per class (a negative one: single-label).
struct AVARoIHeadTestCfg {
  std::vector<double> action_thr{0.01};
};

// What simple_test needs of an image's meta: (h, w) of the network input, whether it was
// flipped, and the crop (x1, y1, w, h) in [0, 1] units of the original frame.
struct AVAImageMeta {
  std::pair<double, double> img_shape{0, 0};
  bool flip = false;
  std::vector<double> crop_quadruple{0, 0, 1, 1};
  // Reads "img_shape" (required), "flip" and "crop_quadruple" (optional).
  static AVAImageMeta from_meta(const Dict& meta);
};

class AVARoIHeadImpl : public torch::nn::Module {
 public:
  AVARoIHeadImpl(SingleRoIExtractor3D bbox_roi_extractor, BBoxHeadAVA bbox_head,
                 std::shared_ptr<ACRNHeadImpl> shared_head,
                 std::optional<AVARoIHeadTrainCfg> train_cfg,
                 std::optional<AVARoIHeadTestCfg> test_cfg);
  // The roi_head dict (train_cfg/test_cfg already the rcnn parts, as TwoStageDetector does).
  static std::shared_ptr<AVARoIHeadImpl> from_config(const Value& cfg, const std::string& path);

  // _bbox_forward: class scores [K, num_classes] of rois [K, 5] on the backbone's maps.
  torch::Tensor bbox_forward(const std::vector<torch::Tensor>& x, const torch::Tensor& rois);
  // forward_train: assign and sample each image's proposals, then BBoxHeadAVA's loss.
  NamedTensors forward_train(const std::vector<torch::Tensor>& x,
                             const std::vector<torch::Tensor>& proposal_list,
                             const std::vector<torch::Tensor>& gt_bboxes,
                             const std::vector<torch::Tensor>& gt_labels);
  // simple_test_bboxes: boxes normalised to the original frame and their class scores (one
  // image, as MMAction2 requires).
  AVADetBoxes simple_test_bboxes(const std::vector<torch::Tensor>& x,
                                 const std::vector<torch::Tensor>& proposal_list,
                                 const AVAImageMeta& meta);
  // simple_test: bbox2result of the above, [num_classes - 1] arrays [m, 5].
  std::vector<torch::Tensor> simple_test(const std::vector<torch::Tensor>& x,
                                         const std::vector<torch::Tensor>& proposal_list,
                                         const AVAImageMeta& meta);

  std::shared_ptr<ACRNHeadImpl> shared_head;  // null without one
  SingleRoIExtractor3D bbox_roi_extractor{nullptr};
  BBoxHeadAVA bbox_head{nullptr};
  std::optional<AVARoIHeadTrainCfg> train_cfg;
  std::optional<AVARoIHeadTestCfg> test_cfg;
};
TORCH_MODULE(AVARoIHead);

}  // namespace tubelet
