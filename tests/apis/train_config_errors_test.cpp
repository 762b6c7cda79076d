// Run-level settings train() refuses rather than ignores: multigrid (not implemented) and
// OmniSource configs whose data do not say what the runner needs. The errors come before any
// data is read, so the datasets here need no files.
#include <gtest/gtest.h>

#include "support/paths.h"
#include "tubelet/apis/train.h"

namespace tubelet::train_config_errors_test {
namespace {

const char* kConfig = R"(
model = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNet', depth=18, num_stages=1, out_indices=(0, ), strides=(1, ),
                  dilations=(1, ), pretrained=None),
    cls_head=dict(type='TSNHead', num_classes=3, in_channels=64))
optimizer = dict(type='SGD', lr=0.01, momentum=0.9)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', step=[5])
total_epochs = 1
checkpoint_config = dict(interval=1)
log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])
workflow = [('train', 1)]
)";

std::string train_error(const std::string& extra) {
  test::TempDir dir;
  TrainOptions o;
  o.config = dir.write("cfg.py", std::string(kConfig) + extra + "\n").string();
  o.work_dir = (dir.path() / "work").string();
  o.device = "cpu";
  return test::error_of([&] { train(o); });
}

const std::string kVideos = "dict(type='VideoDataset', ann_file='none.txt', pipeline=[])";

TEST(TrainConfigErrors, MultigridIsRefusedWithWhere) {
  const std::string e = train_error("data = dict(train=" + kVideos +
                                    ")\nmultigrid = dict(long_cycle=True, short_cycle=True)");
  EXPECT_NE(e.find("cfg.py:"), std::string::npos) << e;
  EXPECT_NE(e.find("multigrid training (LongShortCycleHook, SubBatchNorm3D) is not supported"),
            std::string::npos)
      << e;
}

TEST(TrainConfigErrors, OmniSourceNeedsAListAndMatchingBatchSizes) {
  std::string e = train_error("omnisource = True\ndata = dict(train=" + kVideos + ")");
  EXPECT_NE(e.find("omnisource = True needs data.train to be a list of datasets"),
            std::string::npos)
      << e;
  e = train_error("omnisource = True\ndata = dict(omni_videos_per_gpu=[2], train=[" + kVideos +
                  ", " + kVideos + "])");
  EXPECT_NE(e.find("omni_videos_per_gpu"), std::string::npos) << e;
  EXPECT_NE(e.find("has 1 entries for 2 train datasets"), std::string::npos) << e;
}

}  // namespace
}  // namespace tubelet::train_config_errors_test
