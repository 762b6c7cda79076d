// Training on the GPU beyond single forward/backward passes: mixed precision (autocast and
// loss scaling, through LossScaler and through Fp16OptimizerHook in a runner), a one-process
// c10d group (NCCL on a GPU) under data parallelism, a checkpoint carried GPU -> CPU -> GPU with
// its optimizer state, and the device helpers the benchmark reads. On a machine without a GPU
// they skip, except the CPU instance of the loss-scaling test; TUBELET_TEST_DEVICE=cpu runs
// them all on the CPU (Gloo instead of NCCL) to test the tests.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "cuda/device_under_test.h"
#include "distributed/loopback_port.h"
#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/distributed/collectives.h"
#include "tubelet/distributed/data_parallel.h"
#include "tubelet/distributed/device.h"
#include "tubelet/engine/hooks/fp16_optimizer_hook.h"
#include "tubelet/engine/registries.h"
#include "tubelet/engine/runner.h"
#include "tubelet/torch_compat.h"

namespace tubelet::cuda_training_test {
namespace {

// conv -> batch norm -> ReLU -> linear over 3 classes, cross-entropy; remembers the dtype its
// convolution computed in (half under autocast). The linear layer sees the whole map (not a
// pooled one), so that a few steps memorize the fixed batch below.
class TinyConvNet : public torch::nn::Module, public Trainable {
 public:
  TinyConvNet() {
    torch::manual_seed(0);
    conv = register_module("conv", torch::nn::Conv3d(torch::nn::Conv3dOptions(3, 4, 3).padding(1)));
    bn = register_module("bn", torch::nn::BatchNorm3d(4));
    fc = register_module("fc", torch::nn::Linear(4 * 4 * 8 * 8, 3));
  }
  StepOutputs train_step(const Batch& batch) override {
    torch::Tensor x = conv(batch.at("imgs"));
    conv_dtype = x.scalar_type();
    torch::Tensor scores = fc(torch::relu(bn(x)).flatten(1));
    return parse_losses({{"loss_cls", torch::cross_entropy_loss(scores, batch.at("label"))}},
                        batch.size());
  }
  StepOutputs val_step(const Batch& batch) override { return train_step(batch); }

  torch::nn::Conv3d conv{nullptr};
  torch::nn::BatchNorm3d bn{nullptr};
  torch::nn::Linear fc{nullptr};
  torch::ScalarType conv_dtype = torch::kFloat;
};

// Six clips of three classes, the same every time: a model that learns lowers its loss on it.
Batch fixed_batch(const torch::Device& device) {
  auto gen = torch::make_generator<torch::CPUGeneratorImpl>(5);
  Batch b;
  b.tensors = {{"imgs", torch::randn({6, 3, 4, 8, 8}, gen).to(device)},
               {"label", torch::tensor({0, 1, 2, 0, 1, 2}, torch::kLong).to(device)}};
  return b;
}

// The same batch `n` times per pass.
class FixedBatches : public DataLoader {
 public:
  FixedBatches(Batch batch, int64_t n) : batch_(std::move(batch)), n_(n) {}
  int64_t size() const override { return n_; }
  void start() override { given_ = 0; }
  std::optional<Batch> next() override {
    if (given_ == n_) return std::nullopt;
    ++given_;
    return batch_;
  }

