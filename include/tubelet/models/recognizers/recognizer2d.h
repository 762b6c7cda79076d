// MMAction2's Recognizer2D (test path): frames of every segment through the 2D backbone,
// the head's consensus over segments, then test_cfg's clip averaging.
#pragma once

#include <optional>
#include <string>

#include "tubelet/models/backbone.h"
#include "tubelet/models/head.h"

namespace tubelet {

struct RecognizerTestCfg {
  /// None, "score" (mean of scores) or "prob" (mean of softmax).
  std::optional<std::string> average_clips;
  bool feature_extraction = false;
};

class Recognizer2DImpl : public torch::nn::Module {
 public:
  Recognizer2DImpl(std::shared_ptr<Backbone> backbone, std::shared_ptr<Head> cls_head,
                   RecognizerTestCfg test_cfg);

  // imgs [N, num_segs, C, H, W] -> class scores [N, num_classes], averaged as test_cfg says.
  torch::Tensor forward_test(const torch::Tensor& imgs);
  // The head's raw scores, as forward_dummy gives them.
  torch::Tensor forward_dummy(const torch::Tensor& imgs);
  // Backbone features of [N * num_segs, C, H, W] frames.
  torch::Tensor extract_feat(const torch::Tensor& frames);

  std::shared_ptr<Backbone> backbone;
  std::shared_ptr<Head> cls_head;
  RecognizerTestCfg test_cfg;

 private:
  torch::Tensor average_clip(const torch::Tensor& cls_score, int64_t num_segs) const;
};
TORCH_MODULE(Recognizer2D);

}  // namespace tubelet
