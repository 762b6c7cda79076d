// What recognizers need from a neck registered in NECKS (MMAction2's `neck=`): the backbone's
// feature maps in, fused map(s) out, plus auxiliary losses while training.
#pragma once

#include <torch/nn/module.h>

#include <vector>

#include "tubelet/models/head.h"

namespace tubelet {

struct NeckOutput {
  // What the head receives, in place of the backbone's maps.
  std::vector<torch::Tensor> feats;
  // Extra losses ("loss_aux"); empty unless a target was given.
  LossDict losses;
};

class Neck : public torch::nn::Module {
 public:
  // MMAction2's neck(x, target): `target` (labels, squeezed) is given only in forward_train;
  // leave it undefined at test time.
  virtual NeckOutput forward_neck(const std::vector<torch::Tensor>& feats,
                                  const torch::Tensor& target) = 0;
};

}  // namespace tubelet
