// mmcv's single_gpu_test, which MMAction2's EvalHook and tools/test.py use: the model's
// test_step over every batch of a loader, in eval mode without gradients, one result row
// per video in loader order, with a progress bar counting videos.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <iosfwd>

#include "tubelet/data/data_loader.h"
#include "tubelet/models/trainable.h"

namespace tubelet {

struct SingleGpuTestOptions {
  bool show_progress = true;
  // Videos the bar counts to; -1 takes the loader's num_samples() (the whole dataset in one
  // process, as mmcv's len(data_loader.dataset); this rank's share in a distributed run),
  // and a bar without a total when the loader cannot tell.
  int64_t total = -1;
  std::ostream* progress_stream = nullptr;  // stderr when null
};

// The rows of every batch, on the CPU, concatenated along the first dimension ([N, C] for a
// recognizer); an empty tensor when the loader gives no batch. `module` is `model` as a
// torch module: it is put in eval mode for the pass and back in its former mode after.
torch::Tensor single_gpu_test(Trainable& model, torch::nn::Module& module, DataLoader& loader,
                              const SingleGpuTestOptions& options = {});
inline torch::Tensor single_gpu_test(Trainable& model, torch::nn::Module& module,
                                     DataLoader& loader, bool show_progress) {
  SingleGpuTestOptions options;
  options.show_progress = show_progress;
  return single_gpu_test(model, module, loader, options);
}

// The same pass for a model that gives records (a localizer): every batch's records in
// loader order, the bar counting one tick per record.
List single_gpu_test_records(Trainable& model, torch::nn::Module& module, DataLoader& loader,
                             const SingleGpuTestOptions& options = {});

}  // namespace tubelet
