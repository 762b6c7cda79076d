// ResNet3d's pretrained2d inflation of a 2D ResNet checkpoint (and ResNet3dPathway's, with
// zero weights for lateral channels) against what MMAction2's own inflate_weights made of
// the same checkpoint (fixtures of tools/fixtures/make_3d_model_fixtures.py).
#include "fixture_3d.h"
#include "tubelet/models/backbones/resnet3d.h"

namespace tubelet::i3d_inflate_test {
namespace {

using test3d::build;

std::string fixture_path(const std::string& name) {
  return (test::source_dir() / "tests/fixtures/models_3d" / (name + ".pth")).string();
}

// As I3D_TINY in the fixture script.
std::string tiny_i3d(const std::string& pretrained, bool pretrained2d = true) {
  return "dict(type='ResNet3d', depth=18, pretrained=" + pretrained +
         ", pretrained2d=" + (pretrained2d ? "True" : "False") +
         ", base_channels=4, stage_blocks=(1, 1, 1, 1), conv1_kernel=(5, 7, 7), "
         "conv1_stride_t=2, pool1_stride_t=2, inflate=((1, ), (0, ), (1, ), (0, )))";
}

void expect_state_dict_equal(torch::nn::Module& module, const checkpoint::StateDict& expected,
                             const std::string& prefix, const std::vector<std::string>& skip = {}) {
  auto params = module.named_parameters();
  auto buffers = module.named_buffers();
  size_t compared = 0;
  for (const auto& item : expected) {
    std::string key = prefix + item.key();
    if (std::any_of(skip.begin(), skip.end(),
                    [&](const std::string& s) { return key.find(s) != std::string::npos; }))
      continue;
    const torch::Tensor* ours = params.find(key);
    if (!ours) ours = buffers.find(key);
    ASSERT_TRUE(ours) << key;
    EXPECT_TRUE(torch::equal(*ours, item.value().to(ours->dtype()))) << key;
    ++compared;
  }
  EXPECT_GT(compared, 10u);
}

TEST(I3dInflate, ResNet3dInflatesA2dResNetAsMmaction2) {
  auto model = build(tiny_i3d("'" + fixture_path("i3d_resnet2d") + "'"));
  auto expected = test3d::fixture("i3d_inflated");
  test3d::expect_same_state_dict_layout(*model, expected.state_dict);
  expect_state_dict_equal(*model, expected.state_dict, "");
  // A 5-frame conv1 kernel: each frame holds a fifth of the 2D kernel.
  auto r2d = checkpoint::load_checkpoint(fixture_path("i3d_resnet2d")).state_dict;
  torch::Tensor w = model->named_parameters()["conv1.conv.weight"];
  EXPECT_TRUE(torch::allclose(w.select(2, 3) * 5, r2d["conv1.weight"]));
}

TEST(I3dInflate, ResNet3dInflateReportsWhatItDidNotUse) {
  auto model = std::dynamic_pointer_cast<ResNet3dImpl>(build(tiny_i3d("None")));
  ASSERT_TRUE(model);
  std::vector<std::string> used = model->inflate_weights(fixture_path("i3d_resnet2d"));
  auto r2d = checkpoint::load_checkpoint(fixture_path("i3d_resnet2d")).state_dict;
  // Everything but the classifier (fc.weight, fc.bias), as in MMAction2.
  EXPECT_EQ(used.size() + 2, r2d.size());
  EXPECT_EQ(std::count(used.begin(), used.end(), "fc.weight"), 0);
}

TEST(I3dInflate, PathwayPadsLateralChannelsWithZeros) {
  std::string text =
      "dict(type='ResNet3dSlowFast', pretrained=None, resample_rate=4, speed_ratio=2, "
      "channel_ratio=2, slow_pathway=dict(type='resnet3d', depth=18, pretrained='" +
      fixture_path("pathway_resnet2d") +
      "', lateral=True, base_channels=2, conv1_kernel=(1, 7, 7), conv1_stride_t=1, "
      "pool1_stride_t=1, inflate=(0, 0, 1, 1), stage_blocks=(1, 1, 1, 1)), "
      "fast_pathway=dict(type='resnet3d', depth=18, pretrained=None, lateral=False, "
      "base_channels=1, conv1_kernel=(5, 7, 7), conv1_stride_t=1, pool1_stride_t=1, "
      "stage_blocks=(1, 1, 1, 1)))";
  auto model = build(text);
  auto expected = test3d::fixture("pathway_inflated");
  // Laterals keep their random init in MMAction2 too, and so does layer1's downsample,
  // which only the lateral channels call for (the 2D network has none).
  expect_state_dict_equal(*model, expected.state_dict, "slow_path.",
                          {"lateral", "layer1.0.downsample"});
  // layer2's first conv takes 2 slow + 2 lateral channels; the lateral ones are zero.
  torch::Tensor w = model->named_parameters()["slow_path.layer2.0.conv1.conv.weight"];
  EXPECT_EQ(w.size(1), 4);
  EXPECT_EQ(w.slice(1, 2).abs().sum().item<double>(), 0.0);
  EXPECT_GT(w.slice(1, 0, 2).abs().sum().item<double>(), 0.0);
}

TEST(I3dInflate, Pretrained3dLoadsTheModelsOwnKeys) {
  auto source = build(tiny_i3d("None"));
  test::TempDir dir;
  std::string path = (dir.path() / "r3d.pth").string();
  checkpoint::StateDict sd;
  for (const auto& p : source->named_parameters()) sd.insert(p.key(), p.value().detach() + 1);
  for (const auto& b : source->named_buffers()) sd.insert(b.key(), b.value().detach());
  checkpoint::save_checkpoint(path, sd);
  auto model = build(tiny_i3d("'" + path + "'", /*pretrained2d=*/false));
  expect_state_dict_equal(*model, sd, "");
}

TEST(I3dInflate, UnknownModelZooNamesAreAClearError) {
  std::string e = test::error_of([] { build(tiny_i3d("'torchvision://no_such_model'")); });
  EXPECT_NE(e.find("'no_such_model' is not in"), std::string::npos) << e;
  EXPECT_NE(e.find("pretrained"), std::string::npos) << e;
}

}  // namespace
}  // namespace tubelet::i3d_inflate_test
