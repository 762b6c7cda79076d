// A misspelt run-level key is reported with its place and the key meant; helper variables,
// however many, are not.
#include <gtest/gtest.h>

#include "tubelet/config/config.h"
#include "tubelet/top_level_keys.h"

namespace tubelet::top_level_keys_test {
namespace {

TEST(TopLevelKeys, AMisspeltRunLevelKeyIsNamedWithWhereAndTheKeyMeant) {
  Dict cfg = load_config_text(
      "model = dict(type='Recognizer2D')\n"
      "lr_confg = dict(policy='step', step=[3])\n"
      "total_epoch = 5\n",
      "/tmp/misspelt.py");
  const std::vector<std::string> lines = misspelt_top_level_keys(cfg);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "/tmp/misspelt.py:2:12: top-level key 'lr_confg' is not one a run reads; did you "
            "mean 'lr_config'?");
  EXPECT_NE(lines[1].find("'total_epoch' is not one a run reads; did you mean 'total_epochs'?"),
            std::string::npos);
}

TEST(TopLevelKeys, HelperVariablesOfMMAction2ConfigsAreNotWarnedAbout) {
  Dict cfg = load_config_text(
      "dataset_type = 'VideoDataset'\n"
      "data_root = 'data/kinetics400/videos_train'\n"
      "ann_file_train = 'a.txt'\n"
      "img_norm_cfg = dict(mean=[1, 2, 3])\n"
      "train_pipeline = []\n"
      "train_cfg_ = dict(aux_info=[])\n"
      "total_epochs = 3\n"
      "lr_config = dict(policy='step', step=[2])\n",
      "/tmp/helpers.py");
  EXPECT_TRUE(misspelt_top_level_keys(cfg).empty());
}

}  // namespace
}  // namespace tubelet::top_level_keys_test
