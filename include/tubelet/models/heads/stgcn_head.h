// MMAction2's STGCNHead (mmaction/models/heads/stgcn_head.py): global average (or max)
// pooling of each person's [C, T, V] map, the mean over the num_person persons of a sample,
// then a 1x1 convolution `fc` to the class scores. Keys: fc.weight [num_classes, C, 1, 1],
// fc.bias.
#pragma once

#include <torch/nn/modules/conv.h>

#include <string>

#include "tubelet/models/head.h"

namespace tubelet {

struct STGCNHeadOptions {
  STGCNHeadOptions(int64_t num_classes, int64_t in_channels)
      : num_classes_(num_classes), in_channels_(in_channels) {}
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, in_channels);
  /// "avg" or "max".
  TORCH_ARG(std::string, spatial_type) = "avg";
  /// Persons per sample, stacked along the batch by the backbone ([N * M, C, T, V]).
  TORCH_ARG(int64_t, num_person) = 2;
  TORCH_ARG(double, init_std) = 0.01;
};

class STGCNHeadImpl : public Head {
 public:
  STGCNHeadImpl(const STGCNHeadOptions& options, std::shared_ptr<Loss> loss_cls,
                HeadLossOptions loss_options);
  // x [N * num_person, C, T, V] -> [N, num_classes]; num_segs is not used.
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;
  torch::Tensor forward(const torch::Tensor& x) { return forward_scores(x, 1); }
  // normal_init(fc, std=init_std), zero bias.
  void init_weights();

  STGCNHeadOptions options;
  torch::nn::Conv2d fc{nullptr};
};
TORCH_MODULE(STGCNHead);

}  // namespace tubelet
