// Parameter names, shapes and requires_grad of models built from MMAction2 configs, against
// MMAction2's own named_parameters() (../shared/golden/optim/*.json record them).
#include <gtest/gtest.h>

#include "support/paths.h"
#include "tubelet/config/dump.h"
#include "tubelet/models/builder.h"

namespace tubelet::model_names_golden_test {
namespace {

class ModelNamesGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelNamesGolden, NamedParametersMatchMmaction2) {
  TUBELET_REQUIRE_SHARED();
  auto file = test::shared_dir() / "golden/optim" / (GetParam() + ".json");
  Value golden = test::decode_golden(from_json(test::read_text(file), file.string()));
  auto model = build_model(golden.as_dict().at("model"));
  // Recorded right after construction: frozen stages apply only once train() is called.
  auto params = model->named_parameters();
  const List& expected = golden.as_dict().at("named_parameters").as_list();
  ASSERT_EQ(params.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const List& row = expected[i].as_list();  // [name, shape, requires_grad]
    const auto& item = params[i];
    EXPECT_EQ(item.key(), row[0].as_str());
    std::vector<int64_t> shape;
    for (const Value& d : row[1].as_list()) shape.push_back(d.as_int());
    EXPECT_EQ(item.value().sizes().vec(), shape) << item.key();
    EXPECT_EQ(item.value().requires_grad(), row[2].as_bool()) << item.key();
  }
}

INSTANTIATE_TEST_SUITE_P(Optim, ModelNamesGolden,
                         ::testing::Values("tsn_r18__default", "tsn_r18_frozen1__norm_decay_mult0",
                                           "tsm_r18__tsm_ctor_fc_lr5_true",
                                           "mbv2_tsn__dwconv_decay_mult0"));

}  // namespace
}  // namespace tubelet::model_names_golden_test
