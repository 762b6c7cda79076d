// The consensus of MMAction2's TRNHead: MLPs over the concatenated features of ordered frame
// tuples ("relations"). RelationModule reads all num_segments frames at once;
// RelationModuleMultiScale adds up one MLP per tuple size, from num_segments frames down to 2.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>

#include <vector>

namespace tubelet {

struct TRNRelationOptions {
  TRNRelationOptions(int64_t hidden_dim, int64_t num_segments, int64_t num_classes)
      : hidden_dim_(hidden_dim), num_segments_(num_segments), num_classes_(num_classes) {}
  TORCH_ARG(int64_t, hidden_dim);
  TORCH_ARG(int64_t, num_segments);
  TORCH_ARG(int64_t, num_classes);

 public:
  // Hidden widths fixed in MMAction2's source: 512 for RelationModule, 256 for each scale.
  static constexpr int64_t kBottleneck = 512;
  static constexpr int64_t kScaleBottleneck = 256;
  // At most this many relations of each scale after the first are drawn per forward.
  static constexpr int64_t kMaxSubsample = 3;
};

// What TRNHead registers as "consensus": [N, num_segments, hidden_dim] -> [N, num_classes].
class TRNRelation : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
};

// "classifier": ReLU, Linear(num_segments * hidden_dim, 512), ReLU, Linear(512, num_classes),
// with PyTorch's default Linear init (MMAction2's init_weights leaves them).
class RelationModuleImpl : public TRNRelation {
 public:
  explicit RelationModuleImpl(const TRNRelationOptions& options);
  torch::Tensor forward(const torch::Tensor& x) override;

  TRNRelationOptions options;
  torch::nn::Sequential classifier{nullptr};
};
TORCH_MODULE(RelationModule);

// "fc_fusion_scales.<i>": for scale num_segments - i, ReLU, Linear(scale * hidden_dim, 256),
// ReLU, Linear(256, num_classes). Scale num_segments has one relation (all frames); every other
// scale sums the scores of up to 3 of its relations, drawn without replacement at each forward
// (MMAction2 draws with np.random.choice in training and testing alike; here torch's default
// generator draws, so the same seed picks other relations than MMAction2 would).
class RelationModuleMultiScaleImpl : public TRNRelation {
 public:
  explicit RelationModuleMultiScaleImpl(const TRNRelationOptions& options);
  torch::Tensor forward(const torch::Tensor& x) override;

  TRNRelationOptions options;
  torch::nn::ModuleList fc_fusion_scales{nullptr};

  // The frame indices of every relation of scale i, in itertools.combinations order:
  // [num_relations, num_segments - i].
  const std::vector<torch::Tensor>& relations() const { return relations_; }

 private:
  torch::Tensor relation_scores(const torch::Tensor& x, size_t scale, int64_t relation);

  std::vector<torch::Tensor> relations_;
};
TORCH_MODULE(RelationModuleMultiScale);

}  // namespace tubelet
