#include "tubelet/engine/single_gpu_test.h"

#include <torch/torch.h>

#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "tubelet/data/dataset_loader.h"
#include "tubelet/engine/progress_bar.h"

namespace tubelet {

namespace {

int64_t task_total(DataLoader& loader, const SingleGpuTestOptions& options) {
  if (options.total >= 0) return options.total;
  if (auto* dataset_loader = dynamic_cast<DatasetLoader*>(&loader))
    return dataset_loader->dataset().size();
  return 0;
}

// Puts the module back in the mode it had, even when a batch throws.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(torch::nn::Module& module)
      : module_(module), was_training_(module.is_training()) {
    module_.eval();
  }
  ~EvalModeGuard() { module_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

}  // namespace

torch::Tensor single_gpu_test(Trainable& model, torch::nn::Module& module, DataLoader& loader,
                              const SingleGpuTestOptions& options) {
  EvalModeGuard eval_mode(module);
  torch::NoGradGuard no_grad;
  std::unique_ptr<ProgressBar> bar;
  if (options.show_progress)
    bar = std::make_unique<ProgressBar>(task_total(loader, options), options.progress_stream
                                                                         ? *options.progress_stream
                                                                         : std::cerr);
  std::vector<torch::Tensor> rows;
  loader.start();
  while (std::optional<Batch> batch = loader.next()) {
    torch::Tensor result = model.test_step(*batch).detach().to(torch::kCPU);
    if (result.dim() == 0) result = result.reshape({1});
    rows.push_back(result);
    // As mmcv: one tick per result row (the batch's videos).
    if (bar && result.size(0) > 0) bar->update(result.size(0));
  }
  if (bar) bar->finish();
  if (rows.empty()) return torch::empty({0});
  return torch::cat(rows, 0);
}

}  // namespace tubelet
