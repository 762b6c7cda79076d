// The collectives a training run needs beyond the gradient all-reduce: parameters and
// buffers from rank 0 at the start (what DistributedDataParallel does when it wraps a
// model), averaged log variables (MMAction2's _parse_losses under torch.distributed), and
// test results gathered in dataset order (MMAction2's multi_gpu_test + collect_results).
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/distributed/process_group.h"

namespace tubelet::dist {

// Every rank's tensors take rank `src`'s values; tensors are flattened into one buffer per
// dtype, so a model costs one broadcast per dtype rather than one per tensor.
void broadcast_tensors(const std::vector<torch::Tensor>& tensors, ProcessGroup& group, int src = 0);
// Parameters and buffers of `module` from rank 0.
void broadcast_module_states(torch::nn::Module& module, ProcessGroup& group);
// Batch-norm running statistics (running_mean, running_var) from rank 0, as DistEvalHook's
// broadcast_bn_buffer does before each evaluation.
void broadcast_bn_buffers(torch::nn::Module& module, ProcessGroup& group);

// The mean over ranks of each value, in one all-reduce. Every rank must pass the same names
// in the same order.
void average_log_vars(std::vector<std::pair<std::string, double>>& log_vars, ProcessGroup& group);

// Every rank's bytes, by rank.
std::vector<std::string> all_gather_bytes(const std::string& mine, ProcessGroup& group);

// Each rank tested the indices rank, rank + W, rank + 2W, ... of a DistributedSampler
// without shuffling (padded by wrapping around); these put the parts back in dataset order
// and drop the padding, leaving `size` results, on every rank.
torch::Tensor collect_results(const torch::Tensor& rows, int64_t size, ProcessGroup& group);
List collect_records(const List& records, int64_t size, ProcessGroup& group);

// Rank 0's value on every rank (MMAction2's init_random_seed in distributed mode).
uint64_t broadcast_seed(uint64_t seed, ProcessGroup& group);

}  // namespace tubelet::dist
