#include "tubelet/engine/single_gpu_test.h"

#include <torch/torch.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "tubelet/progress_bar.h"

namespace tubelet {

namespace {

int64_t task_total(DataLoader& loader, const SingleGpuTestOptions& options) {
  if (options.total >= 0) return options.total;
  return std::max<int64_t>(loader.num_samples(), 0);
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

// Runs `per_batch` over every batch in eval mode without gradients; it returns how many
// videos the batch held, which the bar counts (as mmcv: one tick per result).
template <typename PerBatch>
void test_loop(torch::nn::Module& module, DataLoader& loader, const SingleGpuTestOptions& options,
               PerBatch per_batch) {
  EvalModeGuard eval_mode(module);
  torch::NoGradGuard no_grad;
  std::unique_ptr<ProgressBar> bar;
  if (options.show_progress)
    bar = std::make_unique<ProgressBar>(task_total(loader, options), options.progress_stream
                                                                         ? *options.progress_stream
                                                                         : std::cerr);
  loader.start();
  while (std::optional<Batch> batch = loader.next()) {
    int64_t videos = per_batch(*batch);
    if (bar && videos > 0) bar->update(videos);
  }
  if (bar) bar->finish();
}

}  // namespace

torch::Tensor single_gpu_test(Trainable& model, torch::nn::Module& module, DataLoader& loader,
                              const SingleGpuTestOptions& options) {
  std::vector<torch::Tensor> rows;
  test_loop(module, loader, options, [&](const Batch& batch) {
    torch::Tensor result = model.test_step(batch).detach().to(torch::kCPU);
    if (result.dim() == 0) result = result.reshape({1});
    rows.push_back(result);
    return result.size(0);
  });
  if (rows.empty()) return torch::empty({0});
  return torch::cat(rows, 0);
}

List single_gpu_test_records(Trainable& model, torch::nn::Module& module, DataLoader& loader,
                             const SingleGpuTestOptions& options) {
  List records;
  test_loop(module, loader, options, [&](const Batch& batch) {
    List batch_records = model.test_records(batch);
    for (auto& record : batch_records) records.push_back(std::move(record));
    return static_cast<int64_t>(batch_records.size());
  });
  return records;
}

}  // namespace tubelet
