// A tiny trainable model and an in-memory loader for runner and hook tests.
#pragma once

#include <torch/torch.h>

#include "tubelet/data/data_loader.h"
#include "tubelet/models/trainable.h"

namespace tubelet::test {

// y = fc(dropout(x)), trained on mean squared error; dropout exercises the RNG state.
class ToyModel : public torch::nn::Module, public Trainable {
 public:
  explicit ToyModel(double dropout = 0.2) {
    torch::manual_seed(0);
    fc = register_module("fc", torch::nn::Linear(4, 2));
    drop = register_module("drop", torch::nn::Dropout(dropout));
  }
  StepOutputs train_step(const Batch& batch) override {
    auto out = fc(drop(batch.at("imgs")));
    auto loss = torch::mse_loss(out, batch.at("label"));
    return parse_losses({{"loss_mse", loss}}, batch.size());
  }
  StepOutputs val_step(const Batch& batch) override { return train_step(batch); }

  torch::nn::Linear fc{nullptr};
  torch::nn::Dropout drop{nullptr};
};

// `n` samples of a fixed linear problem, shuffled per epoch from (seed, epoch).
class ToyLoader : public DataLoader {
 public:
  ToyLoader(int64_t n, int64_t batch_size, uint64_t seed = 1)
      : batch_size_(batch_size), seed_(seed) {
    auto gen = torch::make_generator<torch::CPUGeneratorImpl>(42);
    x_ = torch::randn({n, 4}, gen);
    y_ = torch::stack({x_.sum(1), x_.select(1, 0) - x_.select(1, 3)}, 1);
  }
  int64_t size() const override { return (x_.size(0) + batch_size_ - 1) / batch_size_; }
  void set_epoch(int64_t epoch) override { epoch_ = epoch; }
  void start() override {
    auto gen = torch::make_generator<torch::CPUGeneratorImpl>(seed_ + epoch_);
    order_ = torch::randperm(x_.size(0), gen);
    next_ = 0;
    ++starts;
  }
  std::optional<Batch> next() override {
    if (next_ >= x_.size(0)) return std::nullopt;
    auto idx = order_.slice(0, next_, std::min(next_ + batch_size_, x_.size(0)));
    next_ += batch_size_;
    Batch b;
    b.tensors = {{"imgs", x_.index_select(0, idx)}, {"label", y_.index_select(0, idx)}};
    return b;
  }
  int starts = 0;

 private:
  torch::Tensor x_, y_, order_;
  int64_t batch_size_;
  uint64_t seed_;
  int64_t epoch_ = 0;
  int64_t next_ = 0;
};

}  // namespace tubelet::test
