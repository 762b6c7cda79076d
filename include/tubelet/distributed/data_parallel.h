// Data-parallel training as torch's DistributedDataParallel does it, on LibTorch's c10d
// process groups: parameters and buffers come from rank 0 when it is made, and during each
// backward pass the gradients are averaged across ranks in buckets, each bucket's all-reduce
// starting as soon as the autograd engine has accumulated all of its gradients, so
// communication overlaps the rest of the backward pass. At the end of the pass (an autograd
// engine callback, as DDP's Reducer uses) the averaged buckets are copied back into .grad,
// so the optimizer step that follows sees averaged gradients without knowing about ranks.
//
// Debian's LibTorch does not ship the headers c10d::Reducer needs, so this is our own
// reducer built from the same public pieces: AccumulateGrad post hooks, Engine::
// queue_callback and ProcessGroup::allreduce. Buckets hold parameters in reverse order (the
// order backward produces them) and are launched strictly in that order on every rank, so
// the ranks' collectives always match. A parameter that got no gradient on a rank takes part
// with zeros (DDP's find_unused_parameters behaviour).
#pragma once

#include <torch/nn/module.h>

#include <memory>

#include "tubelet/distributed/process_group.h"

namespace tubelet::dist {

struct DataParallelOptions {
  double bucket_cap_mb = 25;  // DDP's default
  // false: no bucket starts before the backward pass is over (mmcv's allreduce_grads
  // schedule); for measuring what the overlap gains.
  bool overlap = true;
};

class DistributedDataParallel {
 public:
  DistributedDataParallel(std::shared_ptr<torch::nn::Module> module, ProcessGroupPtr group,
                          DataParallelOptions options = {});
  ~DistributedDataParallel();
  DistributedDataParallel(const DistributedDataParallel&) = delete;
  DistributedDataParallel& operator=(const DistributedDataParallel&) = delete;

  int64_t num_buckets() const;
  // Backward passes reduced so far, and the time the training thread spent in the
  // reduction: launching all-reduces and, at the end of each pass, waiting for those still
  // running and copying the averages back.
  int64_t reductions() const;
  double reduce_seconds() const;

  struct State;  // shared with the autograd hooks, which may outlive this object

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tubelet::dist
