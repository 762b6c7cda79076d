// The check of a pipeline's stacked output against a golden/pipeline file: the first view bit
// for bit and every view's sum and sum of squares. Shared by the in-process golden test and
// the dump-pipeline command's test.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tubelet/checkpoint/checkpoint.h"

namespace tubelet::test {

inline void expect_golden_output(const torch::Tensor& imgs, const checkpoint::StateDict& pth) {
  auto shape = pth["imgs_shape"];
  EXPECT_EQ(imgs.sizes().vec(), std::vector<int64_t>(shape.data_ptr<int64_t>(),
                                                     shape.data_ptr<int64_t>() + shape.numel()));
  EXPECT_TRUE(torch::equal(imgs[0], pth["imgs_view0"]));
  auto flat = imgs.to(torch::kFloat64).flatten(1);
  EXPECT_TRUE(torch::allclose(flat.sum(1), pth["view_sum"], 1e-9, 1e-6));
  EXPECT_TRUE(torch::allclose(flat.pow(2).sum(1), pth["view_sumsq"], 1e-9, 1e-6));
}

}  // namespace tubelet::test
