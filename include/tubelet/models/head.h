// What recognizers need from a head registered in HEADS.
#pragma once

#include <torch/nn/module.h>

namespace tubelet {

// What recognizers need from a head registered in HEADS: class scores from features.
class Head : public torch::nn::Module {
 public:
  // `num_segs` is how many segments (clips) of one video are stacked along the batch.
  virtual torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) = 0;
};

}  // namespace tubelet
