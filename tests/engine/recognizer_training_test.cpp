// A recognizer trained end to end by the runner from an MMAction2-style config: model,
// optimizer (with a constructor), optimizer_config, lr_config, checkpoint_config and
// log_config, fed by the data loader.
#include <gtest/gtest.h>

#include <fstream>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/dataset_loader.h"
#include "tubelet/engine/training_setup.h"
#include "tubelet/models/builder.h"
#include "tubelet/optim/optimizer_constructor.h"

namespace tubelet::recognizer_training_test {
namespace {

const char* kConfig = R"(
model = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNet', depth=18, pretrained=None, norm_eval=False),
    cls_head=dict(type='TSNHead', num_classes=2, in_channels=512, dropout_ratio=0.0,
                  init_std=0.01, consensus=dict(type='AvgConsensus', dim=1)))
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001,
                 constructor='TSMOptimizerConstructor', paramwise_cfg=dict(fc_lr5=True))
optimizer_config = dict(grad_clip=dict(max_norm=40, norm_type=2))
lr_config = dict(policy='step', step=[3])
checkpoint_config = dict(interval=2)
log_config = dict(interval=2, hooks=[dict(type='TextLoggerHook')])
total_epochs = 4
)";

// Two classes told apart by brightness: 3 segments of 3 x 32 x 32 frames.
class BrightnessDataset : public Dataset {
 public:
  int64_t size() const override { return 8; }
  const Dict& info(int64_t) const override { return info_; }
  Sample get(int64_t index, uint64_t seed) const override {
    Sample s;
    s.rng.seed(seed);
    auto gen = torch::make_generator<torch::CPUGeneratorImpl>(seed);
    int64_t label = index % 2;
    s.set_tensor("imgs", torch::randn({3, 3, 32, 32}, gen) * 0.5 + (label ? 1.0 : -1.0));
    s.set_tensor("label", torch::tensor({label}));
    return s;
  }

 private:
  Dict info_;
};

TEST(RecognizerTraining, TsnTrainsFromConfigAndWritesLogsAndCheckpoints) {
  test::TempDir dir;
  Dict cfg = load_config_text(kConfig, "/tmp/tsn_tiny.py");
  torch::manual_seed(0);
  auto model = build_model(cfg.at("model"), "model");
  auto optimizer = build_optimizer(*model, cfg.at("optimizer"));
  ASSERT_EQ(optimizer->param_groups().size(), 7u);
  auto runner = build_runner(
      runner_config(cfg),
      {model, optimizer, dir.path(), std::make_shared<Logger>("mmaction", false), {}, "run"});
  register_training_hooks(*runner, training_hook_configs(cfg));
  DataLoaderOptions o;
  o.videos_per_gpu = 4;
  o.workers_per_gpu = 2;
  DatasetLoader loader(std::make_shared<BrightnessDataset>(), o);
  runner->run({&loader}, {{"train", 1}});

  EXPECT_TRUE(std::filesystem::exists(dir.path() / "epoch_2.pth"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "epoch_4.pth"));
  std::ifstream log(dir.path() / "run.log.json");
  std::vector<double> losses, lrs;
  for (std::string line; std::getline(log, line);) {
    Value entry = from_json(line);
    losses.push_back(entry.as_dict().at("loss").as_float());
    lrs.push_back(entry.as_dict().at("lr").as_float());
  }
  ASSERT_EQ(losses.size(), 4u);  // one line per epoch (2 iterations each, interval 2)
  EXPECT_LT(losses.back(), losses.front());
  EXPECT_DOUBLE_EQ(lrs.front(), 0.01);  // group 0: the first conv at base lr
  EXPECT_DOUBLE_EQ(lrs.back(), 0.001);  // after step 3
}

}  // namespace
}  // namespace tubelet::recognizer_training_test
