// MMAction2's SSNHead (Structured Segment Networks): an activity classifier on the course
// (body) features, a completeness classifier and a class-wise boundary regressor on the
// structured temporal pyramid (STPP) features. Training pools the sampled segments with
// STPPTrain; testing runs one reorganised fc (`test_fc`, prepare_test_fc) on every tick and
// pools its scores per proposal with STPPTest.
#pragma once

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <tuple>
#include <vector>

#include "tubelet/models/head.h"

namespace tubelet {

// One stage of stpp_stage: an int n gives ((n,), n); a tuple gives (tuple, sum(tuple))
// (MMAction2's parse_stage_config).
using SSNStageParts = std::vector<int64_t>;

struct SSNConsensusOptions {
  bool train = true;  // STPPTrain (true) or STPPTest
  // (starting, course, ending) parts; MMAction2's default is (1, (1, 2), 1).
  std::vector<SSNStageParts> stpp_stage{{1}, {1, 2}, {1}};
  std::vector<int64_t> num_segments_list{2, 5, 2};  // STPPTrain only
  bool use_regression = true;                       // STPPTest only

  int64_t num_multipliers() const;
  int64_t stage_multiplier(size_t stage) const;
};

struct SSNHeadOptions {
  TORCH_ARG(double, dropout_ratio) = 0.8;
  TORCH_ARG(int64_t, in_channels) = 1024;
  TORCH_ARG(int64_t, num_classes) = 20;
  TORCH_ARG(SSNConsensusOptions, consensus) = {};
  TORCH_ARG(bool, use_regression) = true;
  TORCH_ARG(double, init_std) = 0.001;
};

struct SSNTrainScores {
  torch::Tensor activity;      // [S, num_classes + 1]
  torch::Tensor completeness;  // [S, num_classes]
  torch::Tensor bbox_preds;    // [S, num_classes, 2], undefined without regression
};

struct SSNTestScores {
  torch::Tensor test_scores;   // test_fc's output [num_ticks, feat_dim]
  torch::Tensor activity;      // [num_proposals, num_classes + 1]
  torch::Tensor completeness;  // [num_proposals, num_classes]
  torch::Tensor bbox_preds;    // [num_proposals, 2 * num_classes], undefined without regression
};

// STPPTrain: x [S * sum(num_segments_list), C] (any trailing 1s), scale_factors [S, 2];
// returns (course_feat [S, C], stpp_feat [S, num_multipliers * C]).
std::tuple<torch::Tensor, torch::Tensor> ssn_stpp_train(const SSNConsensusOptions& o,
                                                        const torch::Tensor& x,
                                                        const torch::Tensor& scale_factors);
// STPPTest: x [num_ticks, feat_dim], proposal_ticks [P, 4], scale_factors [P, 2].
SSNTestScores ssn_stpp_test(const SSNConsensusOptions& o, int64_t num_classes,
                            const torch::Tensor& x, const torch::Tensor& proposal_ticks,
                            const torch::Tensor& scale_factors);

class SSNHeadImpl : public Head {
 public:
  explicit SSNHeadImpl(SSNHeadOptions options);

  // SSNHead is no recognizer head: this throws, naming forward_train / forward_test.
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;

  // MMAction2's forward((x, proposal_scale_factor)) (needs an STPPTrain consensus).
  SSNTrainScores forward_train(const torch::Tensor& x, const torch::Tensor& proposal_scale_factor);
  // MMAction2's prepare_test_fc: builds test_fc from the three fcs (not a registered module,
  // so it is never saved). Returns true.
  bool prepare_test_fc(int64_t stpp_feat_multiplier);
  // MMAction2's forward((x, proposal_tick_list, scale_factor_list), test_mode=True) (needs an
  // STPPTest consensus and prepare_test_fc).
  SSNTestScores forward_test(const torch::Tensor& x, const torch::Tensor& proposal_tick_list,
                             const torch::Tensor& scale_factor_list);

  SSNHeadOptions options;
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear activity_fc{nullptr}, completeness_fc{nullptr}, regressor_fc{nullptr};
  torch::Tensor test_fc_weight, test_fc_bias;  // set by prepare_test_fc
};
TORCH_MODULE(SSNHead);

}  // namespace tubelet
