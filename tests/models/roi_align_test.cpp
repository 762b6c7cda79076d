// RoIAlign / RoIPool against mmcv 1.7.0's semantics: fixtures from torchvision.ops.roi_align
// (whose kernel is mmcv's) and a plain-Python transcription of mmcv's kernels
// (tools/fixtures/make_ava_model_fixtures.py), plus hand-computed cases and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/models/roi/roi_align.h"

namespace roi_align_test {

using namespace tubelet;

std::map<std::string, torch::Tensor> roi_ops_fixture() {
  std::map<std::string, torch::Tensor> out;
  auto ck = checkpoint::load_checkpoint(
      (test::source_dir() / "tests/fixtures/ava_models/roi_ops.pth").string());
  for (const auto& item : ck.state_dict) out[item.key()] = item.value();
  return out;
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected, double atol,
                  const std::string& what) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  const double diff =
      (actual.to(torch::kDouble) - expected.to(torch::kDouble)).abs().max().item<double>();
  EXPECT_LE(diff, atol) << what;
}

TEST(RoIAlignTest, MatchesMmcvAvgMaxAndGradients) {
  auto f = roi_ops_fixture();
  const torch::Tensor& x = f.at("input");
  const torch::Tensor& rois = f.at("rois");
  for (bool aligned : {true, false}) {
    for (int64_t sr : {0, 2}) {
      const std::string tag =
          std::string(aligned ? "aligned" : "legacy") + "_sr" + std::to_string(sr);
      RoIAlignOptions o;
      o.output_size({3, 4}).spatial_scale(0.5).sampling_ratio(sr).aligned(aligned);
      torch::Tensor xi = x.clone().requires_grad_(true);
      torch::Tensor y = roi_align(xi, rois, o);
      expect_close(y, f.at("avg_" + tag), 1e-12, "avg " + tag);
      torch::Tensor w = torch::linspace(-1, 1, y.numel(), torch::kDouble).view_as(y);
      (y * w).sum().backward();
      expect_close(xi.grad(), f.at("avg_" + tag + "_grad"), 1e-12, "grad " + tag);
      expect_close(roi_align(x, rois, o.pool_mode("max")), f.at("max_" + tag), 1e-12, "max " + tag);
    }
  }
  torch::Tensor y32 = roi_align(f.at("input_f32"), rois.to(torch::kFloat),
                                RoIAlignOptions().output_size({2}).spatial_scale(0.25));
  EXPECT_EQ(y32.scalar_type(), torch::kFloat);
  expect_close(y32, f.at("avg_aligned_sr0_f32"), 1e-6, "float32");
}

TEST(RoIAlignTest, HandComputed) {
  // [[1, 2], [3, 4]]; aligned RoI (0, 0)-(2, 2): a 2 x 2 grid samples the four pixel centres.
  torch::Tensor x = torch::tensor({1.f, 2.f, 3.f, 4.f}).view({1, 1, 2, 2});
  torch::Tensor roi = torch::tensor({0.f, 0.f, 0.f, 2.f, 2.f}).view({1, 5});
  RoIAlignOptions o;
  o.output_size({1});
  EXPECT_FLOAT_EQ(roi_align(x, roi, o).item<float>(), 2.5f);
  EXPECT_FLOAT_EQ(roi_align(x, roi, o.pool_mode("max")).item<float>(), 4.f);
  // Legacy: the RoI starts at pixel 0 and one sample (grid 1 x 1 of a 1-pixel bin, ceil(2/2)):
  // output 2 x 2 of bins 1 pixel wide sampled at their centres (0.5, 0.5) etc.
  torch::Tensor legacy = roi_align(x, roi, RoIAlignOptions().output_size({2}).aligned(false));
  EXPECT_TRUE(torch::allclose(legacy.view({4}), torch::tensor({2.5f, 3.f, 3.5f, 4.f}))) << legacy;
  // No RoIs: an empty result of the right shape.
  EXPECT_EQ(roi_align(x, torch::zeros({0, 5}), o).sizes(), (std::vector<int64_t>{0, 1, 1, 1}));
}

TEST(RoIPoolTest, MatchesMmcvKernel) {
  auto f = roi_ops_fixture();
  torch::Tensor y = roi_pool(f.at("input"), f.at("rois"),
                             RoIPoolOptions().output_size({3, 4}).spatial_scale(0.5));
  expect_close(y, f.at("pool"), 0, "RoIPool");
  // Gradient: each output's max position.
  torch::Tensor x = torch::tensor({1.f, 5.f, 3.f, 4.f}).view({1, 1, 2, 2}).requires_grad_(true);
  torch::Tensor out = roi_pool(x, torch::tensor({0.f, 0.f, 0.f, 1.f, 1.f}).view({1, 5}),
                               RoIPoolOptions().output_size({1}));
  EXPECT_FLOAT_EQ(out.item<float>(), 5.f);
  out.sum().backward();
  EXPECT_TRUE(torch::equal(x.grad().view({4}), torch::tensor({0.f, 1.f, 0.f, 0.f})));
}

TEST(RoIAlignTest, Errors) {
  torch::Tensor x = torch::zeros({2, 1, 4, 4});
  auto message = [&](const std::function<void()>& f) { return test::error_of(f); };
  RoIAlignOptions o;
  EXPECT_NE(message([&] {
              roi_align(x, torch::zeros({3, 4}), o);
            }).find("RoIAlign: rois must be [K, 5]"),
            std::string::npos);
  EXPECT_NE(message([&] {
              roi_align(x, torch::tensor({2.f, 0.f, 0.f, 1.f, 1.f}).view({1, 5}), o);
            }).find("outside the input's batch of 2"),
            std::string::npos);
  EXPECT_NE(message([&] {
              roi_align(x, torch::tensor({-1.f, 0.f, 0.f, 1.f, 1.f}).view({1, 5}), o);
            }).find("batch index (-1)"),
            std::string::npos);
  EXPECT_NE(message([&] {
              roi_align(x, torch::zeros({1, 5}), RoIAlignOptions().pool_mode("min"));
            }).find("pool_mode"),
            std::string::npos);
  EXPECT_NE(message([&] {
              roi_align(x, torch::zeros({1, 5}), RoIAlignOptions().output_size({0}));
            }).find("output_size"),
            std::string::npos);
  EXPECT_NE(message([&] {
              roi_align(x.view({2, 16}), torch::zeros({1, 5}), o);
            }).find("[N, C, H, W]"),
            std::string::npos);
  EXPECT_NE(message([&] {
              roi_align(x, torch::tensor({0.f, 3.f, 0.f, 1.f, 1.f}).view({1, 5}), o);
            }).find("negative width"),
            std::string::npos);
  EXPECT_NE(message([&] {
              roi_pool(x, torch::zeros({1, 6}), RoIPoolOptions());
            }).find("RoIPool: rois must be [K, 5]"),
            std::string::npos);
}

TEST(RoIAlignTest, CudaMatchesCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto f = roi_ops_fixture();
  for (const char* mode : {"avg", "max"}) {
    RoIAlignOptions o;
    o.output_size({3, 4}).spatial_scale(0.5).pool_mode(mode);
    torch::Tensor cpu = roi_align(f.at("input"), f.at("rois"), o);
    torch::Tensor gpu = roi_align(f.at("input").cuda(), f.at("rois").cuda(), o);
    expect_close(gpu.cpu(), cpu, 1e-12, mode);
  }
}

}  // namespace roi_align_test
