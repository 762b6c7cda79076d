#include "tubelet/distributed/data_parallel.h"

#include <torch/csrc/autograd/engine.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <chrono>
#include <mutex>

#include "tubelet/distributed/collectives.h"

namespace tubelet::dist {

namespace {

using Clock = std::chrono::steady_clock;

struct Bucket {
  std::vector<size_t> params;  // indices into State::params
  std::vector<int64_t> offsets;
  torch::Tensor flat;
  size_t pending = 0;
  c10::intrusive_ptr<c10d::Work> work;
};

}  // namespace

struct DistributedDataParallel::State {
  ProcessGroupPtr group;
  DataParallelOptions options;
  std::vector<torch::Tensor> params;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;  // kept alive, as DDP does
  std::vector<uintptr_t> hook_keys;
  std::vector<std::pair<size_t, size_t>> where;  // param -> (bucket, slot)
  std::vector<Bucket> buckets;
  std::vector<bool> ready;
  size_t next_launch = 0;
  bool in_backward = false;
  std::mutex mutex;
  int64_t reductions = 0;
  double seconds = 0;

  void build_buckets() {
    const double cap = options.bucket_cap_mb * 1024 * 1024;
    double bytes = 0;
    // Reverse order: backward produces the last layers' gradients first.
    for (size_t i = params.size(); i-- > 0;) {
      const auto& p = params[i];
      const double size = static_cast<double>(p.numel()) * static_cast<double>(p.element_size());
      if (buckets.empty() || bytes + size > cap ||
          params[buckets.back().params.front()].scalar_type() != p.scalar_type()) {
        buckets.emplace_back();
        bytes = 0;
      }
      Bucket& b = buckets.back();
      b.offsets.push_back(b.params.empty() ? 0
                                           : b.offsets.back() + params[b.params.back()].numel());
      b.params.push_back(i);
      bytes += size;
    }
    where.assign(params.size(), {0, 0});
    for (size_t b = 0; b < buckets.size(); ++b) {
      int64_t total = 0;
      for (size_t s = 0; s < buckets[b].params.size(); ++s) {
        where[buckets[b].params[s]] = {b, s};
        total += params[buckets[b].params[s]].numel();
      }
      buckets[b].flat = torch::zeros({total}, params[buckets[b].params.front()].options());
    }
  }

  void reset() {
    for (auto& b : buckets) {
      b.pending = b.params.size();
      b.work.reset();
    }
    ready.assign(params.size(), false);
    next_launch = 0;
    in_backward = false;
  }

  // Called by the autograd engine once params[i].grad holds this pass's gradient.
  void mark_ready(size_t i) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!in_backward) {
      in_backward = true;
      std::weak_ptr<State> self = weak_from_this_;
      torch::autograd::Engine::get_default_engine().queue_callback([self] {
        if (auto s = self.lock()) s->finalize();
      });
    }
    if (ready[i]) return;
    ready[i] = true;
    auto [b, slot] = where[i];
    Bucket& bucket = buckets[b];
    copy_in(bucket, slot);
    --bucket.pending;
    if (options.overlap) launch_ready();
  }

  void copy_in(Bucket& bucket, size_t slot) {
    const auto& p = params[bucket.params[slot]];
    auto view = bucket.flat.narrow(0, bucket.offsets[slot], p.numel());
    if (p.grad().defined())
      view.copy_(p.grad().reshape({-1}));
    else
      view.zero_();
  }

  void launch(Bucket& bucket) {
    auto start = Clock::now();
    bucket.flat.div_(group->getSize());  // DDP divides before summing
    std::vector<torch::Tensor> tensors{bucket.flat};
    bucket.work = group->allreduce(tensors);
    seconds += std::chrono::duration<double>(Clock::now() - start).count();
  }

  // Starts the buckets that are complete, in bucket order only.
  void launch_ready() {
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0)
      launch(buckets[next_launch++]);
  }

  // End of the backward pass: parameters that got no gradient join with zeros, every bucket
  // is reduced, and the averages go back into .grad.
  void finalize() {
    std::lock_guard<std::mutex> lock(mutex);
    auto start = Clock::now();
    for (size_t i = 0; i < params.size(); ++i)
      if (!ready[i]) {
        auto [b, slot] = where[i];
        buckets[b].flat.narrow(0, buckets[b].offsets[slot], params[i].numel()).zero_();
        ready[i] = true;
        --buckets[b].pending;
      }
    launch_ready();
    torch::NoGradGuard no_grad;
    for (auto& bucket : buckets) {
      wait_for(bucket.work, "gradient all-reduce", *group);
      for (size_t s = 0; s < bucket.params.size(); ++s) {
        auto& p = params[bucket.params[s]];
        auto avg = bucket.flat.narrow(0, bucket.offsets[s], p.numel()).view_as(p);
        if (p.grad().defined())
          p.mutable_grad().copy_(avg);
        else
          p.mutable_grad() = avg.clone();
      }
    }
    seconds += std::chrono::duration<double>(Clock::now() - start).count();
    ++reductions;
    reset();
  }

  std::weak_ptr<State> weak_from_this_;
};

namespace {

class ReadyHook : public torch::autograd::FunctionPostHook {
 public:
  ReadyHook(std::weak_ptr<DistributedDataParallel::State> state, size_t index)
      : state_(std::move(state)), index_(index) {}
  torch::autograd::variable_list operator()(
      const torch::autograd::variable_list& outputs,
      const torch::autograd::variable_list& /*inputs*/) override {
    if (auto s = state_.lock()) s->mark_ready(index_);
    return outputs;
  }

 private:
  std::weak_ptr<DistributedDataParallel::State> state_;
  size_t index_;
};

}  // namespace

DistributedDataParallel::DistributedDataParallel(std::shared_ptr<torch::nn::Module> module,
                                                 ProcessGroupPtr group, DataParallelOptions options)
    : state_(std::make_shared<State>()) {
  if (!module) throw std::invalid_argument("DistributedDataParallel needs a module");
  if (!group) throw std::invalid_argument("DistributedDataParallel needs a process group");
  if (options.bucket_cap_mb <= 0) throw std::invalid_argument("bucket_cap_mb must be positive");
  state_->group = group;
  state_->options = options;
  state_->weak_from_this_ = state_;
  broadcast_module_states(*module, *group);
  for (const auto& p : module->parameters())
    if (p.requires_grad()) state_->params.push_back(p);
  if (state_->params.empty()) return;
  state_->build_buckets();
  state_->reset();
  for (size_t i = 0; i < state_->params.size(); ++i) {
    auto accumulator = torch::autograd::impl::grad_accumulator(state_->params[i]);
    state_->hook_keys.push_back(accumulator->add_post_hook(std::make_unique<ReadyHook>(state_, i)));
    state_->accumulators.push_back(std::move(accumulator));
  }
}

DistributedDataParallel::~DistributedDataParallel() {
  for (size_t i = 0; i < state_->accumulators.size(); ++i)
    state_->accumulators[i]->del_post_hook(state_->hook_keys[i]);
}

int64_t DistributedDataParallel::num_buckets() const {
  return static_cast<int64_t>(state_->buckets.size());
}

int64_t DistributedDataParallel::reductions() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->reductions;
}

double DistributedDataParallel::reduce_seconds() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->seconds;
}

}  // namespace tubelet::dist
