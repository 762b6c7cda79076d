// The run-level keys read once: MMAction2's defaults when a key is absent, every key when given,
// and errors that name the key with its file and line.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/paths.h"
#include "tubelet/apis/run_config.h"
#include "tubelet/config/config.h"
#include "tubelet/top_level_keys.h"

namespace tubelet::run_config_test {
namespace {

RunConfig read(const std::string& text) {
  return read_run_config(load_config_text(text + "\n", "/tmp/run.py"));
}

TEST(RunConfig, AbsentKeysTakeMmaction2Defaults) {
  const RunConfig run = read("model = dict(type='Recognizer2D')");
  EXPECT_FALSE(run.device);
  EXPECT_FALSE(run.first_gpu_id);
  EXPECT_FALSE(run.cudnn_benchmark);
  EXPECT_FALSE(run.channels_last);
  EXPECT_TRUE(run.runner.is_none());
  EXPECT_EQ(run.workflow, (Workflow{{"train", 1}}));
  EXPECT_TRUE(run.hooks.lr_config.is_none());
  EXPECT_TRUE(run.hooks.custom_hooks.is_none());
  EXPECT_TRUE(run.fp16.is_none());
  EXPECT_TRUE(run.precise_bn.is_none());
  EXPECT_TRUE(run.evaluation.is_dict() && run.evaluation.as_dict().empty());
  EXPECT_EQ(run.ddp.bucket_cap_mb, 25);
  EXPECT_FALSE(run.ddp.find_unused_parameters);
  EXPECT_FALSE(run.work_dir);
  EXPECT_TRUE(run.start.resume_from.is_none());
  EXPECT_FALSE(run.start.auto_resume);
  EXPECT_TRUE(run.start.load_from.is_none());
  // Only a training run needs a runner; it says which keys would give one.
  const std::string e = test::error_of([&] { runner_config(run); });
  EXPECT_NE(e.find("total_epochs"), std::string::npos) << e;
}

TEST(RunConfig, ReadsEveryKey) {
  const RunConfig run = read(
      "device = 'cuda'\n"
      "gpu_ids = range(2, 3)\n"
      "dist_params = dict(backend='gloo')\n"
      "cudnn_benchmark = True\n"
      "channels_last = True\n"
      "total_epochs = 7\n"
      "workflow = [('train', 2), ('val', 1)]\n"
      "lr_config = dict(policy='step', step=[3])\n"
      "momentum_config = dict(policy='cyclic')\n"
      "optimizer_config = dict(grad_clip=None)\n"
      "checkpoint_config = dict(interval=2)\n"
      "log_config = dict(interval=5, hooks=[])\n"
      "custom_hooks = [dict(type='IterTimerHook')]\n"
      "fp16 = dict(loss_scale=512.)\n"
      "precise_bn = dict(num_iters=20, interval=1)\n"
      "evaluation = dict(interval=3, metrics=['top_k_accuracy'])\n"
      "ddp = dict(bucket_cap_mb=4)\n"
      "find_unused_parameters = True\n"
      "work_dir = 'work_dirs/x'\n"
      "resume_from = 'a.pth'\n"
      "auto_resume = True\n"
      "load_from = 'b.pth'");
  EXPECT_EQ(run.device, "cuda");
  EXPECT_EQ(run.first_gpu_id, 2);
  EXPECT_EQ(run.dist_params.backend, "gloo");
  EXPECT_TRUE(run.cudnn_benchmark);
  EXPECT_TRUE(run.channels_last);
  EXPECT_EQ(runner_config(run).as_dict().at("type").as_str(), "EpochBasedRunner");
  EXPECT_EQ(runner_config(run).as_dict().at("max_epochs").as_int(), 7);
  EXPECT_EQ(run.workflow, (Workflow{{"train", 2}, {"val", 1}}));
  EXPECT_EQ(run.hooks.lr_config.as_dict().at("policy").as_str(), "step");
  EXPECT_EQ(run.hooks.momentum_config.as_dict().at("policy").as_str(), "cyclic");
  EXPECT_TRUE(run.hooks.optimizer_config.is_dict());
  EXPECT_EQ(run.hooks.checkpoint_config.as_dict().at("interval").as_int(), 2);
  EXPECT_EQ(run.hooks.log_config.as_dict().at("interval").as_int(), 5);
  EXPECT_EQ(run.hooks.custom_hooks.as_list().size(), 1u);
  EXPECT_DOUBLE_EQ(run.fp16.as_dict().at("loss_scale").as_float(), 512.0);
  EXPECT_EQ(run.precise_bn.as_dict().at("num_iters").as_int(), 20);
  EXPECT_EQ(run.evaluation.as_dict().at("interval").as_int(), 3);
  EXPECT_EQ(run.ddp.bucket_cap_mb, 4);
  EXPECT_TRUE(run.ddp.find_unused_parameters);
  EXPECT_EQ(run.work_dir, "work_dirs/x");
  EXPECT_EQ(run.start.resume_from.as_str(), "a.pth");
  EXPECT_TRUE(run.start.auto_resume);
  EXPECT_EQ(run.start.load_from.as_str(), "b.pth");
  // `runner` wins over total_epochs, as mmcv's tools have it.
  EXPECT_EQ(runner_config(read("runner = dict(type='IterBasedRunner', max_iters=9)\n"
                               "total_epochs = 7"))
                .as_dict()
                .at("type")
                .as_str(),
            "IterBasedRunner");
}

TEST(RunConfig, ErrorsNameTheKeyAndWhereItIs) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"fp16 = 1", "fp16 must be a dict"},
      {"evaluation = 3", "evaluation must be a dict"},
      {"precise_bn = dict(type='PreciseBNHook')", "precise_bn must be a dict of PreciseBNHook"},
      {"resume_from = 3", "resume_from must be a checkpoint path"},
      {"load_from = ['a.pth']", "load_from must be a checkpoint path"},
      {"gpu_ids = []", "gpu_ids must be a non-empty list"},
      {"device = 0", "device must be a string"},
      {"find_unused_parameters = 'yes'", "find_unused_parameters must be True or False"},
      {"ddp = dict(bucket_cap=4)", "bucket_cap"},
      {"workflow = 'train'", "workflow"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string e = test::error_of([&] { read("x = 1\n" + text); });
    EXPECT_NE(e.find(expected), std::string::npos) << text << " -> " << e;
    EXPECT_NE(e.find("/tmp/run.py:2"), std::string::npos) << text << " -> " << e;
  }
}

// The misspelt-key warning knows every key this struct reads.
TEST(RunConfig, EveryKeyItReadsIsARunLevelKey) {
  for (const char* key : {"device",
                          "gpu_ids",
                          "dist_params",
                          "cudnn_benchmark",
                          "channels_last",
                          "runner",
                          "total_epochs",
                          "workflow",
                          "lr_config",
                          "momentum_config",
                          "optimizer_config",
                          "checkpoint_config",
                          "log_config",
                          "custom_hooks",
                          "fp16",
                          "precise_bn",
                          "evaluation",
                          "ddp",
                          "find_unused_parameters",
                          "work_dir",
                          "resume_from",
                          "auto_resume",
                          "load_from"})
    EXPECT_NE(std::find(run_level_keys().begin(), run_level_keys().end(), key),
              run_level_keys().end())
        << key;
}

}  // namespace
}  // namespace tubelet::run_config_test
