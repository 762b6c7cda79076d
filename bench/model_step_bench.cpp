// One training step (forward, loss, backward) of TSN-R50 or I3D-R50 built from MMAction2-style
// configs, timed on the CPU. bench/model_step_vs_pytorch.sh runs it next to PyTorch.
// Usage: model_step_bench tsn|i3d [iterations=3] [warmup=1] [threads=0: LibTorch's default]
// Prints one JSON line: model, threads, ms per step (median and mean), parameter count, peak
// RSS in MiB.
#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace {

// configs/_base_/models/{tsn,i3d}_r50.py without the ImageNet checkpoint.
const char* kTsn =
    "model = dict(type='Recognizer2D', backbone=dict(type='ResNet', pretrained=None, depth=50, "
    "norm_eval=False), cls_head=dict(type='TSNHead', num_classes=400, in_channels=2048, "
    "spatial_type='avg', consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.4, "
    "init_std=0.01))\n";
const char* kI3d =
    "model = dict(type='Recognizer3D', backbone=dict(type='ResNet3d', pretrained2d=False, "
    "pretrained=None, depth=50, conv1_kernel=(5, 7, 7), conv1_stride_t=2, pool1_stride_t=2, "
    "conv_cfg=dict(type='Conv3d'), norm_eval=False, inflate=((1, 1, 1), (1, 0, 1, 0), "
    "(1, 0, 1, 0, 1, 0), (0, 1, 0)), zero_init_residual=False), cls_head=dict(type='I3DHead', "
    "num_classes=400, in_channels=2048, spatial_type='avg', dropout_ratio=0.5, init_std=0.01))\n";

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_name = argc > 1 ? argv[1] : "tsn";
  int iterations = argc > 2 ? std::stoi(argv[2]) : 3;
  int warmup = argc > 3 ? std::stoi(argv[3]) : 1;
  int threads = argc > 4 ? std::stoi(argv[4]) : 0;
  if (model_name != "tsn" && model_name != "i3d") {
    std::fprintf(stderr, "usage: %s tsn|i3d [iterations] [warmup] [threads]\n", argv[0]);
    return 2;
  }
  if (threads > 0) torch::set_num_threads(threads);
  torch::manual_seed(0);
  bool tsn = model_name == "tsn";
  auto model = std::dynamic_pointer_cast<tubelet::BaseRecognizerImpl>(tubelet::build_model(
      tubelet::load_config_text(tsn ? kTsn : kI3d, "/tmp/bench.py").at("model")));
  model->train();
  // One video: 8 segments of 224x224 (TSN), or one 8-frame clip (I3D, 8x8 sampling).
  torch::Tensor imgs =
      tsn ? torch::randn({1, 8, 3, 224, 224}) : torch::randn({1, 1, 3, 8, 224, 224});
  torch::Tensor labels = torch::tensor({7}, torch::kLong);
  std::vector<double> ms;
  for (int i = 0; i < warmup + iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    model->zero_grad();
    for (const auto& [name, value] : model->forward_train(imgs, labels))
      if (name == "loss_cls") value.backward();
    double elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (i >= warmup) ms.push_back(elapsed);
  }
  int64_t params = 0;
  for (const auto& p : model->parameters()) params += p.numel();
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  std::printf(
      "{\"side\": \"tubelet\", \"model\": \"%s\", \"threads\": %d, \"median_ms\": %.1f, "
      "\"mean_ms\": %.1f, \"iterations\": %d, \"params\": %lld, \"peak_rss_mib\": %.0f}\n",
      model_name.c_str(), torch::get_num_threads(), sorted[sorted.size() / 2], mean, iterations,
      static_cast<long long>(params), peak_rss_mib());
  return 0;
}
