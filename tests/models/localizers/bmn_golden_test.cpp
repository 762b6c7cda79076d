// BMN against MMAction2 0.24.1 itself: ../shared/golden/forward/bmn_small (weights, input,
// the forward outputs and the proposal list of forward_test).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/localizers/bmn.h"

namespace tubelet::bmn_golden_test {
namespace {

constexpr const char* kBmnSmall =
    "dict(type='BMN', temporal_dim=16, boundary_ratio=0.5, num_samples=8, "
    "num_samples_per_bin=3, feat_dim=32, soft_nms_alpha=0.4, soft_nms_low_threshold=0.5, "
    "soft_nms_high_threshold=0.9, post_process_top_k=100, hidden_dim_1d=32, hidden_dim_2d=16, "
    "hidden_dim_3d=64)";

std::shared_ptr<BMNImpl> build_bmn(const std::string& text) {
  auto module = build_model(load_config_text("model = " + text + "\n", "/tmp/bmn.py").at("model"));
  auto bmn = std::dynamic_pointer_cast<BMNImpl>(module);
  EXPECT_TRUE(bmn);
  return bmn;
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

TEST(BMNGolden, MatchesMmaction2ForwardAndProposals) {
  TUBELET_REQUIRE_SHARED();
  auto file = test::shared_dir() / "golden/forward/bmn_small.pth";
  auto ckpt = checkpoint::load_checkpoint(file.string());
  auto model = build_bmn(kBmnSmall);
  // The same keys in the same order: sample_mask first, bm_mask absent.
  auto ours = checkpoint::state_dict(*model);
  ASSERT_EQ(ours.size(), ckpt.state_dict.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i].key(), ckpt.state_dict[i].key()) << i;
    EXPECT_EQ(ours[i].value().sizes(), ckpt.state_dict[i].value().sizes()) << ours[i].key();
  }
  // Our sample_mask is computed, not loaded: it must equal MMAction2's before loading.
  EXPECT_EQ(max_abs_diff(model->sample_mask, ckpt.state_dict["sample_mask"]), 0.0);
  auto report = checkpoint::load_state_dict(*model, ckpt.state_dict, /*strict=*/true);
  EXPECT_TRUE(report.ok()) << report.message();
  model->eval();
  auto tensor = [&](const char* key) { return ckpt.raw.root->get(key)->tensor; };
  torch::NoGradGuard no_grad;
  BMNOutputs out = model->forward(tensor("input"));
  EXPECT_LE(max_abs_diff(out.confidence_map, tensor("confidence_map")), 1e-6);
  EXPECT_LE(max_abs_diff(out.start, tensor("start")), 1e-6);
  EXPECT_LE(max_abs_diff(out.end, tensor("end")), 1e-6);

  Batch batch;
  batch.tensors.emplace_back("raw_feature", tensor("input"));
  Dict meta;
  meta.set("video_name", Value("v_test"));
  meta.set("duration_second", Value(20.0));
  meta.set("duration_frame", Value(int64_t{512}));
  meta.set("feature_frame", Value(int64_t{512}));
  batch.metas.push_back(meta);
  ASSERT_TRUE(model->gives_records());
  List records = model->test_records(batch);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].as_dict().at("video_name").as_str(), "v_test");
  const List& proposals = records[0].as_dict().at("proposal_list").as_list();
  torch::Tensor expected = tensor("output");  // [seg0, seg1, score] float64
  ASSERT_EQ(static_cast<int64_t>(proposals.size()), expected.size(0));
  auto e = expected.accessor<double, 2>();
  double segment_diff = 0, score_diff = 0;
  for (size_t i = 0; i < proposals.size(); ++i) {
    const Dict& p = proposals[i].as_dict();
    const List& segment = p.at("segment").as_list();
    segment_diff = std::max({segment_diff, std::abs(segment[0].as_float() - e[i][0]),
                             std::abs(segment[1].as_float() - e[i][1])});
    score_diff = std::max(score_diff, std::abs(p.at("score").as_float() - e[i][2]));
  }
  EXPECT_EQ(segment_diff, 0.0);
  EXPECT_LE(score_diff, 1e-6);
  std::cout << "[ BMN golden ] max |diff| confidence_map "
            << max_abs_diff(out.confidence_map, tensor("confidence_map")) << ", start "
            << max_abs_diff(out.start, tensor("start")) << ", proposals: segments " << segment_diff
            << ", scores " << score_diff << "\n";
}

}  // namespace
}  // namespace tubelet::bmn_golden_test