 private:
  Batch batch_;
  int64_t n_;
  int64_t given_ = 0;
};

std::vector<torch::Tensor> snapshot(torch::nn::Module& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model.parameters()) out.push_back(p.detach().cpu().clone());
  return out;
}

bool same(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

// Gradient hook that turns the conv weight's gradient into inf/nan, as an fp16 overflow does.
unsigned plant_inf(torch::nn::Conv3d& conv) {
  return conv->weight.register_hook(
      [](torch::Tensor g) { return g * std::numeric_limits<float>::infinity(); });
}

// ---- Mixed precision with LossScaler, on the CPU and on the device under test ----

class CudaFp16Training : public test::DeviceTest,
                         public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override { select(GetParam() == "cpu" ? "cpu" : test::test_device_name()); }
};

// GradScaler's loop: autocast forward (CUDA only: as torch.cuda.amp, no autocast on the CPU),
// scaled backward, step unless a gradient is not finite, update the scale. Step 4's gradient
// is planted with inf: that step must leave the weights alone and halve the scale; the others
// must step and lower the loss.
TEST_P(CudaFp16Training, ScaledStepsLowerTheLossAndAPlantedInfIsSkipped) {
  const bool autocast = device.is_cuda();
  TinyConvNet model;
  model.to(device);
  torch::optim::SGD sgd(model.parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  LossScaler scaler({1024.0, 2.0, 0.5, 1000});
  const Batch batch = fixed_batch(device);
  constexpr int kPlanted = 4;
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    sgd.zero_grad();
    if (autocast) compat::set_cuda_autocast_enabled(true);
    torch::Tensor loss = model.train_step(batch).loss;
    if (autocast) {
      compat::set_cuda_autocast_enabled(false);
      at::autocast::clear_cache();
    }
    EXPECT_EQ(model.conv_dtype, autocast ? torch::kHalf : torch::kFloat);
    EXPECT_EQ(loss.scalar_type(), torch::kFloat);  // cross-entropy runs in float32
    const auto before = snapshot(model);
    const double scale = scaler.current_scale();
    unsigned hook = step == kPlanted ? plant_inf(model.conv) : 0;
    scaler.scale(loss).backward();
    const bool stepped = scaler.step(sgd);
    scaler.update();
    if (step == kPlanted) {
      model.conv->weight.remove_hook(hook);
      EXPECT_FALSE(stepped);
      EXPECT_TRUE(same(snapshot(model), before)) << "the planted inf step changed the weights";
      EXPECT_DOUBLE_EQ(scaler.current_scale(), scale * 0.5);
    } else {
      EXPECT_TRUE(stepped) << "step " << step << " found a non-finite gradient";
      EXPECT_FALSE(same(snapshot(model), before)) << "step " << step;
    }
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.5 * first) << first << " -> " << last;
}

INSTANTIATE_TEST_SUITE_P(Devices, CudaFp16Training, ::testing::Values("cpu", "cuda"));

// ---- Fp16OptimizerHook in a runner ----

Value config_value(const std::string& text) {
  return load_config_text("v = " + text + "\n", "/tmp/cuda_training.py").at("v");
}

struct TinyRun {
  TinyRun(const torch::Device& device, int64_t max_epochs, std::filesystem::path work_dir = {}) {
    model = std::make_shared<TinyConvNet>();
    model->to(device);
    optimizer = std::make_shared<torch::optim::SGD>(model->parameters(),
                                                    torch::optim::SGDOptions(0.05).momentum(0.9));
    RunnerParts parts;
    parts.model = model;
    parts.optimizer = optimizer;
    parts.work_dir = std::move(work_dir);
    parts.logger = std::make_shared<Logger>("mmaction", false);
    runner = RUNNERS().build(config_value("dict(type='EpochBasedRunner', max_epochs=" +
                                          std::to_string(max_epochs) + ")"),
                             {"runner"}, parts);
  }
  std::shared_ptr<TinyConvNet> model;
  std::shared_ptr<torch::optim::SGD> optimizer;
  std::shared_ptr<Runner> runner;
};

// Watches each iteration after the optimizer hook: the loss, whether iteration `planted`
// (whose conv gradient it plants with inf) left the weights alone, and the loss scale.
class Fp16Probe : public Hook {
 public:
  Fp16Probe(TinyConvNet* model, int64_t planted) : model_(model), planted_(planted) {}
  std::string type() const override { return "Fp16Probe"; }
  void before_train_iter(Runner& runner) override {
    before_ = snapshot(*model_);
    scale_before_ = scale(runner);
    if (runner.iter() == planted_) hook_ = plant_inf(model_->conv);
  }
  void after_train_iter(Runner& runner) override {
    losses.push_back(runner.outputs().loss.item<double>());
    dtypes.push_back(model_->conv_dtype);
    if (runner.iter() != planted_) return;
    model_->conv->weight.remove_hook(hook_);
    planted_kept_weights = same(snapshot(*model_), before_);
    planted_scales = {scale_before_, scale(runner)};
  }

