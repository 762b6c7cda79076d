// The PoseC3D model (Recognizer3D + ResNet3dSlowOnly over 17 heatmap channels + I3DHead)
// against MMAction2 0.24.1 (tests/fixtures/posec3d, tools/fixtures/make_posec3d_fixtures.py):
// a reduced model with the gym config's arguments (base_channels=2, stage_blocks=(1, 2, 1))
// run in eval mode with random weights and BN statistics, and the state_dict keys and shapes
// of the full-size models of all 8 posec3d configs.
#include <filesystem>

#include "fixture_3d.h"
#include "tubelet/models/recognizers/recognizer3d.h"

namespace tubelet::posec3d_test {
namespace {

std::filesystem::path posec3d_fixture(const std::string& file) {
  return test::source_dir() / "tests/fixtures/posec3d" / file;
}

// The backbone of configs/skeleton/posec3d/slowonly_r50_u48_240e_gym_keypoint.py (and _limb).
std::string posec3d_model(const std::string& base_channels, const std::string& stage_blocks,
                          int head_in, int classes) {
  return "dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=50, "
         "pretrained=None, in_channels=17, base_channels=" +
         base_channels + ", num_stages=3, out_indices=(2, ), stage_blocks=" + stage_blocks +
         ", conv1_stride_s=1, pool1_stride_s=1, inflate=(0, 1, 1), spatial_strides=(2, 2, 2), "
         "temporal_strides=(1, 1, 2), dilations=(1, 1, 1)), cls_head=dict(type='I3DHead', "
         "in_channels=" +
         std::to_string(head_in) + ", num_classes=" + std::to_string(classes) +
         ", spatial_type='avg', dropout_ratio=0.5), train_cfg=dict(), "
         "test_cfg=dict(average_clips='prob'))";
}

TEST(PoseC3DModel, TinyModelMatchesMmaction2) {
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(
      test3d::build(posec3d_model("2", "(1, 2, 1)", 32, 5)));
  ASSERT_TRUE(model);
  auto blob = checkpoint::load_checkpoint(posec3d_fixture("posec3d_tiny.pth").string()).state_dict;
  checkpoint::StateDict weights;
  for (const auto& item : blob)
    if (item.key() != "input" && item.key() != "feat" && item.key() != "cls_score")
      weights.insert(item.key(), item.value());
  test3d::expect_same_state_dict_layout(*model, weights);
  auto report = checkpoint::load_state_dict(*model, weights, /*strict=*/true);
  ASSERT_TRUE(report.ok()) << report.message();
  model->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor input = blob["input"];  // [1, 17, 4, 12, 12]
  torch::Tensor feat = model->extract_feat(input);
  // T: 4 / temporal stride 2 of layer3; H, W: 12 / 2 / 2 / 2 (rounded up by the padding).
  EXPECT_EQ(feat.sizes(), (std::vector<int64_t>{1, 32, 2, 2, 2}));
  test3d::expect_close(feat, blob["feat"], "ResNet3dSlowOnly (PoseC3D) features");
  test3d::expect_close(model->forward_dummy(input.unsqueeze(1)), blob["cls_score"],
                       "I3DHead scores");
}

checkpoint::StateDict full_size_reference(const Value& all, const std::string& config) {
  const Dict& entry = all.as_dict().at("configs").as_dict().at(config).as_dict();
  const List& base = all.as_dict().at("full").as_dict().at(entry.at("base").as_str()).as_list();
  checkpoint::StateDict ref;
  auto shape_of = [](const Value& row) {
    std::vector<int64_t> shape;
    for (const Value& d : row.as_list()[1].as_list()) shape.push_back(d.as_int());
    return shape;
  };
  for (const Value& row : base) ref.insert(row.as_list()[0].as_str(), torch::empty(shape_of(row)));
  for (const Value& row : entry.at("diff").as_list())
    ref[row.as_list()[0].as_str()] = torch::empty(shape_of(row));
  return ref;
}

TEST(PoseC3DModel, FullSizeKeysOfEveryConfig) {
  Value all = from_json(test::read_text(posec3d_fixture("full_size_keys.json")));
  struct Case {
    const char* config;
    const char* stage_blocks;
    int classes;
  };
  const Case cases[] = {
      {"slowonly_kinetics400_pretrained_r50_u48_120e_hmdb51_split1_keypoint", "(3, 4, 6)", 51},
      {"slowonly_kinetics400_pretrained_r50_u48_120e_ucf101_split1_keypoint", "(3, 4, 6)", 101},
      {"slowonly_r50_u48_240e_gym_keypoint", "(4, 6, 3)", 99},
      {"slowonly_r50_u48_240e_gym_limb", "(4, 6, 3)", 99},
      {"slowonly_r50_u48_240e_ntu120_xsub_keypoint", "(4, 6, 3)", 120},
      {"slowonly_r50_u48_240e_ntu120_xsub_limb", "(4, 6, 3)", 120},
      {"slowonly_r50_u48_240e_ntu60_xsub_keypoint", "(4, 6, 3)", 60},
      {"slowonly_r50_u48_240e_ntu60_xsub_limb", "(4, 6, 3)", 60},
  };
  ASSERT_EQ(all.as_dict().at("configs").as_dict().size(), std::size(cases));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.config);
    auto model = test3d::build(posec3d_model("32", c.stage_blocks, 512, c.classes));
    auto ref = full_size_reference(all, c.config);
    EXPECT_EQ(ref.size(), 260u);
    test3d::expect_same_state_dict_layout(*model, ref);
    // The order of the whole state_dict (buffers in place) is MMAction2's too.
    std::vector<std::string> keys;
    for (const auto& item : ref) keys.push_back(item.key());
    std::vector<std::string> our_keys;
    for (const auto& item : checkpoint::state_dict(*model)) our_keys.push_back(item.key());
    EXPECT_EQ(our_keys, keys);
  }
}

// The 8 configs themselves, those the tree has.
TEST(PoseC3DModel, ConfigFilesBuildTheSameModels) {
  auto dir = test::source_dir() / "configs/skeleton/posec3d";
  Value all = from_json(test::read_text(posec3d_fixture("full_size_keys.json")));
  int found = 0;
  for (const auto& [name, entry] : all.as_dict().at("configs").as_dict()) {
    auto file = dir / (name.as_str() + ".py");
    if (!std::filesystem::exists(file)) continue;
    ++found;
    SCOPED_TRACE(name.as_str());
    auto model = build_model(load_config(file.string()).at("model"));
    test3d::expect_same_state_dict_layout(*model, full_size_reference(all, name.as_str()));
  }
  if (found == 0) GTEST_SKIP() << "no posec3d config of MMAction2 in " << dir;
}

}  // namespace
}  // namespace tubelet::posec3d_test
