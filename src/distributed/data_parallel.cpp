#include "tubelet/distributed/data_parallel.h"

#include <torch/csrc/autograd/engine.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "tubelet/distributed/collectives.h"

namespace tubelet::dist {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

struct DistributedDataParallel::State {
  // Nested, not file-local: State has linkage, so its fields' types must too.
  struct Bucket {
    std::vector<size_t> params;  // indices into State::params
    std::vector<int64_t> offsets;
    torch::Tensor flat;
    size_t pending = 0;
    c10::intrusive_ptr<c10d::Work> work;
  };

  ProcessGroupPtr group;
  DataParallelOptions options;
  std::vector<torch::Tensor> params;
  std::vector<std::string> names;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;  // kept alive, as DDP does
  std::vector<uintptr_t> hook_keys;
  std::vector<std::pair<size_t, size_t>> where;  // param -> (bucket, slot)
  std::vector<Bucket> buckets;
  std::vector<bool> ready;
  std::vector<size_t> ready_order;  // of the first pass, for rebuilding the buckets
  bool rebuilt = false;
  size_t next_launch = 0;
  bool in_backward = false;
  mutable std::mutex mutex;
  int64_t reductions = 0;
  double seconds = 0;

  // Parameters in `order` fill buckets up to bucket_cap_mb each; the first bucket is capped
  // at 1 MiB (DDP's first-bucket size) so that its all-reduce starts early in backward.
  void build_buckets(const std::vector<size_t>& order) {
    const double cap = options.bucket_cap_mb * 1024 * 1024;
    double limit = std::min(cap, 1024.0 * 1024.0);
    double bytes = 0;
    buckets.clear();
    for (size_t i : order) {
      const auto& p = params[i];
      const double size = static_cast<double>(p.numel()) * static_cast<double>(p.element_size());
      if (buckets.empty() || bytes + size > limit ||
          params[buckets.back().params.front()].scalar_type() != p.scalar_type()) {
        if (!buckets.empty()) limit = cap;
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

  // Backward produces the last layers' gradients first.
  std::vector<size_t> reverse_order() const {
    std::vector<size_t> order(params.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = order.size() - 1 - i;
    return order;
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
    if (!rebuilt) ready_order.push_back(i);
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

  std::vector<size_t> not_ready() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < params.size(); ++i)
      if (!ready[i]) out.push_back(i);
    return out;
  }

  std::string unused_error(const std::vector<size_t>& unused) const {
    std::string list;
    for (size_t k = 0; k < unused.size() && k < 10; ++k) list += (k ? ", " : "") + names[unused[k]];
    if (unused.size() > 10) list += ", ... (" + std::to_string(unused.size()) + " in all)";
    return "distributed: parameters that require a gradient got none in this backward pass on "
           "rank " +
           std::to_string(group->getRank()) + ": " + list +
           ". Set `find_unused_parameters = True` in the config (as torch's "
           "DistributedDataParallel requires), or freeze them (requires_grad = False)";
  }

  // With find_unused_parameters: how many ranks used each parameter, summed over ranks after
  // the gradient buckets (every rank issues the same collectives in the same order).
  c10::intrusive_ptr<c10d::Work> count_users(const std::vector<size_t>& unused,
                                             torch::Tensor& users) {
    users = torch::ones({static_cast<int64_t>(params.size())}, torch::kInt);
    for (size_t i : unused) users[static_cast<int64_t>(i)] = 0;
    users = users.to(device());  // NCCL reduces CUDA tensors only
    std::vector<torch::Tensor> tensors{users};
    return group->allreduce(tensors);
  }

  void copy_out(const Bucket& bucket, const torch::Tensor& users) {
    for (size_t s = 0; s < bucket.params.size(); ++s) {
      const size_t i = bucket.params[s];
      if (users.defined() && users[static_cast<int64_t>(i)].item<int>() == 0)
        continue;  // no rank used it: its .grad stays as it was
      auto& p = params[i];
      auto avg = bucket.flat.narrow(0, bucket.offsets[s], p.numel()).view_as(p);
      if (p.grad().defined())
        p.mutable_grad().copy_(avg);
      else
        p.mutable_grad() = avg.clone();
    }
  }

  // Where the parameters, and so the gradient buckets, live: the group's bookkeeping
  // tensors go there too, as NCCL takes CUDA tensors only.
  torch::Device device() const { return params.empty() ? torch::kCPU : params.front().device(); }

  // After the first pass, rank 0's arrival order becomes every rank's bucket order.
  void rebuild_buckets() {
    auto order = torch::tensor(std::vector<int64_t>(ready_order.begin(), ready_order.end()));
    std::vector<torch::Tensor> tensors{order.to(device())};
    wait_for(group->broadcast(tensors), "broadcast of the gradient bucket order", *group);
    order = tensors[0].cpu();
    std::vector<size_t> indices;
    for (int64_t k = 0; k < order.numel(); ++k)
      indices.push_back(static_cast<size_t>(order[k].item<int64_t>()));
    build_buckets(indices);
    rebuilt = true;
    ready_order.clear();
  }

  // End of the backward pass: every bucket is reduced and the averages go back into .grad.
  void finalize() {
    std::lock_guard<std::mutex> lock(mutex);
    auto start = Clock::now();
    const std::vector<size_t> unused = not_ready();
    if (!unused.empty() && !options.find_unused_parameters) {
      reset();
      throw std::runtime_error(unused_error(unused));
    }
    for (size_t i : unused) {
      auto [b, slot] = where[i];
      buckets[b].flat.narrow(0, buckets[b].offsets[slot], params[i].numel()).zero_();
      ready[i] = true;
      --buckets[b].pending;
    }
    launch_ready();
    torch::Tensor users;
    c10::intrusive_ptr<c10d::Work> counting;
    if (options.find_unused_parameters) counting = count_users(unused, users);
    torch::NoGradGuard no_grad;
    if (counting) {
      wait_for(counting, "all-reduce of the used-parameter map", *group);
      users = users.cpu();
    }
    for (auto& bucket : buckets) {
      wait_for(bucket.work, "gradient all-reduce", *group);
      copy_out(bucket, users);
    }
    if (!rebuilt && !options.find_unused_parameters) rebuild_buckets();
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
  for (const auto& item : module->named_parameters())
    if (item.value().requires_grad()) {
      state_->params.push_back(item.value());
      state_->names.push_back(item.key());
    }
  if (state_->params.empty()) return;
  state_->build_buckets(state_->reverse_order());
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

std::vector<std::vector<std::string>> DistributedDataParallel::bucket_parameter_names() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  std::vector<std::vector<std::string>> out;
  for (const auto& bucket : state_->buckets) {
    out.emplace_back();
    for (size_t i : bucket.params) out.back().push_back(state_->names[i]);
  }
  return out;
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
