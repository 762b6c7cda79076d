// The localization configs build MMAction2's state_dict: keys, order and shapes equal to
// those MMAction2 gives the same model dicts (tests/fixtures/localizers/keys.json, written
// by tools/fixtures/make_localizer_fixtures.py from MMAction2's own modules).
#include <gtest/gtest.h>

#include "localizer_fixture.h"
#include "tubelet/config/dump.h"

namespace tubelet::config_keys_test {
namespace {

void expect_config_keys(const std::string& config, const std::string& name) {
  Dict cfg = load_config((test::source_dir() / config).string());
  auto model = build_model(cfg.at("model"));
  auto ours = checkpoint::state_dict(*model);
  auto file = test::source_dir() / "tests/fixtures/localizers/keys.json";
  const Value all = from_json(test::read_text(file), file.string());
  const List& expected = all.as_dict().at(name).as_list();
  ASSERT_EQ(ours.size(), expected.size()) << config;
  for (size_t i = 0; i < ours.size(); ++i) {
    const List& row = expected[i].as_list();
    EXPECT_EQ(ours[i].key(), row[0].as_str()) << config << " #" << i;
    std::vector<int64_t> shape;
    for (const Value& d : row[1].as_list()) shape.push_back(d.as_int());
    EXPECT_EQ(ours[i].value().sizes().vec(), shape) << ours[i].key();
  }
}

TEST(LocalizerConfigs, StateDictsMatchMmaction2) {
  expect_config_keys("configs/localization/bmn/bmn_400x100_2x8_9e_activitynet_feature.py",
                     "bmn_400x100");
  expect_config_keys("configs/localization/bsn/bsn_tem_400x100_1x16_20e_activitynet_feature.py",
                     "bsn_tem");
  expect_config_keys("configs/localization/bsn/bsn_pem_400x100_1x16_20e_activitynet_feature.py",
                     "bsn_pem");
}

}  // namespace
}  // namespace tubelet::config_keys_test
