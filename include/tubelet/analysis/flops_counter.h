// mmcv 1.7.0's get_model_complexity_info (mmcv/cnn/utils/flops_counter.py), which MMAction2's
// tools/analysis/get_flops.py prints: a model's FLOPs (one multiply-add counts as one FLOP)
// and trainable parameters, in total and per module, by mmcv's rules:
//   Conv1d/2d/3d    output elements x kernel volume x in_channels / groups, plus one add per
//                   output element with a bias; ConvTranspose2d: input positions x weight
//                   elements, plus the bias adds (other transposed convs count 0)
//   BatchNorm, GroupNorm, InstanceNorm, LayerNorm   input elements, x2 with affine parameters
//   Linear          input elements x out_features (no bias)
//   ReLU, PReLU, ELU, LeakyReLU, ReLU6              output elements
//   Max/Avg/AdaptiveMax/AdaptiveAvg pooling 1d/2d/3d  input elements
//   Upsample        output elements of the first sample
// Any other module (or op) counts 0. Parameters: those with requires_grad.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace tubelet::analysis {

// One module of the model tree with what mmcv's per-layer print shows for it: a module mmcv
// has a rule for (see above) shows its own FLOPs and parameters; any other module the sum
// over its children.
struct ModuleComplexity {
  std::string name;   // the checkpoint key prefix ("backbone.layer1.0.conv1"); "" for the model
  std::string type;   // the class: "ConvModule", "Conv2d", ...
  std::string extra;  // a LibTorch layer's options ("3, 64, kernel_size=[7, 7], ..."); else ""
  int depth = 0;      // 0 for the model
  // mmcv counts it, but none of its FLOPs can be told apart from those of other modules of its
  // kind (a parameter-free layer: ReLU, pooling, Upsample); they are in `unattributed`.
  bool flops_unattributed = false;
  double flops = 0;
  int64_t params = 0;
};

struct ModelComplexity {
  double flops = 0;                       // the model's total, `unattributed` included
  int64_t params = 0;                     // trainable parameters of the whole model
  std::vector<ModuleComplexity> modules;  // the model first, then its tree depth-first
  // FLOPs of ops that carry no parameter or buffer of the model (activations, pooling,
  // upsampling, norms without affine parameters or running statistics), by op name ("relu",
  // "max_pool2d"). LibTorch modules have no forward hooks, so which module ran such an op is
  // unknown; they count in `flops` all the same, as their modules count in mmcv's total.
  std::map<std::string, double> unattributed;
};

// Runs `forward` once, observing the ops it runs, and counts them by mmcv's rules against the
// modules of `model` whose parameters they use. The caller sets the mode (eval) and grad mode.
ModelComplexity count_complexity(torch::nn::Module& model, const std::function<void()>& forward);

// mmcv's get_model_complexity_info without an input_constructor: `model` in eval mode, without
// grad, is handed one batch of shape (1, *input_shape), of its parameters' dtype and device, by
// `forward` (e.g. a recognizer's forward_dummy).
ModelComplexity get_model_complexity_info(torch::nn::Module& model,
                                          const std::vector<int64_t>& input_shape,
                                          const std::function<void(const torch::Tensor&)>& forward);

// mmcv's flops_to_string: "4.12 GFLOPs". `units` GFLOPs, MFLOPs, KFLOPs or FLOPs; none
// chooses the largest that keeps an integer part.
std::string flops_to_string(double flops, const std::optional<std::string>& units = "GFLOPs",
                            int precision = 2);
// mmcv's params_to_string: "25.56 M", "200.0 k", "999". `units` M or K; none chooses.
std::string params_to_string(int64_t params, const std::optional<std::string>& units = std::nullopt,
                             int precision = 2);

// mmcv's print_model_with_flops: one line per module, indented by depth, named by its
// checkpoint key prefix: "backbone.conv1.conv: Conv2d(0.009 M, 0.039% Params, 0.118 GFLOPs,
// 2.861% FLOPs, 3, 64, kernel_size=[7, 7], ...)"; then the unattributed ops, one line each.
void print_model_with_flops(const ModelComplexity& complexity, std::ostream& out,
                            const std::string& units = "GFLOPs", int precision = 3);

}  // namespace tubelet::analysis
