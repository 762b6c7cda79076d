// Where train/test/infer compute: --device, the config's device and gpu_ids, and the errors.
#include <gtest/gtest.h>

#include <ATen/Context.h>
#include <torch/cuda.h>

#include "support/paths.h"
#include "tubelet/apis/run_device.h"
#include "tubelet/apis/train.h"
#include "tubelet/config/config.h"

namespace tubelet::run_device_test {
namespace {

RunConfig config(const std::string& text) {
  return read_run_config(load_config_text(text + "\n", "/tmp/device.py"));
}

TEST(RunDevice, OptionThenConfigThenCpu) {
  EXPECT_TRUE(run_device(config("x = 1"), std::nullopt).is_cpu());
  EXPECT_TRUE(run_device(config("device = 'cpu'"), std::nullopt).is_cpu());
  EXPECT_TRUE(run_device(config("device = None"), std::nullopt).is_cpu());
  // --device wins over the config (which would fail on a machine without CUDA).
  EXPECT_TRUE(run_device(config("device = 'cuda'"), std::string("cpu")).is_cpu());
}

TEST(RunDevice, ErrorsSayWhatWasAskedFor) {
  EXPECT_NE(test::error_of([] {
              run_device(config("device = 0"), std::nullopt);
            }).find("device must be a string"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              run_device(config("x = 1"), std::string("gpu"));
            }).find("device must be 'cpu', 'cuda' or 'cuda:N', not 'gpu'"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              run_device(config("device = 'cuda'\ngpu_ids = []"), {});
            }).find("gpu_ids must be a non-empty list"),
            std::string::npos);
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has CUDA";
  EXPECT_NE(test::error_of([] {
              run_device(config("device = 'cuda'"), std::nullopt);
            }).find("CUDA is not available"),
            std::string::npos);
}

TEST(RunDevice, GpuIdsPickTheGpuOfAOneProcessRun) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA here";
  const torch::Device d = run_device(config("device = 'cuda'\ngpu_ids = range(0, 1)"), {});
  EXPECT_EQ(d, torch::Device(torch::kCUDA, 0));
}

// mmcv's set_random_seed(deterministic=True): deterministic cuDNN, no benchmark.
TEST(RunDevice, DeterministicSeedTurnsOffCudnnBenchmark) {
  auto& ctx = at::globalContext();
  const bool algorithms = ctx.deterministicAlgorithms();
  ctx.setBenchmarkCuDNN(true);
  set_random_seed(3, true);
  EXPECT_TRUE(ctx.deterministicCuDNN());
  EXPECT_FALSE(ctx.benchmarkCuDNN());
  EXPECT_TRUE(ctx.deterministicAlgorithms());
  // PyTorch's default: TF32 in cuDNN convolutions, left on as PyTorch has it.
  EXPECT_TRUE(ctx.allowTF32CuDNN());
  ctx.setDeterministicCuDNN(false);
  ctx.setDeterministicAlgorithms(algorithms, false);
}

}  // namespace
}  // namespace tubelet::run_device_test
