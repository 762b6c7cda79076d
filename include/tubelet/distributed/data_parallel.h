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
// queue_callback and ProcessGroup::allreduce. As DDP, buckets first hold parameters in
// reverse order (a guess at the order backward produces them; the first bucket is kept
// small so communication starts early), and after the first backward pass they are rebuilt
// in the order rank 0's gradients actually arrived. Buckets are launched strictly in bucket
// order on every rank, so the ranks' collectives always match.
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "tubelet/distributed/process_group.h"

namespace tubelet::dist {

struct DataParallelOptions {
  double bucket_cap_mb = 25;  // DDP's default
  // false: no bucket starts before the backward pass is over (mmcv's allreduce_grads
  // schedule); for measuring what the overlap gains.
  bool overlap = true;
  // MMAction2's top-level `find_unused_parameters` (DDP's argument). false: each parameter
  // that requires a gradient must get one in every backward pass, else that pass fails
  // naming the parameters (DDP fails one iteration later with the same advice). true: a
  // parameter one rank did not use takes part with zeros, the ranks agree after each pass
  // which parameters no rank used, and leave those parameters' .grad as it was, as a single
  // process would; buckets keep their first layout, as DDP's do in this mode.
  bool find_unused_parameters = false;
};

class DistributedDataParallel {
 public:
  DistributedDataParallel(std::shared_ptr<torch::nn::Module> module, ProcessGroupPtr group,
                          DataParallelOptions options = {});
  ~DistributedDataParallel();
  DistributedDataParallel(const DistributedDataParallel&) = delete;
  DistributedDataParallel& operator=(const DistributedDataParallel&) = delete;

  int64_t num_buckets() const;
  // The parameters of each bucket, by name, in launch order.
  std::vector<std::vector<std::string>> bucket_parameter_names() const;
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
