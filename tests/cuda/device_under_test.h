// What the Cuda* tests share: the device they compare with the CPU, the numerics they set for
// the comparison, and the tolerance they compare with.
#pragma once

#include <ATen/Context.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/types.h>

#include <cstdlib>
#include <string>

namespace tubelet::test {

// cuda:0 unless TUBELET_TEST_DEVICE says otherwise: "cpu" runs the same comparisons CPU
// against CPU, so that scripts/gpu-check.sh --cpu tests these tests on a machine without a GPU.
inline std::string test_device_name() {
  const char* name = std::getenv("TUBELET_TEST_DEVICE");
  return name && *name ? name : "cuda";
}

// TUBELET_REQUIRE_CUDA=1 (scripts/gpu-check.sh on the GPU machine) turns a missing GPU into a
// failure: there a skip would pass a check that never ran.
inline bool cuda_required() {
  const char* v = std::getenv("TUBELET_REQUIRE_CUDA");
  return v && std::string(v) == "1";
}

// Float32 on a GPU against float32 on the CPU. With TF32 off (below), both round every
// product and sum to float32 (24-bit mantissa, 6e-8 relative), but cuDNN, cuBLAS and the CPU's
// oneDNN/BLAS kernels sum in different orders and pick different algorithms (Winograd, FFT,
// implicit GEMM). A sum of K terms then differs by up to ~K * 6e-8 of the sum of |terms|: for
// the reductions of these tiny models (K up to a few thousand: a conv's C*k*k*k, batch norm's
// N*T*H*W, a weight gradient's N*T*H*W) that is ~1e-5..1e-4 of the tensor's scale, and batch
// norm over few values divides by a small standard deviation, which can multiply it by ~10.
// So outputs and gradients must agree to 1e-3 of the tensor's largest magnitude (plus 1e-5
// for tensors that are ~0): an order of magnitude above that rounding, and far below what a
// real fault gives (a wrong layout or stride, a missing term, a mixed-up index or a stale
// buffer shows as O(1e-2..1) relative). TF32 multiplies with a 10-bit mantissa (~5e-4
// relative per product, which sums through a layer to the size of this tolerance), hence it
// is switched off.
constexpr double kDeviceRelTol = 1e-3;
constexpr double kDeviceAbsTol = 1e-5;

// `got` (any device) against `want`: same shape and dtype, and floats with
// max |got - want| <= kDeviceAbsTol + kDeviceRelTol * max |want|; other dtypes exactly.
inline ::testing::AssertionResult device_close(const torch::Tensor& got, const torch::Tensor& want,
                                               const std::string& what) {
  if (got.defined() != want.defined())
    return ::testing::AssertionFailure()
           << what << ": defined on " << (got.defined() ? "the device" : "the CPU") << " only";
  if (!got.defined()) return ::testing::AssertionSuccess();
  if (got.sizes() != want.sizes() || got.scalar_type() != want.scalar_type())
    return ::testing::AssertionFailure()
           << what << ": " << got.sizes() << " " << got.scalar_type() << " against " << want.sizes()
           << " " << want.scalar_type();
  torch::Tensor a = got.detach().to(torch::kCPU);
  torch::Tensor b = want.detach().to(torch::kCPU);
  if (!b.is_floating_point())
    return torch::equal(a, b) ? ::testing::AssertionSuccess()
                              : ::testing::AssertionFailure() << what << ": values differ";
  if (b.numel() == 0) return ::testing::AssertionSuccess();
  a = a.to(torch::kDouble);
  b = b.to(torch::kDouble);
  if (!torch::isfinite(a).all().item<bool>() || !torch::isfinite(b).all().item<bool>())
    return ::testing::AssertionFailure() << what << ": not finite";
  const double scale = b.abs().max().item<double>();
  const double diff = (a - b).abs().max().item<double>();
  const double bound = kDeviceAbsTol + kDeviceRelTol * scale;
  if (diff <= bound) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": max |difference| " << diff << " > " << bound
                                       << " (largest |value| " << scale << ")";
}

// A test on the device under test (see test_device_name), skipped without a GPU. cuDNN and
// cuBLAS run in IEEE float32 (no TF32) with deterministic algorithms, and the settings are
// put back afterwards.
class DeviceTest : public ::testing::Test {
 protected:
  void SetUp() override { select(test_device_name()); }
  void TearDown() override {
    auto& context = at::globalContext();
    context.setAllowTF32CuDNN(saved_.tf32_cudnn);
    context.setAllowTF32CuBLAS(saved_.tf32_cublas);
    context.setDeterministicCuDNN(saved_.deterministic);
    context.setBenchmarkCuDNN(saved_.benchmark);
  }

  // Sets `device` to "cpu" or a GPU, or skips (fails under TUBELET_REQUIRE_CUDA=1) the test.
  void select(const std::string& name) {
    auto& context = at::globalContext();
    saved_ = {context.allowTF32CuDNN(), context.allowTF32CuBLAS(), context.deterministicCuDNN(),
              context.benchmarkCuDNN()};
    context.setAllowTF32CuDNN(false);
    context.setAllowTF32CuBLAS(false);
    context.setDeterministicCuDNN(true);
    context.setBenchmarkCuDNN(false);
    if (name == "cpu") return;
    if (!torch::cuda::is_available()) {
      const std::string why =
          "no CUDA: this LibTorch was built without it or the machine has no GPU";
      if (cuda_required()) GTEST_FAIL() << why << " (TUBELET_REQUIRE_CUDA=1)";
      GTEST_SKIP() << why;
    }
    device = torch::Device(name == "cuda" ? "cuda:0" : name);
  }

  torch::Device device{torch::kCPU};

 private:
  struct Saved {
    bool tf32_cudnn = false, tf32_cublas = false, deterministic = false, benchmark = false;
  };
  Saved saved_;
};

}  // namespace tubelet::test
