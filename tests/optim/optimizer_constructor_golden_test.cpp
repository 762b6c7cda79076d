// Param groups made by DefaultOptimizerConstructor and TSMOptimizerConstructor, against
// mmcv/MMAction2's own (../shared/golden/optim/*.json: group order, parameter order within
// groups, and every option of every group).
#include <gtest/gtest.h>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/models/builder.h"
#include "tubelet/optim/optimizer_constructor.h"

namespace tubelet::optimizer_constructor_golden_test {
namespace {

class ParamGroupsGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ParamGroupsGolden, MatchMmcv) {
  TUBELET_REQUIRE_SHARED();
  auto file = test::shared_dir() / "golden/optim" / (GetParam() + ".json");
  Value golden = test::decode_golden(from_json(test::read_text(file), file.string()));
  auto model = build_model(golden.as_dict().at("model"), "model");
  auto constructor = build_optimizer_constructor(golden.as_dict().at("optimizer_cfg"), "optimizer");
  auto specs = constructor->param_groups(*model);
  auto optimizer = constructor->build(*model);
  List groups = describe_param_groups(specs, *optimizer);
  const List& expected = golden.as_dict().at("param_groups").as_list();
  ASSERT_EQ(groups.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const Dict& want = expected[i].as_dict();
    const Dict& got = groups[i].as_dict();
    EXPECT_EQ(got.size(), want.size()) << "group " << i << ": " << repr(groups[i]);
    for (const auto& [key, value] : want.items()) {
      const Value* mine = got.find(key);
      ASSERT_TRUE(mine) << "group " << i << " lacks " << key.as_str();
      if (value.is_float() || mine->is_float())
        EXPECT_NEAR(mine->as_float(), value.as_float(), 1e-12 * std::abs(value.as_float()))
            << "group " << i << " " << key.as_str();
      else
        EXPECT_EQ(*mine, value) << "group " << i << " " << key.as_str() << ": " << repr(*mine)
                                << " vs " << repr(value);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Optim, ParamGroupsGolden,
                         ::testing::Values("tsn_r18__default", "tsn_r18_frozen1__norm_decay_mult0",
                                           "tsn_r18__bias_lr2_bias_decay0_norm_decay0",
                                           "tsn_r18__custom_keys", "tsm_r18__tsm_ctor_fc_lr5_true",
                                           "mbv2_tsn__dwconv_decay_mult0"));

Value py(const std::string& expr) {
  return load_config_text("x = " + expr + "\n", "/tmp/optimizer_keys_test.py").at("x");
}

// MMAction2 builds the optimizer of the wrapped model (module.backbone.cls_token), so a key
// with a leading dot, as TimeSformer's configs have, matches a top-level module's parameter.
TEST(DefaultOptimizerConstructorKeys, MatchTheWrappedModelsNames) {
  auto model = build_model(
      py("dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, pretrained=None), "
         "cls_head=dict(type='TSNHead', num_classes=3, in_channels=512))"),
      "model");
  auto constructor = build_optimizer_constructor(
      py("dict(type='SGD', lr=0.1, weight_decay=1e-4, paramwise_cfg=dict(custom_keys={"
         "'.backbone.conv1': dict(decay_mult=0.0), 'module.cls_head': dict(lr_mult=2.0)}))"),
      "optimizer");
  for (const auto& group : constructor->param_groups(*model)) {
    const std::string& name = group.names.front();
    const bool conv1 = name.rfind("backbone.conv1.", 0) == 0;
    const bool head = name.rfind("cls_head.", 0) == 0;
    const Value* wd = group.options.find("weight_decay");  // absent: the optimizer's
    EXPECT_EQ(wd ? wd->as_float() : 1e-4, conv1 ? 0.0 : 1e-4) << name;
    const Value* lr = group.options.find("lr");
    EXPECT_EQ(lr ? lr->as_float() : 0.1, head ? 0.2 : 0.1) << name;
  }
}

}  // namespace
}  // namespace tubelet::optimizer_constructor_golden_test
