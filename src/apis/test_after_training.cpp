#include "tubelet/apis/test_after_training.h"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/apis/train.h"
#include "tubelet/data/build_dataloader.h"
#include "tubelet/engine/hooks/eval_hook.h"
#include "tubelet/engine/multi_gpu_test.h"

namespace tubelet {

namespace {

namespace fs = std::filesystem;

// The epoch number at the end of "best_top1_acc_epoch_12.pth" (MMAction2 splits on
// 'epoch_'), to pick the latest when several best checkpoints are there.
int64_t epoch_of(const std::string& name) {
  const size_t at = name.rfind("epoch_");
  try {
    if (at != std::string::npos) return std::stoll(name.substr(at + 6, name.size() - at - 6 - 4));
  } catch (const std::exception&) {
  }
  throw std::runtime_error("--test-best: cannot tell the epoch of the best checkpoint " + name +
                           " among several (MMAction2 reads it after 'epoch_')");
}

// MMAction2's choice: the work dir's .pth files with "best" in their name; with several,
// the one of the highest epoch.
std::optional<fs::path> best_checkpoint(const fs::path& work_dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(work_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find("best") != std::string::npos && entry.path().extension() == ".pth")
      names.push_back(name);
  }
  if (names.empty()) return std::nullopt;
  std::string chosen = names.front();
  if (names.size() > 1)
    for (const auto& name : names)
      if (epoch_of(name) > epoch_of(chosen)) chosen = name;
  return work_dir / chosen;
}

std::string format4(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

// The test set's loader, this rank's share, on the run's device.
std::shared_ptr<DataLoader> test_loader(const std::shared_ptr<Dataset>& dataset, const Dict& data,
                                        const Runner& runner, const torch::Device& device) {
  DataLoaderOptions lo = dataloader_options(data, "test");
  lo.shuffle = false;
  return build_dataloader(dataset, lo, {0, runner.rank(), runner.world_size(), device});
}

void dump(const Dataset& dataset, const TestResults& results, const fs::path& path) {
  if (!results.is_records) return dump_score_rows(results.rows, path);
  Dict output;
  output.set("out", Value(path.string()));
  output.set("output_format", Value("json"));
  dataset.dump_records(results.records, output);
}

}  // namespace

void test_after_training(Runner& runner, const Dict& data, const RunConfig& run,
                         AfterTrainingTests which, const torch::Device& device) {
  std::vector<std::pair<std::string, std::optional<fs::path>>> runs;
  if (which.last) runs.emplace_back("last", std::nullopt);
  if (which.best) {
    if (auto best = best_checkpoint(runner.work_dir()))
      runs.emplace_back("best", *best);
    else
      runner.logger().info("Warning: test_best set, but no ckpt found");
  }
  if (runs.empty()) return;
  auto* trainable = dynamic_cast<Trainable*>(&runner.model());
  if (!trainable) throw std::invalid_argument("the model cannot be tested (it has no test_step)");
  auto dataset = build_dataset(data, "test", true);
  auto loader = test_loader(dataset, data, runner, device);
  // The evaluation settings without the hook's own keys, as MMAction2 pops them.
  const EvalHookOptions eval = read_eval_hook_options(run.evaluation, "evaluation");
  SingleGpuTestOptions progress;
  progress.show_progress = runner.rank() == 0;
  for (const auto& [name, checkpoint] : runs) {
    if (checkpoint) runner.load_checkpoint(*checkpoint);
    const TestResults results =
        multi_gpu_test(*trainable, runner.model(), *loader, dataset->size(), progress);
    if (runner.rank() != 0) continue;
    dump(*dataset, results, runner.work_dir() / (name + "_pred.json"));
    const Dict metrics = evaluate_results(*dataset, results, eval.metrics, eval.metric_options);
    runner.logger().info("Testing results of the " + name + " checkpoint");
    for (const auto& [metric, value] : metrics.items())
      if (value.is_number())
        runner.logger().info(metric.as_str() + ": " + format4(value.as_float()));
  }
}

}  // namespace tubelet
