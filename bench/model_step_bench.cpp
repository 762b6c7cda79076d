// One training step (forward, loss, backward, SGD step) of TSN-R50 or I3D-R50 built from
// MMAction2-style configs, on the CPU or a GPU, in fp32 or fp16 (CUDA autocast and loss
// scaling, as Fp16OptimizerHook trains). bench/model_step_pytorch.py is the same step in
// PyTorch eager; bench/model_step_vs_pytorch.sh and scripts/gpu-check.sh run the two.
//
// Usage: model_step_bench tsn|i3d [iterations=3] [warmup=1] [threads=0: LibTorch's default]
//                         [--device cpu|cuda] [--batch N=1] [--frames N=8] [--size N=224]
//                         [--fp16] [--iterations N] [--warmup N] [--threads N]
// --frames is TSN's segments or I3D's clip length. Prints one JSON line: the settings, ms per
// step (median and mean), images/s (batch * frames per second, from the median), parameter
// count, peak RSS, and the peak GPU memory of the timed steps (0 on the CPU).
#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "tubelet/config/config.h"
#include "tubelet/distributed/device.h"
#include "tubelet/engine/hooks/fp16_optimizer_hook.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/base_recognizer.h"
#include "tubelet/torch_compat.h"

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

struct Settings {
  std::string model = "tsn";
  std::string device = "cpu";
  int iterations = 3;
  int warmup = 1;
  int threads = 0;
  int64_t batch = 1;
  int64_t frames = 8;
  int64_t size = 224;
  bool fp16 = false;
};

const char* kUsage =
    "usage: model_step_bench tsn|i3d [iterations] [warmup] [threads] [--device cpu|cuda] "
    "[--batch N] [--frames N] [--size N] [--fp16] [--iterations N] [--warmup N] [--threads N]\n";

// The old positional form (model, iterations, warmup, threads) and the flags, in any order.
Settings parse(int argc, char** argv) {
  Settings s;
  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string, Setter> options = {
      {"--device", [&](const std::string& v) { s.device = v; }},
      {"--batch", [&](const std::string& v) { s.batch = std::stoll(v); }},
      {"--frames", [&](const std::string& v) { s.frames = std::stoll(v); }},
      {"--segments", [&](const std::string& v) { s.frames = std::stoll(v); }},
      {"--size", [&](const std::string& v) { s.size = std::stoll(v); }},
      {"--iterations", [&](const std::string& v) { s.iterations = std::stoi(v); }},
      {"--warmup", [&](const std::string& v) { s.warmup = std::stoi(v); }},
      {"--threads", [&](const std::string& v) { s.threads = std::stoi(v); }},
  };
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--fp16") {
      s.fp16 = true;
    } else if (auto it = options.find(arg); it != options.end()) {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      it->second(argv[++i]);
    } else if (arg.rfind("--", 0) == 0) {
      throw std::invalid_argument("unknown option " + arg);
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() > 4) throw std::invalid_argument("too many arguments");
  if (!positional.empty()) s.model = positional[0];
  if (positional.size() > 1) s.iterations = std::stoi(positional[1]);
  if (positional.size() > 2) s.warmup = std::stoi(positional[2]);
  if (positional.size() > 3) s.threads = std::stoi(positional[3]);
  if (s.model != "tsn" && s.model != "i3d") throw std::invalid_argument("model must be tsn|i3d");
  if (s.iterations < 1 || s.warmup < 0 || s.batch < 1 || s.frames < 1 || s.size < 32)
    throw std::invalid_argument("iterations >= 1, warmup >= 0, batch, frames >= 1, size >= 32");
  return s;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// What one timed step needs; the input is made once, on the device, so that no host-to-device
// copy is timed (the PyTorch side does the same).
struct Step {
  std::shared_ptr<tubelet::BaseRecognizerImpl> model;
  std::unique_ptr<torch::optim::SGD> sgd;
  tubelet::LossScaler scaler;
  torch::Tensor imgs, labels;
  torch::Device device = torch::kCPU;
  bool amp = false;  // autocast and loss scaling: CUDA only, as torch.cuda.amp

