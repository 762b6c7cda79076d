#include "tubelet/models/heads/trn_relation.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace tubelet {

namespace {

// ReLU, Linear(in, bottleneck), ReLU, Linear(bottleneck, classes): children 0..3.
torch::nn::Sequential relation_mlp(int64_t in, int64_t bottleneck, int64_t classes) {
  return torch::nn::Sequential(torch::nn::ReLU(), torch::nn::Linear(in, bottleneck),
                               torch::nn::ReLU(), torch::nn::Linear(bottleneck, classes));
}

// Every k-subset of {0..n-1} as increasing indices, in itertools.combinations' order.
torch::Tensor combinations(int64_t n, int64_t k) {
  std::vector<int64_t> flat;
  std::vector<int64_t> pick(k);
  for (int64_t i = 0; i < k; ++i) pick[i] = i;
  while (true) {
    flat.insert(flat.end(), pick.begin(), pick.end());
    int64_t i = k - 1;
    while (i >= 0 && pick[i] == n - k + i) --i;
    if (i < 0) break;
    ++pick[i];
    for (int64_t j = i + 1; j < k; ++j) pick[j] = pick[j - 1] + 1;
  }
  int64_t rows = static_cast<int64_t>(flat.size()) / k;
  return torch::tensor(flat, torch::kLong).view({rows, k});
}

void check_positive_trn_relation(const TRNRelationOptions& o, const char* module) {
  if (o.hidden_dim() < 1 || o.num_segments() < 1 || o.num_classes() < 1)
    throw std::invalid_argument(std::string(module) +
                                ": hidden_dim, num_segments and num_classes must be positive");
}

}  // namespace

RelationModuleImpl::RelationModuleImpl(const TRNRelationOptions& o) : options(o) {
  check_positive_trn_relation(o, "RelationModule");
  classifier =
      register_module("classifier", relation_mlp(o.num_segments() * o.hidden_dim(),
                                                 TRNRelationOptions::kBottleneck, o.num_classes()));
}

torch::Tensor RelationModuleImpl::forward(const torch::Tensor& x) {
  return classifier->forward(x.reshape({x.size(0), -1}));  // [N, num_segments * hidden_dim]
}

RelationModuleMultiScaleImpl::RelationModuleMultiScaleImpl(const TRNRelationOptions& o)
    : options(o) {
  check_positive_trn_relation(o, "RelationModuleMultiScale");
  if (o.num_segments() < 2)
    throw std::invalid_argument(
        "RelationModuleMultiScale: num_segments must be at least 2 (its scales run from "
        "num_segments down to 2), got " +
        std::to_string(o.num_segments()));
  fc_fusion_scales = register_module("fc_fusion_scales", torch::nn::ModuleList());
  for (int64_t scale = o.num_segments(); scale > 1; --scale) {
    relations_.push_back(combinations(o.num_segments(), scale));
    fc_fusion_scales->push_back(relation_mlp(
        scale * o.hidden_dim(), TRNRelationOptions::kScaleBottleneck, o.num_classes()));
  }
}

torch::Tensor RelationModuleMultiScaleImpl::relation_scores(const torch::Tensor& x, size_t scale,
                                                            int64_t relation) {
  torch::Tensor frames = relations_[scale][relation].to(x.device());
  torch::Tensor act = x.index_select(1, frames).reshape({x.size(0), -1});
  return fc_fusion_scales->ptr<torch::nn::SequentialImpl>(scale)->forward(act);
}

torch::Tensor RelationModuleMultiScaleImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 3 && x.size(1) == options.num_segments(),
              "RelationModuleMultiScale expects [N, ", options.num_segments(), ", ",
              options.hidden_dim(), "], got ", x.sizes());
  torch::Tensor scores = relation_scores(x, 0, 0);
  for (size_t s = 1; s < relations_.size(); ++s) {
    int64_t count = relations_[s].size(0);
    int64_t draws = std::min(TRNRelationOptions::kMaxSubsample, count);
    // np.random.choice(count, draws, replace=False): distinct relations, in random order.
    torch::Tensor picked = torch::randperm(count, torch::kLong).slice(0, 0, draws);
    for (int64_t i = 0; i < draws; ++i)
      scores = scores + relation_scores(x, s, picked[i].item<int64_t>());
  }
  return scores;
}

}  // namespace tubelet
