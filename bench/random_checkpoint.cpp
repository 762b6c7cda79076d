// Writes a randomly initialised checkpoint of a config's model, in MMAction2's layout
// ({'meta': ..., 'state_dict': {'backbone.conv1.conv.weight': ...}}), for benchmarks that need
// a checkpoint but no trained weights (bench/infer_vs_mmaction2.sh). The model is built with
// `model.backbone.pretrained=None`, as MMAction2's init_recognizer builds it.
//
// Usage: random_checkpoint CONFIG OUT.pth [--seed N=0] [--random-bn]
// --random-bn: batch norms get random weights, biases and running statistics instead of the
// 1/0 of a fresh model, so that folding them into convolutions is exercised by real numbers.
#include <torch/torch.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"

namespace {

// Running statistics and affine parameters a trained network might have: positive variances
// and weights near 1, small means and biases.
void randomize_batch_norms(tubelet::checkpoint::StateDict& sd) {
  torch::NoGradGuard no_grad;
  for (auto& item : sd) {
    const std::string& k = item.key();
    torch::Tensor& t = item.value();
    if (!t.is_floating_point()) continue;
    auto ends_with = [&](const char* s) {
      const std::string suffix(s);
      return k.size() > suffix.size() &&
             k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (k.find(".bn.") == std::string::npos) continue;  // ConvModule's norm: <conv>.bn.*
    if (ends_with(".running_var"))
      t.copy_(torch::rand_like(t) * 1.5 + 0.5);
    else if (ends_with(".running_mean") || ends_with(".bias"))
      t.copy_(torch::randn_like(t) * 0.1);
    else if (ends_with(".weight") && t.dim() == 1)
      t.copy_(torch::rand_like(t) * 0.5 + 0.75);
  }
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 3) {
    std::fprintf(stderr, "usage: random_checkpoint CONFIG OUT.pth [--seed N] [--random-bn]\n");
    return 2;
  }
  uint64_t seed = 0;
  bool random_bn = false;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc)
      seed = std::stoull(argv[++i]);
    else if (a == "--random-bn")
      random_bn = true;
    else
      throw std::invalid_argument("unknown argument '" + a + "'");
  }
  torch::manual_seed(seed);
  tubelet::Dict cfg = tubelet::load_config(argv[1]);
  tubelet::apply_cfg_options(cfg, {"model.backbone.pretrained=None"});
  auto model = tubelet::build_model(cfg.at("model"), "model");
  tubelet::checkpoint::StateDict sd = tubelet::checkpoint::state_dict(*model);
  if (random_bn) randomize_batch_norms(sd);
  tubelet::checkpoint::save_checkpoint(argv[2], sd);
  std::printf("%s: %zu tensors\n", argv[2], sd.size());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "random_checkpoint: %s\n", e.what());
  return 1;
}
