// `precise_bn = dict(num_iters=..., interval=...)` through tubelet's train(): a loader over
// data.train, PreciseBNHook first among the after_train_epoch hooks, its log lines, and the
// config errors. The model also blends its batches (train_cfg.blending), end to end.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "../support/paths.h"
#include "tubelet/apis/train.h"
#include "tubelet/data/dataset.h"

namespace tubelet::precise_bn_train_test {
namespace {

// `size` samples of 2 segments of 3 x 16 x 16 noise, labels 0, 1, 2, 0, ...
class PreciseBNTestDataset : public Dataset {
 public:
  explicit PreciseBNTestDataset(int64_t size) : size_(size) {}
  int64_t size() const override { return size_; }
  Sample get(int64_t index, uint64_t /*seed*/) const override {
    auto gen = torch::make_generator<torch::CPUGeneratorImpl>(100 + index);
    Sample s;
    s.tensors = {{"imgs", torch::randn({2, 3, 16, 16}, gen)},
                 {"label", torch::tensor({index % 3}, torch::kLong)}};
    return s;
  }
  const Dict& info(int64_t /*index*/) const override { return info_; }

 private:
  int64_t size_;
  Dict info_;
};

TUBELET_REGISTER(DATASETS, PreciseBNTestDataset, [](Args& args) {
  return std::make_shared<PreciseBNTestDataset>(args.required<int64_t>("size"));
});

const char* kConfig = R"(
model = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNet', depth=18, num_stages=1, out_indices=(0, ), strides=(1, ),
                  dilations=(1, ), pretrained=None),
    cls_head=dict(type='TSNHead', num_classes=3, in_channels=64, dropout_ratio=0.0),
    train_cfg=dict(blending=dict(type='MixupBlending', num_classes=3, alpha=0.2)))
data = dict(videos_per_gpu=2, workers_per_gpu=0,
            train=dict(type='PreciseBNTestDataset', size=6))
optimizer = dict(type='SGD', lr=0.01, momentum=0.9)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', step=[5])
total_epochs = 1
checkpoint_config = dict(interval=1)
log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])
workflow = [('train', 1)]
)";

std::string run_train(const test::TempDir& dir, const std::string& precise_bn) {
  TrainOptions o;
  o.config = dir.write("cfg.py", std::string(kConfig) + precise_bn + "\n").string();
  o.work_dir = (dir.path() / "work").string();
  o.seed = 0;
  o.device = "cpu";
  train(o);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "work"))
    if (entry.path().extension() == ".log") return test::read_text(entry.path());
  ADD_FAILURE() << "no log file";
  return "";
}

TEST(PreciseBNTrain, ConfigRegistersTheHookFirstAfterEachTrainEpoch) {
  test::TempDir dir;
  std::string log = run_train(dir, "precise_bn = dict(num_iters=2, interval=1)");
  EXPECT_NE(log.find("Finish register precisebn hook"), std::string::npos);
  EXPECT_NE(log.find("Running Precise BN for 2 iterations"), std::string::npos);
  EXPECT_NE(log.find("BN found"), std::string::npos);
  EXPECT_NE(log.find("BN stats updated"), std::string::npos);
  // The hook table: PreciseBNHook (HIGHEST) comes first.
  const std::string table = "Hooks will be executed in the following order:\n";
  const size_t start = log.find(table);
  ASSERT_NE(start, std::string::npos) << log;
  const size_t line = start + table.size();
  EXPECT_EQ(log.substr(line, log.find('\n', line) - line), "(HIGHEST     ) PreciseBNHook");
  // Mixup's soft labels: a loss, no top-k accuracy.
  EXPECT_NE(log.find("loss_cls"), std::string::npos);
  EXPECT_EQ(log.find("top1_acc"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "work" / "epoch_1.pth"));
}

std::string train_error(const std::string& precise_bn) {
  test::TempDir dir;
  try {
    run_train(dir, precise_bn);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(PreciseBNTrain, ConfigErrors) {
  std::string e = train_error("precise_bn = dict(num_iters=4)");
  EXPECT_NE(e.find("length of dataloader 3 must be greater than iteration number 4"),
            std::string::npos)
      << e;
  e = train_error("precise_bn = dict(num_iter=2)");
  EXPECT_NE(e.find("unexpected argument 'num_iter'"), std::string::npos) << e;
  EXPECT_NE(e.find("precise_bn"), std::string::npos) << e;
  e = train_error("precise_bn = 3");
  EXPECT_NE(e.find("precise_bn must be a dict"), std::string::npos) << e;
}

}  // namespace
}  // namespace tubelet::precise_bn_train_test