  void run() {
    sgd->zero_grad();
    if (amp) tubelet::compat::set_cuda_autocast_enabled(true);
    torch::Tensor loss;
    for (const auto& [name, value] : model->forward_train(imgs, labels))
      if (name == "loss_cls") loss = value;
    if (amp) {
      tubelet::compat::set_cuda_autocast_enabled(false);
      at::autocast::clear_cache();
      scaler.scale(loss).backward();
      scaler.step(*sgd);
      scaler.update();
    } else {
      loss.backward();
      sgd->step();
    }
    tubelet::dist::synchronize(device);
  }
};

Step make_step(const Settings& s) {
  Step step;
  step.device = tubelet::dist::resolve_device(s.device);
  step.amp = s.fp16 && step.device.is_cuda();
  const bool tsn = s.model == "tsn";
  step.model = std::dynamic_pointer_cast<tubelet::BaseRecognizerImpl>(tubelet::build_model(
      tubelet::load_config_text(tsn ? kTsn : kI3d, "/tmp/bench.py").at("model")));
  step.model->to(step.device);
  step.model->train();
  // MMAction2's schedule for these models: SGD, momentum 0.9, weight decay 1e-4.
  step.sgd = std::make_unique<torch::optim::SGD>(
      step.model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9).weight_decay(1e-4));
  // TSN: `frames` segments of a video, each an image; I3D: one clip of `frames` frames.
  auto options = torch::TensorOptions().device(step.device);
  step.imgs = tsn ? torch::randn({s.batch, s.frames, 3, s.size, s.size}, options)
                  : torch::randn({s.batch, 1, 3, s.frames, s.size, s.size}, options);
  step.labels = torch::randint(400, {s.batch}, options.dtype(torch::kLong));
  return step;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Times warmup + iterations steps and prints the JSON line.
void bench(const Settings& s) {
  if (s.threads > 0) torch::set_num_threads(s.threads);
  torch::manual_seed(0);
  Step step = make_step(s);
  // MMAction2's configs train with cudnn_benchmark = True; the PyTorch side sets it too.
  tubelet::dist::set_cudnn_benchmark(step.device.is_cuda());
  std::vector<double> ms;
  for (int i = 0; i < s.warmup + s.iterations; ++i) {
    // The peak of the timed steps: cuDNN's algorithm search in the warm-up is not training.
    if (i == s.warmup) tubelet::dist::reset_peak_memory(step.device);
    auto start = std::chrono::steady_clock::now();
    step.run();
    double elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (i >= s.warmup) ms.push_back(elapsed);
  }
  int64_t params = 0;
  for (const auto& p : step.model->parameters()) params += p.numel();
  const double med = median(ms);
  const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  const double images_per_s = static_cast<double>(s.batch * s.frames) / (med / 1000.0);
  const double peak_gpu = static_cast<double>(tubelet::dist::peak_memory_bytes(step.device));
  std::printf(
      "{\"side\": \"tubelet\", \"model\": \"%s\", \"device\": \"%s\", \"fp16\": %s, "
      "\"amp\": %s, \"batch\": %lld, \"frames\": %lld, \"size\": %lld, \"threads\": %d, "
      "\"median_ms\": %.2f, \"mean_ms\": %.2f, \"iterations\": %d, \"images_per_s\": %.1f, "
      "\"params\": %lld, \"peak_rss_mib\": %.0f, \"peak_gpu_mib\": %.0f}\n",
      s.model.c_str(), step.device.str().c_str(), s.fp16 ? "true" : "false",
      step.amp ? "true" : "false", static_cast<long long>(s.batch),
      static_cast<long long>(s.frames), static_cast<long long>(s.size), torch::get_num_threads(),
      med, mean, s.iterations, images_per_s, static_cast<long long>(params), peak_rss_mib(),
      peak_gpu / (1024.0 * 1024.0));
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  try {
    s = parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "model_step_bench: %s\n%s", e.what(), kUsage);
    return 2;
  }
  try {
    bench(s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "model_step_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