  std::vector<double> losses;
  std::vector<torch::ScalarType> dtypes;
  bool planted_kept_weights = false;
  std::pair<double, double> planted_scales;

 private:
  // runner.meta['fp16']['loss_scaler']['scale'], where Fp16OptimizerHook keeps it; 0 before
  // its first step.
  static double scale(Runner& runner) {
    const Value* fp16 = runner.meta().find("fp16");
    if (!fp16) return 0;
    return fp16->as_dict().at("loss_scaler").as_dict().at("scale").as_float();
  }
  TinyConvNet* model_;
  int64_t planted_;
  unsigned hook_ = 0;
  std::vector<torch::Tensor> before_;
  double scale_before_ = 0;
};

class CudaFp16OptimizerHook : public test::DeviceTest {};

// MMAction2's `fp16 = dict(loss_scale=...)` path: the hook runs the forward under autocast,
// scales the loss, skips the planted step (scale halved, weights kept) and trains.
TEST_F(CudaFp16OptimizerHook, RunnerTrainsUnderAutocastAndSkipsAPlantedInf) {
  if (!device.is_cuda()) GTEST_SKIP() << "the hook turns itself off without a GPU";
  TinyRun run(device, 1);
  run.runner->register_hook_from_cfg(
      config_value("dict(type='Fp16OptimizerHook', loss_scale=dict(init_scale=512., "
                   "growth_interval=1000))"),
      "optimizer_config");
  auto probe = std::make_shared<Fp16Probe>(run.model.get(), /*planted=*/3);
  run.runner->register_hook(probe, Value("LOWEST"));
  FixedBatches loader(fixed_batch(device), 30);
  run.runner->run({&loader}, {{"train", 1}});
  ASSERT_EQ(probe->losses.size(), 30u);
  for (torch::ScalarType t : probe->dtypes) EXPECT_EQ(t, torch::kHalf);
  EXPECT_TRUE(probe->planted_kept_weights);
  EXPECT_DOUBLE_EQ(probe->planted_scales.first, 512.0);
  EXPECT_DOUBLE_EQ(probe->planted_scales.second, 256.0);
  EXPECT_LT(probe->losses.back(), 0.5 * probe->losses.front())
      << probe->losses.front() << " -> " << probe->losses.back();
}

// ---- A one-process group: NCCL on a GPU (Gloo when the device under test is the CPU) ----

class CudaProcessGroup : public test::DeviceTest {};

dist::ProcessGroupPtr one_rank_group(const torch::Device& device) {
  const int port = test::free_loopback_port();
  const auto timeout = std::chrono::seconds(60);
  if (device.is_cuda()) return dist::new_nccl_group("127.0.0.1", port, 0, 1, timeout);
  return dist::new_gloo_group("127.0.0.1", port, 0, 1, timeout);
}

// The collectives a distributed run makes (the gradient all-reduce in buckets, parameters from
// rank 0, averaged logs, the seed, gathered test results), on a group of one: every result is
// this rank's own.
TEST_F(CudaProcessGroup, OneRankRunsTheCollectivesAndDataParallelTraining) {
#ifndef USE_C10D_NCCL
  if (device.is_cuda()) GTEST_SKIP() << "this LibTorch was built without NCCL (USE_C10D_NCCL)";
#endif
  if (!device.is_cuda() && !dist::gloo_available())
    GTEST_SKIP() << "this Tubelet was built without Gloo (TUBELET_WITH_GLOO=OFF)";
  auto group = one_rank_group(device);
  std::vector<torch::Tensor> sum{
      torch::arange(4, torch::TensorOptions(device).dtype(torch::kFloat))};
  dist::wait_for(group->allreduce(sum), "all-reduce", *group);
  EXPECT_TRUE(torch::equal(sum[0].cpu(), torch::arange(4, torch::kFloat)));
  std::vector<std::pair<std::string, double>> logs{{"loss", 2.5}, {"top1_acc", 0.25}};
  dist::average_log_vars(logs, *group);
  EXPECT_DOUBLE_EQ(logs[0].second, 2.5);
  EXPECT_EQ(dist::broadcast_seed(1234, *group), 1234u);
  auto rows = torch::arange(6, torch::kFloat).reshape({3, 2});
  EXPECT_TRUE(torch::equal(dist::collect_results(rows, 3, *group), rows));

  auto model = std::make_shared<TinyConvNet>();
  model->to(device);
  TinyConvNet reference;
  reference.to(device);
  dist::DistributedDataParallel ddp(model, group);
  const Batch batch = fixed_batch(device);
  for (int pass = 0; pass < 2; ++pass) {  // the second runs on the rebuilt buckets
    model->zero_grad();
    reference.zero_grad();
    model->train_step(batch).loss.backward();
    reference.train_step(batch).loss.backward();
    const auto got = model->named_parameters(), want = reference.named_parameters();
    for (const auto& p : want)
      EXPECT_TRUE(test::device_close(got[p.key()].grad(), p.value().grad(), p.key()));
  }
  EXPECT_EQ(ddp.reductions(), 2);
}

// ---- A checkpoint carried GPU -> CPU -> GPU ----

class CudaCheckpoint : public test::DeviceTest {};

// Two epochs on the device, resumed on the CPU for a third (weights and the optimizer's
// momentum follow), resumed on the device for a fourth; CheckpointHook writes epoch_N.pth as
// in training. Each resume must give back the weights bit for bit, and training must go on
// from there on the other device.
TEST_F(CudaCheckpoint, ResumesGpuToCpuToGpu) {
  test::TempDir dir;
  FixedBatches on_device(fixed_batch(device), 2), on_cpu(fixed_batch(torch::kCPU), 2);
  auto train = [&](TinyRun& run, FixedBatches& loader, const std::filesystem::path& from) {
    run.runner->register_hook_from_cfg(config_value("dict(type='OptimizerHook')"),
                                       "optimizer_config");
    run.runner->register_hook_from_cfg(config_value("dict(type='CheckpointHook', interval=1)"),
                                       "checkpoint_config");
    if (!from.empty()) run.runner->resume(from);
    const auto resumed = snapshot(*run.model);
    run.runner->run({&loader}, {{"train", 1}});
    EXPECT_FALSE(same(snapshot(*run.model), resumed)) << "no training after the resume";
    return resumed;
  };

  TinyRun first(device, 2, dir.path() / "gpu");
  train(first, on_device, {});
  TinyRun second(torch::kCPU, 3, dir.path() / "cpu");
  EXPECT_TRUE(
      same(train(second, on_cpu, dir.path() / "gpu" / "epoch_2.pth"), snapshot(*first.model)));
  EXPECT_EQ(second.runner->epoch(), 3);
  TinyRun third(device, 4, dir.path() / "gpu2");
  EXPECT_TRUE(
      same(train(third, on_device, dir.path() / "cpu" / "epoch_3.pth"), snapshot(*second.model)));
  EXPECT_EQ(third.runner->epoch(), 4);
  for (const auto& p : third.model->parameters()) EXPECT_EQ(p.device(), device);
}

// ---- What the benchmark reads ----

class CudaDevice : public test::DeviceTest {};

TEST_F(CudaDevice, PeakMemoryCountsWhatWasAllocated) {
  dist::synchronize(device);
  dist::reset_peak_memory(device);
  const int64_t before = dist::peak_memory_bytes(device);
  {
    auto big = torch::empty({64, 1024, 1024}, torch::TensorOptions(device));  // 256 MiB
    dist::synchronize(device);
  }
  const int64_t peak = dist::peak_memory_bytes(device);
  if (device.is_cpu()) {
    EXPECT_EQ(peak, 0);  // documented: the CPU has no such counter
    return;
  }
  EXPECT_GE(peak - before, int64_t{256} << 20);
  dist::reset_peak_memory(device);
  EXPECT_LT(dist::peak_memory_bytes(device), peak);
}

}  // namespace
}  // namespace tubelet::cuda_training_test
